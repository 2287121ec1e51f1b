//! An audience chosen by SMS roles and by name — who needs a competence, who a campaign asks
//! to read a document — decided in SQL from the roles stored on each user, so a page of
//! people or a count never reads everyone.

use crate::error::AppError;
use crate::model::access::Role;
use crate::model::refs::PersonRef;
use crate::server::service::users::person;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// Where a record keeps its audience: a table of role codes and one of user ids, each with
/// the record's id in `owner`.
pub struct Audience {
    pub roles: &'static str,
    pub people: &'static str,
    pub owner: &'static str,
}

impl Audience {
    /// Replaces the roles and people record `record` names, in the caller's transaction.
    pub async fn replace<C: ConnectionTrait>(
        &self,
        conn: &C,
        record: i64,
        roles: &[Role],
        people: &[i64],
    ) -> Result<(), AppError> {
        for table in [self.roles, self.people] {
            let delete = Query::delete()
                .from_table(Alias::new(table))
                .and_where(Expr::col(Alias::new(self.owner)).eq(record))
                .to_owned();
            conn.execute(&delete).await?;
        }
        if !roles.is_empty() {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new(self.roles))
                .columns([Alias::new(self.owner), Alias::new("role")]);
            for role in roles {
                insert
                    .values([record.into(), role.as_str().into()])
                    .map_err(crate::server::failure::internal)?;
            }
            conn.execute(&insert).await?;
        }
        if !people.is_empty() {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new(self.people))
                .columns([Alias::new(self.owner), Alias::new("user_id")]);
            for user_id in people {
                insert
                    .values([record.into(), (*user_id).into()])
                    .map_err(crate::server::failure::internal)?;
            }
            conn.execute(&insert).await?;
        }
        Ok(())
    }
}

/// Who an audience is, in words: "cab members, Dana Whitfield".
pub fn audience_words(roles: &[Role], people: &[i64], names: &HashMap<i64, PersonRef>) -> String {
    let mut who: Vec<String> = roles
        .iter()
        .map(|r| r.label().to_lowercase() + "s")
        .collect();
    who.extend(people.iter().map(|id| person(names, *id).name));
    who.join(", ")
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
