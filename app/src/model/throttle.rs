//! Sign-in throttling: after repeated failures an account (or a client address) must wait.
//! Pure rules here; the server stores one `ThrottleState` per key.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How many failures within the window lock a key, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// Per account: five wrong passwords in fifteen minutes lock it for fifteen minutes.
pub const ACCOUNT_RULE: ThrottleRule = ThrottleRule {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// Per client address: looser, since offices share addresses.
pub const ADDRESS_RULE: ThrottleRule = ThrottleRule {
    max_failures: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleState {
    pub failures: i32,
    pub window_started_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl ThrottleRule {
    /// Seconds left to wait, if the key is locked now.
    pub fn wait(&self, state: Option<&ThrottleState>, now: DateTime<Utc>) -> Option<i64> {
        let until = state?.locked_until?;
        (until > now).then(|| (until - now).num_seconds().max(1))
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(
        &self,
        state: Option<&ThrottleState>,
        now: DateTime<Utc>,
    ) -> ThrottleState {
        let fresh_window = match state {
            Some(s) => now - s.window_started_at > self.window,
            None => true,
        };
        let (failures, window_started_at) = match state {
            Some(s) if !fresh_window => (s.failures + 1, s.window_started_at),
            _ => (1, now),
        };
        let locked_until = if failures >= self.max_failures {
            Some(now + self.lockout)
        } else {
            None
        };
        ThrottleState {
            failures,
            window_started_at,
            locked_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn fifth_failure_locks_the_account() {
        let mut state = None;
        for minute in 0..4 {
            let next = ACCOUNT_RULE.after_failure(state.as_ref(), at(minute));
            assert_eq!(ACCOUNT_RULE.wait(Some(&next), at(minute)), None);
            state = Some(next);
        }
        let locked = ACCOUNT_RULE.after_failure(state.as_ref(), at(4));
        assert_eq!(ACCOUNT_RULE.wait(Some(&locked), at(4)), Some(15 * 60));
        assert_eq!(
            ACCOUNT_RULE.wait(Some(&locked), at(19)),
            None,
            "lock expires"
        );
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let first = ACCOUNT_RULE.after_failure(None, at(0));
        let much_later = ACCOUNT_RULE.after_failure(Some(&first), at(30));
        assert_eq!(much_later.failures, 1);
        assert_eq!(much_later.window_started_at, at(30));
    }

    proptest! {
        /// Fewer failures than the limit, however spaced, never lock.
        #[test]
        fn below_the_limit_never_locks(gaps in proptest::collection::vec(0i64..40, 0..4)) {
            let mut state = None;
            let mut minute = 0;
            for gap in gaps {
                minute += gap;
                let next = ACCOUNT_RULE.after_failure(state.as_ref(), at(minute));
                prop_assert!(next.locked_until.is_none());
                state = Some(next);
            }
        }
    }
}
