//! The sampled records: each record list goes into the pack twice, as a printable HTML page
//! and as CSV for the auditor's spreadsheet, read from the database a page at a time so a
//! large installation never holds a whole list in memory.

use super::archive::PackArchive;
use super::html::{csv_row, page, strings, HtmlTable};
use crate::error::AppError;
use crate::model::change_request::reference as change_reference;
use crate::model::nonconformity::nc_reference;
use crate::model::register::improvement_reference;
use crate::model::service::Criticality;
use crate::server::db::Db;
use crate::server::entity::{
    cab_agenda_item, cab_meeting, change, continuity_exercise, continuity_plan, improvement,
    nonconformity, service,
};
use crate::server::failure::internal;
use crate::server::render::escape;
use chrono::{Months, NaiveDate};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};
use std::io::{Seek, Write};

/// Rows read from the database per query.
const PAGE: u64 = 1000;

/// A record list: its file name (without extension), title, what it shows, its columns.
pub struct Listing {
    pub file: &'static str,
    pub title: &'static str,
    pub intro: String,
    pub columns: &'static [&'static str],
}

/// What a written listing adds to the index: where it is and how many rows it has.
#[derive(Debug, Clone)]
pub struct Written {
    pub title: &'static str,
    pub html: String,
    pub csv: String,
    pub rows: u64,
}

/// Where a listing's rows come from.
#[derive(Debug, Clone, Copy)]
pub enum Rows {
    Changes,
    Exercises,
    Nonconformities,
    Improvements,
    Services,
}

/// What every listing reads with.
pub struct Context<'a> {
    pub db: &'a Db,
    pub names: &'a HashMap<i64, String>,
    pub as_of: NaiveDate,
}

impl Rows {
    /// One page of rows (empty when done).
    async fn page(self, ctx: &Context<'_>, number: u64) -> Result<Vec<Vec<String>>, AppError> {
        match self {
            Rows::Changes => changes_page(ctx.db, ctx.names, ctx.as_of, number).await,
            Rows::Exercises => exercises_page(ctx.db, ctx.names, ctx.as_of, number).await,
            Rows::Nonconformities => nonconformities_page(ctx.db, ctx.names, number).await,
            Rows::Improvements => improvements_page(ctx.db, ctx.names, number).await,
            Rows::Services => services_page(ctx.db, number).await,
        }
    }
}

/// Writes `listing` as `records/<file>.html` and `records/<file>.csv`. The database is read
/// twice, a page at a time, rather than keeping every row for the second file.
pub async fn write_listing<W: Write + Seek>(
    archive: &mut PackArchive<W>,
    ctx: &Context<'_>,
    listing: Listing,
    source: Rows,
) -> Result<Written, AppError> {
    let as_of = ctx.as_of;
    let html_path = format!("records/{}.html", listing.file);
    let csv_path = format!("records/{}.csv", listing.file);
    let mut pages = Vec::new();
    let mut count = 0u64;
    // HTML: header, then the table a page of rows at a time.
    let shell = page(
        listing.title,
        1,
        &as_of.to_string(),
        &format!("<p>{}</p>\u{0}", escape(&listing.intro)),
    );
    let (before, after) = shell.split_once('\u{0}').unwrap_or((&shell, ""));
    let mut body = Vec::new();
    {
        let mut table = HtmlTable::start(&mut body, listing.columns).map_err(internal)?;
        let mut number = 0;
        loop {
            let batch = source.page(ctx, number).await?;
            if batch.is_empty() {
                break;
            }
            for row in &batch {
                table.row(row).map_err(internal)?;
            }
            count += batch.len() as u64;
            pages.push(batch.len());
            number += 1;
            if (batch.len() as u64) < PAGE {
                break;
            }
        }
        table.end().map_err(internal)?;
    }
    let empty = if count == 0 {
        "<p class=\"muted\">No records in this period.</p>"
    } else {
        ""
    };
    archive
        .add_with(&html_path, |out| {
            out.write_all(before.as_bytes())?;
            out.write_all(&body)?;
            out.write_all(empty.as_bytes())?;
            out.write_all(after.as_bytes())
        })
        .map_err(internal)?;
    drop(body);
    // CSV: the same rows, read again.
    let mut csv = Vec::new();
    csv.extend_from_slice(b"\xEF\xBB\xBF");
    csv_row(&mut csv, &strings(listing.columns)).map_err(internal)?;
    for number in 0..pages.len() as u64 {
        for row in source.page(ctx, number).await? {
            csv_row(&mut csv, &row).map_err(internal)?;
        }
    }
    archive.add(&csv_path, &csv).map_err(internal)?;
    Ok(Written {
        title: listing.title,
        html: html_path,
        csv: csv_path,
        rows: count,
    })
}

/// "in_review" → "In review".
pub fn humanise(code: &str) -> String {
    let text = code.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn year_before(as_of: NaiveDate) -> NaiveDate {
    as_of.checked_sub_months(Months::new(12)).unwrap_or(as_of)
}

pub fn name(names: &HashMap<i64, String>, id: Option<i64>) -> String {
    id.and_then(|id| names.get(&id).cloned())
        .unwrap_or_default()
}

/// Authorised changes planned (or, unplanned, raised) in the 12 months up to `as_of`, each
/// with its risk, back-out plan, post-implementation review and CAB decisions.
pub async fn changes_page(
    db: &Db,
    names: &HashMap<i64, String>,
    as_of: NaiveDate,
    number: u64,
) -> Result<Vec<Vec<String>>, AppError> {
    let from = year_before(as_of)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let to = as_of
        .succ_opt()
        .unwrap_or(as_of)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let changes = change::Entity::find()
        .filter(change::Column::AuthorisedBy.is_not_null())
        .filter(change::Column::CreatedAt.lt(to))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(change::Column::PlannedStart.gte(from))
                        .add(change::Column::PlannedStart.lt(to)),
                )
                .add(
                    Condition::all()
                        .add(change::Column::PlannedStart.is_null())
                        .add(change::Column::CreatedAt.gte(from)),
                ),
        )
        .order_by_asc(change::Column::Id)
        .offset(number * PAGE)
        .limit(PAGE)
        .all(db.reader())
        .await?;
    let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
    let mut decisions: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    if !ids.is_empty() {
        let items = cab_agenda_item::Entity::find()
            .filter(cab_agenda_item::Column::ChangeId.is_in(ids))
            .filter(cab_agenda_item::Column::Decision.is_not_null())
            .order_by_asc(cab_agenda_item::Column::Id)
            .all(db.reader())
            .await?;
        let meeting_ids: Vec<i64> = items.iter().map(|i| i.meeting_id).collect();
        let meetings: HashMap<i64, String> = cab_meeting::Entity::find()
            .filter(cab_meeting::Column::Id.is_in(meeting_ids))
            .all(db.reader())
            .await?
            .into_iter()
            .map(|m| (m.id, m.title))
            .collect();
        for item in items {
            let when = item
                .decided_at
                .map(|at| at.date_naive().to_string())
                .unwrap_or_default();
            decisions.entry(item.change_id).or_default().push(format!(
                "{} — {} ({when}){}",
                meetings.get(&item.meeting_id).cloned().unwrap_or_default(),
                humanise(item.decision.as_deref().unwrap_or_default()),
                if item.decision_text.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", item.decision_text.trim())
                }
            ));
        }
    }
    Ok(changes
        .into_iter()
        .map(|c| {
            vec![
                change_reference(c.id),
                c.title,
                humanise(&c.change_type),
                humanise(&c.state),
                c.risk_level.as_deref().map(humanise).unwrap_or_default(),
                c.planned_start
                    .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default(),
                name(names, c.authorised_by),
                yes_no(!c.backout_plan.trim().is_empty()),
                c.review_outcome
                    .as_deref()
                    .map(humanise)
                    .unwrap_or_default(),
                decisions.remove(&c.id).unwrap_or_default().join("; "),
            ]
        })
        .collect())
}

pub const CHANGE_COLUMNS: &[&str] = &[
    "Reference",
    "Title",
    "Type",
    "State",
    "Risk",
    "Planned start",
    "Authorised by",
    "Back-out plan",
    "Post-implementation review",
    "CAB decisions",
];

fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.to_string()
}

pub async fn exercises_page(
    db: &Db,
    names: &HashMap<i64, String>,
    as_of: NaiveDate,
    number: u64,
) -> Result<Vec<Vec<String>>, AppError> {
    let plans: HashMap<i64, String> = continuity_plan::Entity::find()
        .all(db.reader())
        .await?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    Ok(continuity_exercise::Entity::find()
        .filter(continuity_exercise::Column::PlannedOn.gte(year_before(as_of)))
        .filter(continuity_exercise::Column::PlannedOn.lte(as_of))
        .order_by_asc(continuity_exercise::Column::PlannedOn)
        .order_by_asc(continuity_exercise::Column::Id)
        .offset(number * PAGE)
        .limit(PAGE)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|e| {
            vec![
                e.planned_on.to_string(),
                plans.get(&e.plan_id).cloned().unwrap_or_default(),
                humanise(&e.kind),
                e.result
                    .as_deref()
                    .map(humanise)
                    .unwrap_or_else(|| "Not recorded".into()),
                e.actual_minutes.map(|m| m.to_string()).unwrap_or_default(),
                e.findings,
                name(names, e.recorded_by),
            ]
        })
        .collect())
}

pub const EXERCISE_COLUMNS: &[&str] = &[
    "Date",
    "Plan",
    "Kind",
    "Result",
    "Recovery (minutes)",
    "Findings",
    "Recorded by",
];

/// The nonconformity log (every nonconformity, open or closed) with its effectiveness check.
pub async fn nonconformities_page(
    db: &Db,
    names: &HashMap<i64, String>,
    number: u64,
) -> Result<Vec<Vec<String>>, AppError> {
    Ok(nonconformity::Entity::find()
        .order_by_asc(nonconformity::Column::Id)
        .offset(number * PAGE)
        .limit(PAGE)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|nc| {
            let effectiveness = match (nc.verified_by, nc.verification_failures) {
                (Some(by), 0) => format!("Verified effective by {}", name(names, Some(by))),
                (Some(by), failures) => format!(
                    "Verified effective by {} after {failures} ineffective check(s)",
                    name(names, Some(by))
                ),
                (None, 0) => "Not verified yet".to_string(),
                (None, failures) => format!("Not verified yet; {failures} ineffective check(s)"),
            };
            vec![
                nc_reference(nc.id),
                humanise(&nc.grade),
                nc.clause,
                nc.description,
                humanise(&nc.found_in),
                humanise(&nc.state),
                name(names, Some(nc.owner_id)),
                nc.correction,
                nc.root_cause,
                effectiveness,
                nc.created_at.date_naive().to_string(),
            ]
        })
        .collect())
}

pub const NC_COLUMNS: &[&str] = &[
    "Reference",
    "Grade",
    "Clause",
    "Description",
    "Found in",
    "State",
    "Owner",
    "Correction",
    "Root cause",
    "Effectiveness check",
    "Raised on",
];

pub async fn improvements_page(
    db: &Db,
    names: &HashMap<i64, String>,
    number: u64,
) -> Result<Vec<Vec<String>>, AppError> {
    Ok(improvement::Entity::find()
        .order_by_asc(improvement::Column::Id)
        .offset(number * PAGE)
        .limit(PAGE)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|i| {
            let clauses: Vec<String> = serde_json::from_str(&i.clauses).unwrap_or_default();
            vec![
                improvement_reference(i.id),
                i.title,
                humanise(&i.source),
                clauses.join(", "),
                humanise(&i.state),
                name(names, Some(i.owner_id)),
                i.target_date.map(|d| d.to_string()).unwrap_or_default(),
                i.outcome,
                i.closure_code.as_deref().map(humanise).unwrap_or_default(),
                i.closed_at
                    .map(|at| at.date_naive().to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect())
}

pub const IMPROVEMENT_COLUMNS: &[&str] = &[
    "Reference",
    "Title",
    "Source",
    "Clauses",
    "Status",
    "Owner",
    "Target date",
    "Measured outcome",
    "Closure",
    "Closed on",
];

pub async fn services_page(db: &Db, number: u64) -> Result<Vec<Vec<String>>, AppError> {
    Ok(service::Entity::find()
        .order_by_asc(service::Column::Id)
        .offset(number * PAGE)
        .limit(PAGE)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|s| {
            vec![
                s.name,
                s.owner,
                Criticality::from_rank(s.criticality)
                    .map(|c| c.label().to_string())
                    .unwrap_or_default(),
                humanise(&s.status),
                if s.archived_at.is_some() {
                    "Archived"
                } else {
                    "Active"
                }
                .to_string(),
            ]
        })
        .collect())
}

pub const SERVICE_COLUMNS: &[&str] = &["Service", "Owner", "Criticality", "Status", "In catalogue"];
