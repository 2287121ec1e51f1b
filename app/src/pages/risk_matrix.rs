//! `/risks/matrix`: the organisation's likelihood × impact matrix and its appetite — read by
//! everyone who reads the register, set by a quality manager (a looser one only once a second
//! quality manager approves it). Levels must rise with both axes; risks keep their ratings
//! and take their levels from the matrix in force.

use crate::api::risks::{get_risk_matrix, DecideRiskMatrix, SetRiskMatrix};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::{use_session, IfAllowed};
use crate::components::succeeded::successes;
use crate::model::access::Permission;
use crate::model::risk::RiskLevel;
use crate::model::sms_risk::{
    MatrixOutcome, MatrixProposal, MatrixSettings, Rating, RiskMatrix, IMPACT, LIKELIHOOD,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RiskMatrixPage() -> impl IntoView {
    let save = ServerAction::<SetRiskMatrix>::new();
    let decide = ServerAction::<DecideRiskMatrix>::new();
    let refreshes = [successes(save), successes(decide)];
    let matrix = Resource::new(
        move || refreshes.map(|count| count.get()),
        |_| get_risk_matrix(),
    );
    view! {
        <Title text="Risk matrix"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/risks">"SMS risks"</a>" / Matrix"</nav>
        <h1>"Risk matrix and appetite"</h1>
        <p class="muted">"Each likelihood × impact cell has a level. A risk's owner accepts a residual level up to the appetite; above it, a quality manager who has never owned, recorded or rated the risk accepts it. A stricter matrix is in force at once; a looser one (a higher appetite, or any cell lower) waits for a second quality manager."</p>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the matrix…"</p> }>
            {move || Suspend::new(async move {
                match matrix.await {
                    Ok(MatrixSettings { matrix, version, proposal }) => view! {
                        <MatrixTable matrix caption=format!("In force — appetite: {}", matrix.appetite.label())/>
                        {proposal.map(|proposal| view! { <ProposalPanel proposal version decide/> })}
                        <IfAllowed permission=Permission::RiskMatrixManage>
                            <MatrixForm matrix version save/>
                        </IfAllowed>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A looser matrix waiting for a second quality manager: what it would be, who proposed it,
/// and (for quality managers) the decision — its proposer may only withdraw it.
#[component]
fn ProposalPanel(
    proposal: MatrixProposal,
    version: i32,
    decide: ServerAction<DecideRiskMatrix>,
) -> impl IntoView {
    let session = use_session();
    let error = Signal::derive(move || decide.value().get().and_then(Result::err));
    let proposer = proposal.by.id;
    let buttons = move || {
        Suspend::new(async move {
            let user = session.user.await.ok().flatten()?;
            if !user.may(Permission::RiskMatrixManage) {
                return None;
            }
            let own = user.id == proposer;
            Some(view! {
                <ActionForm action=decide attr:class="form">
                    <FormErrors error/>
                    <input type="hidden" name="version" value=version/>
                    <div class="form-actions">
                        {(!own).then(|| view! {
                            <button type="submit" name="decision" value="approve" class="button" disabled=move || decide.pending().get()>"Approve the proposed matrix"</button>
                        })}
                        <button type="submit" name="decision" value="reject" class="button secondary" disabled=move || decide.pending().get()>
                            {if own { "Withdraw the proposal" } else { "Reject the proposal" }}
                        </button>
                    </div>
                    {own.then(|| view! { <p class="muted">"You proposed it: another quality manager approves it."</p> })}
                </ActionForm>
            })
        })
    };
    view! {
        <section class="panel" aria-labelledby="proposal-heading">
            <h2 id="proposal-heading">"Waiting for a second quality manager"</h2>
            <p role="note" class="notice">{format!(
                "{} proposed on {} a looser matrix (appetite {}). It is not in force until another quality manager approves it.",
                proposal.by.name,
                proposal.at.format("%Y-%m-%d"),
                proposal.matrix.appetite.label().to_lowercase()
            )}</p>
            <MatrixTable matrix=proposal.matrix caption=format!("Proposed — appetite: {}", proposal.matrix.appetite.label())/>
            <Transition fallback=|| ()>{buttons}</Transition>
        </section>
    }
}

#[component]
fn MatrixTable(matrix: RiskMatrix, caption: String) -> impl IntoView {
    view! {
        <div class="table-wrap">
        <table class="heat-map">
            <caption>{caption}</caption>
            <thead><tr><td></td>{IMPACT.iter().map(|i| view! { <th scope="col">{*i}</th> }).collect_view()}</tr></thead>
            <tbody>
                {(1..=5u8).rev().map(|l| view! {
                    <tr>
                        <th scope="row">{LIKELIHOOD[usize::from(l - 1)]}</th>
                        {(1..=5u8).map(|i| {
                            let level = matrix.level(Rating { likelihood: l, impact: i });
                            view! { <td class=format!("risk-level-{}", level.as_str())>{level.label()}</td> }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn MatrixForm(
    matrix: RiskMatrix,
    version: i32,
    save: ServerAction<SetRiskMatrix>,
) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let level_options = move |current: RiskLevel| {
        RiskLevel::ALL
            .into_iter()
            .map(|level| view! { <option value=level.as_str() selected=level == current>{level.label()}</option> })
            .collect_view()
    };
    view! {
        <section class="panel" aria-labelledby="matrix-edit-heading">
            <h2 id="matrix-edit-heading">"Set the matrix"</h2>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="version" value=version/>
                <div class="table-wrap">
                <table class="matrix-form">
                    <thead><tr><td></td>{IMPACT.iter().map(|i| view! { <th scope="col">{*i}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {(1..=5u8).rev().map(|l| view! {
                            <tr>
                                <th scope="row">{LIKELIHOOD[usize::from(l - 1)]}</th>
                                {(1..=5u8).map(|i| {
                                    let id = format!("cell-{l}-{i}");
                                    let label = format!("{} × {}", LIKELIHOOD[usize::from(l - 1)], IMPACT[usize::from(i - 1)]);
                                    let current = matrix.level(Rating { likelihood: l, impact: i });
                                    view! {
                                        <td>
                                            <select id=id name=format!("form[cells][{}]", crate::model::sms_risk::cell_key(l, i)) aria-label=label>
                                                {level_options(current)}
                                            </select>
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                <p class="field-error" aria-live="polite">{field_error(error, "matrix")}</p>
                <div class="field">
                    <label for="matrix-appetite">"Appetite (the highest residual level an owner accepts alone)"</label>
                    <select id="matrix-appetite" name="form[appetite]" aria-describedby="matrix-appetite-error">
                        {level_options(matrix.appetite)}
                    </select>
                    <p class="field-error" id="matrix-appetite-error" aria-live="polite">{field_error(error, "appetite")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || save.pending().get()>"Save the matrix"</button>
                </div>
                <p role="status" class="muted">{move || match save.value().get() {
                    Some(Ok(MatrixOutcome::Applied)) => "Saved: the matrix is in force.",
                    Some(Ok(MatrixOutcome::Proposed)) => "Proposed: it is looser than the matrix in force, so it waits for a second quality manager.",
                    _ => "",
                }}</p>
            </ActionForm>
        </section>
    }
}
