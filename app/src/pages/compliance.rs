//! `/compliance`: the certification workspace's hub — where to go for each part of the
//! workspace, then the clause library (clauses 4–10) with the live evidence Conform holds for
//! each sub-clause and a marker where that evidence is thin.

use crate::api::compliance::{compliance_overview, ClauseRow};
use crate::components::error_view::ErrorPanel;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::clause_library::DocumentedKind;
use leptos::prelude::*;
use leptos_meta::Title;

/// The parts of the workspace: (title, address, what it is for, the permission it needs beyond
/// reading the workspace — a part the reader may not open is not offered).
const PARTS: &[(&str, &str, &str, Option<Permission>)] = &[
    (
        "SMS profile",
        "/compliance/profile",
        "Context, interested parties, scope, policy and SMS roles.",
        None,
    ),
    (
        "Gap assessments",
        "/compliance/gap",
        "Rate each clause's maturity and plan what is missing.",
        None,
    ),
    (
        "Documents",
        "/compliance/documents",
        "The SMS documents, their versions and approvals.",
        None,
    ),
    (
        "Objectives",
        "/compliance/objectives",
        "Service management objectives and their measurements.",
        None,
    ),
    (
        "Internal audits",
        "/compliance/audits",
        "The audit programme, checklists and findings.",
        None,
    ),
    (
        "Management reviews",
        "/compliance/reviews",
        "Reviews of the SMS, their decisions and actions.",
        None,
    ),
    (
        "Evidence pack",
        "/compliance/evidence-pack",
        "Everything an auditor asks for, in one export.",
        Some(Permission::EvidenceExport),
    ),
];

/// The main clauses the library is grouped by.
const GROUPS: &[(&str, &str)] = &[
    ("4", "Context of the organization"),
    ("5", "Leadership"),
    ("6", "Planning"),
    ("7", "Support of the SMS"),
    ("8", "Operation of the SMS"),
    ("9", "Performance evaluation"),
    ("10", "Improvement"),
];

fn main_clause(number: &str) -> &str {
    number.split('.').next().unwrap_or(number)
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| compliance_overview());
    view! {
        <Title text="Compliance"/>
        <h1>"Compliance"</h1>
        <p class="muted">"The certification workspace for ISO/IEC 20000-1: assess the gaps, keep the documents and objectives, audit and review the SMS, and see which clauses Conform's own records already evidence."</p>
        <nav aria-label="Compliance workspace">
            <ul class="compliance-parts">
                {PARTS.iter().map(|&(title, href, about, permission)| {
                    let part = move || view! {
                        <li>
                            <a class="compliance-part" href=href>
                                <span class="compliance-part-title">{title}</span>
                                <span class="compliance-part-about">{about}</span>
                            </a>
                        </li>
                    };
                    match permission {
                        None => part().into_any(),
                        Some(permission) => view! { <IfAllowed permission>{part}</IfAllowed> }.into_any(),
                    }
                }).collect_view()}
            </ul>
        </nav>
        <h2 id="clause-library">"Clause library"</h2>
        <p class="muted">"Each sub-clause with the documented information it expects and the live records Conform holds for it. “Thin evidence” names records an auditor would question."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the clause library…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <div class="empty-state">
                            <p><strong>"The clause library is not loaded."</strong></p>
                            <p>"Conform loads it when it starts; restart the server if this persists."</p>
                        </div>
                    }.into_any(),
                    Ok(rows) => view! { <ClauseLibrary rows/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ClauseLibrary(rows: Vec<ClauseRow>) -> impl IntoView {
    GROUPS
        .iter()
        .map(|(main, title)| {
            let mine: Vec<ClauseRow> = rows
                .iter()
                .filter(|r| main_clause(&r.clause.number) == *main)
                .cloned()
                .collect();
            let heading_id = format!("clauses-{main}");
            view! {
                <section class="clause-group" aria-labelledby=heading_id>
                    <h3 id=format!("clauses-{main}")>{format!("{main} {title}")}</h3>
                    <div class="table-wrap">
                        <table class="data-table clause-table">
                            <thead><tr>
                                <th scope="col">"Clause"</th>
                                <th scope="col">"Title"</th>
                                <th scope="col">"Documented information expected"</th>
                                <th scope="col">"Live evidence in Conform"</th>
                                <th scope="col">"Thin evidence"</th>
                            </tr></thead>
                            <tbody>
                                {mine.into_iter().map(|row| view! { <ClauseLine row/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }
        })
        .collect_view()
}

/// "Document" / "Record" badges for the documented information a clause expects.
pub fn documented_badges(row: &ClauseRow) -> impl IntoView {
    let documents = row.clause.expects(DocumentedKind::Document);
    let records = row.clause.expects(DocumentedKind::Record);
    if !documents && !records {
        return view! { <span class="muted">"None required"</span> }.into_any();
    }
    view! {
        <span class="clause-badges">
            {documents.then(|| view! { <span class="badge badge-document">"Document"</span> })}
            {records.then(|| view! { <span class="badge badge-record">"Record"</span> })}
        </span>
    }
    .into_any()
}

#[component]
fn ClauseLine(row: ClauseRow) -> impl IntoView {
    let href = format!("/compliance/clauses/{}", row.clause.number);
    let live: Vec<String> = row
        .evidence
        .sources
        .iter()
        .filter(|s| s.count > 0)
        .take(2)
        .map(|s| format!("{} {}", s.count, s.label.to_lowercase()))
        .chain(
            (!row.evidence.documents.is_empty()).then(|| match row.evidence.documents.len() {
                1 => "1 approved document".to_string(),
                n => format!("{n} approved documents"),
            }),
        )
        .collect();
    let thin = row.evidence.thin_count();
    let is_thin = thin > 0;
    let badges = documented_badges(&row);
    view! {
        <tr class:thin-evidence=is_thin>
            <td><a href=href.clone()>{row.clause.number.clone()}</a></td>
            <td><a href=href.clone()>{row.clause.title.clone()}</a></td>
            <td>{badges}</td>
            <td>
                {if live.is_empty() {
                    view! { <span class="muted">"—"</span> }.into_any()
                } else {
                    view! { <ul class="evidence-counts">{live.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                }}
            </td>
            <td>
                {if thin == 0 {
                    view! { <span class="muted">"—"</span> }.into_any()
                } else {
                    let text = if thin == 1 { "Thin: 1 record".to_string() } else { format!("Thin: {thin} records") };
                    view! { <span class="badge badge-high">{text}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}
