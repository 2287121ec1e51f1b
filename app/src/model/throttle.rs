//! Sign-in throttling: after repeated failures an account and client address pair (or, much
//! later, an account from anywhere, or one address trying many accounts) must wait.
//! Pure rules here; the server stores one `ThrottleState` per key and *reserves* an attempt
//! (counts it as a failure) before the password is checked, so parallel attempts can never
//! check more passwords than the limit; a successful sign-in gives its reservation back.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How many failures within the window lock a key, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// Per account *and* client address: five wrong passwords in fifteen minutes lock that pair
/// for fifteen minutes. Someone guessing from elsewhere does not lock the owner out.
pub const PAIR_RULE: ThrottleRule = ThrottleRule {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// Per account from any address (a guesser with many addresses): 50 in an hour lock the
/// account for an hour — except from an address the account has signed in from before
/// (see `KNOWN_ADDRESS_DAYS`), so the owner at their usual place can always sign in.
pub const ACCOUNT_RULE: ThrottleRule = ThrottleRule {
    max_failures: 50,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

/// Per client address, whatever the account: looser than the pair, since offices share
/// addresses, but it stops one address trying many accounts.
pub const ADDRESS_RULE: ThrottleRule = ThrottleRule {
    max_failures: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// An address an account signed in from within this many days is "known" for it and is not
/// held back by the account-wide limit (only by its own pair limit).
pub const KNOWN_ADDRESS_DAYS: i64 = 90;

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

    /// Reserves one attempt at `now`: the state counting it as a failure (until given back
    /// with `refund`), or the seconds to wait when the key is locked. Applied under a row
    /// lock, at most `max_failures` attempts are reserved per lockout period, however many
    /// arrive at once.
    pub fn reserve(
        &self,
        state: Option<&ThrottleState>,
        now: DateTime<Utc>,
    ) -> Result<ThrottleState, i64> {
        match self.wait(state, now) {
            Some(seconds) => Err(seconds),
            None => Ok(self.after_failure(state, now)),
        }
    }

    /// Gives a reserved attempt back (the password was right, or was never checked).
    pub fn refund(&self, state: &ThrottleState) -> ThrottleState {
        let failures = (state.failures - 1).max(0);
        ThrottleState {
            failures,
            window_started_at: state.window_started_at,
            locked_until: if failures >= self.max_failures {
                state.locked_until
            } else {
                None
            },
        }
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
    fn fifth_failure_locks_the_pair() {
        let mut state = None;
        for minute in 0..4 {
            let next = PAIR_RULE.after_failure(state.as_ref(), at(minute));
            assert_eq!(PAIR_RULE.wait(Some(&next), at(minute)), None);
            state = Some(next);
        }
        let locked = PAIR_RULE.after_failure(state.as_ref(), at(4));
        assert_eq!(PAIR_RULE.wait(Some(&locked), at(4)), Some(15 * 60));
        assert_eq!(PAIR_RULE.wait(Some(&locked), at(19)), None, "lock expires");
    }

    #[test]
    fn reservations_stop_at_the_limit_and_refunds_unlock() {
        let mut state = None;
        let mut reserved = 0;
        for _ in 0..500 {
            if let Ok(next) = PAIR_RULE.reserve(state.as_ref(), at(0)) {
                reserved += 1;
                state = Some(next);
            }
        }
        assert_eq!(reserved, PAIR_RULE.max_failures);
        let state = state.unwrap();
        assert_eq!(PAIR_RULE.reserve(Some(&state), at(1)), Err(14 * 60));
        // The last attempt was the right password: its reservation comes back.
        let refunded = PAIR_RULE.refund(&state);
        assert_eq!(refunded.failures, PAIR_RULE.max_failures - 1);
        assert!(PAIR_RULE.reserve(Some(&refunded), at(1)).is_ok());
    }

    // The account-wide limit is larger than the pair's (checked when the rules compile) …
    const _: () = assert!(ACCOUNT_RULE.max_failures > PAIR_RULE.max_failures);

    // … and lasts at least as long.
    #[test]
    fn the_account_wide_lockout_is_no_shorter_than_the_pair() {
        assert!(ACCOUNT_RULE.lockout >= PAIR_RULE.lockout);
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let first = PAIR_RULE.after_failure(None, at(0));
        let much_later = PAIR_RULE.after_failure(Some(&first), at(30));
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
                let next = PAIR_RULE.after_failure(state.as_ref(), at(minute));
                prop_assert!(next.locked_until.is_none());
                state = Some(next);
            }
        }

        /// However attempts and refunds interleave, no more than the limit are outstanding.
        #[test]
        fn reservations_never_exceed_the_limit(steps in proptest::collection::vec(any::<bool>(), 0..200)) {
            let mut state: Option<ThrottleState> = None;
            let mut outstanding = 0;
            for refund in steps {
                if refund && outstanding > 0 {
                    state = Some(PAIR_RULE.refund(state.as_ref().unwrap()));
                    outstanding -= 1;
                } else if let Ok(next) = PAIR_RULE.reserve(state.as_ref(), at(0)) {
                    state = Some(next);
                    outstanding += 1;
                }
                prop_assert!(outstanding <= PAIR_RULE.max_failures);
            }
        }
    }
}
