//! Monitoring intake (clause 8.6.1): sources that post alerts with a secret token (stored
//! only as its SHA-256, replaced or revoked at will) and the incidents their alerts open.
//!
//! One delivery is one transaction: every alert in it lands, or none does and the sender
//! retries (Alertmanager retries a delivery answered with a 5xx). An alert is known by its
//! source and fingerprint, so a repeated delivery opens nothing new; a resolved alert is
//! noted on its incident, which a person then resolves.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::alert_intake::{
    route, Alert, AlertStatus, AlertmanagerPayload, IntakeOutcome, IntakeRule, IntakeSource,
    IssuedToken, RouteDefaults, SourceDraft, SourceForm, SourceKind,
};
use crate::model::incident::{reference, IncidentState, TimelineKind};
use crate::model::priority_matrix::{Impact, Urgency};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::alert_link::{self, Entity as AlertLinks};
use crate::server::entity::incident::{self as incident_entity, Entity as Incidents};
use crate::server::entity::intake_source::{self, Column, Entity as Sources};
use crate::server::entity::user::{self as user_entity, Entity as Users};
use crate::server::service::catalogue;
use crate::server::service::incidents::{self, Opening};
use crate::server::service::users::{people, person};
use crate::server::session::{new_token, token_hash};
use crate::server::versioned;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::{BTreeSet, HashMap};

/// How many sources the page lists: an organisation has a handful of monitoring systems.
const SOURCES_LISTED: u64 = 100;
/// The longest token a request may present (ours are 43 characters).
const TOKEN_MAX: usize = 100;

fn rules_of(row: &intake_source::Model) -> Vec<IntakeRule> {
    serde_json::from_str(&row.rules).unwrap_or_default()
}

fn defaults_of(row: &intake_source::Model) -> RouteDefaults {
    RouteDefaults {
        service_id: row.service_id,
        impact: Impact::parse(&row.impact).unwrap_or(Impact::Medium),
        urgency: Urgency::parse(&row.urgency).unwrap_or(Urgency::Medium),
    }
}

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<intake_source::Model, AppError> {
    Sources::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That monitoring source".into()))
}

/// The sources, newest first, with who and what they name.
pub async fn sources<C: ConnectionTrait>(conn: &C) -> Result<Vec<IntakeSource>, AppError> {
    let rows = Sources::find()
        .order_by_desc(Column::Id)
        .limit(SOURCES_LISTED)
        .all(conn)
        .await?;
    assemble(conn, rows).await
}

pub async fn source<C: ConnectionTrait>(conn: &C, id: i64) -> Result<IntakeSource, AppError> {
    let found = row(conn, id).await?;
    Ok(assemble(conn, vec![found]).await?.remove(0))
}

/// The view of `rows`, in three queries whatever their number.
async fn assemble<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<intake_source::Model>,
) -> Result<Vec<IntakeSource>, AppError> {
    let person_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.reporter_id, r.created_by])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = people(conn, &person_ids).await?;
    let services = catalogue::names_of(conn, rows.iter().map(|r| r.service_id)).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<i64, i64> = AlertLinks::find()
        .select_only()
        .column(alert_link::Column::SourceId)
        .column_as(alert_link::Column::Id.count(), "n")
        .filter(alert_link::Column::SourceId.is_in(ids))
        .group_by(alert_link::Column::SourceId)
        .into_tuple::<(i64, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let defaults = defaults_of(&row);
            IntakeSource {
                id: row.id,
                name: row.name.clone(),
                kind: SourceKind::parse(&row.kind).unwrap_or(SourceKind::Alertmanager),
                reporter_id: row.reporter_id,
                reporter: person(&names, row.reporter_id).name,
                service_id: row.service_id,
                service: services
                    .get(&row.service_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Service {}", row.service_id)),
                impact: defaults.impact,
                urgency: defaults.urgency,
                rules: rules_of(&row),
                created_by: person(&names, row.created_by).name,
                created_at: row.created_at,
                last_used_at: row.last_used_at,
                revoked_at: row.revoked_at,
                alerts_linked: counts.get(&row.id).copied().unwrap_or(0).max(0) as u64,
                version: row.version,
            }
        })
        .collect())
}

/// Checks what a draft names exists: an enabled reporter and catalogue services.
async fn check_draft<C: ConnectionTrait>(
    conn: &C,
    draft: &SourceDraft,
    own_id: Option<i64>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let reporter = Users::find_by_id(draft.reporter_id)
        .filter(user_entity::Column::DisabledAt.is_null())
        .one(conn)
        .await?;
    if reporter.is_none() {
        errors.add(
            "reporter_id",
            "Choose an active person: incidents from this source are reported in their name.",
        );
    }
    let wanted: BTreeSet<i64> = std::iter::once(draft.defaults.service_id)
        .chain(draft.rules.iter().filter_map(|r| r.service_id))
        .collect();
    let known = catalogue::names_of(conn, wanted.iter().copied()).await?;
    if !known.contains_key(&draft.defaults.service_id) {
        errors.add("service_id", "Choose the service from the catalogue.");
    }
    for (row, rule) in draft.rules.iter().enumerate() {
        if rule.service_id.is_some_and(|id| !known.contains_key(&id)) {
            errors.add(
                &format!("rule_{row}_service"),
                format!("Rule {}: choose a service from the catalogue.", row + 1),
            );
        }
    }
    let mut same_name = Sources::find().filter(Column::Name.eq(draft.name.clone()));
    if let Some(id) = own_id {
        same_name = same_name.filter(Column::Id.ne(id));
    }
    if same_name.count(conn).await? > 0 {
        errors.add("name", "Another source has this name.");
    }
    errors.into_result(()).map_err(AppError::from)
}

fn rules_json(rules: &[IntakeRule]) -> String {
    serde_json::to_string(rules).unwrap_or_else(|_| "[]".into())
}

/// Adds a source and answers its token, which is shown once and kept only as its hash.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &SourceForm,
    now: DateTime<Utc>,
) -> Result<IssuedToken, AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    check_draft(&txn, &draft, None).await?;
    let token = new_token();
    let inserted = intake_source::ActiveModel {
        name: Set(draft.name.clone()),
        kind: Set(SourceKind::Alertmanager.as_str().into()),
        token_hash: Set(token_hash(&token)),
        reporter_id: Set(draft.reporter_id),
        service_id: Set(draft.defaults.service_id),
        impact: Set(draft.defaults.impact.as_str().into()),
        urgency: Set(draft.defaults.urgency.as_str().into()),
        rules: Set(rules_json(&draft.rules)),
        created_by: Set(user.id),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::IntakeSource,
        inserted.id,
        "intake_source_created",
        format!(
            "Monitoring source “{}” created with {} rule(s)",
            draft.name,
            draft.rules.len()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedToken {
        source_id: inserted.id,
        name: draft.name,
        token,
        base_url: String::new(),
    })
}

/// Changes a source's name, reporter, defaults and rules (not its token).
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &SourceForm,
) -> Result<(), AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    let current = row(&txn, id).await?;
    versioned::check_version::<Sources>(version, current.version)?;
    check_draft(&txn, &draft, Some(id)).await?;
    versioned::update::<Sources, _>(&txn, id, version, |update| {
        update
            .col_expr(Column::Name, Expr::value(draft.name.clone()))
            .col_expr(Column::ReporterId, Expr::value(draft.reporter_id))
            .col_expr(Column::ServiceId, Expr::value(draft.defaults.service_id))
            .col_expr(Column::Impact, Expr::value(draft.defaults.impact.as_str()))
            .col_expr(
                Column::Urgency,
                Expr::value(draft.defaults.urgency.as_str()),
            )
            .col_expr(Column::Rules, Expr::value(rules_json(&draft.rules)))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::IntakeSource,
        id,
        "intake_source_updated",
        format!(
            "Monitoring source “{}” updated: {} rule(s), defaults {} impact, {} urgency",
            draft.name,
            draft.rules.len(),
            draft.defaults.impact.as_str(),
            draft.defaults.urgency.as_str()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A new token for the source; the old one stops working in the same transaction. A revoked
/// source is brought back this way.
pub async fn replace_token(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<IssuedToken, AppError> {
    let token = new_token();
    let txn = db.begin_write().await?;
    let current = row(&txn, id).await?;
    let hash = token_hash(&token);
    versioned::update::<Sources, _>(&txn, id, version, |update| {
        update
            .col_expr(Column::TokenHash, Expr::value(hash))
            .col_expr(
                Column::RevokedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::IntakeSource,
        id,
        "intake_source_token_replaced",
        format!(
            "Monitoring source “{}”: token replaced; the old token no longer works",
            current.name
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedToken {
        source_id: id,
        name: current.name,
        token,
        base_url: String::new(),
    })
}

/// Stops the source: its token is refused from now on. Its incidents stay as they are.
pub async fn revoke(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let current = row(&txn, id).await?;
    if current.revoked_at.is_some() {
        return Err(AppError::BadRequest(
            "This source is already revoked; replace its token to use it again.".into(),
        ));
    }
    versioned::update::<Sources, _>(&txn, id, version, |update| {
        update.col_expr(Column::RevokedAt, Expr::value(now))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::IntakeSource,
        id,
        "intake_source_revoked",
        format!(
            "Monitoring source “{}” revoked: its token is refused",
            current.name
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The live source `token` opens, or nobody (unknown, revoked, or not a token at all).
async fn authenticate<C: ConnectionTrait>(
    conn: &C,
    token: &str,
) -> Result<Option<intake_source::Model>, AppError> {
    if token.is_empty() || token.len() > TOKEN_MAX {
        return Ok(None);
    }
    Ok(Sources::find()
        .filter(Column::TokenHash.eq(token_hash(token)))
        .filter(Column::RevokedAt.is_null())
        .one(conn)
        .await?)
}

/// What a delivery did, and the incidents it touched (for the live pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub outcome: IntakeOutcome,
    pub touched: Vec<(i64, i32)>,
}

/// Takes one delivery (the request's body) from the source `token` opens: `Unauthenticated`
/// for a token that opens none, before the body is read; `BadRequest` for a body that is not
/// a payload Conform can take whole.
pub async fn receive(
    db: &Db,
    token: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Delivery, AppError> {
    receive_admitted(db, token, body, now, |_| Ok(())).await
}

/// As `receive`, once `admit` lets the source deliver now (its rate): a refused delivery
/// reads no further and changes nothing.
pub async fn receive_admitted(
    db: &Db,
    token: &str,
    body: &[u8],
    now: DateTime<Utc>,
    admit: impl FnOnce(i64) -> Result<(), AppError>,
) -> Result<Delivery, AppError> {
    let Some(source) = authenticate(db.reader(), token).await? else {
        return Err(AppError::Unauthenticated);
    };
    admit(source.id)?;
    let payload: AlertmanagerPayload = serde_json::from_slice(body).map_err(|e| {
        AppError::BadRequest(format!(
            "The body is not Alertmanager's webhook payload: {e}."
        ))
    })?;
    payload.check().map_err(AppError::BadRequest)?;
    let actor = Actor::system(&format!("alert source {}", source.name));
    let txn = db.begin_write().await?;
    // Revoked (or its rules changed) between the read and the write: the write's view counts.
    let Some(source) = authenticate(&txn, token).await? else {
        return Err(AppError::Unauthenticated);
    };
    let routes = Routes::of(&txn, &source).await?;
    let mut delivery = Delivery {
        outcome: IntakeOutcome::default(),
        touched: Vec::new(),
    };
    for alert in &payload.alerts {
        let fingerprint = alert.fingerprint.trim();
        let link = AlertLinks::find()
            .filter(alert_link::Column::SourceId.eq(source.id))
            .filter(alert_link::Column::Fingerprint.eq(fingerprint))
            .one(&txn)
            .await?;
        let open_incident = match &link {
            Some(link) => Incidents::find_by_id(link.incident_id)
                .one(&txn)
                .await?
                .filter(|i| i.state != IncidentState::Closed.as_str()),
            None => None,
        };
        match (alert.status, link, open_incident) {
            (AlertStatus::Firing, Some(link), Some(incident)) => {
                if link.firing {
                    delivery.outcome.unchanged += 1;
                    touch_link(&txn, link.id, true, now, None).await?;
                } else {
                    note(
                        &txn,
                        &incident,
                        &actor,
                        now,
                        format!(
                            "The alert fires again (since {} UTC).",
                            alert.starts_at.format("%Y-%m-%d %H:%M")
                        ),
                    )
                    .await?;
                    touch_link(&txn, link.id, true, now, None).await?;
                    delivery.outcome.noted += 1;
                    delivery.touched.push((incident.id, incident.version + 1));
                }
            }
            (AlertStatus::Firing, link, _) => {
                // New, or its incident was closed: a new incident, linked in the old one's place.
                let follows = link.as_ref().map(|l| l.incident_id);
                let (id, _) =
                    open_from(&txn, &source, &routes, alert, follows, &actor, now).await?;
                match link {
                    Some(link) => touch_link(&txn, link.id, true, now, Some(id)).await?,
                    None => {
                        alert_link::ActiveModel {
                            source_id: Set(source.id),
                            fingerprint: Set(fingerprint.to_string()),
                            incident_id: Set(id),
                            firing: Set(true),
                            first_received_at: Set(now),
                            last_received_at: Set(now),
                            ..Default::default()
                        }
                        .insert(&txn)
                        .await?;
                    }
                }
                delivery.outcome.opened.push(reference(id));
                delivery.touched.push((id, 1));
            }
            (AlertStatus::Resolved, Some(link), Some(incident)) if link.firing => {
                let ended = alert
                    .ended_at()
                    .map(|at| format!(" at {} UTC", at.format("%Y-%m-%d %H:%M")))
                    .unwrap_or_default();
                note(
                    &txn,
                    &incident,
                    &actor,
                    now,
                    format!(
                        "The alert resolved{ended}. Resolve the incident once the service is confirmed working."
                    ),
                )
                .await?;
                touch_link(&txn, link.id, false, now, None).await?;
                delivery.outcome.noted += 1;
                delivery.touched.push((incident.id, incident.version + 1));
            }
            (AlertStatus::Resolved, Some(link), _) => {
                delivery.outcome.unchanged += 1;
                touch_link(&txn, link.id, false, now, None).await?;
            }
            (AlertStatus::Resolved, None, _) => delivery.outcome.ignored += 1,
        }
    }
    let stale = source
        .last_used_at
        .is_none_or(|used| now - used > Duration::minutes(1));
    if stale {
        Sources::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(now))
            .filter(Column::Id.eq(source.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(delivery)
}

/// A source's rules and defaults as one delivery applies them, with the catalogue's active
/// services (read once per delivery, not once per alert).
struct Routes {
    rules: Vec<IntakeRule>,
    defaults: RouteDefaults,
    live_services: BTreeSet<i64>,
}

impl Routes {
    async fn of<C: ConnectionTrait>(
        conn: &C,
        source: &intake_source::Model,
    ) -> Result<Routes, AppError> {
        let rules = rules_of(source);
        let defaults = defaults_of(source);
        let live_services = catalogue::active_refs(conn)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        Ok(Routes {
            rules,
            defaults,
            live_services,
        })
    }
}

async fn open_from<C: ConnectionTrait>(
    txn: &C,
    source: &intake_source::Model,
    routes: &Routes,
    alert: &Alert,
    follows: Option<i64>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(i64, crate::model::priority_matrix::TicketPriority), AppError> {
    let routing = route(routes.defaults, &routes.rules, &alert.labels);
    // A rule naming a service archived since falls back to the source's default.
    let service_id = if routes.live_services.contains(&routing.service_id) {
        routing.service_id
    } else {
        routes.defaults.service_id
    };
    let why = match routing.service_rule {
        Some(n) if service_id == routing.service_id => format!("rule {n}"),
        _ => "the source's default service".into(),
    };
    let follows = follows
        .map(|id| format!("; the same alert opened {} before", reference(id)))
        .unwrap_or_default();
    let opening = Opening {
        title: alert.title(),
        description: alert.description(&source.name),
        service_id,
        impact: routing.impact,
        urgency: routing.urgency,
        category: "Monitoring alert".into(),
        affected: alert.affected(),
        reporter_id: source.reporter_id,
        // The alert says when it started; a clock set wrong in the future is not believed.
        started_at: alert.starts_at.min(now),
        service_affecting: false,
        author_id: None,
        raised_note: format!(
            ", from the alert {} of {} (service by {why}){follows}",
            alert.fingerprint.trim(),
            source.name
        ),
    };
    incidents::open(txn, &opening, actor, now).await
}

async fn touch_link<C: ConnectionTrait>(
    txn: &C,
    link_id: i64,
    firing: bool,
    now: DateTime<Utc>,
    incident_id: Option<i64>,
) -> Result<(), AppError> {
    let mut update = AlertLinks::update_many()
        .col_expr(alert_link::Column::Firing, Expr::value(firing))
        .col_expr(alert_link::Column::LastReceivedAt, Expr::value(now));
    if let Some(id) = incident_id {
        update = update.col_expr(alert_link::Column::IncidentId, Expr::value(id));
    }
    update
        .filter(alert_link::Column::Id.eq(link_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// A line on the incident's timeline from the source; the incident's version moves so that
/// open pages and anyone about to step it see the news.
async fn note<C: ConnectionTrait>(
    txn: &C,
    incident: &incident_entity::Model,
    actor: &Actor,
    now: DateTime<Utc>,
    body: String,
) -> Result<(), AppError> {
    incidents::add_event(
        txn,
        incident.id,
        now,
        None,
        TimelineKind::Alert,
        body.clone(),
    )
    .await?;
    versioned::update::<Incidents, _>(txn, incident.id, incident.version, |update| update).await?;
    audit::record(
        txn,
        actor,
        RecordType::Incident,
        incident.id,
        "incident_alert_noted",
        format!("{}: {body}", reference(incident.id)),
    )
    .await?;
    Ok(())
}

/// Which source opened an incident, for its record ("Opened by the alert … of …").
pub async fn origin<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
) -> Result<Option<(String, String, bool)>, AppError> {
    let Some(link) = AlertLinks::find()
        .filter(alert_link::Column::IncidentId.eq(incident_id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let source = row(conn, link.source_id).await?;
    Ok(Some((source.name, link.fingerprint, link.firing)))
}
