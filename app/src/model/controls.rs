//! Organisation-wide settings of Conform's controls: the limits an operator may tighten but
//! no user can loosen from a form.

use serde::{Deserialize, Serialize};

/// The organisation's control settings (from the server's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controls {
    /// The shortest time, in days, between a nonconformity's corrective actions being done and
    /// the check of their effectiveness (clause 10.1). A nonconformity may ask for longer.
    pub nc_min_wait_days: i64,
}

impl Controls {
    /// The longest waiting period anyone may set (and so the highest minimum).
    pub const MAX_WAIT_DAYS: i64 = 365;
}

impl Default for Controls {
    fn default() -> Self {
        Controls {
            nc_min_wait_days: 30,
        }
    }
}
