//! The monthly service report (clause 9.4) of one service: twelve months of incidents,
//! availability against the agreement, requests and changes. It reads only that service's
//! records of those twelve months, and only the columns the figures need; the arithmetic is
//! `model::service_report`'s.

use crate::error::AppError;
use crate::model::change::ChangeState;
use crate::model::priority_matrix::TicketPriority;
use crate::model::refs::ServiceRef;
use crate::model::service_report::{
    availability_basis_points, covered_minutes, MonthFigures, ReportMonth, ServiceReport,
    TREND_MONTHS,
};
use crate::server::entity::change::{Column as ChangeColumn, Entity as Changes};
use crate::server::entity::change_service::{Column as LinkColumn, Entity as ChangeServices};
use crate::server::entity::incident::{Column as IncidentColumn, Entity as Incidents};
use crate::server::entity::service_request::{Column as RequestColumn, Entity as Requests};
use crate::server::service::{agreements, catalogue, incident_causes};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

/// What the figures need of an incident.
type IncidentFacts = (
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    bool,
    Option<i32>,
    i64,
);

/// What the figures need of a change: id, planned start, state, incidents its review counted.
type ChangeFacts = (i64, Option<DateTime<Utc>>, String, Option<i32>);

/// What the figures need of a request: raised, fulfilled, target minutes, seconds used.
type RequestFacts = (DateTime<Utc>, Option<DateTime<Utc>>, Option<i32>, i64);

/// The report of `service_id` for `month` and the eleven months before it, as at `now`.
pub async fn report<C: ConnectionTrait>(
    conn: &C,
    service_id: i64,
    month: ReportMonth,
    now: DateTime<Utc>,
) -> Result<ServiceReport, AppError> {
    let names = catalogue::names_of(conn, [service_id]).await?;
    let Some(name) = names.get(&service_id).cloned() else {
        return Err(AppError::NotFound("That service".into()));
    };
    let months = month.trailing(TREND_MONTHS);
    let (from, to) = (months[0].start(), month.end());

    let incidents: Vec<IncidentFacts> = Incidents::find()
        .select_only()
        .columns([
            IncidentColumn::Priority,
            IncidentColumn::CreatedAt,
            IncidentColumn::StartedAt,
            IncidentColumn::ResolvedAt,
            IncidentColumn::ServiceAffecting,
            IncidentColumn::ResolutionTargetMinutes,
            IncidentColumn::ResolutionUsedSeconds,
        ])
        .filter(IncidentColumn::ServiceId.eq(service_id))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(IncidentColumn::CreatedAt.gte(from))
                        .add(IncidentColumn::CreatedAt.lt(to)),
                )
                .add(
                    Condition::all()
                        .add(IncidentColumn::ResolvedAt.gte(from))
                        .add(IncidentColumn::ResolvedAt.lt(to)),
                )
                // An outage that began before the year and lasted into it.
                .add(
                    Condition::all()
                        .add(IncidentColumn::ServiceAffecting.eq(true))
                        .add(IncidentColumn::StartedAt.lt(to))
                        .add(
                            Condition::any()
                                .add(IncidentColumn::ResolvedAt.is_null())
                                .add(IncidentColumn::ResolvedAt.gte(from)),
                        ),
                ),
        )
        .into_tuple()
        .all(conn)
        .await?;

    let requests: Vec<RequestFacts> = Requests::find()
        .select_only()
        .columns([
            RequestColumn::CreatedAt,
            RequestColumn::FulfilledAt,
            RequestColumn::TargetMinutes,
            RequestColumn::UsedSeconds,
        ])
        .filter(RequestColumn::ServiceId.eq(service_id))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(RequestColumn::CreatedAt.gte(from))
                        .add(RequestColumn::CreatedAt.lt(to)),
                )
                .add(
                    Condition::all()
                        .add(RequestColumn::FulfilledAt.gte(from))
                        .add(RequestColumn::FulfilledAt.lt(to)),
                ),
        )
        .into_tuple()
        .all(conn)
        .await?;

    let changes: Vec<ChangeFacts> = Changes::find()
        .select_only()
        .columns([
            ChangeColumn::Id,
            ChangeColumn::PlannedStart,
            ChangeColumn::State,
            ChangeColumn::ReviewIncidents,
        ])
        .filter(
            ChangeColumn::Id.in_subquery(
                Query::select()
                    .column(LinkColumn::ChangeId)
                    .from(ChangeServices)
                    .and_where(LinkColumn::ServiceId.eq(service_id))
                    .to_owned(),
            ),
        )
        .filter(ChangeColumn::PlannedStart.gte(from))
        .filter(ChangeColumn::PlannedStart.lt(to))
        .into_tuple()
        .all(conn)
        .await?;
    let change_ids: Vec<i64> = changes.iter().map(|c| c.0).collect();
    let caused_incidents = incident_causes::changes_that_caused(conn, &change_ids).await?;

    let mut trend = Vec::with_capacity(months.len());
    let mut agreement = None;
    for m in months {
        let (start, end) = (m.start(), m.end());
        let within = |at: DateTime<Utc>| at >= start && at < end;
        // The agreement in force on the month's last day sets its availability target.
        let last_day = (end - chrono::Duration::days(1)).date_naive();
        let in_force = if start > now {
            None
        } else {
            agreements::in_force(conn, service_id, last_day).await?
        };
        if m == month {
            agreement = in_force
                .as_ref()
                .map(|(id, _, _)| agreements::reference(*id));
        }
        let mut by_priority: Vec<(TicketPriority, u32)> =
            TicketPriority::ALL.into_iter().map(|p| (p, 0)).collect();
        let (mut in_time, mut late) = (0, 0);
        let mut outages = Vec::new();
        for (priority, created, started, resolved, affecting, target, used) in &incidents {
            if within(*created) {
                if let Some(slot) = by_priority
                    .iter_mut()
                    .find(|(p, _)| Some(*p) == TicketPriority::parse(priority))
                {
                    slot.1 += 1;
                }
            }
            if let (Some(resolved), Some(target)) = (resolved, target) {
                if within(*resolved) {
                    if *used <= i64::from(*target) * 60 {
                        in_time += 1;
                    } else {
                        late += 1;
                    }
                }
            }
            if *affecting {
                outages.push((*started, resolved.unwrap_or(Ord::min(now, end))));
            }
        }
        let measured_to = Ord::min(end, Ord::max(now, start));
        let outage_minutes = covered_minutes(&outages, start, measured_to);
        let requests_in_month = requests.iter().filter(|r| within(r.0)).count() as u32;
        let fulfilled: Vec<_> = requests
            .iter()
            .filter(|r| r.1.is_some_and(within))
            .collect();
        let requests_in_time = fulfilled
            .iter()
            .filter(|r| r.2.is_some_and(|t| r.3 <= i64::from(t) * 60))
            .count() as u32;
        let changes_in_month: Vec<_> = changes
            .iter()
            .filter(|c| c.1.is_some_and(within))
            .filter(|c| {
                !matches!(
                    ChangeState::parse(&c.2),
                    Some(ChangeState::Cancelled | ChangeState::Rejected)
                )
            })
            .collect();
        let failed = changes_in_month
            .iter()
            .filter(|c| {
                matches!(
                    ChangeState::parse(&c.2),
                    Some(ChangeState::Failed | ChangeState::BackedOut)
                ) || c.3.is_some_and(|n| n > 0)
                    || caused_incidents.contains(&c.0)
            })
            .count() as u32;
        trend.push(MonthFigures {
            month: m,
            by_priority,
            resolved_in_time: in_time,
            resolved_late: late,
            outage_minutes,
            availability: availability_basis_points(outage_minutes, m.minutes()),
            availability_target: in_force
                .as_ref()
                .map(|(_, terms, _)| (terms.availability_percent * 100.0).round() as i64),
            requests: requests_in_month,
            requests_fulfilled: fulfilled.len() as u32,
            requests_in_time,
            changes: changes_in_month.len() as u32,
            changes_failed: failed,
        });
    }
    Ok(ServiceReport {
        service: ServiceRef {
            id: service_id,
            name,
        },
        agreement,
        month,
        trend,
    })
}
