//! The certification workspace's own records in the pack: the gap-analysis result, the
//! internal audit reports and the management review minutes of the 12 months up to the
//! as-of date, and what Conform found thin about each clause's evidence.

use super::archive::PackArchive;
use super::html::page;
use super::records::year_before;
use crate::error::AppError;
use crate::model::evidence::ClauseEvidence;
use crate::model::gap::{GapResults, READINESS_RULE};
use crate::model::management_review::minutes_markdown;
use crate::server::db::Db;
use crate::server::failure::internal;
use crate::server::markdown::to_safe_html;
use crate::server::render::audit_report::report_markdown;
use crate::server::render::{escape, slug};
use crate::server::service::{
    clause_evidence, gap_assessments, internal_audits, management_reviews,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::{Seek, Write};

/// A written page and its label, for the clause pages to link.
pub struct Linked {
    pub label: String,
    pub path: String,
}

pub const GAP_PATH: &str = "gap-analysis.html";

/// The latest gap assessment's result (`None` when there has been none).
pub async fn write_gap<W: Write + Seek>(
    db: &Db,
    archive: &mut PackArchive<W>,
    day: &str,
) -> Result<Option<GapResults>, AppError> {
    let results = gap_assessments::latest_results(db).await?;
    let body = match &results {
        None => {
            "<p class=\"muted\">No gap assessment has been made in Conform yet.</p>".to_string()
        }
        Some(results) => gap_body(results),
    };
    archive
        .add(GAP_PATH, page("Gap analysis", 0, day, &body).as_bytes())
        .map_err(internal)?;
    Ok(results)
}

fn percent(readiness: crate::model::gap::Readiness) -> String {
    readiness
        .percent()
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "not applicable".into())
}

fn gap_body(results: &GapResults) -> String {
    let assessment = &results.assessment;
    let mut body = format!(
        "<p>Assessment “{}”, opened by {} on {}{}; {} sub-clauses rated.</p>\
         <p class=\"status\">Overall readiness: {}</p><p class=\"muted\">Rule: {}</p>",
        escape(&assessment.title),
        escape(&assessment.opened_by.name),
        assessment.opened_at.date_naive(),
        assessment
            .closed_at
            .map(|at| format!(", closed on {}", at.date_naive()))
            .unwrap_or_else(|| " (still open)".into()),
        assessment.rated,
        percent(results.overall),
        escape(READINESS_RULE),
    );
    body.push_str(
        "<h2>Readiness per clause</h2><table><thead><tr><th scope=\"col\">Clause</th>\
         <th scope=\"col\">Readiness</th></tr></thead><tbody>",
    );
    for (clause, title, readiness) in &results.per_clause {
        body.push_str(&format!(
            "<tr class=\"band-{}\"><td>{} {}</td><td>{}</td></tr>",
            readiness.band(),
            escape(clause),
            escape(title),
            percent(*readiness)
        ));
    }
    body.push_str("</tbody></table><h2>Sub-clauses</h2><table><thead><tr><th scope=\"col\">Sub-clause</th><th scope=\"col\">Rating</th></tr></thead><tbody>");
    for cell in &results.heat_map {
        body.push_str(&format!(
            "<tr><td><a href=\"clauses/{0}.html\">{0} {1}</a></td><td>{2}</td></tr>",
            escape(&cell.clause),
            escape(&cell.title),
            escape(&rating_text(cell.rating.as_ref()))
        ));
    }
    body.push_str("</tbody></table><h2>What blocks certification</h2>");
    if results.blockers.is_empty() {
        body.push_str("<p class=\"ok\">Nothing blocks certification.</p>");
    } else {
        body.push_str("<ul>");
        for blocker in &results.blockers {
            body.push_str(&format!(
                "<li>{} — {}: {}</li>",
                escape(&blocker.clause),
                escape(blocker.kind.label()),
                escape(&blocker.detail)
            ));
        }
        body.push_str("</ul>");
    }
    if let Some(comparison) = &results.comparison {
        body.push_str(&format!(
            "<h2>Since the previous assessment</h2><p>Compared with “{}”: {} improved, {} regressed, {} unchanged.</p>",
            escape(&comparison.previous.title),
            comparison.improved.len(),
            comparison.regressed.len(),
            comparison.unchanged.len()
        ));
        for (heading, moves) in [
            ("Improved", &comparison.improved),
            ("Regressed", &comparison.regressed),
        ] {
            if moves.is_empty() {
                continue;
            }
            body.push_str(&format!("<h3>{heading}</h3><ul>"));
            for (clause, from, to) in moves {
                body.push_str(&format!(
                    "<li>{}: {} → {}</li>",
                    escape(clause),
                    from.label(),
                    to.label()
                ));
            }
            body.push_str("</ul>");
        }
    }
    body
}

pub fn rating_text(rating: Option<&crate::model::gap::Rating>) -> String {
    match rating {
        None => "Not rated".into(),
        Some(crate::model::gap::Rating::Rated(maturity)) => maturity.label().into(),
        Some(crate::model::gap::Rating::NotApplicable { justification }) => {
            format!("Not applicable: {justification}")
        }
    }
}

/// Reports of the audits completed in the 12 months up to `as_of`.
pub async fn write_audits<W: Write + Seek>(
    db: &Db,
    archive: &mut PackArchive<W>,
    as_of: NaiveDate,
    day: &str,
) -> Result<Vec<Linked>, AppError> {
    let mut written = Vec::new();
    for report in internal_audits::completed_reports(db.reader(), year_before(as_of)).await? {
        let audit = &report.audit;
        if audit.completed_on.is_some_and(|on| on > as_of) {
            continue;
        }
        let path = format!(
            "audits/{}-{}.html",
            audit.id,
            file_slug(&audit.title, "audit")
        );
        let title = format!("Internal audit report: {}", audit.title);
        let body = to_safe_html(&report_markdown(&report));
        archive
            .add(&path, page(&title, 1, day, &body).as_bytes())
            .map_err(internal)?;
        written.push(Linked { label: title, path });
    }
    Ok(written)
}

/// Minutes of the management reviews held in the 12 months up to `as_of`, as published.
pub async fn write_reviews<W: Write + Seek>(
    db: &Db,
    archive: &mut PackArchive<W>,
    as_of: NaiveDate,
    day: &str,
) -> Result<Vec<Linked>, AppError> {
    let from = year_before(as_of);
    let mut written = Vec::new();
    let mut reviews = management_reviews::published(db.reader(), as_of).await?;
    reviews.reverse();
    for review in reviews {
        if review.planned_on < from || review.planned_on > as_of {
            continue;
        }
        let path = format!(
            "reviews/{}-{}.html",
            review.id,
            file_slug(&review.title, "management-review")
        );
        let title = format!("Management review minutes: {}", review.title);
        let body = to_safe_html(&minutes_markdown(&review));
        archive
            .add(&path, page(&title, 1, day, &body).as_bytes())
            .map_err(internal)?;
        written.push(Linked { label: title, path });
    }
    Ok(written)
}

fn file_slug(title: &str, fallback: &str) -> String {
    match slug(title) {
        s if s.is_empty() => fallback.to_string(),
        s => s,
    }
}

/// What Conform found thin, per clause, as of the pack's date.
pub async fn thin_evidence(
    db: &Db,
    as_of: NaiveDate,
) -> Result<BTreeMap<String, ClauseEvidence>, AppError> {
    Ok(clause_evidence::overview(db, as_of)
        .await?
        .into_iter()
        .map(|evidence| (evidence.number.clone(), evidence))
        .collect())
}

/// The clause page's "thin evidence" section: each rule with its offending records named
/// (as text: the pack does not link into the live application).
pub fn thin_section(evidence: Option<&ClauseEvidence>) -> String {
    let Some(evidence) = evidence.filter(|e| !e.thin.is_empty()) else {
        return "<h2>Thin evidence</h2><p class=\"ok\">Conform found nothing thin for this clause.</p>".into();
    };
    let mut body = String::from("<h2>Thin evidence</h2>");
    for thin in &evidence.thin {
        body.push_str(&format!(
            "<h3 class=\"thin\">{} ({} record{})</h3><ul>",
            escape(&thin.rule),
            thin.total,
            if thin.total == 1 { "" } else { "s" }
        ));
        for record in &thin.records {
            body.push_str(&format!("<li>{}</li>", escape(&record.label)));
        }
        if thin.total > thin.records.len() as u64 {
            body.push_str(&format!(
                "<li class=\"muted\">… and {} more</li>",
                thin.total - thin.records.len() as u64
            ));
        }
        body.push_str("</ul>");
    }
    body
}
