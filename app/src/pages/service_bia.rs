//! `/services/:id/bia`: a service's business impact analysis. The grid of impact over time
//! suggests the MTPD as it is filled in; the service owner sets RTO and RPO against it (the
//! server refuses an RTO beyond the MTPD) and lists what the service depends on.

use super::id_param;
use crate::api::changes::change_choices;
use crate::api::continuity::{get_bia, SaveBia};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::bia::{time_point_label, Bia, ImpactCategory, ImpactLevel, TIME_POINTS};
use crate::model::recovery::minutes_text;
use crate::model::refs::ServiceRef;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ServiceBiaPage() -> impl IntoView {
    let id = id_param();
    let save = ServerAction::<SaveBia>::new();
    // Reload after a successful save only: a refused one keeps what the person typed.
    let saved_version = Memo::new(move |_| {
        save.value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).map(|b| b.version))
    });
    let bia = Resource::new(
        move || (id.get(), saved_version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_bia(id).await,
                None => Err(crate::error::AppError::NotFound("That service".into())),
            }
        },
    );
    let choices = Resource::new(|| (), |_| change_choices());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the impact analysis…"</p> }>
            {move || Suspend::new(async move {
                match bia.await {
                    Ok(bia) => {
                        let services = choices.await.map(|c| c.services).unwrap_or_default();
                        view! { <BiaView bia services save/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BiaView(bia: Bia, services: Vec<ServiceRef>, save: ServerAction<SaveBia>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(_))));
    let title = format!("Impact analysis: {}", bia.service_name);
    let grid = RwSignal::new(bia.impacts.clone());
    let suggestion = move || {
        grid.with(|g| match g.mtpd_suggestion() {
            Some(minutes) => format!(
                "Suggested MTPD: {} (the first time any impact becomes severe).",
                minutes_text(minutes)
            ),
            None => "No impact becomes severe within a week: the MTPD is yours to judge.".into(),
        })
    };
    let late = bia.late_dependencies();
    let objectives = bia.objectives;
    let duration = move |pick: fn(&crate::model::bia::Objectives) -> u32| {
        objectives
            .map(|o| minutes_text(pick(&o)))
            .unwrap_or_default()
    };
    let depends: Vec<i64> = bia.depends_on.iter().map(|(id, _, _)| *id).collect();
    let suppliers_text = bia
        .suppliers
        .iter()
        .map(|s| match s.rto_minutes {
            Some(rto) => format!("{}; {}", s.name, minutes_text(rto)),
            None => s.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let service_id = bia.service_id;
    let impacts = bia.impacts.clone();
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/services">"Services"</a>" / "<a href=format!("/services/{service_id}")>{bia.service_name.clone()}</a>" / Impact analysis"
        </nav>
        <h1>{title}</h1>
        <p class="muted">"Clause 8.7.2: how bad an outage of this service gets over time, and the objectives its recovery must meet. RTO must not exceed MTPD."</p>
        {(!late.is_empty()).then(|| view! {
            <p class="banner banner-warning" role="status">
                {format!("Recovers later than this service needs: {}.", late.join(", "))}
            </p>
        })}
        {bia.updated_by.clone().map(|who| view! { <p class="muted">{format!("Last saved by {who} (version {}).", bia.version)}</p> })}
        {(!bia.suppliers.is_empty()).then(|| {
            let suppliers = bia.suppliers.clone();
            view! {
                <IfAllowed permission=Permission::SupplierRead>
                    <p>
                        "Suppliers in the register: "
                        {suppliers.clone().into_iter().enumerate().map(|(n, s)| {
                            let link = match s.supplier_id {
                                Some(id) => view! { <a href=format!("/suppliers/{id}")>{s.name}</a> }.into_any(),
                                None => view! { <span>{s.name}</span> }.into_any(),
                            };
                            view! { {(n > 0).then_some(", ")}{link} }
                        }).collect_view()}
                    </p>
                </IfAllowed>
            }
        })}
        <ActionForm action=save attr:class="form bia-form" attr:novalidate=true>
            <FormErrors error/>
            {move || saved().then(|| view! { <p class="banner banner-info" role="status">"Saved."</p> })}
            <input type="hidden" name="service_id" value=service_id/>
            <input type="hidden" name="version" value=bia.version/>
            <fieldset>
                <legend>"Impact over time (0 none … 4 severe)"</legend>
                <div class="table-wrap">
                    <table class="data-table bia-grid">
                        <thead><tr>
                            <th scope="col">"Category"</th>
                            {TIME_POINTS.map(|p| view! { <th scope="col">{time_point_label(p)}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {ImpactCategory::ALL.into_iter().enumerate().map(|(c, category)| view! {
                                <tr>
                                    <th scope="row">{category.label()}</th>
                                    {TIME_POINTS.into_iter().enumerate().map(|(p, point)| {
                                        let index = c * TIME_POINTS.len() + p;
                                        let current = impacts.at(c, p).0;
                                        let id = format!("bia-{}-{p}", category.as_str());
                                        view! {
                                            <td>
                                                <label class="visually-hidden" for=id.clone()>{format!("{} impact after {}", category.label(), time_point_label(point))}</label>
                                                <select id=id name=format!("form[impacts][{index}]")
                                                    on:change=move |ev| {
                                                        if let Ok(level) = event_target_value(&ev).parse::<u8>() {
                                                            grid.update(|g| g.0[c][p] = ImpactLevel(level));
                                                        }
                                                    }>
                                                    {(0u8..=4).map(|l| view! { <option value=l selected=l == current>{format!("{l} {}", ImpactLevel(l).label())}</option> }).collect_view()}
                                                </select>
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="field-error" aria-live="polite">{field_error(error, "impacts")}</p>
                <p class="hint" aria-live="polite">{suggestion}</p>
            </fieldset>
            <div class="field-row">
                <div class="field">
                    <label for="bia-mtpd">"MTPD (maximum tolerable period of disruption)"</label>
                    <input id="bia-mtpd" name="form[mtpd]" placeholder="1 d" value=duration(|o| o.mtpd) aria-describedby="bia-mtpd-error"/>
                    <p class="field-error" id="bia-mtpd-error">{field_error(error, "mtpd")}</p>
                </div>
                <div class="field">
                    <label for="bia-rto">"RTO (recovery time objective)"</label>
                    <input id="bia-rto" name="form[rto]" placeholder="4 h" value=duration(|o| o.rto) aria-describedby="bia-rto-error"/>
                    <p class="field-error" id="bia-rto-error">{field_error(error, "rto")}</p>
                </div>
                <div class="field">
                    <label for="bia-rpo">"RPO (recovery point objective)"</label>
                    <input id="bia-rpo" name="form[rpo]" placeholder="1 h" value=duration(|o| o.rpo) aria-describedby="bia-rpo-error"/>
                    <p class="field-error" id="bia-rpo-error">{field_error(error, "rpo")}</p>
                </div>
            </div>
            <fieldset>
                <legend>"Services it depends on"</legend>
                <div class="checkbox-list">
                    {services.into_iter().filter(|s| s.id != service_id).enumerate().map(|(index, s)| {
                        let id = format!("bia-dep-{}", s.id);
                        let checked = depends.contains(&s.id);
                        view! { <label class="checkbox" for=id><input type="checkbox" id=id.clone() name=format!("form[depends_on][{index}]") value=s.id checked=checked/>" "{s.name}</label> }
                    }).collect_view()}
                </div>
                <p class="field-error">{field_error(error, "depends_on")}</p>
            </fieldset>
            <div class="field">
                <label for="bia-suppliers">"Suppliers it needs (one per line: name; their recovery time)"</label>
                <p class="hint" id="bia-suppliers-hint">"Name them as the supplier register does; a supplier not in the register is refused."</p>
                <textarea id="bia-suppliers" name="form[suppliers]" rows=3 placeholder="Hosting partner; 4 h" aria-describedby="bia-suppliers-hint bia-suppliers-error">{suppliers_text}</textarea>
                <p class="field-error" id="bia-suppliers-error">{field_error(error, "suppliers")}</p>
            </div>
            <IfAllowed permission=Permission::ServiceUpdate>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || save.pending().get()>"Save the analysis"</button>
                </div>
            </IfAllowed>
        </ActionForm>
    }
}
