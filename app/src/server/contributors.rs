//! Who wrote part of a version: besides its author, everyone who saved it, kept as a JSON list
//! of user ids on the version row, so that "approved by someone who did not write it" means
//! nobody who wrote any part of it.

/// The user ids stored in a contributors column (an unreadable value counts as none).
pub fn parse(stored: &str) -> Vec<i64> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// The contributors column after `user_id` saved the version written by `author_id`.
pub fn with(stored: &str, author_id: i64, user_id: i64) -> String {
    let mut ids = parse(stored);
    if user_id != author_id && !ids.contains(&user_id) {
        ids.push(user_id);
    }
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_writer_other_than_the_author_is_kept_once() {
        let once = with("[]", 1, 2);
        assert_eq!(parse(&once), vec![2]);
        assert_eq!(parse(&with(&once, 1, 2)), vec![2]);
        assert_eq!(parse(&with(&once, 1, 1)), vec![2]);
        assert_eq!(parse(&with(&once, 1, 3)), vec![2, 3]);
        assert!(parse("not json").is_empty());
    }
}
