//! `/cab`: the change advisory boards, when they meet next, and their meetings (running,
//! upcoming, past). Change managers schedule a meeting from here: the board's next slot,
//! a chosen time, or an emergency sitting now.

use crate::api::cab::{cab_overview, ScheduleMeeting};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::live::refresh_when_meetings_move_on;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::meeting::{BoardSummary, MeetingState, MeetingSummary};
use leptos::prelude::*;
use leptos_meta::Title;

pub fn meeting_state_badge(state: MeetingState) -> impl IntoView {
    view! { <span class=format!("badge meeting-{}", state.as_str())>{state.label()}</span> }
}

#[component]
pub fn CabPage() -> impl IntoView {
    // Boards load once (their scheduling forms keep what is being typed); the meeting list
    // follows the live channel.
    let boards = Resource::new(|| (), |_| cab_overview());
    let live = RwSignal::new(0u32);
    refresh_when_meetings_move_on(move || live.update(|n| *n += 1));
    let meetings = Resource::new(move || live.get(), |_| cab_overview());
    view! {
        <Title text="Change advisory boards"/>
        <div class="page-head">
            <h1>"Change advisory boards"</h1>
            <IfAllowed permission=Permission::CabManage>
                <a class="button" href="/cab/boards/new">"Add a board"</a>
            </IfAllowed>
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading meetings…"</p> }>
            {move || Suspend::new(async move {
                match meetings.await {
                    Ok((_, meetings)) => view! { <MeetingList meetings/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <h2>"Boards"</h2>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading boards…"</p> }>
            {move || Suspend::new(async move {
                match boards.await {
                    Ok((boards, _)) if boards.is_empty() => view! {
                        <div class="empty-state">
                            <p><strong>"No boards yet."</strong></p>
                            <p>"A change manager defines the CAB: its members, chair, quorum, when it meets and which changes it decides."</p>
                        </div>
                    }.into_any(),
                    Ok((boards, _)) => boards.into_iter().map(|summary| view! { <BoardCard summary/> }).collect_view().into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MeetingList(meetings: Vec<MeetingSummary>) -> impl IntoView {
    if meetings.is_empty() {
        return view! {
            <section aria-labelledby="meetings-heading">
                <h2 id="meetings-heading">"Meetings"</h2>
                <div class="empty-state"><p><strong>"No meetings scheduled."</strong></p><p>"Schedule one from a board below."</p></div>
            </section>
        }
        .into_any();
    }
    view! {
        <section aria-labelledby="meetings-heading">
            <h2 id="meetings-heading">"Meetings"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr><th scope="col">"Meeting"</th><th scope="col">"Board"</th><th scope="col">"When"</th><th scope="col">"State"</th><th scope="col">"Decided"</th><th scope="col">"Minutes"</th></tr></thead>
                    <tbody>
                        {meetings.into_iter().map(|m| view! {
                            <tr class:meeting-live=m.state == MeetingState::InProgress>
                                <td>
                                    <a href=format!("/cab/meetings/{}", m.id)>{m.title.clone()}</a>
                                    {m.emergency.then(|| view! { " "<span class="badge badge-critical">"Emergency"</span> })}
                                </td>
                                <td>{m.board_name.clone()}</td>
                                <td>{m.scheduled_local.clone()}</td>
                                <td>{meeting_state_badge(m.state)}</td>
                                <td>{format!("{} of {}", m.decided, m.items)}</td>
                                <td>{if m.minutes_published { "Published" } else if m.state == MeetingState::Ended { "Draft" } else { "—" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn BoardCard(summary: BoardSummary) -> impl IntoView {
    let board = summary.board;
    let schedule = ServerAction::<ScheduleMeeting>::new();
    let error = Signal::derive(move || schedule.value().get().and_then(Result::err));
    let board_id = board.id;
    let heading_id = format!("board-{board_id}-heading");
    let has_recurrence = board.recurrence.is_some();
    let when = RwSignal::new(if has_recurrence {
        "next".to_string()
    } else {
        "now".to_string()
    });
    let at = RwSignal::new(String::new());
    let criteria = {
        let c = &board.criteria;
        let mut parts = Vec::new();
        parts.push(if c.change_types.is_empty() {
            "normal and emergency changes".to_string()
        } else {
            format!(
                "{} changes",
                c.change_types
                    .iter()
                    .map(|t| t.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        });
        if let Some(min) = c.min_risk {
            parts.push(format!("risk {} or higher", min.label().to_lowercase()));
        }
        if !c.service_ids.is_empty() {
            parts.push(format!("on {} chosen service(s)", c.service_ids.len()));
        }
        parts.join(", ")
    };
    view! {
        <section class="panel board-card" aria-labelledby=heading_id class:retired=!board.active>
            <h3 id=heading_id.clone()>
                {board.name.clone()}" "
                <span class="badge">{board.kind.label()}</span>
                {(!board.active).then(|| view! { " "<span class="badge badge-archived">"Retired"</span> })}
            </h3>
            <dl class="details compact">
                <dt>"Meets"</dt><dd>{board.cadence()}</dd>
                <dt>"Chair"</dt><dd>{board.chair.name.clone()}</dd>
                <dt>"Quorum"</dt><dd>{format!("{} of {} members", board.quorum.describe(), board.members.len())}</dd>
                <dt>"Decides"</dt><dd>{criteria}</dd>
                <dt>"Members"</dt>
                <dd>
                    {board.members.iter().map(|m| match &m.delegate {
                        Some(d) => format!("{} (delegate: {})", m.member.name, d.name),
                        None => m.member.name.clone(),
                    }).collect::<Vec<_>>().join(", ")}
                </dd>
                {(!summary.next_meetings.is_empty()).then(|| view! {
                    <dt>"Next"</dt><dd>{summary.next_meetings.join(" · ")}</dd>
                })}
            </dl>
            <IfAllowed permission=Permission::CabManage>
                <ActionForm action=schedule attr:class="form inline-form" attr:novalidate=true>
                    <FormErrors error/>
                    <input type="hidden" name="form[board_id]" value=board_id/>
                    // The select says how; the hidden field carries `next`, `now` or the time.
                    <input type="hidden" name="form[when]" value=move || if when.get() == "at" { at.get() } else { when.get() }/>
                    <div class="field">
                        <label for=format!("board-{board_id}-when")>"Schedule a meeting"</label>
                        <select id=format!("board-{board_id}-when") on:change=move |ev| when.set(event_target_value(&ev)) prop:value=move || when.get()>
                            {has_recurrence.then(|| view! { <option value="next">"At the next regular slot"</option> })}
                            <option value="now">"Now (emergency sitting)"</option>
                            <option value="at">"At a time I choose…"</option>
                        </select>
                    </div>
                    {move || (when.get() == "at").then(|| {
                        view! {
                            <div class="field">
                                <label for=format!("board-{board_id}-at")>"Date and time (board's time zone)"</label>
                                <input id=format!("board-{board_id}-at") type="datetime-local" prop:value=move || at.get() on:input=move |ev| at.set(event_target_value(&ev))/>
                            </div>
                        }
                    })}
                    <p class="field-error" aria-live="polite">{field_error(error, "when")}</p>
                    <div class="form-actions">
                        <button type="submit" class="button" disabled=move || schedule.pending().get()>"Schedule"</button>
                        <a class="button secondary" href=format!("/cab/boards/{board_id}")>"Edit board"</a>
                    </div>
                </ActionForm>
            </IfAllowed>
        </section>
    }
}
