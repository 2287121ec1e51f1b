//! How often one monitoring source may deliver. Alertmanager groups alerts and delivers a
//! group every few minutes, so hundreds of deliveries a minute from one source means a
//! misconfigured or compromised sender; holding it back (429 with `Retry-After`, which
//! Alertmanager retries) keeps it from flooding the incident queue and the database, and
//! never holds back another source. Counted per process, in memory (GCRA, `governor`).

use crate::error::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Deliveries a source may make in a minute, all at once or spread out.
pub const DELIVERIES_PER_MINUTE: u32 = 600;

#[derive(Clone)]
pub struct IntakeLimits {
    limiter: Arc<DefaultKeyedRateLimiter<i64>>,
    per_minute: u32,
}

impl IntakeLimits {
    pub fn per_minute(deliveries: u32) -> IntakeLimits {
        let quota = NonZeroU32::new(deliveries).unwrap_or(NonZeroU32::MIN);
        IntakeLimits {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(quota))),
            per_minute: quota.get(),
        }
    }

    /// Counts one delivery of `source`, or says how long it must wait (nothing is counted).
    pub fn admit(&self, source: i64) -> Result<(), AppError> {
        self.limiter.check_key(&source).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after_seconds: (wait.as_secs_f64().ceil() as i64).max(1),
            }
        })
    }

    pub fn deliveries_per_minute(&self) -> u32 {
        self.per_minute
    }
}

impl Default for IntakeLimits {
    fn default() -> IntakeLimits {
        IntakeLimits::per_minute(DELIVERIES_PER_MINUTE)
    }
}

impl std::fmt::Debug for IntakeLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeLimits")
            .field("per_minute", &self.per_minute)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_over_its_quota_waits_and_another_does_not() {
        let limits = IntakeLimits::per_minute(2);
        assert!(limits.admit(1).is_ok());
        assert!(limits.admit(1).is_ok());
        match limits.admit(1) {
            Err(AppError::RateLimited {
                retry_after_seconds,
            }) => assert!(
                (1..=30).contains(&retry_after_seconds),
                "{retry_after_seconds}"
            ),
            other => panic!("expected a wait, got {other:?}"),
        }
        assert!(limits.admit(2).is_ok(), "each source has its own quota");
    }

    #[test]
    fn a_zero_quota_still_admits_one_a_minute() {
        let limits = IntakeLimits::per_minute(0);
        assert_eq!(limits.deliveries_per_minute(), 1);
        assert!(limits.admit(7).is_ok());
        assert!(limits.admit(7).is_err());
    }
}
