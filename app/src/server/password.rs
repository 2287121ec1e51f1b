//! Password hashing: argon2id (m = 19456 KiB, t = 2, p = 1), run off the async runtime and
//! never more than `HASH_CONCURRENCY` at a time per process, so a flood of sign-ins cannot
//! exhaust memory (19 MiB each) or the blocking thread pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::OsRng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Hashes computed at the same time, per process (about 19 MiB of memory each).
pub const HASH_CONCURRENCY: usize = 2;

/// How long a sign-in waits for a free hashing slot before it is told to try again.
pub const HASH_WAIT: Duration = Duration::from_millis(500);

static HASHING: Semaphore = Semaphore::const_new(HASH_CONCURRENCY);
static CHECKED: AtomicU64 = AtomicU64::new(0);

/// No hashing slot came free in time: the caller answers 429 without hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// How many passwords this process has checked against a hash since it started (for tests
/// and the sign-in benchmark).
pub fn checked_count() -> u64 {
    CHECKED.load(Ordering::Relaxed)
}

async fn slot(wait: Option<Duration>) -> Result<SemaphorePermit<'static>, Busy> {
    slot_in(&HASHING, wait).await
}

/// A permit of `slots`, waiting at most `wait` (or as long as it takes).
async fn slot_in(
    slots: &'static Semaphore,
    wait: Option<Duration>,
) -> Result<SemaphorePermit<'static>, Busy> {
    match wait {
        Some(wait) => tokio::time::timeout(wait, slots.acquire())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy),
        None => slots.acquire().await.map_err(|_| Busy),
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` as typed (no trimming, no truncation).
/// Waits for a hashing slot as long as it takes (setting a password is not a flood target:
/// only an administrator or the signed-in owner does it).
pub async fn hash(password: String) -> Result<String, String> {
    let permit = slot(None)
        .await
        .map_err(|_| "hashing is closed".to_string())?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
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
/// hash, so both cases take the same time and reveal nothing. Waits for a hashing slot as
/// long as it takes (a signed-in person confirming their own password).
pub async fn verify(password: String, stored: Option<String>) -> bool {
    match slot(None).await {
        Ok(permit) => check(permit, password, stored).await,
        Err(Busy) => false,
    }
}

/// `verify` for sign-in: `Err(Busy)` when no hashing slot came free within `HASH_WAIT`
/// (then nothing was checked and the caller answers 429 at once).
pub async fn try_verify(password: String, stored: Option<String>) -> Result<bool, Busy> {
    try_verify_in(&HASHING, password, stored).await
}

async fn try_verify_in(
    slots: &'static Semaphore,
    password: String,
    stored: Option<String>,
) -> Result<bool, Busy> {
    let permit = slot_in(slots, Some(HASH_WAIT)).await?;
    Ok(check(permit, password, stored).await)
}

async fn check(permit: SemaphorePermit<'static>, password: String, stored: Option<String>) -> bool {
    CHECKED.fetch_add(1, Ordering::Relaxed);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        match PasswordHash::new(&stored) {
            Ok(parsed) => hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
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
        assert!(!verify("correct horse batter".into(), Some(hashed.clone())).await);
        assert!(!verify("anything".into(), None).await);
        assert_eq!(
            try_verify("correct horse battery".into(), Some(hashed)).await,
            Ok(true)
        );
    }

    #[tokio::test]
    async fn long_passwords_are_not_truncated() {
        let long = "p".repeat(128);
        let hashed = hash(long.clone()).await.unwrap();
        assert!(verify(long.clone(), Some(hashed.clone())).await);
        assert!(!verify(long[..127].to_string(), Some(hashed)).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flood_waits_briefly_then_is_turned_away_without_hashing() {
        // Slots of its own, so that the other tests' hashing does not interfere.
        static SLOTS: Semaphore = Semaphore::const_new(HASH_CONCURRENCY);
        let hashed = hash("correct horse battery".into()).await.unwrap();
        // Every slot is taken: the next check waits `HASH_WAIT`, then is turned away unchecked.
        let taken = SLOTS.acquire_many(HASH_CONCURRENCY as u32).await.unwrap();
        assert_eq!(
            try_verify_in(&SLOTS, "wrong".into(), Some(hashed.clone())).await,
            Err(Busy)
        );
        drop(taken);
        // A slot comes free: the password is checked (and is wrong).
        assert_eq!(
            try_verify_in(&SLOTS, "wrong".into(), Some(hashed)).await,
            Ok(false)
        );
        assert_eq!(SLOTS.available_permits(), HASH_CONCURRENCY);
    }
}
