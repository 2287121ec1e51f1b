//! Demo gap assessments: last spring's baseline (closed, about 45% ready) and the current
//! pre-certification check (open, about 60%, one sub-clause still to rate), so the results
//! page has a heat map, blockers and a comparison with what improved and what regressed.
//! The ratings follow the other demo data: clauses without an approved document (6.1, 6.3,
//! 7.2, 8.7.3) are weak, 8.5.2 is the clause the audit programme does not cover. Two gaps of
//! the current assessment are already in the improvement register.
//!
//! Walked by the demo people through the real service (genuine audit history); seeded once
//! (skipped when any assessment exists). The service stamps "now"; the seed back-dates the
//! campaigns afterwards.

use super::actor;
use app::error::AppError;
use app::model::gap::EvidenceKind;
use app::model::internal_audit::AuditState;
use app::model::nonconformity::NcState;
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::gap_assessment::{Column as AssessmentColumn, Entity as Assessments};
use app::server::entity::{internal_audit, nonconformity, plan_version, service, sms_document};
use app::server::service::gap_assessments::{self, RowInput};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

const QUINN: &str = "quality@conform.demo";
const CHRIS: &str = "change.manager@conform.demo";
const DANA: &str = "service.owner@conform.demo";
const ROWAN: &str = "continuity@conform.demo";

/// One sub-clause of the demo: its rating in the baseline and now (a maturity code, or "" for
/// not rated), who owns it, and the assessor's note on the current rating.
struct DemoRow {
    clause: &'static str,
    previous: &'static str,
    current: &'static str,
    owner: &'static str,
    note: &'static str,
}

const N: &str = "not_addressed";
const I: &str = "initial";
const D: &str = "defined";
const C: &str = "conforming";

const fn row(
    clause: &'static str,
    previous: &'static str,
    current: &'static str,
    owner: &'static str,
    note: &'static str,
) -> DemoRow {
    DemoRow {
        clause,
        previous,
        current,
        owner,
        note,
    }
}

const ROWS: &[DemoRow] = &[
    row("4.1", D, D, QUINN, "Context document approved, but its six-monthly review is overdue."),
    row("4.2", D, D, QUINN, ""),
    row("4.3", D, C, QUINN, "Scope statement approved and published on the intranet."),
    row("4.4", D, D, QUINN, ""),
    row("5.1", D, D, QUINN, "Leadership attends the management review; no visible communication of the policy yet."),
    row("5.2", D, C, QUINN, "Policy version 2 approved by top management."),
    row("5.3", D, D, QUINN, ""),
    row("6.1", N, I, QUINN, "Risks are discussed at the management review but there is no risk register or treatment plan."),
    row("6.2", I, D, QUINN, "Four objectives with KPIs; continuity exercises were never measured."),
    row("6.3", N, I, QUINN, "Service management plan drafted, still in review."),
    row("7.1", D, D, QUINN, ""),
    row("7.2", N, N, QUINN, "No competence requirements per role and no training records."),
    row("7.3", D, D, QUINN, ""),
    row("7.4", D, D, QUINN, ""),
    row("7.5", I, D, QUINN, "Document register in Conform; two documents overdue for review."),
    row("7.6", I, I, QUINN, ""),
    row("8.1", D, D, CHRIS, ""),
    row("8.2.1", D, C, DANA, ""),
    row("8.2.2", D, D, DANA, ""),
    row("8.2.3", I, D, DANA, ""),
    row("8.2.4", D, C, DANA, "Catalogue maintained in Conform with owners and BIAs."),
    row("8.2.5", N, I, DANA, "Asset lists exist per team, not consolidated."),
    row("8.2.6", N, I, CHRIS, "CMDB pilot for the customer portal only."),
    row("8.3.1", D, D, DANA, ""),
    row("8.3.2", D, D, DANA, ""),
    row("8.3.3", I, D, DANA, "SLA template approved but overdue for review; two services without an agreed SLA."),
    row("8.3.4", I, I, DANA, "Supplier contracts held by procurement; no supplier performance reviews."),
    row("8.4.1", N, I, DANA, ""),
    row("8.4.2", N, I, DANA, ""),
    row("8.4.3", D, D, DANA, ""),
    row("8.5.1", D, C, CHRIS, "Every change goes through the change board; CAB minutes published."),
    row("8.5.2", N, N, CHRIS, "No design-and-transition criteria for new or changed services, and the audit programme does not cover it."),
    row("8.5.3", I, D, CHRIS, ""),
    row("8.6.1", D, D, DANA, ""),
    row("8.6.2", D, C, DANA, ""),
    row("8.6.3", D, I, DANA, "Problem records stopped after the service desk reorganisation."),
    row("8.7.1", D, D, ROWAN, ""),
    row("8.7.2", D, D, ROWAN, "Plans approved and exercised; one plan's exercise is overdue."),
    row("8.7.3", I, I, QUINN, "Information security policy is still a draft."),
    row("9.1", D, D, QUINN, ""),
    row("9.2", N, D, QUINN, "Audit programme in place; first audit completed with findings."),
    row("9.3", I, D, QUINN, "Quarterly management reviews held, minutes published."),
    // Not rated yet in the current assessment.
    row("9.4", I, "", DANA, ""),
    row("10.1", D, D, QUINN, ""),
    row("10.2", D, C, QUINN, "Improvement register with owners, KPIs and benefit reviews."),
];

/// The gaps of the current assessment that are already improvement actions.
const RAISED: &[&str] = &["7.2", "8.5.2"];

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if Assessments::find().count(db.reader()).await? > 0 {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email);
    let Some(quinn) = find(QUINN) else {
        return Ok(0);
    };
    let evidence = evidence_links(db).await?;

    let baseline =
        gap_assessments::open(db, quinn, &actor(quinn), "Readiness baseline", false).await?;
    rate(db, &find, baseline.id, |r| r.previous, false).await?;
    for (clause, kind, target, label) in &evidence {
        if ["4.3", "5.2", "8.2.4", "8.5.1", "8.7.2"].contains(clause) {
            link(db, quinn, baseline.id, clause, *kind, target, label).await?;
        }
    }
    let baseline =
        gap_assessments::close(db, quinn, &actor(quinn), baseline.id, baseline.version).await?;

    let current =
        gap_assessments::open(db, quinn, &actor(quinn), "Pre-certification check", true).await?;
    rate(db, &find, current.id, |r| r.current, true).await?;
    for (clause, kind, target, label) in &evidence {
        if !["4.3", "5.2", "8.2.4", "8.5.1", "8.7.2"].contains(clause) {
            link(db, quinn, current.id, clause, *kind, target, label).await?;
        }
    }
    for clause in RAISED {
        let sheet = gap_assessments::sheet(db.reader(), current.id).await?;
        if let Some(row) = sheet.rows.iter().find(|r| r.clause == *clause) {
            let owner = ROWS
                .iter()
                .find(|r| r.clause == *clause)
                .and_then(|r| find(r.owner))
                .unwrap_or(quinn);
            gap_assessments::raise_improvement(db, owner, &actor(owner), row.id, row.version)
                .await?;
        }
    }

    // The baseline was taken last spring-ish: seven months ago, closed a month later; the
    // current check opened three weeks ago.
    let now = Utc::now();
    let txn = db.begin_write().await?;
    for (id, opened, closed) in [
        (
            baseline.id,
            now - Duration::days(210),
            Some(now - Duration::days(180)),
        ),
        (current.id, now - Duration::days(21), None),
    ] {
        Assessments::update_many()
            .col_expr(AssessmentColumn::OpenedAt, Expr::value(opened))
            .col_expr(AssessmentColumn::CreatedAt, Expr::value(opened))
            .col_expr(AssessmentColumn::ClosedAt, Expr::value(closed))
            .filter(AssessmentColumn::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(2)
}

/// Rates every row of `assessment` as the demo table says, each by its owner (who may
/// assess) or the quality manager; with `notes`, the current notes are written too.
async fn rate<'a>(
    db: &Db,
    find: &impl Fn(&str) -> Option<&'a CurrentUser>,
    assessment: i64,
    pick: impl Fn(&DemoRow) -> &'static str,
    notes: bool,
) -> Result<(), AppError> {
    let sheet = gap_assessments::sheet(db.reader(), assessment).await?;
    for demo in ROWS {
        let Some(row) = sheet.rows.iter().find(|r| r.clause == demo.clause) else {
            continue;
        };
        let (Some(owner), Some(quinn)) = (find(demo.owner), find(QUINN)) else {
            continue;
        };
        let rating = pick(demo);
        let note = if notes { demo.note } else { "" };
        let unchanged = row.rating.as_ref().map(|r| r.code()).unwrap_or("") == rating
            && row.notes == note
            && row.owner.as_ref().map(|p| p.id) == Some(owner.id);
        if unchanged {
            continue;
        }
        let by = if owner.may(app::model::access::Permission::GapAssess) {
            owner
        } else {
            quinn
        };
        gap_assessments::save_rating(
            db,
            by,
            &actor(by),
            row.id,
            row.version,
            RowInput {
                rating: rating.to_string(),
                justification: String::new(),
                notes: note.to_string(),
                owner_id: Some(owner.id),
            },
        )
        .await?;
    }
    Ok(())
}

async fn link(
    db: &Db,
    by: &CurrentUser,
    assessment: i64,
    clause: &str,
    kind: EvidenceKind,
    target: &str,
    label: &str,
) -> Result<(), AppError> {
    let sheet = gap_assessments::sheet(db.reader(), assessment).await?;
    if let Some(row) = sheet.rows.iter().find(|r| r.clause == clause) {
        gap_assessments::add_evidence(db, by, &actor(by), row.id, kind.as_str(), target, label)
            .await?;
    }
    Ok(())
}

/// Evidence links to the demo's own records, by sub-clause (skipped where the record is
/// not there, e.g. when another seed was switched off).
async fn evidence_links(
    db: &Db,
) -> Result<Vec<(&'static str, EvidenceKind, String, String)>, AppError> {
    let conn = db.reader();
    let mut links = Vec::new();
    for (clause, title) in [
        ("4.3", "SMS scope statement"),
        ("5.2", "Service management policy"),
        ("8.5.1", "Change management policy"),
        ("7.5", "Document control procedure"),
        ("8.3.3", "SLA template"),
    ] {
        if let Some(doc) = sms_document::Entity::find()
            .filter(sms_document::Column::Title.eq(title))
            .one(conn)
            .await?
        {
            links.push((
                clause,
                EvidenceKind::Document,
                doc.id.to_string(),
                title.to_string(),
            ));
        }
    }
    if let Some(first) = service::Entity::find()
        .order_by_asc(service::Column::Id)
        .one(conn)
        .await?
    {
        links.push((
            "8.2.4",
            EvidenceKind::Record,
            format!("/services/{}", first.id),
            format!("Catalogue entry “{}” with owner and BIA", first.name),
        ));
    }
    if let Some(approved) = plan_version::Entity::find()
        .filter(plan_version::Column::ApprovedBy.is_not_null())
        .order_by_asc(plan_version::Column::PlanId)
        .one(conn)
        .await?
    {
        links.push((
            "8.7.2",
            EvidenceKind::Record,
            format!("/continuity/plans/{}", approved.plan_id),
            "Approved continuity plan and its exercise".to_string(),
        ));
    }
    if let Some(audit) = internal_audit::Entity::find()
        .filter(internal_audit::Column::State.eq(AuditState::Completed.as_str()))
        .order_by_asc(internal_audit::Column::Id)
        .one(conn)
        .await?
    {
        links.push((
            "9.2",
            EvidenceKind::Record,
            format!("/compliance/audits/{}", audit.id),
            "Completed internal audit with its report".to_string(),
        ));
    }
    if let Some(nc) = nonconformity::Entity::find()
        .filter(nonconformity::Column::State.eq(NcState::Closed.as_str()))
        .order_by_asc(nonconformity::Column::Id)
        .one(conn)
        .await?
    {
        links.push((
            "10.1",
            EvidenceKind::Record,
            format!("/nonconformities/{}", nc.id),
            "Nonconformity with root cause and effectiveness check".to_string(),
        ));
    }
    links.push((
        "10.2",
        EvidenceKind::Url,
        "https://intranet.example.com/improvement-board".to_string(),
        "Improvement board on the intranet".to_string(),
    ));
    Ok(links)
}
