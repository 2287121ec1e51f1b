//! `/compliance/clauses/:number` (e.g. 8.5.1): one sub-clause — guidance, the documented
//! information it expects, what auditors look for, the approved documents answering it, the
//! live records Conform holds for it and every thin-evidence rule with the records breaking it.

use super::compliance::documented_badges;
use crate::api::compliance::{compliance_clause, ClauseRow};
use crate::components::error_view::ErrorPanel;
use crate::error::AppError;
use crate::model::clause_library::DocumentedKind;
use crate::model::clauses::CLAUSES;
use crate::model::evidence::ThinEvidence;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ComplianceClausePage() -> impl IntoView {
    let params = use_params_map();
    // Validated against the clause list before asking the server.
    let number = Memo::new(move |_| {
        params
            .read()
            .get("number")
            .map(|n| n.trim().to_string())
            .filter(|n| CLAUSES.iter().any(|(c, _)| c == n))
    });
    let row = Resource::new(
        move || number.get(),
        |number| async move {
            match number {
                Some(number) => compliance_clause(number).await,
                None => Err(AppError::NotFound("That clause".into())),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the clause…"</p> }>
            {move || Suspend::new(async move {
                match row.await {
                    Ok(row) => view! { <ClauseBody row/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ClauseBody(row: ClauseRow) -> impl IntoView {
    let heading = format!("{} {}", row.clause.number, row.clause.title);
    let badges = documented_badges(&row);
    let evidence = row.evidence.clone();
    let holds_nothing = evidence.holds_nothing();
    let documented = row.clause.documented.clone();
    let hints = row.clause.evidence_hints.clone();
    view! {
        <Title text=heading.clone()/>
        <p class="breadcrumb"><a href="/compliance">"Compliance"</a>" › clause library"</p>
        <h1>{heading}</h1>
        <section class="panel" aria-labelledby="guidance-heading">
            <h2 id="guidance-heading">"Guidance"</h2>
            <p class="clause-guidance">{row.clause.guidance.clone()}</p>
        </section>
        <section class="panel" aria-labelledby="documented-heading">
            <h2 id="documented-heading">"Documented information expected "{badges}</h2>
            {if documented.is_empty() {
                view! { <p class="muted">"The standard asks for no documented information here."</p> }.into_any()
            } else {
                view! {
                    <ul class="documented-list">
                        {documented.into_iter().map(|d| view! {
                            <li><span class=format!("badge badge-{}", d.kind.as_str())>{kind_label(d.kind)}</span>" "{d.name}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="hints-heading">
            <h2 id="hints-heading">"What an auditor looks for"</h2>
            {if hints.is_empty() {
                view! { <p class="muted">"No hints for this clause."</p> }.into_any()
            } else {
                view! { <ul>{hints.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="documents-heading">
            <h2 id="documents-heading">"Approved documents answering it"</h2>
            {if evidence.documents.is_empty() {
                view! { <p class="muted">"No approved document says it answers this clause. "<a href="/compliance/documents">"Open the document register"</a></p> }.into_any()
            } else {
                view! {
                    <ul>{evidence.documents.iter().map(|d| view! { <li><a href=d.href.clone()>{d.label.clone()}</a></li> }).collect_view()}</ul>
                }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="live-heading">
            <h2 id="live-heading">"Live evidence in Conform"</h2>
            {if holds_nothing {
                view! {
                    <div class="empty-state">
                        <p><strong>"Conform keeps no records for this clause; link evidence in a gap assessment."</strong></p>
                        <p><a href="/compliance/gap">"Open the gap assessments"</a></p>
                    </div>
                }.into_any()
            } else {
                view! {
                    <ul class="evidence-sources">
                        {evidence.sources.iter().map(|s| view! {
                            <li><a href=s.href.clone()>{s.label.clone()}</a>": "<strong>{s.count}</strong></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        {(!evidence.thin.is_empty()).then(|| view! {
            <section class="panel thin-evidence-panel" aria-labelledby="thin-heading">
                <h2 id="thin-heading">"Thin evidence"</h2>
                <p class="muted">"Records an auditor would question. Put them right on each record's page."</p>
                {evidence.thin.iter().cloned().map(|rule| view! { <ThinRule rule/> }).collect_view()}
            </section>
        })}
    }
}

#[component]
fn ThinRule(rule: ThinEvidence) -> impl IntoView {
    let more = rule.total.saturating_sub(rule.records.len() as u64);
    view! {
        <div class="thin-rule">
            <h3>{rule.rule.clone()}" "<span class="badge badge-high">{rule.total}</span></h3>
            <ul>
                {rule.records.into_iter().map(|r| view! { <li><a href=r.href>{r.label}</a></li> }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
        </div>
    }
}

fn kind_label(kind: DocumentedKind) -> &'static str {
    match kind {
        DocumentedKind::Document => "Document",
        DocumentedKind::Record => "Record",
    }
}
