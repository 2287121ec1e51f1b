//! The auditor's evidence pack: one zip with a browsable index, a page per clause of
//! ISO/IEC 20000-1 (guidance, status, the approved documents, the sampled records), the
//! records as HTML and CSV, the gap-analysis result, audit reports and management review
//! minutes, and a SHA-256 manifest.
//!
//! The pack is a function of the data and its as-of date (the 12-month sampling window ends
//! there): built twice from the same data for the same date it is the same bytes.
//!
//! A service like the others: it reads through the services the pages use (and, a page at a
//! time, the entities of the sampled record lists), renders the audit reports and review
//! minutes with `server/render/`, and is built in the background by `server/evidence_jobs.rs`;
//! the server binary only serves the finished download.

pub mod archive;
pub mod compliance;
pub mod file;
pub mod html;
pub mod profile;
pub mod records;

use crate::error::AppError;
use crate::model::clause_library::{ClauseEntry, DocumentedKind};
use crate::model::continuity_plan::PlanState;
use crate::model::plan_document::markdown as plan_markdown;
use crate::server::db::Db;
use crate::server::entity::{
    cab_meeting, continuity_plan, sms_document, sms_document_version, user,
};
use crate::server::failure::internal;
use crate::server::markdown::to_safe_html;
use crate::server::service::{clause_library, plan_overview};
use archive::{ManifestEntry, PackArchive};
use chrono::NaiveDate;
use html::page;
use records::{name, write_listing, Context, Listing, Rows, Written};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};
use std::io::{Seek, Write};

use crate::server::render::{escape, slug};

/// Where the builder is, for a progress bar: `done` of `total` steps, and what it is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
    pub step: &'static str,
}

const STEPS: [&str; 13] = [
    "Reading the clause library",
    "Gap analysis and evidence checks",
    "Approved documents",
    "Changes and CAB decisions",
    "CAB minutes",
    "Continuity plans and exercises",
    "Nonconformities",
    "Improvement register",
    "Service catalogue",
    "Internal audit reports",
    "Management review minutes",
    "Clause pages and index",
    "Manifest",
];

/// What a finished pack holds.
#[derive(Debug, Clone)]
pub struct PackSummary {
    pub as_of: NaiveDate,
    pub files: Vec<ManifestEntry>,
}

/// A link from a clause page to something in the pack.
#[derive(Debug, Clone)]
struct Evidence {
    label: String,
    path: String,
}

/// Builds the pack into `writer`, reporting each step to `progress`.
pub async fn build<W: Write + Seek>(
    db: &Db,
    as_of: NaiveDate,
    writer: W,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(W, PackSummary), AppError> {
    let total = STEPS.len() as u32;
    let mut step = 0u32;
    let mut next = |progress: &(dyn Fn(Progress) + Send + Sync)| {
        progress(Progress {
            done: step,
            total,
            step: STEPS[(step as usize).min(STEPS.len() - 1)],
        });
        step += 1;
    };
    let day = as_of.to_string();
    let mut archive = PackArchive::new(writer, as_of);
    archive
        .add("style.css", html::STYLESHEET.as_bytes())
        .map_err(internal)?;

    next(progress);
    let library = clause_library::list(db.reader()).await?;
    let names: HashMap<i64, String> = user::Entity::find()
        .all(db.reader())
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut documents_by_clause: BTreeMap<String, Vec<Evidence>> = BTreeMap::new();
    let mut records_by_clause: BTreeMap<String, Vec<Evidence>> = BTreeMap::new();
    let ctx = Context {
        db,
        names: &names,
        as_of,
    };

    next(progress);
    let gap = compliance::write_gap(db, &mut archive, &day).await?;
    let thin = compliance::thin_evidence(db, as_of).await?;
    let ratings: BTreeMap<String, String> = gap
        .as_ref()
        .map(|results| {
            results
                .heat_map
                .iter()
                .map(|cell| {
                    (
                        cell.clause.clone(),
                        compliance::rating_text(cell.rating.as_ref()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();

    next(progress);
    write_documents(db, &mut archive, &names, &day, &mut documents_by_clause).await?;
    if let Some(title) = profile::write_profile(db, &mut archive, &names, as_of, &day).await? {
        for clause in crate::model::sms_profile::CLAUSES_ANSWERED {
            documents_by_clause
                .entry(clause.into())
                .or_default()
                .push(Evidence {
                    label: title.clone(),
                    path: profile::PATH.into(),
                });
        }
    }

    next(progress);
    let changes = write_listing(
        &mut archive,
        &ctx,
        Listing {
            file: "changes",
            title: "Authorised changes, last 12 months",
            intro: format!(
                "Every change authorised and planned between {} and {as_of}, with its risk, \
                 back-out plan, post-implementation review and CAB decisions.",
                records::year_before(as_of)
            ),
            columns: records::CHANGE_COLUMNS,
        },
        Rows::Changes,
    )
    .await?;
    link(
        &mut records_by_clause,
        &["8.5.1", "8.5.2", "8.5.3"],
        &changes,
    );

    next(progress);
    let minutes = write_minutes(db, &mut archive, &names, as_of, &day).await?;
    for evidence in minutes {
        records_by_clause
            .entry("8.5.1".into())
            .or_default()
            .push(evidence);
    }

    next(progress);
    for evidence in write_plans(db, &mut archive, as_of, &day).await? {
        documents_by_clause
            .entry("8.7.2".into())
            .or_default()
            .push(evidence);
    }
    let exercises = write_listing(
        &mut archive,
        &ctx,
        Listing {
            file: "continuity-exercises",
            title: "Continuity exercises, last 12 months",
            intro: "Continuity tests with their result, recovery time and findings.".into(),
            columns: records::EXERCISE_COLUMNS,
        },
        Rows::Exercises,
    )
    .await?;
    link(&mut records_by_clause, &["8.7.1", "8.7.2"], &exercises);

    next(progress);
    let ncs = write_listing(
        &mut archive,
        &ctx,
        Listing {
            file: "nonconformities",
            title: "Nonconformity log",
            intro: "Every nonconformity with its correction, root cause and effectiveness check."
                .into(),
            columns: records::NC_COLUMNS,
        },
        Rows::Nonconformities,
    )
    .await?;
    link(&mut records_by_clause, &["10.1"], &ncs);

    next(progress);
    let register = write_listing(
        &mut archive,
        &ctx,
        Listing {
            file: "improvements",
            title: "Improvement register",
            intro: "Every improvement with its source, status and measured outcome.".into(),
            columns: records::IMPROVEMENT_COLUMNS,
        },
        Rows::Improvements,
    )
    .await?;
    link(&mut records_by_clause, &["10.2"], &register);

    next(progress);
    let catalogue = write_listing(
        &mut archive,
        &ctx,
        Listing {
            file: "service-catalogue",
            title: "Service catalogue",
            intro: "The services in the catalogue with owner, criticality and status.".into(),
            columns: records::SERVICE_COLUMNS,
        },
        Rows::Services,
    )
    .await?;
    link(&mut records_by_clause, &["8.2.4"], &catalogue);

    next(progress);
    for audit in compliance::write_audits(db, &mut archive, as_of, &day).await? {
        records_by_clause
            .entry("9.2".into())
            .or_default()
            .push(Evidence {
                label: audit.label,
                path: audit.path,
            });
    }

    next(progress);
    for review in compliance::write_reviews(db, &mut archive, as_of, &day).await? {
        records_by_clause
            .entry("9.3".into())
            .or_default()
            .push(Evidence {
                label: review.label,
                path: review.path,
            });
    }

    next(progress);
    for entry in &library {
        let body = clause_page(
            entry,
            ratings.get(&entry.number).map(String::as_str),
            documents_by_clause
                .get(&entry.number)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            records_by_clause
                .get(&entry.number)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            &compliance::thin_section(thin.get(&entry.number)),
        );
        let title = format!("{} {}", entry.number, entry.title);
        archive
            .add(
                &clause_path(&entry.number),
                page(&title, 1, &day, &body).as_bytes(),
            )
            .map_err(internal)?;
    }
    let index = index_page(
        &library,
        &IndexFacts {
            gap: gap.as_ref(),
            ratings: &ratings,
            documents: &documents_by_clause,
            records: &records_by_clause,
            thin: &thin,
        },
        &day,
    );
    archive
        .add("index.html", index.as_bytes())
        .map_err(internal)?;

    next(progress);
    let (writer, files) = archive.finish().map_err(internal)?;
    progress(Progress {
        done: total,
        total,
        step: "Done",
    });
    Ok((writer, PackSummary { as_of, files }))
}

pub fn clause_path(number: &str) -> String {
    format!("clauses/{number}.html")
}

fn link(map: &mut BTreeMap<String, Vec<Evidence>>, clauses: &[&str], written: &Written) {
    for clause in clauses {
        let list = map.entry(clause.to_string()).or_default();
        list.push(Evidence {
            label: format!("{} ({} records)", written.title, written.rows),
            path: written.html.clone(),
        });
        list.push(Evidence {
            label: format!("{} as CSV", written.title),
            path: written.csv.clone(),
        });
    }
}

/// The approved, current version of every document in the register, one page each.
async fn write_documents<W: Write + Seek>(
    db: &Db,
    archive: &mut PackArchive<W>,
    names: &HashMap<i64, String>,
    day: &str,
    by_clause: &mut BTreeMap<String, Vec<Evidence>>,
) -> Result<(), AppError> {
    let documents: HashMap<i64, sms_document::Model> = sms_document::Entity::find()
        .filter(sms_document::Column::Retired.eq(false))
        .all(db.reader())
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let versions = sms_document_version::Entity::find()
        .filter(sms_document_version::Column::State.eq("approved"))
        .order_by_asc(sms_document_version::Column::DocumentId)
        .all(db.reader())
        .await?;
    for version in versions {
        let Some(document) = documents.get(&version.document_id) else {
            continue;
        };
        let clauses: Vec<String> = serde_json::from_str(&document.clauses).unwrap_or_default();
        let file_slug = match slug(&document.title) {
            s if s.is_empty() => "document".to_string(),
            s => s,
        };
        let path = format!(
            "documents/{}-{file_slug}-v{}.html",
            document.id, version.number
        );
        let mut body = format!(
            "<table><tbody>\
             <tr><th scope=\"row\">Version</th><td>{}</td></tr>\
             <tr><th scope=\"row\">Status</th><td>Approved</td></tr>\
             <tr><th scope=\"row\">Approved by</th><td>{}</td></tr>\
             <tr><th scope=\"row\">Approved on</th><td>{}</td></tr>\
             <tr><th scope=\"row\">Next review</th><td>{}</td></tr>\
             <tr><th scope=\"row\">Owner</th><td>{}</td></tr>\
             <tr><th scope=\"row\">Clauses</th><td>{}</td></tr>\
             </tbody></table>",
            version.number,
            escape(&name(names, version.approved_by)),
            version
                .approved_at
                .map(|at| at.date_naive().to_string())
                .unwrap_or_default(),
            version
                .next_review_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            escape(&name(names, Some(document.owner_id))),
            escape(&clauses.join(", ")),
        );
        if let Some(link) = version.link.as_deref().filter(|l| !l.trim().is_empty()) {
            body.push_str(&format!(
                "<p>Kept outside Conform: <a href=\"{0}\">{0}</a></p>",
                escape(link)
            ));
        }
        body.push_str(&to_safe_html(&version.content));
        let title = format!("{} (version {})", document.title, version.number);
        archive
            .add(&path, page(&title, 1, day, &body).as_bytes())
            .map_err(internal)?;
        for clause in clauses {
            by_clause.entry(clause).or_default().push(Evidence {
                label: title.clone(),
                path: path.clone(),
            });
        }
    }
    Ok(())
}

/// Published CAB minutes of the 12 months up to the as-of date.
async fn write_minutes<W: Write + Seek>(
    db: &Db,
    archive: &mut PackArchive<W>,
    names: &HashMap<i64, String>,
    as_of: NaiveDate,
    day: &str,
) -> Result<Vec<Evidence>, AppError> {
    let from = records::year_before(as_of);
    let meetings = cab_meeting::Entity::find()
        .filter(cab_meeting::Column::MinutesPublished.is_not_null())
        .order_by_asc(cab_meeting::Column::ScheduledAt)
        .order_by_asc(cab_meeting::Column::Id)
        .all(db.reader())
        .await?;
    let mut written = Vec::new();
    for meeting in meetings {
        let date = meeting.scheduled_at.date_naive();
        if date < from || date > as_of {
            continue;
        }
        let path = format!("records/cab-minutes/{}-{}.html", date, meeting.id);
        let body = format!(
            "<p>Published by {} on {}.</p>{}",
            escape(&name(names, meeting.published_by)),
            meeting
                .published_at
                .map(|at| at.date_naive().to_string())
                .unwrap_or_default(),
            to_safe_html(meeting.minutes_published.as_deref().unwrap_or_default())
        );
        let title = format!("CAB minutes: {} ({date})", meeting.title);
        archive
            .add(&path, page(&title, 2, day, &body).as_bytes())
            .map_err(internal)?;
        written.push(Evidence { label: title, path });
    }
    Ok(written)
}

/// The approved version of every continuity plan that is not retired.
async fn write_plans<W: Write + Seek>(
    db: &Db,
    archive: &mut PackArchive<W>,
    as_of: NaiveDate,
    day: &str,
) -> Result<Vec<Evidence>, AppError> {
    let plans = continuity_plan::Entity::find()
        .filter(continuity_plan::Column::Retired.eq(false))
        .order_by_asc(continuity_plan::Column::Id)
        .all(db.reader())
        .await?;
    let mut written = Vec::new();
    for plan in plans {
        let detail = plan_overview::detail(db.reader(), plan.id, as_of).await?;
        let Some(version) = detail
            .versions
            .iter()
            .find(|v| v.state == PlanState::Approved)
        else {
            continue;
        };
        let path = format!(
            "documents/continuity-plan-{}-v{}.html",
            plan.id, version.number
        );
        let title = format!("{} (version {})", detail.title, version.number);
        let body = to_safe_html(&plan_markdown(&detail, version));
        archive
            .add(&path, page(&title, 1, day, &body).as_bytes())
            .map_err(internal)?;
        written.push(Evidence { label: title, path });
    }
    Ok(written)
}

fn evidence_list(items: &[Evidence], empty: &str) -> String {
    if items.is_empty() {
        return format!("<p class=\"muted\">{}</p>", escape(empty));
    }
    let mut list = String::from("<ul>");
    for item in items {
        list.push_str(&format!(
            "<li><a href=\"../{}\">{}</a></li>",
            escape(&item.path),
            escape(&item.label)
        ));
    }
    list.push_str("</ul>");
    list
}

fn clause_page(
    entry: &ClauseEntry,
    rating: Option<&str>,
    documents: &[Evidence],
    records: &[Evidence],
    thin: &str,
) -> String {
    let mut body = format!(
        "<p class=\"status\">Status in the latest gap assessment: {} (<a href=\"../{}\">gap analysis</a>)</p>\
         <h2>What it asks</h2><p>{}</p>",
        escape(rating.unwrap_or("Not assessed")),
        compliance::GAP_PATH,
        escape(&entry.guidance)
    );
    body.push_str("<h2>Documented information expected</h2>");
    if entry.documented.is_empty() {
        body.push_str("<p class=\"muted\">None named by the clause library.</p>");
    } else {
        body.push_str("<ul>");
        for item in &entry.documented {
            let kind = match item.kind {
                DocumentedKind::Document => "Document to maintain",
                DocumentedKind::Record => "Record to retain",
            };
            body.push_str(&format!("<li>{kind}: {}</li>", escape(&item.name)));
        }
        body.push_str("</ul>");
    }
    body.push_str("<h2>Approved documents</h2>");
    body.push_str(&evidence_list(
        documents,
        if entry.expects(DocumentedKind::Document) {
            "No approved document answers this clause yet."
        } else {
            "No document is expected for this clause."
        },
    ));
    body.push_str("<h2>Records</h2>");
    body.push_str(&evidence_list(
        records,
        "Conform keeps no records for this clause; see the gap analysis for linked evidence.",
    ));
    body.push_str(thin);
    body.push_str("<h2>What an auditor samples</h2><ul>");
    for hint in &entry.evidence_hints {
        body.push_str(&format!("<li>{}</li>", escape(hint)));
    }
    body.push_str("</ul>");
    body
}

/// What the index shows beside each clause.
struct IndexFacts<'a> {
    gap: Option<&'a crate::model::gap::GapResults>,
    ratings: &'a BTreeMap<String, String>,
    documents: &'a BTreeMap<String, Vec<Evidence>>,
    records: &'a BTreeMap<String, Vec<Evidence>>,
    thin: &'a BTreeMap<String, crate::model::evidence::ClauseEvidence>,
}

fn index_page(library: &[ClauseEntry], facts: &IndexFacts<'_>, day: &str) -> String {
    let readiness = match facts.gap {
        Some(results) => format!(
            "<p class=\"status\">Readiness in the latest gap assessment (“{}”): {}; {} blocker(s). \
             See the <a href=\"{}\">gap analysis</a>.</p>",
            escape(&results.assessment.title),
            results
                .overall
                .percent()
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "not applicable".into()),
            results.blockers.len(),
            compliance::GAP_PATH
        ),
        None => "<p class=\"muted\">No gap assessment has been made in Conform yet.</p>".into(),
    };
    let mut body = format!(
        "<p>Evidence for ISO/IEC 20000-1:2018, clauses 4 to 10, as held in Conform on {day}. \
         Each clause has a page with Conform's guidance, its status, the documented information \
         expected, the approved documents, the records sampled and any thin evidence.</p>{readiness}"
    );
    let mut current_top = "";
    for entry in library {
        let top = crate::model::gap::top_clause(&entry.number);
        if top != current_top {
            if !current_top.is_empty() {
                body.push_str("</tbody></table>");
            }
            current_top = top;
            body.push_str(&format!(
                "<h2>Clause {top}</h2><table><thead><tr><th scope=\"col\">Clause</th>\
                 <th scope=\"col\">Status</th><th scope=\"col\">Approved documents</th>\
                 <th scope=\"col\">Record sets</th><th scope=\"col\">Thin evidence</th>\
                 </tr></thead><tbody>"
            ));
        }
        let documents = facts.documents.get(&entry.number).map_or(0, Vec::len);
        // Each listing is linked twice (HTML and CSV); count sets once.
        let record_sets = facts.records.get(&entry.number).map_or(0, |r| {
            r.iter().filter(|e| e.path.ends_with(".html")).count()
        });
        let thin = facts.thin.get(&entry.number).map_or(0, |e| e.thin_count());
        body.push_str(&format!(
            "<tr><td><a href=\"{}\">{} {}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            clause_path(&entry.number),
            escape(&entry.number),
            escape(&entry.title),
            escape(facts.ratings.get(&entry.number).map(String::as_str).unwrap_or("Not assessed")),
            documents,
            record_sets,
            if thin == 0 { "—".to_string() } else { format!("{thin} record(s)") }
        ));
    }
    if !current_top.is_empty() {
        body.push_str("</tbody></table>");
    }
    page("Evidence pack", 0, day, &body)
}
