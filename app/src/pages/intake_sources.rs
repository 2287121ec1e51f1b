//! `/service-levels/intake` and `/service-levels/intake/:id`: the monitoring systems allowed
//! to open incidents (Prometheus Alertmanager's webhook), where their alerts go, and their
//! tokens — shown once, when made, with the receiver to paste into `alertmanager.yml`.

use super::account::absolute;
use super::id_param;
use crate::api::intake::{
    get_intake_source, intake_source_choices, list_intake_sources, CreateIntakeSource,
    ReplaceIntakeToken, RevokeIntakeSource, UpdateIntakeSource,
};
use crate::components::change_fields::{field_error, field_error_named};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::alert_intake::{
    receiver_example, IntakeSource, IssuedToken, RuleForm, SourceChoices, SourceForm, MAX_RULES,
};
use crate::model::priority_matrix::{Impact, Urgency};
use leptos::prelude::*;
use leptos_meta::Title;

/// Blank rule rows offered below the kept ones.
const BLANK_RULES: usize = 3;

fn options<T: Copy + 'static>(
    all: &'static [T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    chosen: String,
) -> impl IntoView {
    all.iter()
        .map(|value| {
            let value = *value;
            let selected = code(value) == chosen;
            view! { <option value=code(value) selected=selected>{label(value)}</option> }
        })
        .collect_view()
}

/// The source's fields, named `form[…]` as `SourceForm` reads them.
#[component]
fn SourceFields(
    initial: SourceForm,
    choices: SourceChoices,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let rows = (initial.rules.len() + BLANK_RULES).min(MAX_RULES);
    let rules: Vec<RuleForm> = (0..rows)
        .map(|n| initial.rules.get(n).cloned().unwrap_or_default())
        .collect();
    let services = StoredValue::new(choices.services.clone());
    let service_options = move |chosen: String, blank: &'static str| {
        view! {
            <option value="" selected=chosen.is_empty()>{blank}</option>
            {services.get_value().into_iter().map(|s| {
                let selected = s.id.to_string() == chosen;
                view! { <option value=s.id selected=selected>{s.name}</option> }
            }).collect_view()}
        }
    };
    view! {
        <div class="field">
            <label for="source-name">"Name"</label>
            <input id="source-name" name="form[name]" value=initial.name.clone() placeholder="Prometheus production" aria-describedby="source-name-error"/>
            <p class="field-error" id="source-name-error" aria-live="polite">{field_error(error, "name")}</p>
        </div>
        <div class="field">
            <label for="source-reporter">"Incidents are reported by"</label>
            <select id="source-reporter" name="form[reporter_id]" aria-describedby="source-reporter-hint source-reporter-error">
                <option value="" selected=initial.reporter_id.is_empty()>"Choose a person"</option>
                {choices.people.iter().map(|p| {
                    let selected = p.id.to_string() == initial.reporter_id;
                    view! { <option value=p.id selected=selected>{p.name.clone()}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id="source-reporter-hint">"Usually whoever runs the monitoring: the incidents name them as the reporter."</p>
            <p class="field-error" id="source-reporter-error" aria-live="polite">{field_error(error, "reporter_id")}</p>
        </div>
        <fieldset class="field">
            <legend>"When no rule says otherwise"</legend>
            <div class="field-row">
                <div class="field">
                    <label for="source-service">"Service"</label>
                    <select id="source-service" name="form[service_id]" aria-describedby="source-service-error">
                        {service_options(initial.service_id.clone(), "Choose a service")}
                    </select>
                    <p class="field-error" id="source-service-error" aria-live="polite">{field_error(error, "service_id")}</p>
                </div>
                <div class="field">
                    <label for="source-impact">"Impact"</label>
                    <select id="source-impact" name="form[impact]">
                        <option value="" selected=initial.impact.is_empty()>"Choose"</option>
                        {options(&Impact::ALL, Impact::as_str, Impact::label, initial.impact.clone())}
                    </select>
                    <p class="field-error" aria-live="polite">{field_error(error, "impact")}</p>
                </div>
                <div class="field">
                    <label for="source-urgency">"Urgency"</label>
                    <select id="source-urgency" name="form[urgency]">
                        <option value="" selected=initial.urgency.is_empty()>"Choose"</option>
                        {options(&Urgency::ALL, Urgency::as_str, Urgency::label, initial.urgency.clone())}
                    </select>
                    <p class="field-error" aria-live="polite">{field_error(error, "urgency")}</p>
                </div>
            </div>
        </fieldset>
        <fieldset class="field intake-rules">
            <legend>"Rules, read top to bottom"</legend>
            <p class="hint">"When an alert's label has the value (* for any), the incident goes to the rule's service or gets its impact and urgency. For each of these the first matching rule that sets it wins. Leave a row empty to drop it."</p>
            <p class="field-error" aria-live="polite">{field_error(error, "rules")}</p>
            {rules.into_iter().enumerate().map(|(row, rule)| {
                let number = row + 1;
                view! {
                    <div class="field-row intake-rule" role="group" aria-label=format!("Rule {number}")>
                        <div class="field">
                            <label for=format!("rule-{row}-label")>{format!("Rule {number}: label")}</label>
                            <input id=format!("rule-{row}-label") name=format!("form[rules][{row}][label]") value=rule.label.clone() placeholder="severity"/>
                        </div>
                        <div class="field">
                            <label for=format!("rule-{row}-value")>{format!("Rule {number}: value")}</label>
                            <input id=format!("rule-{row}-value") name=format!("form[rules][{row}][value]") value=rule.value.clone() placeholder="critical"/>
                        </div>
                        <div class="field">
                            <label for=format!("rule-{row}-service")>{format!("Rule {number}: service")}</label>
                            <select id=format!("rule-{row}-service") name=format!("form[rules][{row}][service_id]")>
                                {service_options(rule.service_id.clone(), "— keep —")}
                            </select>
                            <span class="field-error" aria-live="polite">{field_error_named(error, format!("rule_{row}_service"))}</span>
                        </div>
                        <div class="field">
                            <label for=format!("rule-{row}-impact")>{format!("Rule {number}: impact")}</label>
                            <select id=format!("rule-{row}-impact") name=format!("form[rules][{row}][impact]")>
                                <option value="" selected=rule.impact.is_empty()>"— keep —"</option>
                                {options(&Impact::ALL, Impact::as_str, Impact::label, rule.impact.clone())}
                            </select>
                        </div>
                        <div class="field">
                            <label for=format!("rule-{row}-urgency")>{format!("Rule {number}: urgency")}</label>
                            <select id=format!("rule-{row}-urgency") name=format!("form[rules][{row}][urgency]")>
                                <option value="" selected=rule.urgency.is_empty()>"— keep —"</option>
                                {options(&Urgency::ALL, Urgency::as_str, Urgency::label, rule.urgency.clone())}
                            </select>
                        </div>
                        <p class="field-error" aria-live="polite">{field_error_named(error, format!("rule_{row}"))}</p>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// A token just made: the only time it is shown.
#[component]
fn TokenPanel(issued: IssuedToken) -> impl IntoView {
    let base = if issued.base_url.is_empty() {
        absolute("")
    } else {
        issued.base_url.clone()
    };
    let yaml = receiver_example(&base, &issued.name, &issued.token);
    view! {
        <section class="panel banner-success" role="status" aria-labelledby="token-heading">
            <h2 id="token-heading">"The source's token"</h2>
            <p><strong>"Copy it now: Conform keeps only its hash and will not show it again."</strong></p>
            <p><label for="issued-token">"Token"</label></p>
            <input id="issued-token" class="token-field" readonly value=issued.token.clone()/>
            <p>"Add this receiver to alertmanager.yml and route the alerts to it:"</p>
            <pre class="code-block" aria-label="Receiver for alertmanager.yml">{yaml}</pre>
            <p><a href=format!("/service-levels/intake/{}", issued.source_id)>"Open the source"</a></p>
        </section>
    }
}

fn status_badge(source: &IntakeSource) -> impl IntoView {
    match source.revoked_at {
        Some(_) => view! { <span class="badge badge-archived">"Revoked"</span> }.into_any(),
        None => view! { <span class="badge badge-status-live">"Active"</span> }.into_any(),
    }
}

fn format_instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn last_used(source: &IntakeSource) -> String {
    source
        .last_used_at
        .map(format_instant)
        .unwrap_or_else(|| "never".into())
}

#[component]
pub fn IntakeSourcesPage() -> impl IntoView {
    let create = ServerAction::<CreateIntakeSource>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let sources = Resource::new(move || create.version().get(), |_| list_intake_sources());
    let choices = Resource::new(|| (), |_| intake_source_choices());
    view! {
        <Title text="Monitoring sources"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels">"Service levels"</a>" / Monitoring sources"</nav>
        <h1>"Monitoring sources"</h1>
        <p class="muted">"Alerts from Prometheus Alertmanager open incidents here. Each source posts with its own token; an alert opens one incident however often it is sent, and its resolution is noted on the incident for a person to confirm."</p>
        {move || create.value().get().and_then(Result::ok).map(|issued| view! { <TokenPanel issued/> })}
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading sources…"</p> }>
            {move || Suspend::new(async move {
                match sources.await {
                    Ok(list) if list.is_empty() => view! { <div class="empty-state"><p><strong>"No monitoring sources yet."</strong></p><p>"Add one to let Alertmanager open incidents."</p></div> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="data-table">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Default service"</th><th scope="col">"Reported by"</th><th scope="col">"Rules"</th><th scope="col">"Alerts"</th><th scope="col">"Last delivery"</th><th scope="col">"Status"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr>
                                            <td><a href=format!("/service-levels/intake/{}", s.id)>{s.name.clone()}</a></td>
                                            <td>{s.service.clone()}</td>
                                            <td>{s.reporter.clone()}</td>
                                            <td>{s.rules.len()}</td>
                                            <td>{s.alerts_linked}</td>
                                            <td>{last_used(&s)}</td>
                                            <td>{status_badge(&s)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <IfAllowed permission=Permission::AgreementManage>
            <section class="panel" aria-labelledby="new-source-heading">
                <h2 id="new-source-heading">"Add a source"</h2>
                <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match choices.await {
                            Ok(choices) => view! {
                                <ActionForm action=create attr:class="form" attr:novalidate=true>
                                    <FormErrors error/>
                                    <SourceFields initial=SourceForm { impact: "medium".into(), urgency: "medium".into(), ..Default::default() } choices error/>
                                    <div class="form-actions"><button type="submit" class="button" disabled=move || create.pending().get()>{move || if create.pending().get() { "Adding…" } else { "Add the source" }}</button></div>
                                </ActionForm>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </IfAllowed>
    }
}

#[component]
pub fn IntakeSourcePage() -> impl IntoView {
    let id = id_param();
    let update = ServerAction::<UpdateIntakeSource>::new();
    let replace = ServerAction::<ReplaceIntakeToken>::new();
    let revoke = ServerAction::<RevokeIntakeSource>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let key_error = Signal::derive(move || {
        replace
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    let source = Resource::new(
        move || {
            (
                id.get(),
                update.version().get() + replace.version().get() + revoke.version().get(),
            )
        },
        |(id, _)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That monitoring source".into()))?;
            get_intake_source(id).await
        },
    );
    let choices = Resource::new(|| (), |_| intake_source_choices());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match source.await {
                    Ok(source) => {
                        let form = StoredValue::new(SourceForm::of(&source));
                        let (source_id, version) = (source.id, source.version);
                        view! {
                            <Title text=source.name.clone()/>
                            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels/intake">"Monitoring sources"</a>" / "{source.name.clone()}</nav>
                            <div class="page-head"><h1>{source.name.clone()}</h1>{status_badge(&source)}</div>
                            <dl class="facts">
                                <dt>"Kind"</dt><dd>{source.kind.label()}</dd>
                                <dt>"Default service"</dt><dd>{source.service.clone()}</dd>
                                <dt>"Default impact and urgency"</dt><dd>{format!("{} · {}", source.impact.label(), source.urgency.label())}</dd>
                                <dt>"Reported by"</dt><dd>{source.reporter.clone()}</dd>
                                <dt>"Alerts received"</dt><dd>{source.alerts_linked}</dd>
                                <dt>"Last delivery"</dt><dd>{last_used(&source)}</dd>
                                <dt>"Added"</dt><dd>{format!("{} by {}", format_instant(source.created_at), source.created_by)}</dd>
                            </dl>
                            {move || replace.value().get().and_then(Result::ok).map(|issued| view! { <TokenPanel issued/> })}
                            <IfAllowed permission=Permission::AgreementManage>
                                <section class="panel" aria-labelledby="token-actions-heading">
                                    <h2 id="token-actions-heading">"Token"</h2>
                                    <p class="hint">"A new token replaces the old one at once (and brings a revoked source back). Revoking refuses every delivery until a new token is made; incidents already opened stay."</p>
                                    <FormErrors error=key_error/>
                                    <div class="form-actions">
                                        <ActionForm action=replace attr:class="inline-form">
                                            <input type="hidden" name="id" value=source_id/>
                                            <input type="hidden" name="version" value=version/>
                                            <button type="submit" class="button" disabled=move || replace.pending().get()>"Make a new token"</button>
                                        </ActionForm>
                                        {source.revoked_at.is_none().then(|| view! {
                                            <ActionForm action=revoke attr:class="inline-form">
                                                <input type="hidden" name="id" value=source_id/>
                                                <input type="hidden" name="version" value=version/>
                                                <button type="submit" class="button danger" disabled=move || revoke.pending().get()>"Revoke"</button>
                                            </ActionForm>
                                        })}
                                    </div>
                                </section>
                                <section class="panel" aria-labelledby="edit-source-heading">
                                    <h2 id="edit-source-heading">"Where alerts go"</h2>
                                    <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                                        {move || Suspend::new(async move {
                                            match choices.await {
                                                Ok(choices) => view! {
                                                    <ActionForm action=update attr:class="form" attr:novalidate=true>
                                                        <FormErrors error/>
                                                        {move || saved().then(|| view! { <p class="banner banner-success" role="status">"Saved."</p> })}
                                                        <input type="hidden" name="id" value=source_id/>
                                                        <input type="hidden" name="version" value=version/>
                                                        <SourceFields initial=form.get_value() choices error/>
                                                        <div class="form-actions"><button type="submit" class="button" disabled=move || update.pending().get()>"Save"</button></div>
                                                    </ActionForm>
                                                }.into_any(),
                                                Err(error) => view! { <ErrorPanel error/> }.into_any(),
                                            }
                                        })}
                                    </Suspense>
                                </section>
                            </IfAllowed>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
