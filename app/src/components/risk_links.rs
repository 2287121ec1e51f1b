//! The "SMS risks it addresses" section of a change or continuity plan: the register risks it
//! names, the live risks of its services it could name, and (for those who keep risks) the
//! buttons to name and remove them. Readers of the register only: wrap it in `IfAllowed`.

use crate::api::risks::{risks_addressed, LinkRisk, UnlinkRisk};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorBanner, FormErrors};
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::risk_link::{AddressedBy, LinkedRisk, RiskLinks};
use leptos::prelude::*;

#[component]
pub fn RiskLinksSection(addressed_by: AddressedBy, record_id: i64) -> impl IntoView {
    let link = ServerAction::<LinkRisk>::new();
    let unlink = ServerAction::<UnlinkRisk>::new();
    let refreshes = [successes(link), successes(unlink)];
    let links = Resource::new(
        move || refreshes.map(|count| count.get()),
        move |_| risks_addressed(addressed_by.as_str().to_string(), record_id),
    );
    let error = Signal::derive(move || {
        link.value()
            .get()
            .and_then(Result::err)
            .or_else(|| unlink.value().get().and_then(Result::err))
    });
    view! {
        <section class="panel" aria-labelledby="risk-links-heading">
            <h2 id="risk-links-heading">"SMS risks it addresses"</h2>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading the risks…"</p> }>
                {move || Suspend::new(async move {
                    match links.await {
                        Ok(links) => view! { <RiskLinksBody links addressed_by record_id link unlink error/> }.into_any(),
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn level_badge(risk: &LinkedRisk) -> impl IntoView {
    view! {
        <span class=format!("badge risk-level-{}", risk.level.as_str()) title=risk.residual.describe()>
            {format!("{} {}", risk.level.label(), risk.residual.score())}
        </span>
    }
}

fn risk_line(risk: &LinkedRisk) -> impl IntoView {
    view! {
        {level_badge(risk)}" "
        <a href=format!("/risks/{}", risk.id)>{format!("{} {}", risk.reference, risk.title)}</a>
        <span class="muted">{format!(" — {}", risk.state.label().to_lowercase())}</span>
    }
}

/// The hidden fields every form here sends.
fn link_fields(addressed_by: AddressedBy, record_id: i64, risk: &LinkedRisk) -> impl IntoView {
    view! {
        <input type="hidden" name="form[addressed_by]" value=addressed_by.as_str()/>
        <input type="hidden" name="form[record_id]" value=record_id/>
        <input type="hidden" name="form[risk]" value=risk.reference.clone()/>
    }
}

#[component]
fn RiskLinksBody(
    links: RiskLinks,
    addressed_by: AddressedBy,
    record_id: i64,
    link: ServerAction<LinkRisk>,
    unlink: ServerAction<UnlinkRisk>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let RiskLinks {
        linked,
        suggested,
        may_link,
    } = links;
    let busy = move || link.pending().get() || unlink.pending().get();
    let named = if linked.is_empty() {
        view! { <p class="muted">"It names no risk of the register yet."</p> }.into_any()
    } else {
        view! {
            <ul class="risk-links">
                {linked.into_iter().map(|risk| view! {
                    <li>
                        {risk_line(&risk)}
                        {may_link.then(|| view! {
                            <ActionForm action=unlink attr:class="inline-form">
                                {link_fields(addressed_by, record_id, &risk)}
                                <button type="submit" class="button small secondary" disabled=busy
                                    aria-label=format!("Remove {}", risk.reference)>"Remove"</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let suggestions = (!suggested.is_empty()).then(move || {
        view! {
            <h3>"Live risks of its services"</h3>
            <ul class="risk-links">
                {suggested.into_iter().map(|risk| view! {
                    <li>
                        {risk_line(&risk)}
                        {may_link.then(|| view! {
                            <ActionForm action=link attr:class="inline-form">
                                {link_fields(addressed_by, record_id, &risk)}
                                <button type="submit" class="button small secondary" disabled=busy
                                    aria-label=format!("Addresses {}", risk.reference)>"Addresses this"</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <FormErrors error/>
        {named}
        {suggestions}
        {may_link.then(|| view! {
            <ActionForm action=link attr:class="form inline-fields" attr:novalidate=true>
                <input type="hidden" name="form[addressed_by]" value=addressed_by.as_str()/>
                <input type="hidden" name="form[record_id]" value=record_id/>
                <div class="field">
                    <label for="risk-link-reference">"Name another risk by its reference"</label>
                    <input id="risk-link-reference" name="form[risk]" placeholder="RSK-12" autocomplete="off"
                        aria-describedby="risk-link-reference-error"/>
                    <p class="field-error" id="risk-link-reference-error" aria-live="polite">{field_error(error, "risk")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=busy>"Name the risk"</button>
                </div>
            </ActionForm>
        })}
    }
}
