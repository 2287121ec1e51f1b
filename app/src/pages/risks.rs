//! `/risks`: the SMS risk register (clauses 6.1 and 8.7.3) — the heat maps of the live
//! register before and after treatment, each cell a link to its risks, and the risks worst
//! residual first; `/risks/new`, recording a risk or opportunity.

use crate::api::risks::{risk_form_choices, risk_list, RecordRisk};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::listing::PageKey;
use crate::model::risk::RiskLevel;
use crate::model::sms_risk::{
    Rating, RiskChoices, RiskForm, RiskKind, RiskListParams, RiskMatrix, RiskState, Treatment,
    IMPACT, LIKELIHOOD,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn risk_state_badge(state: RiskState) -> impl IntoView {
    view! { <span class=format!("badge risk-state-{}", state.as_str())>{state.label()}</span> }
}

/// A level as a coloured badge, with the rating that gave it for whoever hovers or reads on.
pub fn level_badge(matrix: &RiskMatrix, rating: Rating) -> impl IntoView {
    let level = matrix.level(rating);
    view! {
        <span class=format!("badge risk-level-{}", level.as_str()) title=rating.describe()>
            {format!("{} {}", level.label(), rating.score())}
        </span>
    }
}

#[component]
pub fn RisksPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        let get = |key: &str| query.get(key).unwrap_or_default();
        RiskListParams {
            q: get("q"),
            state: get("state"),
            level: get("level"),
            cell: get("cell"),
            owner: get("owner"),
            review: get("review"),
            security: get("security"),
            page: get("page"),
            after: get("after"),
            before: get("before"),
        }
    });
    let list = Resource::new(move || params.get(), risk_list);
    let states: Vec<(String, String)> = [("", "Open and accepted"), ("all", "Any")]
        .into_iter()
        .map(|(v, t)| (v.to_string(), t.to_string()))
        .chain(
            RiskState::ALL
                .into_iter()
                .map(|s| (s.as_str().to_string(), s.label().to_string())),
        )
        .collect();
    let levels: Vec<(String, String)> = std::iter::once((String::new(), "Any".to_string()))
        .chain(
            RiskLevel::ALL
                .into_iter()
                .map(|l| (l.as_str().to_string(), l.label().to_string())),
        )
        .collect();
    let select = move |id: &'static str,
                       label: &'static str,
                       name: &'static str,
                       options: Vec<(String, String)>,
                       current: fn(&RiskListParams) -> String| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id name=name>
                    {options.into_iter().map(|(value, text)| {
                        let chosen = value.clone();
                        view! { <option value=value selected=move || params.with(|p| current(p) == chosen)>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(v, t)| (v.to_string(), t.to_string()))
            .collect()
    };
    view! {
        <Title text="SMS risks"/>
        <div class="page-head">
            <h1>"SMS risks and opportunities"</h1>
            <div class="page-actions">
                <IfAllowed permission=Permission::RiskManage>
                    <a class="button" href="/risks/new">"Record a risk"</a>
                </IfAllowed>
                <a href="/risks/matrix">"The risk matrix"</a>
            </div>
        </div>
        <p class="muted">"Clause 6.1 (and 8.7.3 for information security): the risks and opportunities to the SMS and the services, rated likelihood × impact on the organisation's matrix before and after treatment, and reviewed on a cycle. Above the appetite, a quality manager who never owned, recorded or rated the risk accepts it."</p>
        <form method="get" action="/risks" class="filters" role="search" aria-label="Filter the register">
            <div class="field"><label for="risks-q">"Search"</label><input id="risks-q" name="q" placeholder="Words or RSK-3" value=move || params.with(|p| p.q.clone())/></div>
            {select("risks-state", "Status", "state", states, |p| p.state.clone())}
            {select("risks-level", "Residual level", "level", levels, |p| p.level.clone())}
            {select("risks-owner", "Owner", "owner", pairs(&[("", "Anyone"), ("me", "Me")]), |p| p.owner.clone())}
            {select("risks-review", "Review", "review", pairs(&[("", "Any"), ("due", "Due within 14 days or overdue"), ("overdue", "Overdue")]), |p| p.review.clone())}
            {select("risks-security", "Information security", "security", pairs(&[("", "Any"), ("yes", "Only information security")]), |p| p.security.clone())}
            <input type="hidden" name="cell" value=move || params.with(|p| p.cell.clone())/>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/risks">"Clear"</a></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the register…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) => {
                        let p = params.get_untracked();
                        let (first, last) = (page.rows.first().map(|r| r.id), page.rows.last().map(|r| r.id));
                        let pager = (page.pages > 1).then(|| view! {
                            <Pager
                                previous=(page.page > 1).then(|| p.href_at(page.page - 1, first.and_then(|id| PageKey::previous(id, page.page - 1))))
                                next=(page.page < page.pages).then(|| p.href_at(page.page + 1, last.map(PageKey::After)))
                            />
                        });
                        let cell_note = p.cell().map(|cell| view! {
                            <p class="notice" role="note">{format!("Showing the residual cell {}. ", cell.describe())}<a href=RiskListParams { cell: String::new(), ..p.clone() }.href_at(1, None)>"Show every cell"</a></p>
                        });
                        let summary = format!("{} risks · page {} of {} · ", page.total, page.page, page.pages);
                        let export = p.href_at(1, None).replacen("/risks", "/risks/export.csv", 1);
                        let maps = view! {
                            <div class="heat-maps">
                                <HeatMapTable caption="Before treatment (inherent)" counts=page.heat.inherent matrix=page.matrix link=None/>
                                <HeatMapTable caption="After treatment (residual)" counts=page.heat.residual matrix=page.matrix link=Some(p.clone())/>
                            </div>
                        };
                        let table = if page.rows.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <p><strong>"No risks match."</strong></p>
                                    <p>"Record what could stop the SMS or a service meeting its objectives — and what could help it — with an owner, a rating before and after treatment, and when it is next reviewed."</p>
                                </div>
                            }.into_any()
                        } else {
                            let matrix = page.matrix;
                            let today = page.today;
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <thead><tr>
                                            <th scope="col">"Ref."</th>
                                            <th scope="col">"Title"</th>
                                            <th scope="col">"Owner"</th>
                                            <th scope="col">"Inherent"</th>
                                            <th scope="col">"Treatment"</th>
                                            <th scope="col">"Residual"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col">"Review"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.rows.into_iter().map(|row| {
                                                let overdue = row.state != RiskState::Closed && row.review_on < today;
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/risks/{}", row.id)>{row.reference}</a></td>
                                                        <td>
                                                            {row.title}
                                                            {(row.kind == RiskKind::Opportunity).then(|| view! { " "<span class="badge">"Opportunity"</span> })}
                                                            {row.security.map(|cia| view! { " "<span class="badge infosec" title="Information security: what it threatens">{format!("Security {}", cia.letters())}</span> })}
                                                        </td>
                                                        <td>{row.owner}</td>
                                                        <td>{level_badge(&matrix, row.inherent)}</td>
                                                        <td>{row.treatment.word()}</td>
                                                        <td>{level_badge(&matrix, row.residual)}</td>
                                                        <td>{risk_state_badge(row.state)}</td>
                                                        <td class:overdue=overdue>
                                                            <time datetime=row.review_on.to_string()>{row.review_on.to_string()}</time>
                                                            {overdue.then_some(" (overdue)")}
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        };
                        view! {
                            {maps}
                            {cell_note}
                            <p class="result-summary" role="status">{summary}<a href=export download="">"Export CSV"</a></p>
                            {table}
                            {pager}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A 5 × 5 heat map: likelihood up the side (most likely on top), impact along the bottom,
/// each cell coloured by the organisation's matrix with the number of live risks in it. With
/// `link`, a cell with risks opens the register narrowed to it.
#[component]
fn HeatMapTable(
    caption: &'static str,
    counts: [[u32; 5]; 5],
    matrix: RiskMatrix,
    link: Option<RiskListParams>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
        <table class="heat-map">
            <caption>{caption}</caption>
            <thead><tr>
                <td></td>
                {IMPACT.iter().map(|i| view! { <th scope="col">{*i}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {(1..=5u8).rev().map(|l| {
                    let link = link.clone();
                    view! {
                        <tr>
                            <th scope="row">{LIKELIHOOD[usize::from(l - 1)]}</th>
                            {(1..=5u8).map(|i| {
                                let rating = Rating { likelihood: l, impact: i };
                                let count = counts[usize::from(l - 1)][usize::from(i - 1)];
                                let level = matrix.level(rating);
                                let label = format!("{count} {} at {} ({})", if count == 1 { "risk" } else { "risks" }, rating.describe(), level.label().to_lowercase());
                                let body = match (&link, count) {
                                    (Some(params), n) if n > 0 => view! { <a href=params.cell_href(rating) aria-label=label>{n}</a> }.into_any(),
                                    (_, 0) => view! { <span class="visually-hidden">{label}</span> }.into_any(),
                                    (_, n) => view! { <span aria-hidden="true">{n}</span><span class="visually-hidden">{label}</span> }.into_any(),
                                };
                                view! { <td class=format!("risk-level-{}", level.as_str())>{body}</td> }
                            }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
pub fn RiskNewPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| risk_form_choices());
    view! {
        <Title text="Record a risk"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/risks">"SMS risks"</a>" / Record"</nav>
        <h1>"Record a risk or opportunity"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! { <NewRiskForm choices/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewRiskForm(choices: RiskChoices) -> impl IntoView {
    let record = ServerAction::<RecordRisk>::new();
    let error = Signal::derive(move || record.value().get().and_then(Result::err));
    let initial = RiskForm {
        kind: RiskKind::Risk.as_str().into(),
        ..Default::default()
    };
    view! {
        <ActionForm action=record attr:class="form" attr:novalidate=true>
            <FormErrors error/>
            <RiskFields choices initial error kind_fixed=false/>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || record.pending().get()>"Record the risk"</button>
                <a href="/risks">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

/// The fields of a risk, for recording and editing (`form[...]`). A risk's kind is fixed
/// once recorded.
#[component]
pub fn RiskFields(
    choices: RiskChoices,
    initial: RiskForm,
    error: Signal<Option<AppError>>,
    kind_fixed: bool,
) -> impl IntoView {
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("risk-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let steps = move |id: &'static str,
                      label: &'static str,
                      field: &'static str,
                      words: [&'static str; 5],
                      current: String| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id name=format!("form[{field}]") aria-describedby=format!("risk-{field}-error")>
                    <option value="">"Choose…"</option>
                    {words.iter().enumerate().map(|(n, word)| {
                        let value = (n + 1).to_string();
                        let selected = current == value;
                        view! { <option value=value.clone() selected=selected>{format!("{value} {word}")}</option> }
                    }).collect_view()}
                </select>
                {message(field)}
            </div>
        }
    };
    let chosen = initial.service_ids.clone();
    let kind = initial.kind.clone();
    let treatment = initial.treatment.clone();
    let owner = initial.owner_id.clone();
    view! {
        {if kind_fixed {
            view! { <input type="hidden" name="form[kind]" value=kind.clone()/> }.into_any()
        } else {
            view! {
                <fieldset class="field">
                    <legend>"Kind"</legend>
                    {RiskKind::ALL.into_iter().map(|k| {
                        let id = format!("risk-kind-{}", k.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="checkbox" for=label_for>
                                <input type="radio" id=id name="form[kind]" value=k.as_str() checked=kind == k.as_str()/>
                                " "{k.label()}
                            </label>
                        }
                    }).collect_view()}
                    {message("kind")}
                </fieldset>
            }.into_any()
        }}
        <div class="field">
            <label for="risk-title">"Title"</label>
            <input id="risk-title" name="form[title]" maxlength=160 value=initial.title.clone() aria-describedby="risk-title-error"/>
            {message("title")}
        </div>
        <div class="field">
            <label for="risk-description">"Description (cause and consequence)"</label>
            <textarea id="risk-description" name="form[description]" rows=3 aria-describedby="risk-description-error">{initial.description.clone()}</textarea>
            {message("description")}
        </div>
        <div class="field">
            <label for="risk-owner">"Owner"</label>
            <select id="risk-owner" name="form[owner_id]" aria-describedby="risk-owner_id-error">
                <option value="">"Choose…"</option>
                {choices.owners.into_iter().map(|p| {
                    let selected = owner == p.id.to_string();
                    view! { <option value=p.id selected=selected>{p.name}</option> }
                }).collect_view()}
            </select>
            {message("owner_id")}
        </div>
        <fieldset class="field">
            <legend>"Services it concerns (none: the SMS as a whole)"</legend>
            {choices.services.into_iter().enumerate().map(|(index, s)| {
                let id = format!("risk-service-{}", s.id);
                let label_for = id.clone();
                let checked = chosen.contains(&s.id.to_string());
                view! {
                    <label class="checkbox" for=label_for>
                        <input type="checkbox" id=id name=format!("form[service_ids][{index}]") value=s.id.to_string() checked=checked/>
                        " "{s.name}
                    </label>
                }
            }).collect_view()}
            {message("service_ids")}
        </fieldset>
        <fieldset class="field">
            <legend>"Information security (8.7.3)"</legend>
            <label class="checkbox" for="risk-security"><input type="checkbox" id="risk-security" name="form[information_security]" value="true" checked=initial.information_security aria-describedby="risk-information_security-error"/>" An information security risk, threatening:"</label>
            <label class="checkbox" for="risk-c"><input type="checkbox" id="risk-c" name="form[confidentiality]" value="true" checked=initial.confidentiality/>" Confidentiality"</label>
            <label class="checkbox" for="risk-i"><input type="checkbox" id="risk-i" name="form[integrity]" value="true" checked=initial.integrity/>" Integrity"</label>
            <label class="checkbox" for="risk-a"><input type="checkbox" id="risk-a" name="form[availability]" value="true" checked=initial.availability/>" Availability"</label>
            {message("information_security")}
        </fieldset>
        <div class="field-row">
            {steps("risk-il", "Likelihood before treatment", "inherent_likelihood", LIKELIHOOD, initial.inherent_likelihood.clone())}
            {steps("risk-ii", "Impact before treatment", "inherent_impact", IMPACT, initial.inherent_impact.clone())}
        </div>
        <div class="field">
            <label for="risk-treatment">"Treatment"</label>
            <select id="risk-treatment" name="form[treatment]" aria-describedby="risk-treatment-hint risk-treatment-error">
                <option value="">"Choose…"</option>
                {Treatment::ALL.into_iter().map(|t| view! { <option value=t.as_str() selected=treatment == t.as_str()>{t.label()}</option> }).collect_view()}
            </select>
            <p class="hint" id="risk-treatment-hint">"A risk is reduced, transferred, avoided or accepted; an opportunity is pursued or accepted."</p>
            {message("treatment")}
        </div>
        <div class="field">
            <label for="risk-plan">"Treatment plan"</label>
            <textarea id="risk-plan" name="form[treatment_plan]" rows=3 aria-describedby="risk-treatment_plan-error">{initial.treatment_plan.clone()}</textarea>
            {message("treatment_plan")}
        </div>
        <div class="field-row">
            {steps("risk-rl", "Likelihood after treatment", "residual_likelihood", LIKELIHOOD, initial.residual_likelihood.clone())}
            {steps("risk-ri", "Impact after treatment", "residual_impact", IMPACT, initial.residual_impact.clone())}
        </div>
        {if kind_fixed {
            // Only a recorded review moves the date, so an edit never clears an overdue one.
            view! { <p class="hint">{format!("Next review: {} (recording a review moves it).", initial.review_on)}</p> }.into_any()
        } else {
            view! {
                <div class="field">
                    <label for="risk-review">"First review"</label>
                    <input id="risk-review" type="date" name="form[review_on]" value=initial.review_on.clone() aria-describedby="risk-review_on-error"/>
                    {message("review_on")}
                </div>
            }.into_any()
        }}
    }
}
