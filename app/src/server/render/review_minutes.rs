//! A management review's minutes as a complete standalone HTML page (no app chrome, no
//! JavaScript); a review not yet published prints with a DRAFT watermark. The server's
//! download handler and the evidence pack render them here.

use super::{escape, page};
use crate::model::management_review::{minutes_markdown, ReviewRecord, ReviewState};
use crate::server::markdown::to_safe_html;

/// The minutes as a complete standalone HTML page: no script, the stylesheet by URL.
pub fn minutes_html(review: &ReviewRecord) -> String {
    let watermark = (review.state != ReviewState::Published).then_some("DRAFT — NOT PUBLISHED");
    let footer = match (&review.published_at, &review.published_by) {
        (Some(at), Some(by)) => format!(
            "Minutes published by {} on {}; they do not change after publishing.",
            escape(&by.name),
            at.format("%Y-%m-%d")
        ),
        _ => format!(
            "Draft ({}): the inputs are live and may change until the minutes are published.",
            review.state.label().to_lowercase()
        ),
    };
    page(
        &format!("{} — minutes", review.title),
        watermark,
        &to_safe_html(&minutes_markdown(review)),
        &footer,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::management_review::{Period, ReviewInputs};
    use crate::model::refs::PersonRef;

    fn record(title: &str, state: ReviewState) -> ReviewRecord {
        let day = |s: &str| s.parse().unwrap();
        let period = Period {
            start: day("2026-07-01"),
            end: day("2026-09-30"),
        };
        let quinn = PersonRef {
            id: 1,
            name: "Quinn <Quality>".into(),
        };
        ReviewRecord {
            id: 4,
            title: title.into(),
            planned_on: day("2026-10-10"),
            period,
            state,
            chair: quinn.clone(),
            attendees: vec![quinn.clone()],
            guests: String::new(),
            context_changes: "<script>alert(1)</script>".into(),
            customer_feedback: String::new(),
            inputs: ReviewInputs::empty(period, day("2026-10-10")),
            inputs_frozen: state == ReviewState::Published,
            minutes: "We *agreed*.".into(),
            published_at: (state == ReviewState::Published).then(chrono::Utc::now),
            published_by: (state == ReviewState::Published).then_some(quinn),
            version: 3,
            decisions: vec![],
            actions: vec![],
        }
    }

    #[test]
    fn minutes_have_no_script_and_link_their_stylesheet() {
        let page = minutes_html(&record("Review Q3", ReviewState::Published));
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains(super::super::PRINT_CSS_PATH));
        assert!(page.contains("Minutes published by Quinn &lt;Quality&gt;"));
        assert!(page.contains("<em>agreed</em>"));
        assert!(page.contains("no data"));
        assert!(!page.contains("DRAFT"));
    }

    #[test]
    fn a_draft_prints_with_a_watermark() {
        let page = minutes_html(&record("Review Q3", ReviewState::Held));
        assert!(page.contains("DRAFT — NOT PUBLISHED"));
    }
}
