//! Demo internal audits (clause 9.2): a programme for the current twelve-month cycle that
//! covers most clauses but leaves 8.5.2 uncovered (flagged on the page), one completed audit of
//! change management and corrective action with checklist results, sampled records and three
//! findings (a minor nonconformity, an observation and an opportunity), and one planned audit.
//! Walked by the demo people through the real service; seeded once (skipped when any
//! programme exists).

use super::actor;
use app::error::AppError;
use app::model::internal_audit::{
    validate_checklist_entry, AuditAction, AuditForm, FindingForm, ProgrammeForm,
};
use app::server::db::Db;
use app::server::service::internal_audits;
use chrono::{Datelike, Duration, NaiveDate, Utc};

/// The first of the month six months ago, and the day before a year after it.
fn cycle(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let back = today - Duration::days(182);
    let start = back.with_day(1).unwrap_or(back);
    let end = NaiveDate::from_ymd_opt(start.year() + 1, start.month(), 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(start + Duration::days(364));
    (start, end)
}

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if !internal_audits::programmes(db.reader()).await?.is_empty() {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(auditor), Some(quality), Some(change), Some(owner), Some(continuity)) = (
        find("auditor@conform.demo"),
        find("quality@conform.demo"),
        find("change.manager@conform.demo"),
        find("service.owner@conform.demo"),
        find("continuity@conform.demo"),
    ) else {
        return Ok(0);
    };
    let today = Utc::now().date_naive();
    let (start, end) = cycle(today);
    let by_auditor = actor(&auditor);
    let programme = internal_audits::create_programme(
        db,
        &quality,
        &actor(&quality),
        ProgrammeForm {
            title: format!(
                "Internal audit programme {}/{}",
                start.year(),
                end.year() % 100
            ),
            cycle_start: start.to_string(),
            cycle_end: end.to_string(),
        }
        .validate()?,
    )
    .await?;

    // The completed audit: change management and corrective action.
    let done_on = Ord::max(start, today - Duration::days(40));
    let planned_on = Ord::max(start, done_on - Duration::days(3));
    let audit = internal_audits::plan_audit(
        db,
        &by_auditor,
        programme.id,
        AuditForm {
            title: "Change management and corrective action".into(),
            clauses: vec!["8.5.1".into(), "10".into()],
            area: "Change management (Service Transition) and the corrective-action process".into(),
            planned_on: planned_on.to_string(),
            lead_auditor_id: auditor.id.to_string(),
            auditor_ids: vec![],
            auditee_ids: vec![change.id.to_string()],
            scope: "Changes closed in the last six months across all services; nonconformities raised since the last management review.".into(),
            criteria: "ISO/IEC 20000-1:2018 clauses 8.5.1 and 10; the change management procedure v4.".into(),
        }
        .validate()?,
    )
    .await?;
    let mut version = internal_audits::transition_audit(
        db,
        &auditor,
        &by_auditor,
        audit.id,
        audit.version,
        AuditAction::Start,
        String::new(),
        planned_on,
    )
    .await?
    .version;
    let detail = internal_audits::detail(db.reader(), audit.id).await?;
    for item in &detail.checklist {
        let (result, notes, sampled) = match item.clause.as_str() {
            "8.5.1" => (
                "finding",
                "Emergency changes skip the post-implementation review.",
                "CHG-00003, CHG-00007, CHG-00012, CHG-00019",
            ),
            "10.1" => (
                "conforming",
                "Root causes recorded; effectiveness checked after the waiting period.",
                "NC-00002, NC-00004",
            ),
            _ => (
                "conforming",
                "Register reviewed monthly; benefits tracked with KPIs.",
                "IMP-00001, IMP-00004",
            ),
        };
        let entry = validate_checklist_entry(result, notes, sampled)?;
        internal_audits::record_item(db, &auditor, &by_auditor, audit.id, version, item.id, entry)
            .await?;
        version += 1;
    }
    let findings = [
        (
            "minor_nc",
            "8.5.1",
            "Emergency changes were implemented without the post-implementation review the change procedure requires.",
            "CHG-00012 and CHG-00019 closed without a review record.",
        ),
        (
            "observation",
            "10.2",
            "Improvement ideas are collected both in the register and in team wikis; some never reach the register.",
            "Two ideas found in the Service Desk wiki with no register entry.",
        ),
        (
            "opportunity",
            "10.1",
            "A shared template for root-cause analysis would make nonconformities easier to compare.",
            "",
        ),
    ];
    for (grade, clause, statement, evidence) in findings {
        internal_audits::record_finding(
            db,
            &auditor,
            &by_auditor,
            audit.id,
            version,
            FindingForm {
                grade: grade.into(),
                clause: clause.into(),
                statement: statement.into(),
                evidence: evidence.into(),
                owner_id: change.id.to_string(),
            },
            done_on,
        )
        .await?;
        version += 1;
    }
    internal_audits::transition_audit(
        db,
        &auditor,
        &by_auditor,
        audit.id,
        version,
        AuditAction::Complete,
        "Change management conforms in its normal and standard paths; emergency changes miss their post-implementation review (minor nonconformity). Corrective action and the improvement register work as intended.".into(),
        done_on,
    )
    .await?;

    // The planned audit covers the rest of the SMS except 8.5.2 (left as the flagged gap).
    let later = Ord::min(end, today + Duration::days(60));
    // Clause 8 by sub-clause: everything but 8.5.1 (audited) and 8.5.2 (the gap).
    let mut clauses: Vec<String> = ["4", "5", "6", "7", "9"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    clauses.extend(
        app::model::clauses::CLAUSES
            .iter()
            .map(|(n, _)| n.to_string())
            .filter(|n| n.starts_with("8.") && n != "8.5.1" && n != "8.5.2"),
    );
    internal_audits::plan_audit(
        db,
        &by_auditor,
        programme.id,
        AuditForm {
            title: "SMS-wide audit: context, leadership, support and operation".into(),
            clauses,
            area: "The SMS as run by the quality manager, service owners and continuity".into(),
            planned_on: later.to_string(),
            lead_auditor_id: auditor.id.to_string(),
            auditor_ids: vec![],
            auditee_ids: vec![
                quality.id.to_string(),
                owner.id.to_string(),
                continuity.id.to_string(),
            ],
            scope: "All services in the catalogue; records of the current cycle.".into(),
            criteria: "ISO/IEC 20000-1:2018; the SMS plan and its procedures.".into(),
        }
        .validate()?,
    )
    .await?;
    Ok(3)
}
