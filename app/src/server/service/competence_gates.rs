//! Competence gates: clause 7.2 put to work where it matters. A competence the quality manager
//! set to check an activity — casting a CAB vote, owning a continuity plan — is looked up for
//! the person acting; a gap is either shown and noted (warn) or refuses the act with the reason
//! (block). Never silent.

use crate::error::AppError;
use crate::model::competence::{CompetenceStatus, Gate, GateGap, GatedActivity};
use crate::server::entity::competence::{Column, Entity as Competences};
use crate::server::entity::competence_evidence::{self as evidence_entity, Entity as EvidenceRows};
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// The competences checked at `activity` that `user_id` lacks on `today` (never held, expired
/// or withdrawn): those for any service, and those for one of `services`.
pub async fn gaps<C: ConnectionTrait>(
    conn: &C,
    activity: GatedActivity,
    user_id: i64,
    services: &[i64],
    today: NaiveDate,
) -> Result<Vec<GateGap>, AppError> {
    let gate_column = match activity {
        GatedActivity::CabVote => Column::CabVoteGate,
        GatedActivity::PlanOwner => Column::PlanOwnerGate,
    };
    let mut scope = Condition::any().add(Column::ServiceId.is_null());
    if !services.is_empty() {
        scope = scope.add(Column::ServiceId.is_in(services.to_vec()));
    }
    let lacking = Competences::find()
        .filter(Column::Status.eq(CompetenceStatus::Active.as_str()))
        .filter(gate_column.ne(Gate::Off.as_str()))
        .filter(scope)
        .filter(Expr::cust(format!(
            "NOT EXISTS (SELECT 1 FROM competence_evidence e WHERE e.competence_id = competences.id \
             AND e.user_id = {user_id} AND e.withdrawn_at IS NULL \
             AND (e.expires_on IS NULL OR e.expires_on >= '{}'))",
            today.format("%Y-%m-%d")
        )))
        .order_by_asc(Column::Name)
        .all(conn)
        .await?;
    if lacking.is_empty() {
        return Ok(Vec::new());
    }
    // When the evidence they had ran out, for the words ("expired 1 October").
    let expired: Vec<(i64, Option<NaiveDate>)> = EvidenceRows::find()
        .select_only()
        .column(evidence_entity::Column::CompetenceId)
        .column(evidence_entity::Column::ExpiresOn)
        .filter(evidence_entity::Column::UserId.eq(user_id))
        .filter(evidence_entity::Column::WithdrawnAt.is_null())
        .filter(
            evidence_entity::Column::CompetenceId
                .is_in(lacking.iter().map(|c| c.id).collect::<Vec<_>>()),
        )
        .into_tuple()
        .all(conn)
        .await?;
    let mut last: HashMap<i64, NaiveDate> = HashMap::new();
    for (competence_id, expires_on) in expired {
        if let Some(day) = expires_on {
            let entry = last.entry(competence_id).or_insert(day);
            *entry = (*entry).max(day);
        }
    }
    Ok(lacking
        .into_iter()
        .map(|c| {
            let gate = match activity {
                GatedActivity::CabVote => &c.cab_vote_gate,
                GatedActivity::PlanOwner => &c.plan_owner_gate,
            };
            GateGap {
                competence_id: c.id,
                name: c.name,
                gate: Gate::parse(gate).unwrap_or(Gate::Warn),
                expired_on: last.get(&c.id).copied(),
            }
        })
        .collect())
}
