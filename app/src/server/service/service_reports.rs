//! The monthly service report (clause 9.4): for one service, twelve months of incidents,
//! availability against the agreement, requests and changes; for every service, one month
//! (what the clause pages for 8.3.3, 8.7.1 and 9.4 show). Each reads only the records of the
//! months it answers, and only the columns the figures need; the arithmetic is
//! `model::service_report`'s and the same for both.

use crate::error::AppError;
use crate::model::change::ChangeState;
use crate::model::priority_matrix::TicketPriority;
use crate::model::refs::ServiceRef;
use crate::model::service_report::{
    availability_basis_points, covered_minutes, MonthFigures, ReportMonth, ServiceMonth,
    ServiceReport, TREND_MONTHS,
};
use crate::server::entity::change::{Column as ChangeColumn, Entity as Changes};
use crate::server::entity::change_service::{Column as LinkColumn, Entity as ChangeServices};
use crate::server::entity::incident::{Column as IncidentColumn, Entity as Incidents};
use crate::server::entity::service_request::{Column as RequestColumn, Entity as Requests};
use crate::server::service::{agreements, catalogue, incident_causes};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};

/// What the figures need of an incident: service, priority, reported, outage start,
/// resolved, service-affecting, resolution target minutes, seconds used.
type IncidentFacts = (
    i64,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    bool,
    Option<i32>,
    i64,
);

/// What the figures need of a request: service, raised, fulfilled, target minutes, seconds
/// used.
type RequestFacts = (i64, DateTime<Utc>, Option<DateTime<Utc>>, Option<i32>, i64);

/// What the figures need of a change: id, planned start, state, incidents its review counted.
type ChangeFacts = (i64, Option<DateTime<Utc>>, String, Option<i32>);

/// The records of one service over the months reported.
#[derive(Default)]
struct Facts {
    incidents: Vec<IncidentFacts>,
    requests: Vec<RequestFacts>,
    changes: Vec<ChangeFacts>,
    /// Changes that caused incidents (they count as failed).
    caused_incidents: HashSet<i64>,
}

/// Incidents of `services` (all when `None`) reported, resolved or down during `[from, to)`.
async fn incidents_between<C: ConnectionTrait>(
    conn: &C,
    service: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<IncidentFacts>, AppError> {
    let mut query = Incidents::find()
        .select_only()
        .columns([
            IncidentColumn::ServiceId,
            IncidentColumn::Priority,
            IncidentColumn::CreatedAt,
            IncidentColumn::StartedAt,
            IncidentColumn::ResolvedAt,
            IncidentColumn::ServiceAffecting,
            IncidentColumn::ResolutionTargetMinutes,
            IncidentColumn::ResolutionUsedSeconds,
        ])
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
                // An outage that began before the period and lasted into it.
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
        );
    if let Some(service) = service {
        query = query.filter(IncidentColumn::ServiceId.eq(service));
    }
    Ok(query.into_tuple().all(conn).await?)
}

/// Requests of `service` (all when `None`) raised or fulfilled during `[from, to)`.
async fn requests_between<C: ConnectionTrait>(
    conn: &C,
    service: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RequestFacts>, AppError> {
    let mut query = Requests::find()
        .select_only()
        .columns([
            RequestColumn::ServiceId,
            RequestColumn::CreatedAt,
            RequestColumn::FulfilledAt,
            RequestColumn::TargetMinutes,
            RequestColumn::UsedSeconds,
        ])
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
        );
    if let Some(service) = service {
        query = query.filter(RequestColumn::ServiceId.eq(service));
    }
    Ok(query.into_tuple().all(conn).await?)
}

/// Changes planned to start during `[from, to)` with the services they touch (of `service`
/// only, when given), and which of them caused incidents.
async fn changes_between<C: ConnectionTrait>(
    conn: &C,
    service: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<(i64, ChangeFacts)>, HashSet<i64>), AppError> {
    let mut links = Query::select()
        .column(LinkColumn::ChangeId)
        .from(ChangeServices)
        .to_owned();
    if let Some(service) = service {
        links.and_where(LinkColumn::ServiceId.eq(service));
    }
    let changes: Vec<ChangeFacts> = Changes::find()
        .select_only()
        .columns([
            ChangeColumn::Id,
            ChangeColumn::PlannedStart,
            ChangeColumn::State,
            ChangeColumn::ReviewIncidents,
        ])
        .filter(ChangeColumn::Id.in_subquery(links))
        .filter(ChangeColumn::PlannedStart.gte(from))
        .filter(ChangeColumn::PlannedStart.lt(to))
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<i64> = changes.iter().map(|c| c.0).collect();
    let caused = incident_causes::changes_that_caused(conn, &ids).await?;
    let mut touched: Vec<(i64, i64)> = Vec::new();
    for chunk in ids.chunks(500) {
        let mut query = ChangeServices::find()
            .select_only()
            .columns([LinkColumn::ChangeId, LinkColumn::ServiceId])
            .filter(LinkColumn::ChangeId.is_in(chunk.to_vec()));
        if let Some(service) = service {
            query = query.filter(LinkColumn::ServiceId.eq(service));
        }
        touched.extend(query.into_tuple::<(i64, i64)>().all(conn).await?);
    }
    let by_id: HashMap<i64, ChangeFacts> = changes.into_iter().map(|c| (c.0, c)).collect();
    let per_service = touched
        .into_iter()
        .filter_map(|(change, service)| by_id.get(&change).map(|c| (service, c.clone())))
        .collect();
    Ok((per_service, caused))
}

/// One month of one service's facts, measured at `now`.
fn figures_of(
    m: ReportMonth,
    now: DateTime<Utc>,
    facts: &Facts,
    availability_target: Option<i64>,
) -> MonthFigures {
    let (start, end) = (m.start(), m.end());
    let within = |at: DateTime<Utc>| at >= start && at < end;
    let mut by_priority: Vec<(TicketPriority, u32)> =
        TicketPriority::ALL.into_iter().map(|p| (p, 0)).collect();
    let (mut in_time, mut late) = (0, 0);
    let mut outages = Vec::new();
    for (_, priority, created, started, resolved, affecting, target, used) in &facts.incidents {
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
    let requests_in_month = facts.requests.iter().filter(|r| within(r.1)).count() as u32;
    let fulfilled: Vec<_> = facts
        .requests
        .iter()
        .filter(|r| r.2.is_some_and(within))
        .collect();
    let requests_in_time = fulfilled
        .iter()
        .filter(|r| r.3.is_some_and(|t| r.4 <= i64::from(t) * 60))
        .count() as u32;
    let changes_in_month: Vec<_> = facts
        .changes
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
                || facts.caused_incidents.contains(&c.0)
        })
        .count() as u32;
    MonthFigures {
        month: m,
        by_priority,
        resolved_in_time: in_time,
        resolved_late: late,
        outage_minutes,
        availability: availability_basis_points(outage_minutes, m.minutes()),
        availability_target,
        requests: requests_in_month,
        requests_fulfilled: fulfilled.len() as u32,
        requests_in_time,
        changes: changes_in_month.len() as u32,
        changes_failed: failed,
    }
}

/// An agreement's availability target in basis points.
fn target_of(terms: &crate::model::agreement::AgreementTerms) -> i64 {
    (terms.availability_percent * 100.0).round() as i64
}

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
    let (changes, caused_incidents) = changes_between(conn, Some(service_id), from, to).await?;
    let facts = Facts {
        incidents: incidents_between(conn, Some(service_id), from, to).await?,
        requests: requests_between(conn, Some(service_id), from, to).await?,
        changes: changes.into_iter().map(|(_, c)| c).collect(),
        caused_incidents,
    };
    let mut trend = Vec::with_capacity(months.len());
    let mut agreement = None;
    for m in months {
        // The agreement in force on the month's last day sets its availability target.
        let last_day = (m.end() - chrono::Duration::days(1)).date_naive();
        let in_force = if m.start() > now {
            None
        } else {
            agreements::in_force(conn, service_id, last_day).await?
        };
        if m == month {
            agreement = in_force
                .as_ref()
                .map(|(id, _, _)| agreements::reference(*id));
        }
        let target = in_force.as_ref().map(|(_, terms, _)| target_of(terms));
        trend.push(figures_of(m, now, &facts, target));
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

/// One month of every active service, in catalogue order, as at `now`: what the clause
/// pages and the management review read. Reads that month's records only.
pub async fn month_of_every_service<C: ConnectionTrait>(
    conn: &C,
    month: ReportMonth,
    now: DateTime<Utc>,
) -> Result<Vec<ServiceMonth>, AppError> {
    let services = catalogue::active_refs(conn).await?;
    let (from, to) = (month.start(), month.end());
    let last_day = (to - chrono::Duration::days(1)).date_naive();
    let in_force = agreements::in_force_by_service(conn, last_day).await?;
    let mut facts: HashMap<i64, Facts> = HashMap::new();
    for incident in incidents_between(conn, None, from, to).await? {
        facts
            .entry(incident.0)
            .or_default()
            .incidents
            .push(incident);
    }
    for request in requests_between(conn, None, from, to).await? {
        facts.entry(request.0).or_default().requests.push(request);
    }
    let (changes, caused) = changes_between(conn, None, from, to).await?;
    for (service, change) in changes {
        let entry = facts.entry(service).or_default();
        if caused.contains(&change.0) {
            entry.caused_incidents.insert(change.0);
        }
        entry.changes.push(change);
    }
    let none = Facts::default();
    Ok(services
        .into_iter()
        .map(|service| {
            let agreement = in_force.get(&service.id);
            let figures = figures_of(
                month,
                now,
                facts.get(&service.id).unwrap_or(&none),
                agreement.map(|(_, terms)| target_of(terms)),
            );
            ServiceMonth {
                agreement: agreement.map(|(id, _)| (*id, agreements::reference(*id))),
                service,
                figures,
            }
        })
        .collect())
}
