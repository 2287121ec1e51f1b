//! Password hashing: argon2id (m = 19456 KiB, t = 2, p = 1), run off the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::OsRng;
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` as typed (no trimming, no truncation).
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Checks `password` against a stored hash. A missing account is checked against a dummy
/// hash, so both cases take the same time and reveal nothing.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"conform-dummy-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_cost() {
        let hashed = hash("correct horse battery".into()).await.unwrap();
        assert!(
            hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hashed}"
        );
        assert!(verify("correct horse battery".into(), Some(hashed.clone())).await);
        assert!(!verify("correct horse batter".into(), Some(hashed)).await);
        assert!(!verify("anything".into(), None).await);
    }

    #[tokio::test]
    async fn long_passwords_are_not_truncated() {
        let long = "p".repeat(128);
        let hashed = hash(long.clone()).await.unwrap();
        assert!(verify(long.clone(), Some(hashed.clone())).await);
        assert!(!verify(long[..127].to_string(), Some(hashed)).await);
    }
}
