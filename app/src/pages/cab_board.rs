//! `/cab/boards/new` and `/cab/boards/:id`: a board definition — members and their
//! delegates, the chair, the quorum rule, when it meets, and which changes it decides.

use super::id_param;
use crate::api::cab::{get_board, CreateBoard, UpdateBoard};
use crate::api::changes::change_choices;
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::error::AppError;
use crate::model::cab::BoardForm;
use crate::model::change::ChangeType;
use crate::model::change_request::ChangeFormChoices;
use crate::model::meeting::WEEKDAYS;
use crate::model::risk::RiskLevel;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn BoardFields(
    initial: BoardForm,
    choices: ChangeFormChoices,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("board-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let described = |field: &str| format!("board-{field}-error");
    let people = choices.people.clone();
    let person_options = move |selected: String, blank: Option<&'static str>| {
        let people = people.clone();
        view! {
            {blank.map(|label| view! { <option value="" selected=selected.is_empty()>{label}</option> })}
            {people.into_iter().map(|p| {
                let value = p.id.to_string();
                let is = value == selected;
                view! { <option value=value selected=is>{p.name}</option> }
            }).collect_view()}
        }
    };
    let quorum_kind = RwSignal::new(initial.quorum_kind.clone());
    let members = initial.member_ids.clone();
    let delegates = initial.delegates.clone();
    let chosen_services = initial.service_ids.clone();
    let chosen_types = initial.change_types.clone();
    view! {
        <div class="field">
            <label for="board-name">"Name"</label>
            <input id="board-name" name="form[name]" value=initial.name.clone() maxlength=80 aria-describedby=described("name")/>
            {message("name")}
        </div>
        <div class="field">
            <label for="board-kind">"Kind"</label>
            <select id="board-kind" name="form[kind]">
                <option value="cab" selected=initial.kind != "ecab">"Change advisory board (CAB)"</option>
                <option value="ecab" selected=initial.kind == "ecab">"Emergency CAB (ECAB)"</option>
            </select>
            {message("kind")}
        </div>
        <div class="field">
            <label for="board-chair">"Chair"</label>
            <select id="board-chair" name="form[chair_id]" aria-describedby=described("chair_id")>
                {person_options(initial.chair_id.clone(), Some("Choose the chair"))}
            </select>
            {message("chair_id")}
        </div>
        <fieldset class="role-choices">
            <legend>"Members and delegates"</legend>
            <p class="hint">"A delegate votes for the member when the member is absent."</p>
            {choices.people.iter().enumerate().map(|(index, p)| {
                let value = p.id.to_string();
                let checked = members.contains(&value);
                let delegate = delegates.get(&value).cloned().unwrap_or_default();
                let input_id = format!("board-member-{}", p.id);
                let delegate_id = format!("board-delegate-{}", p.id);
                let delegate_for = delegate_id.clone();
                let label_for = input_id.clone();
                view! {
                    <div class="member-row">
                        <label for=label_for class="checkbox">
                            <input type="checkbox" id=input_id name=format!("form[member_ids][{index}]") value=value.clone() checked=checked/>" "{p.name.clone()}
                        </label>
                        <label for=delegate_for class="visually-hidden">{format!("Delegate for {}", p.name)}</label>
                        <select id=delegate_id name=format!("form[delegates][{value}]")>
                            {person_options(delegate, Some("No delegate"))}
                        </select>
                    </div>
                }
            }).collect_view()}
            {message("member_ids")}
            {message("delegates")}
        </fieldset>
        <div class="field-row">
            <div class="field">
                <label for="board-quorum-kind">"Quorum"</label>
                <select id="board-quorum-kind" name="form[quorum_kind]" on:change=move |ev| quorum_kind.set(event_target_value(&ev))>
                    <option value="majority" selected=initial.quorum_kind == "majority">"A majority of the members"</option>
                    <option value="at_least" selected=initial.quorum_kind == "at_least">"At least this many members"</option>
                    <option value="percent" selected=initial.quorum_kind == "percent">"This percentage of the members"</option>
                </select>
                {message("quorum_kind")}
            </div>
            <div class="field" class:hidden=move || quorum_kind.get() == "majority">
                <label for="board-quorum-value">"Number or percentage"</label>
                <input id="board-quorum-value" name="form[quorum_value]" inputmode="numeric" value=initial.quorum_value.clone() aria-describedby=described("quorum_value")/>
                {message("quorum_value")}
            </div>
        </div>
        <div class="field-row">
            <div class="field">
                <label for="board-weekday">"Meets on"</label>
                <select id="board-weekday" name="form[weekday]" aria-describedby=described("weekday")>
                    <option value="" selected=initial.weekday.is_empty()>"Ad hoc only"</option>
                    {WEEKDAYS.iter().map(|(_, code, name)| view! { <option value=*code selected=initial.weekday == *code>{*name}</option> }).collect_view()}
                </select>
                {message("weekday")}
            </div>
            <div class="field">
                <label for="board-meets-at">"At"</label>
                <input id="board-meets-at" type="time" name="form[meets_at]" value=initial.meets_at.clone() aria-describedby=described("meets_at")/>
                {message("meets_at")}
            </div>
            <div class="field">
                <label for="board-interval">"Every … weeks"</label>
                <input id="board-interval" name="form[interval_weeks]" inputmode="numeric" value=initial.interval_weeks.clone() aria-describedby=described("interval_weeks")/>
                {message("interval_weeks")}
            </div>
            <div class="field">
                <label for="board-time-zone">"Time zone"</label>
                <input id="board-time-zone" name="form[time_zone]" value=initial.time_zone.clone() aria-describedby=described("time_zone")/>
                {message("time_zone")}
            </div>
        </div>
        <fieldset class="role-choices">
            <legend>"Agenda: which changes awaiting authorisation come to this board"</legend>
            <div class="field">
                <label for="board-min-risk">"Lowest risk"</label>
                <select id="board-min-risk" name="form[min_risk]">
                    <option value="" selected=initial.min_risk.is_empty()>"Any risk"</option>
                    {RiskLevel::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=initial.min_risk == r.as_str()>{r.label()}</option> }).collect_view()}
                </select>
                {message("min_risk")}
            </div>
            <p class="hint">"Change types (none ticked: normal and emergency)"</p>
            {[ChangeType::Normal, ChangeType::Emergency].into_iter().enumerate().map(|(index, t)| {
                let checked = chosen_types.iter().any(|c| c == t.as_str());
                let id = format!("board-type-{}", t.as_str());
                let label_for = id.clone();
                view! {
                    <label for=label_for class="checkbox">
                        <input type="checkbox" id=id name=format!("form[change_types][{index}]") value=t.as_str() checked=checked/>" "{t.label()}
                    </label>
                }
            }).collect_view()}
            {message("change_types")}
            <p class="hint">"Services (none ticked: every service)"</p>
            {choices.services.iter().enumerate().map(|(index, s)| {
                let value = s.id.to_string();
                let checked = chosen_services.contains(&value);
                let id = format!("board-service-{}", s.id);
                let label_for = id.clone();
                view! {
                    <label for=label_for class="checkbox">
                        <input type="checkbox" id=id name=format!("form[service_ids][{index}]") value=value checked=checked/>" "{s.name.clone()}
                    </label>
                }
            }).collect_view()}
            {message("service_ids")}
        </fieldset>
    }
}

#[component]
pub fn CabBoardNewPage() -> impl IntoView {
    let create = ServerAction::<CreateBoard>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| change_choices());
    view! {
        <Title text="Add a board"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/cab">"CAB"</a>" / New board"</nav>
        <h1>"Add a board"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading people and services…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <ActionForm action=create attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <BoardFields initial=BoardForm { quorum_kind: "majority".into(), time_zone: "UTC".into(), interval_weeks: "1".into(), ..Default::default() } choices error/>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || create.pending().get()>"Add board"</button>
                                <a class="button secondary" href="/cab">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CabBoardEditPage() -> impl IntoView {
    let id = id_param();
    let update = ServerAction::<UpdateBoard>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That board".into()))?;
            Ok::<_, AppError>((get_board(id).await?, change_choices().await?))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((board, choices)) => view! {
                        <Title text=board.name.clone()/>
                        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/cab">"CAB"</a>" / "{board.name.clone()}</nav>
                        <h1>{board.name.clone()}</h1>
                        <ActionForm action=update attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="id" value=board.id/>
                            <input type="hidden" name="version" value=board.version/>
                            <FormErrors error/>
                            <BoardFields initial=board.to_form() choices error/>
                            <div class="field">
                                <label class="checkbox" for="board-active">
                                    <input type="checkbox" id="board-active" name="active" value="true" checked=board.active/>
                                    " Active (meetings can be scheduled)"
                                </label>
                            </div>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || update.pending().get()>"Save board"</button>
                                <a class="button secondary" href="/cab">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
