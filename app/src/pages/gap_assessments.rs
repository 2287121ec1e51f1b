//! `/compliance/gap`: every gap assessment with its state, date and overall readiness, and
//! (for the quality manager) the form that opens the next one.

use crate::api::gap::{list_assessments, OpenAssessment};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::model::access::Role;
use crate::model::gap::{AssessmentSummary, OpeningChoices};
use leptos::prelude::*;
use leptos_meta::Title;

pub fn readiness_text(summary: &AssessmentSummary) -> String {
    summary
        .overall
        .percent()
        .map_or_else(|| "—".into(), |p| format!("{p}%"))
}

#[component]
pub fn GapAssessmentsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_assessments());
    view! {
        <Title text="Gap analysis"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/compliance">"Certification"</a>" / Gap analysis"</nav>
        <h1>"Gap analysis"</h1>
        <p class="muted">"Each assessment rates every sub-clause of ISO/IEC 20000-1 clauses 4–10 on a four-step maturity scale; its results show readiness, the heat map and what blocks certification."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the assessments…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((list, choices)) => view! {
                        {if list.is_empty() {
                            view! { <div class="empty-state"><p><strong>"No gap assessment yet."</strong></p><p>"A quality manager opens the first one below."</p></div> }.into_any()
                        } else {
                            view! { <AssessmentTable list/> }.into_any()
                        }}
                        <OpenForm choices/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AssessmentTable(list: Vec<AssessmentSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table gap-table">
                <thead><tr>
                    <th scope="col">"Assessment"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Opened"</th>
                    <th scope="col">"Closed"</th>
                    <th scope="col">"Rated"</th>
                    <th scope="col">"Overall readiness"</th>
                    <th scope="col">"Results"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|a| {
                        let readiness = readiness_text(&a);
                        view! {
                            <tr>
                                <td><a href=format!("/compliance/gap/{}", a.id)>{a.title.clone()}</a></td>
                                <td><span class=format!("badge gap-{}", a.state.as_str())>{a.state.label()}</span></td>
                                <td>{a.opened_at.format("%Y-%m-%d").to_string()}" by "{a.opened_by.name.clone()}</td>
                                <td>{a.closed_at.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())}</td>
                                <td>{format!("{} of {}", a.rated, crate::model::clauses::CLAUSES.len())}</td>
                                <td>{readiness}</td>
                                <td><a href=format!("/compliance/gap/{}/results", a.id)>"Results"</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn OpenForm(choices: OpeningChoices) -> impl IntoView {
    let session = crate::components::session::use_session();
    let open = ServerAction::<OpenAssessment>::new();
    let error = Signal::derive(move || open.value().get().and_then(Result::err));
    let choices = StoredValue::new(choices);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let is_qm = session.user.await.ok().flatten().is_some_and(|u| u.roles.contains(&Role::QualityManager));
                if !is_qm {
                    return ().into_any();
                }
                let (open_now, previous) = choices.with_value(|c| (c.open.clone(), c.previous.clone()));
                if let Some(current) = open_now {
                    return view! {
                        <p class="muted">"“"{current.title}"” is open: close it on its sheet before opening another."</p>
                    }.into_any();
                }
                view! {
                    <section class="panel" aria-labelledby="open-gap-heading">
                        <h2 id="open-gap-heading">"Open an assessment"</h2>
                        <ActionForm action=open>
                            <FormErrors error/>
                            <label for="gap-title">"Title"</label>
                            <input id="gap-title" name="title" required minlength="3" maxlength="160" placeholder="Readiness check, spring 2027"/>
                            {previous.map(|p| view! {
                                <p>
                                    <input type="checkbox" id="gap-copy" name="copy_previous" value="true" checked/>
                                    <label for="gap-copy">{format!(" Start from the ratings of “{}”", p.title)}</label>
                                </p>
                            })}
                            <button type="submit" class="button primary">"Open the assessment"</button>
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
