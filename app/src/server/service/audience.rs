//! An audience chosen by SMS roles and by name — who needs a competence, who a campaign asks
//! to read a document — decided in SQL from the roles stored on each user, so a page of
//! people or a count never reads everyone.

use crate::model::access::Role;

/// Where a record keeps its audience: a table of role codes and one of user ids, each with
/// the record's id in `owner`.
pub struct Audience {
    pub roles: &'static str,
    pub people: &'static str,
    pub owner: &'static str,
}

/// SQL: the user row `users` is in the audience of the record whose id is the expression
/// `record` — through a role in `users.roles` (a JSON array of codes) or by name.
pub fn member_sql(audience: &Audience, record: &str) -> String {
    let Audience {
        roles,
        people,
        owner,
    } = audience;
    format!(
        "(EXISTS (SELECT 1 FROM {roles} r WHERE r.{owner} = {record} \
         AND users.roles LIKE ('%\"' || r.role || '\"%')) \
         OR EXISTS (SELECT 1 FROM {people} p WHERE p.{owner} = {record} \
         AND p.user_id = users.id))"
    )
}

/// A `LIKE` pattern matching users whose stored roles include `role`.
pub fn role_pattern(role: Role) -> String {
    format!("%\"{}\"%", role.as_str())
}
