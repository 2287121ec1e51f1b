//! Password hashing: argon2id (m = 19456 KiB, t = 2, p = 1), run off the async runtime and
//! never more than `HASH_CONCURRENCY` at a time per process, so a flood of sign-ins cannot
//! exhaust memory (19 MiB each) or the blocking thread pool.
//!
//! Each hashing slot reuses one working area, allocated once: a fresh 19 MiB allocation per
//! check, freed on whichever blocking thread ran it, left glibc's per-thread arenas holding
//! 100–400 MB after a sign-in flood (measured, docs/benchmarks.md).

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_core::OsRng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
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

fn params() -> Params {
    Params::new(19_456, 2, 1, None).expect("valid argon2 parameters")
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// Working areas of the standard cost, one per slot in use, kept for the next check.
static WORKING_AREAS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Allocates the working area of every hashing slot (called when the server starts, so that
/// the memory sign-ins need is there from the beginning instead of growing under load).
pub fn reserve_working_areas() {
    let mut areas = WORKING_AREAS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    while areas.len() < HASH_CONCURRENCY {
        areas.push(vec![Block::default(); params().block_count()]);
    }
}

/// Runs `argon` with a reused working area (a stored hash of another cost gets one of its own).
fn hash_into(argon: &Argon2, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    let standard = params().block_count();
    let needed = argon.params().block_count();
    if needed != standard {
        return argon.hash_password_into(password, salt, out);
    }
    let areas = || {
        WORKING_AREAS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    let mut area = areas()
        .pop()
        .unwrap_or_else(|| vec![Block::default(); standard]);
    let result = argon.hash_password_into_with_memory(password, salt, out, &mut area);
    let mut kept = areas();
    if kept.len() < HASH_CONCURRENCY {
        kept.push(area);
    }
    result
}

/// The PHC string of `password` hashed with a fresh salt at the standard cost.
fn hash_now(password: &[u8]) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let argon = hasher();
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        hash_into(&argon, password, salt_bytes, out).map_err(Into::into)
    })
    .map_err(|e| e.to_string())?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches `stored`, a PHC string of any argon2 cost; compared in constant
/// time (`Output`'s equality).
fn matches(password: &[u8], stored: &PasswordHash) -> bool {
    let check = || -> Result<bool, argon2::password_hash::Error> {
        let expected = stored.hash.ok_or(argon2::password_hash::Error::Password)?;
        let algorithm = Algorithm::try_from(stored.algorithm)?;
        let version = stored
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let salt = stored.salt.ok_or(argon2::password_hash::Error::Password)?;
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let argon = Argon2::new(algorithm, version, Params::try_from(stored)?);
        let actual = Output::init_with(expected.len(), |out| {
            hash_into(&argon, password, salt_bytes, out).map_err(Into::into)
        })?;
        Ok(actual == expected)
    };
    check().unwrap_or(false)
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
        hash_now(password.as_bytes())
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
            Ok(parsed) => matches(password.as_bytes(), &parsed),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now(b"conform-dummy-password").unwrap_or_default())
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

    #[test]
    fn hashes_of_the_argon2_crate_and_of_other_costs_still_verify() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        // What `hash` wrote before the working areas: the crate's own PHC string.
        let theirs = hasher()
            .hash_password(b"old secret", &salt)
            .unwrap()
            .to_string();
        assert!(matches(b"old secret", &PasswordHash::new(&theirs).unwrap()));
        assert!(!matches(b"old secre", &PasswordHash::new(&theirs).unwrap()));
        // Ours verifies with the crate's verifier: the same format, byte for byte.
        let ours = hash_now(b"new secret").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(hasher().verify_password(b"new secret", &parsed).is_ok());
        // A cheaper cost (an older installation) hashes in an area of its own.
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        );
        let cheap = cheap.hash_password(b"cheap", &salt).unwrap().to_string();
        assert!(matches(b"cheap", &PasswordHash::new(&cheap).unwrap()));
        assert!(!matches(b"cheaq", &PasswordHash::new(&cheap).unwrap()));
        // A PHC string without its hash never matches.
        let bare = format!("$argon2id$v=19$m=19456,t=2,p=1${}", salt.as_str());
        assert!(!matches(b"", &PasswordHash::new(&bare).unwrap()));
        assert!(WORKING_AREAS.lock().unwrap().len() <= HASH_CONCURRENCY);
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
