//! `/compliance/gap/:id/results`: overall readiness with the rule that computes it, readiness
//! per clause, the heat map of clauses 4–10 (colour and text), what blocks certification, and
//! the comparison with the previous closed assessment.

use crate::api::gap::get_results;
use crate::components::error_view::ErrorPanel;
use crate::model::gap::{clause_title, top_clause, GapResults, Maturity, READINESS_RULE};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn percent_text(p: Option<u32>) -> String {
    p.map_or_else(|| "n/a".into(), |p| format!("{p}%"))
}

#[component]
pub fn GapResultsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let results = Resource::new(id, get_results);
    view! {
        <Title text="Gap assessment results"/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the results…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(results) => view! { <Results results/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Results(results: GapResults) -> impl IntoView {
    let GapResults {
        assessment,
        per_clause,
        overall,
        heat_map,
        blockers,
        comparison,
    } = results;
    let id = assessment.id;
    let legend = [
        ("heat-conforming", Maturity::Conforming.label()),
        ("heat-defined", Maturity::Defined.label()),
        ("heat-initial", Maturity::Initial.label()),
        ("heat-not-addressed", Maturity::NotAddressed.label()),
        ("heat-na", "Not applicable"),
        ("heat-unrated", "Not rated"),
    ];
    let mut tops: Vec<String> = Vec::new();
    for cell in &heat_map {
        let top = top_clause(&cell.clause).to_string();
        if !tops.contains(&top) {
            tops.push(top);
        }
    }
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/compliance/gap">"Gap analysis"</a>" / "<a href=format!("/compliance/gap/{id}")>{assessment.title.clone()}</a>" / Results"</nav>
        <h1>"Results: "{assessment.title.clone()}</h1>
        <section class="gap-overall" aria-labelledby="gap-overall-heading">
            <h2 id="gap-overall-heading">"Overall readiness"</h2>
            // The figure the heading names, not a paragraph (nor a heading of its own).
            <div class=format!("gap-big band-{}", overall.band())>{percent_text(overall.percent())}</div>
            <p class="muted">{format!("{} of {} points; {} of {} sub-clauses rated ({}).", overall.points, overall.possible, assessment.rated, heat_map.len(), assessment.state.label())}</p>
            <p class="gap-rule">{READINESS_RULE}</p>
        </section>
        <section aria-labelledby="gap-clauses-heading">
            <h2 id="gap-clauses-heading">"Readiness per clause"</h2>
            <table class="data-table">
                <thead><tr><th scope="col">"Clause"</th><th scope="col">"Readiness"</th><th scope="col">"Points"</th></tr></thead>
                <tbody>
                    {per_clause.into_iter().map(|(top, title, r)| view! {
                        <tr><td>{top}" "{title}</td><td class=format!("band-{}", r.band())>{percent_text(r.percent())}</td><td>{format!("{} / {}", r.points, r.possible)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section aria-labelledby="gap-heat-heading">
            <h2 id="gap-heat-heading">"Heat map"</h2>
            <ul class="heat-legend" aria-label="Legend">
                {legend.into_iter().map(|(class, label)| view! { <li><span class=format!("heat-swatch {class}") aria-hidden="true"></span>{label}</li> }).collect_view()}
            </ul>
            {tops.into_iter().map(|top| {
                let cells: Vec<_> = heat_map.iter().filter(|c| top_clause(&c.clause) == top).cloned().collect();
                view! {
                    <div class="heat-row">
                        <h3>{format!("{top} {}", clause_title(&top))}</h3>
                        <ul class="heat-grid">
                            {cells.into_iter().map(|cell| view! {
                                <li class=format!("heat-cell {}", cell.class())>
                                    <a href=format!("/compliance/gap/{id}#clause-{}", cell.clause)>
                                        <strong>{cell.clause.clone()}</strong>" "{cell.title.clone()}
                                        <span class="heat-label">{cell.label()}</span>
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                }
            }).collect_view()}
        </section>
        <section aria-labelledby="gap-blockers-heading">
            <h2 id="gap-blockers-heading">{format!("What blocks certification ({})", blockers.len())}</h2>
            {if blockers.is_empty() {
                view! { <p>"Nothing blocks certification: every applicable sub-clause has its approved documents and records, and none is rated Not addressed."</p> }.into_any()
            } else {
                view! { <ul class="gap-blockers">{blockers.into_iter().map(|b| {
                    let href = b.href(id);
                    view! { <li><a href=href>{crate::model::clauses::label(&b.clause)}</a>" — "<strong>{b.kind.label()}</strong>": "{b.detail}</li> }
                }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <section aria-labelledby="gap-compare-heading">
            <h2 id="gap-compare-heading">"Compared with the previous assessment"</h2>
            {match comparison {
                None => view! { <p class="muted">"No earlier closed assessment to compare with."</p> }.into_any(),
                Some(cmp) => {
                    let moved = |list: Vec<(String, Maturity, Maturity)>| view! {
                        <ul>{list.into_iter().map(|(c, from, to)| view! { <li>{crate::model::clauses::label(&c)}": "{from.label()}" → "{to.label()}</li> }).collect_view()}</ul>
                    };
                    view! {
                        <p>
                            "Against “"<a href=format!("/compliance/gap/{}/results", cmp.previous.id)>{cmp.previous.title.clone()}</a>"” ("
                            {percent_text(cmp.previous.overall.percent())}" then, "{percent_text(overall.percent())}" now): "
                            {format!("{} improved, {} regressed, {} unchanged.", cmp.improved.len(), cmp.regressed.len(), cmp.unchanged.len())}
                        </p>
                        <h3>"Improved"</h3>
                        {moved(cmp.improved)}
                        <h3>"Regressed"</h3>
                        {moved(cmp.regressed)}
                        <h3>"Unchanged"</h3>
                        <p>{cmp.unchanged.join(", ")}</p>
                    }.into_any()
                }
            }}
        </section>
    }
}
