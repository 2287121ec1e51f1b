//! Who is asking, and why they may not: the facts every lifecycle's rules decide on, and the
//! refusal in words for the person who tried.

use crate::model::access::Role;
use crate::model::user::CurrentUser;
use serde::{Deserialize, Serialize};

/// The person asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorFacts {
    pub user_id: i64,
    pub roles: Vec<Role>,
}

impl ActorFacts {
    pub fn person(user_id: i64, roles: Vec<Role>) -> Self {
        ActorFacts { user_id, roles }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}

impl From<&CurrentUser> for ActorFacts {
    fn from(user: &CurrentUser) -> Self {
        ActorFacts::person(user.id, user.roles.clone())
    }
}

/// Why a move is not possible, in words for the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A refusal as the result of a rule.
pub fn refuse<T>(reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(reason.into()))
}
