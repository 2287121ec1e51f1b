//! `/cab/meetings/:id`: the live meeting screen. Everyone in the meeting sees the same item,
//! agenda, presence and votes; the chair's decisions move the change on the change board.
//!
//! The page is rendered once on the server (a late joiner sees the current state at once),
//! then kept current from the live channel. Parts of the screen read the meeting signal
//! separately, so that someone else's vote does not wipe what the chair is typing.

use super::cab::meeting_state_badge;
use super::id_param;
use crate::api::cab::{
    get_meeting, meeting_item, AddCabAction, CastVote, EditAgenda, EndMeeting, GoToItem,
    RecordDecision, SaveMinutes, StartMeeting,
};
use crate::api::changes::OverrideConflicts as OverrideConflictsAction;
use crate::components::change_badges::{RiskBadge, StateBadge};
use crate::components::change_fields::field_error;
use crate::components::ci_impact::ImpactSummary;
use crate::components::error_view::{ErrorBanner, ErrorPanel, FormErrors};
use crate::components::live::listen;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::cab::{tally, Vote};
use crate::model::change_request::reference;
use crate::model::live::LiveEvent;
use crate::model::meeting::{
    decision_code, vote_code, AgendaItem, ItemDetail, Meeting, MeetingState, DECISIONS,
};
use crate::model::refs::PersonRef;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CabMeetingPage() -> impl IntoView {
    let id = id_param();
    let first = Resource::new(
        move || id.get(),
        |id| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That meeting".into()))?;
            get_meeting(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Opening the meeting…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(meeting) => view! { <MeetingScreen initial=meeting/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `mm:ss`, or `h:mm:ss` past an hour.
fn clock(seconds: i64) -> String {
    let seconds = seconds.max(0);
    if seconds >= 3600 {
        format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    } else {
        format!("{:02}:{:02}", seconds / 60, seconds % 60)
    }
}

/// What every part of the screen shares.
#[derive(Clone, Copy)]
struct Room {
    meeting: RwSignal<Meeting>,
    /// The item this reader looks at; `None`: follow the live item.
    viewing: RwSignal<Option<i64>>,
    /// Seconds since the meeting was last fetched (drives the item timer).
    since_fetch: RwSignal<i64>,
    reload: Callback<()>,
}

impl Room {
    fn shown_item(&self) -> Option<AgendaItem> {
        let viewing = self.viewing.get();
        self.meeting.with(|m| {
            viewing
                .or(m.current_item_id)
                .and_then(|id| m.items.iter().find(|i| i.id == id))
                .or_else(|| m.items.first())
                .cloned()
        })
    }
}

#[component]
fn MeetingScreen(initial: Meeting) -> impl IntoView {
    let meeting_id = initial.id;
    let meeting = RwSignal::new(initial);
    let since_fetch = RwSignal::new(0i64);
    let reload = Callback::new(move |_: ()| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = get_meeting(meeting_id).await {
                meeting.set(fresh);
                since_fetch.set(0);
            }
        });
    });
    let room = Room {
        meeting,
        viewing: RwSignal::new(None),
        since_fetch,
        reload,
    };
    // Live: the meeting comes with its event and is taken as it is; it is fetched only when
    // the event could not carry it, when a change on the agenda moved without the meeting
    // having shown it yet, or when events were missed.
    listen(
        format!("/events?meeting={meeting_id}"),
        move |event| match event {
            Some(LiveEvent::MeetingUpdated {
                meeting_id: id,
                meeting: Some(fresh),
            }) if id == meeting_id => {
                if fresh.version >= meeting.with_untracked(|m| m.version) {
                    meeting.set(*fresh);
                    since_fetch.set(0);
                }
            }
            Some(LiveEvent::MeetingUpdated { meeting_id: id, .. }) if id == meeting_id => {
                reload.run(())
            }
            Some(LiveEvent::ChangeUpdated { id, version, .. }) => {
                let behind = meeting.with_untracked(|m| {
                    m.items
                        .iter()
                        .any(|item| item.change_id == id && item.change_version < version)
                });
                if behind {
                    reload.run(())
                }
            }
            Some(_) => {}
            None => reload.run(()),
        },
        // Whatever happened between rendering the page and the stream opening.
        move || reload.run(()),
        move || reload.run(()),
    );
    #[cfg(feature = "hydrate")]
    {
        let ticking = set_interval_with_handle(
            move || since_fetch.update(|s| *s += 1),
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = ticking {
                handle.clear();
            }
        });
    }
    provide_context(room);
    let title = move || meeting.with(|m| m.title.clone());
    view! {
        <Title text=title/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/cab">"CAB"</a>" / "{title}</nav>
        <div class="meeting" data-meeting-state=move || meeting.with(|m| m.state.as_str())>
            <header class="meeting-head">
                <h1>
                    {title}" "
                    {move || meeting_state_badge(meeting.with(|m| m.state))}
                    {move || meeting.with(|m| m.emergency).then(|| view! { " "<span class="badge badge-critical">"Emergency"</span> })}
                </h1>
                <p class="muted">
                    {move || meeting.with(|m| format!("{} · chaired by {} · {}", m.board_name, m.chair.name, m.scheduled_local))}
                </p>
                <ChairControls/>
            </header>
            <div class="meeting-grid">
                <div class="meeting-main">
                    <LookBack/>
                    <ItemPanel/>
                    <VotePanel/>
                    <DecisionPanel/>
                </div>
                <aside class="meeting-side">
                    <AgendaPanel/>
                    <PresencePanel/>
                </aside>
            </div>
            <MinutesPanel/>
        </div>
    }
}

/// Refetches after a successful action (the live channel does too; this covers a dropped one).
fn reload_after<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + 'static,
    reload: Callback<()>,
) {
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            reload.run(());
        }
    });
}

#[component]
fn ChairControls() -> impl IntoView {
    let room = expect_context::<Room>();
    let meeting = room.meeting;
    let start = ServerAction::<StartMeeting>::new();
    let end = ServerAction::<EndMeeting>::new();
    reload_after(start.value(), room.reload);
    reload_after(end.value(), room.reload);
    let error = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| end.value().get().and_then(Result::err))
    });
    let version = move || meeting.with(|m| m.version);
    let stage = Memo::new(move |_| meeting.with(|m| (m.viewer_is_chair, m.state)));
    move || {
        let (is_chair, state) = stage.get();
        (is_chair && state != MeetingState::Ended).then(|| view! {
            <div class="chair-controls" role="group" aria-label="Chair">
                <FormErrors error/>
                {(state == MeetingState::Scheduled).then(|| view! {
                    <ActionForm action=start>
                        <input type="hidden" name="id" value=move || meeting.with(|m| m.id)/>
                        <input type="hidden" name="version" value=version/>
                        <button type="submit" class="button" disabled=move || start.pending().get()>"Start the meeting"</button>
                    </ActionForm>
                })}
                {(state == MeetingState::InProgress).then(|| view! {
                    <ActionForm action=end>
                        <input type="hidden" name="id" value=move || meeting.with(|m| m.id)/>
                        <input type="hidden" name="version" value=version/>
                        <button type="submit" class="button secondary" disabled=move || end.pending().get()>"End the meeting"</button>
                    </ActionForm>
                })}
            </div>
        })
    }
}

/// Shown while a reader looks at another item than the one under discussion.
#[component]
fn LookBack() -> impl IntoView {
    let room = expect_context::<Room>();
    move || {
        let viewing = room.viewing.get()?;
        let (live, state) = room.meeting.with(|m| (m.current_item_id, m.state));
        if state != MeetingState::InProgress || Some(viewing) == live {
            return None;
        }
        let live_label = room.meeting.with(|m| {
            m.current_item()
                .map(|i| format!("{} {}", reference(i.change_id), i.title))
                .unwrap_or_default()
        });
        Some(view! {
            <div class="banner banner-info look-back" role="status">
                <p>"You are looking back. The board is on "<strong>{live_label}</strong>"."</p>
                <button type="button" class="button" on:click=move |_| room.viewing.set(None)>"Back to the live item"</button>
            </div>
        })
    }
}

#[component]
fn ItemTimer(item: AgendaItem) -> impl IntoView {
    let room = expect_context::<Room>();
    let time_box = i64::from(item.time_box_minutes) * 60;
    let spent = i64::from(item.spent_seconds);
    let (meeting, since_fetch) = (room.meeting, room.since_fetch);
    let elapsed = Memo::new(move |_| {
        meeting.with(|m| {
            m.item_started_at
                .map(|since| (m.now - since).num_seconds())
                .unwrap_or(0)
        }) + since_fetch.get()
            + spent
    });
    view! {
        <p class="item-timer" class:over={move || elapsed.get() > time_box}>
            <span class="visually-hidden">"Time on this item: "</span>
            <span class="timer-value">{move || clock(elapsed.get())}</span>
            " of "{clock(time_box)}
            {move || (elapsed.get() > time_box).then_some(" — over the time box")}
        </p>
    }
}

#[component]
fn ItemPanel() -> impl IntoView {
    let room = expect_context::<Room>();
    // The item without its votes and actions: a vote redraws the vote list, not the panel
    // (which may hold a half-typed override reason or an open plans section).
    let shown = Memo::new(move |_| {
        room.shown_item().map(|mut item| {
            item.votes.clear();
            item.actions.clear();
            item
        })
    });
    let detail_key =
        Memo::new(move |_| shown.with(|s| s.as_ref().map(|i| (i.id, i.change_version))));
    let meeting_id = room.meeting.with_untracked(|m| m.id);
    // Where the shown item stands; presence and votes elsewhere do not redraw the panel.
    let frame = Memo::new(move |_| {
        let shown_id = shown.with(|s| s.as_ref().map(|i| i.id));
        room.meeting.with(|m| {
            (
                m.current_item_id,
                m.state,
                m.items.len(),
                m.items
                    .iter()
                    .position(|i| Some(i.id) == shown_id)
                    .unwrap_or(0)
                    + 1,
            )
        })
    });
    let detail = Resource::new(
        move || detail_key.get(),
        move |key| async move {
            match key {
                Some((item_id, _)) => meeting_item(meeting_id, item_id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    move || {
        let Some(item) = shown.get() else {
            return view! {
                <section class="panel current-item">
                    <div class="empty-state">
                        <p><strong>"The agenda is empty."</strong></p>
                        <p>"No change awaiting authorisation matches this board. The chair can add one by reference."</p>
                    </div>
                </section>
            }
            .into_any();
        };
        let (live, state, total, number) = frame.get();
        let is_live = Some(item.id) == live && state == MeetingState::InProgress;
        let timer_item = item.clone();
        view! {
            <section class="panel current-item" aria-labelledby="item-heading" class:live=is_live>
                <p class="item-position">
                    {if is_live { "Under discussion · " } else { "" }}
                    {format!("Item {number} of {total}")}
                </p>
                <h2 id="item-heading">
                    <a href=format!("/changes/{}", item.change_id)>{reference(item.change_id)}</a>" "{item.title.clone()}
                </h2>
                <p class="item-badges">
                    <StateBadge state=item.change_state/>" "<RiskBadge risk=item.risk/>
                    " · requested by "{item.requester.name.clone()}" · owned by "{item.owner.name.clone()}
                </p>
                {is_live.then(|| view! { <ItemTimer item=timer_item/> })}
                {item.decision.clone().map(|d| view! {
                    <p class="decision-recorded" role="status">
                        <strong>{format!("Decision: {}.", d.decision.label())}</strong>
                        {(!d.text.is_empty()).then(|| format!(" {}", d.text))}
                        <span class="muted">{format!(" — recorded by {}", d.by.name)}</span>
                    </p>
                })}
                <Transition fallback=|| view! { <p class="loading" role="status">"Loading the change…"</p> }>
                    {move || Suspend::new(async move {
                        match detail.await {
                            Ok(Some(ItemDetail { change, previous, reach })) => view! {
                                <p class="prewrap">{change.description.clone()}</p>
                                <dl class="details item-details">
                                    <dt>"Services"</dt>
                                    <dd>{if change.services.is_empty() { "None named".to_string() } else { change.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ") }}</dd>
                                    <dt>"Planned"</dt>
                                    <dd>{change.local_window.as_ref().map(|w| w.text()).unwrap_or_else(|| "Not scheduled".into())}</dd>
                                    <dt>"Risk"</dt>
                                    <dd>
                                        {change.risk.as_ref().map(|r| view! {
                                            <span>{format!("{} (score {})", r.level.label(), r.score)}</span>
                                            <ul class="risk-explanation">{r.explanation.iter().map(|line| view! { <li>{line.clone()}</li> }).collect_view()}</ul>
                                        })}
                                    </dd>
                                    <dt>"Conflicts"</dt>
                                    <dd>
                                        {if change.conflicts.is_empty() {
                                            view! { <span>"None"</span> }.into_any()
                                        } else {
                                            view! { <ul class="conflicts">{change.conflicts.iter().map(|c| view! { <li>"⚠ "{c.message.clone()}</li> }).collect_view()}</ul> }.into_any()
                                        }}
                                        {change.conflict_override.clone().map(|reason| view! { <p class="muted">"Overridden: "{reason}</p> })}
                                        {(!change.conflicts.is_empty() && change.conflict_override.is_none()).then(|| view! {
                                            <OverrideConflicts change_id=change.id version=change.version/>
                                        })}
                                    </dd>
                                </dl>
                                {reach.map(|impact| view! { <ImpactSummary impact/> })}
                                <details class="plans">
                                    <summary>"Plans: implementation, test, back-out"</summary>
                                    <h3>"Implementation"</h3><p class="prewrap">{change.implementation_plan.clone()}</p>
                                    <h3>"Test"</h3><p class="prewrap">{change.test_plan.clone()}</p>
                                    <h3>"Back-out"</h3><p class="prewrap">{change.backout_plan.clone()}</p>
                                </details>
                                {(!previous.is_empty()).then(|| view! {
                                    <h3>"Earlier decisions"</h3>
                                    <ul class="previous-decisions">
                                        {previous.into_iter().map(|p| view! {
                                            <li><a href=format!("/cab/meetings/{}", p.meeting_id)>{p.meeting_title}</a>": "{p.decision.label()}{(!p.text.is_empty()).then(|| format!(" — {}", p.text))}</li>
                                        }).collect_view()}
                                    </ul>
                                })}
                            }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(error) => view! { <ErrorBanner error/> }.into_any(),
                        }
                    })}
                </Transition>
                <VoteList item_id=item.id/>
            </section>
        }
        .into_any()
    }
}

/// A change manager accepts the conflicts in the meeting, with the reason on the record, so
/// that the board can authorise (the same rule as on the change page).
#[component]
fn OverrideConflicts(change_id: i64, version: i32) -> impl IntoView {
    let room = expect_context::<Room>();
    let action = ServerAction::<OverrideConflictsAction>::new();
    reload_after(action.value(), room.reload);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <IfAllowed permission=Permission::ScheduleManage>
            <ActionForm action=action attr:class="form override-form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=change_id/>
                <input type="hidden" name="version" value=version/>
                <div class="field">
                    <label for="override-reason">"Reason to accept the conflicts"</label>
                    <input id="override-reason" name="reason" maxlength=2000 aria-describedby="override-reason-error"/>
                    <p class="field-error" id="override-reason-error" aria-live="polite">{field_error(error, "reason")}</p>
                </div>
                <button type="submit" class="button small secondary" disabled=move || action.pending().get()>"Override conflicts"</button>
            </ActionForm>
        </IfAllowed>
    }
}

#[component]
fn VoteList(item_id: i64) -> impl IntoView {
    let room = expect_context::<Room>();
    let votes = Memo::new(move |_| {
        room.meeting.with(|m| {
            m.items
                .iter()
                .find(|i| i.id == item_id)
                .map(|i| i.votes.clone())
                .unwrap_or_default()
        })
    });
    move || {
        let votes = votes.get();
        if votes.is_empty() {
            return view! { <p class="muted votes-empty">"No votes yet."</p> }.into_any();
        }
        let counts = tally(&votes.iter().map(|v| v.vote).collect::<Vec<_>>());
        view! {
            <h3>"Votes"</h3>
            <p class="vote-tally">
                {counts.iter().filter(|(_, n)| *n > 0).map(|(vote, n)| format!("{}: {n}", vote.label())).collect::<Vec<_>>().join(" · ")}
            </p>
            <ul class="votes">
                {votes.into_iter().map(|v| view! {
                    <li>
                        <strong>{v.voter.name.clone()}</strong>
                        {(v.voter.id != v.member.id).then(|| format!(" (for {})", v.member.name))}
                        ": "{v.vote.label()}
                        {(!v.comment.is_empty()).then(|| format!(" — {}", v.comment))}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    }
}

/// Members vote on the item under discussion; others see why they cannot.
#[component]
fn VotePanel() -> impl IntoView {
    let room = expect_context::<Room>();
    let vote = ServerAction::<CastVote>::new();
    reload_after(vote.value(), room.reload);
    let error = Signal::derive(move || vote.value().get().and_then(Result::err));
    let comment = RwSignal::new(String::new());
    let live_item = Memo::new(move |_| room.meeting.with(|m| m.current_item_id));
    Effect::new(move |previous: Option<Option<i64>>| {
        let now = live_item.get();
        if previous.is_some_and(|p| p != now) {
            comment.set(String::new());
        }
        now
    });
    // The reader's competence gaps for the live item, asked by the browser once the page is
    // live (an effect: the server renders the panel without them, so the first render matches).
    let meeting_id = room.meeting.with_untracked(|m| m.id);
    let gaps = RwSignal::new(Vec::<crate::model::competence::GateGap>::new());
    Effect::new(move |_| {
        live_item.track();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Ok(found) = crate::api::cab::vote_competence(meeting_id).await {
                // The panel may have gone (the meeting ended) while the answer travelled.
                let _ = gaps.try_set(found);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = meeting_id;
    });
    let competence_note = move || {
        let gaps = gaps.get();
        if gaps.is_empty() {
            return None;
        }
        let refused = gaps
            .iter()
            .any(|g| g.gate == crate::model::competence::Gate::Block);
        let words = crate::model::competence::gaps_words(&gaps);
        Some(view! {
            <p class="banner banner-warning competence-warning" role="note">
                {if refused {
                    format!("You cannot vote on this change without {words}: the quality manager requires it.")
                } else {
                    format!("You vote without {words}: your vote counts, and the record notes it.")
                }}
            </p>
        })
    };
    // Re-rendered only when the live item, its decision or the reader's seats change.
    let ballot = Memo::new(move |_| {
        let viewing = room.viewing.get();
        room.meeting.with(|m| {
            let item = m.current_item()?;
            if m.state != MeetingState::InProgress
                || item.decision.is_some()
                || viewing.is_some_and(|v| v != item.id)
            {
                return None;
            }
            let mine = item
                .votes
                .iter()
                .find(|v| v.voter.id == m.viewer_id)
                .map(|v| v.vote);
            Some((m.id, item.id, m.viewer_seats(item), mine))
        })
    });
    move || {
        let (meeting_id, item_id, seats, mine) = ballot.get()?;
        let seats = match seats {
            Ok(seats) => seats,
            Err(reason) => {
                return Some(
                    view! {
                        <section class="panel vote-panel" aria-labelledby="vote-heading">
                            <h2 id="vote-heading">"Your vote"</h2>
                            <p class="muted">{reason}</p>
                        </section>
                    }
                    .into_any(),
                )
            }
        };
        let for_others = room.meeting.with_untracked(|m| {
            seats
                .iter()
                .filter(|s| **s != m.viewer_id)
                .filter_map(|s| m.seats.iter().find(|seat| seat.member.id == *s))
                .map(|seat| seat.member.name.clone())
                .collect::<Vec<_>>()
        });
        Some(view! {
            <section class="panel vote-panel" aria-labelledby="vote-heading">
                <h2 id="vote-heading">"Your vote"</h2>
                {competence_note}
                {(!for_others.is_empty()).then(|| view! { <p class="hint">"You vote as delegate for: "{for_others.join(", ")}</p> })}
                {mine.map(|v| view! { <p class="muted">"You voted: "<strong>{v.label()}</strong>". Vote again to change it."</p> })}
                <ActionForm action=vote attr:class="form vote-form" attr:novalidate=true>
                    <FormErrors error/>
                    <input type="hidden" name="id" value=meeting_id/>
                    <input type="hidden" name="item_id" value=item_id/>
                    <div class="field">
                        <label for="vote-comment">"Comment (needed for conditions and rejections)"</label>
                        <textarea id="vote-comment" name="form[comment]" rows=2 aria-describedby="vote-comment-error"
                            prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        <p class="field-error" id="vote-comment-error" aria-live="polite">{field_error(error, "comment")}</p>
                    </div>
                    <div class="vote-buttons" role="group" aria-label="Vote">
                        {Vote::ALL.into_iter().map(|v| view! {
                            <button type="submit" name="form[vote]" value=vote_code(v)
                                class=if mine == Some(v) { "button" } else { "button secondary" }
                                aria-pressed=if mine == Some(v) { "true" } else { "false" }
                                disabled=move || vote.pending().get()>{v.label()}</button>
                        }).collect_view()}
                    </div>
                </ActionForm>
            </section>
        }.into_any())
    }
}

/// The chair records the decision on the live item, adds actions and moves on.
#[component]
fn DecisionPanel() -> impl IntoView {
    let room = expect_context::<Room>();
    let meeting = room.meeting;
    let decide = ServerAction::<RecordDecision>::new();
    let go_to = ServerAction::<GoToItem>::new();
    let add_action = ServerAction::<AddCabAction>::new();
    reload_after(decide.value(), room.reload);
    reload_after(go_to.value(), room.reload);
    reload_after(add_action.value(), room.reload);
    let decide_error = Signal::derive(move || decide.value().get().and_then(Result::err));
    let go_error = Signal::derive(move || go_to.value().get().and_then(Result::err));
    let action_error = Signal::derive(move || add_action.value().get().and_then(Result::err));
    let decision = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let action_text = RwSignal::new(String::new());
    let action_owner = RwSignal::new(String::new());
    let action_due = RwSignal::new(String::new());
    // A new item starts with an empty form.
    let live_item = Memo::new(move |_| meeting.with(|m| m.current_item_id));
    Effect::new(move |previous: Option<Option<i64>>| {
        let now = live_item.get();
        if previous.is_some_and(|p| p != now) {
            decision.set(String::new());
            text.set(String::new());
            notes.set(String::new());
        }
        now
    });
    Effect::new(move |_| {
        if matches!(add_action.value().get(), Some(Ok(_))) {
            action_text.set(String::new());
            action_owner.set(String::new());
            action_due.set(String::new());
        }
    });
    let panel = Memo::new(move |_| {
        meeting.with(|m| {
            if !m.viewer_is_chair || m.state != MeetingState::InProgress {
                return None;
            }
            let item = m.current_item();
            let next = m
                .items
                .iter()
                .skip_while(|i| Some(i.id) != m.current_item_id)
                .skip(1)
                .chain(m.items.iter())
                .find(|i| i.decision.is_none() && Some(i.id) != m.current_item_id)
                .map(|i| (i.id, format!("{} {}", reference(i.change_id), i.title)));
            Some((
                m.id,
                item.map(|i| (i.id, i.decision.is_some())),
                next,
                m.quorum.refusal.is_some(),
            ))
        })
    });
    let owners = Memo::new(move |_| {
        meeting.with(|m| {
            let mut people: Vec<PersonRef> = m.seats.iter().map(|s| s.member.clone()).collect();
            people.extend(m.present.iter().cloned());
            if let Some(item) = m.current_item() {
                people.push(item.requester.clone());
                people.push(item.owner.clone());
            }
            people.sort_by(|a, b| a.name.cmp(&b.name));
            people.dedup_by_key(|p| p.id);
            people
        })
    });
    let version = move || meeting.with(|m| m.version);
    move || {
        let (meeting_id, item, next, no_quorum) = panel.get()?;
        Some(view! {
            <section class="panel decision-panel" aria-labelledby="decision-heading">
                <h2 id="decision-heading">"Chair"</h2>
                {no_quorum.then(|| view! {
                    <p class="banner banner-warning quorum-warning" role="status">
                        {move || meeting.with(|m| m.quorum.refusal.clone().unwrap_or_default())}
                        " Decisions wait until the board is quorate."
                    </p>
                })}
                {item.filter(|(_, decided)| !decided).map(|(item_id, _)| view! {
                    <ActionForm action=decide attr:class="form decision-form" attr:novalidate=true>
                        <FormErrors error=decide_error/>
                        <input type="hidden" name="id" value=meeting_id/>
                        <input type="hidden" name="version" value=version/>
                        <input type="hidden" name="item_id" value=item_id/>
                        <div class="field">
                            <label for="decision">"Decision"</label>
                            <select id="decision" name="form[decision]" aria-describedby="decision-error"
                                prop:value=move || decision.get() on:change=move |ev| decision.set(event_target_value(&ev))>
                                <option value="">"Choose…"</option>
                                {DECISIONS.into_iter().map(|d| view! { <option value=decision_code(d)>{d.label()}</option> }).collect_view()}
                            </select>
                            <p class="field-error" id="decision-error" aria-live="polite">{field_error(decide_error, "decision")}</p>
                        </div>
                        <div class="field">
                            <label for="decision-text">"Conditions or reason"</label>
                            <textarea id="decision-text" name="form[text]" rows=2 aria-describedby="decision-text-error"
                                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <p class="field-error" id="decision-text-error" aria-live="polite">{field_error(decide_error, "text")}</p>
                        </div>
                        <div class="field">
                            <label for="decision-notes">"Discussion notes (for the minutes)"</label>
                            <textarea id="decision-notes" name="form[notes]" rows=3 aria-describedby="decision-notes-error"
                                prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                            <p class="field-error" id="decision-notes-error" aria-live="polite">{field_error(decide_error, "notes")}</p>
                        </div>
                        <div class="form-actions">
                            <button type="submit" class="button" disabled=move || decide.pending().get()>"Record decision"</button>
                        </div>
                    </ActionForm>
                })}
                {item.map(|(item_id, _)| view! {
                    <details class="add-action">
                        <summary>"Add an action"</summary>
                        <ActionForm action=add_action attr:class="form" attr:novalidate=true>
                            <FormErrors error=action_error/>
                            <input type="hidden" name="id" value=meeting_id/>
                            <input type="hidden" name="version" value=version/>
                            <input type="hidden" name="item_id" value=item_id/>
                            <div class="field">
                                <label for="action-text">"Action"</label>
                                <input id="action-text" name="form[text]" aria-describedby="action-text-error"
                                    prop:value=move || action_text.get() on:input=move |ev| action_text.set(event_target_value(&ev))/>
                                <p class="field-error" id="action-text-error" aria-live="polite">{field_error(action_error, "action_text")}</p>
                            </div>
                            <div class="field-row">
                                <div class="field">
                                    <label for="action-owner">"Owner"</label>
                                    <select id="action-owner" name="form[owner_id]" aria-describedby="action-owner-error"
                                        prop:value=move || action_owner.get() on:change=move |ev| action_owner.set(event_target_value(&ev))>
                                        <option value="">"Choose…"</option>
                                        {move || {
                                            let chosen = action_owner.get_untracked();
                                            owners.get().into_iter().map(|p| {
                                                let selected = p.id.to_string() == chosen;
                                                view! { <option value=p.id selected=selected>{p.name}</option> }
                                            }).collect_view()
                                        }}
                                    </select>
                                    <p class="field-error" id="action-owner-error" aria-live="polite">{field_error(action_error, "action_owner")}</p>
                                </div>
                                <div class="field">
                                    <label for="action-due">"Due"</label>
                                    <input id="action-due" type="date" name="form[due]" aria-describedby="action-due-error"
                                        prop:value=move || action_due.get() on:input=move |ev| action_due.set(event_target_value(&ev))/>
                                    <p class="field-error" id="action-due-error" aria-live="polite">{field_error(action_error, "action_due")}</p>
                                </div>
                            </div>
                            <div class="form-actions">
                                <button type="submit" class="button secondary" disabled=move || add_action.pending().get()>"Add action"</button>
                            </div>
                        </ActionForm>
                    </details>
                })}
                <FormErrors error=go_error/>
                {match next {
                    Some((next_id, label)) => view! {
                        <ActionForm action=go_to attr:class="next-item">
                            <input type="hidden" name="id" value=meeting_id/>
                            <input type="hidden" name="version" value=version/>
                            <input type="hidden" name="item_id" value=next_id/>
                            <button type="submit" class="button" disabled=move || go_to.pending().get()>"Next item: "{label}</button>
                        </ActionForm>
                    }.into_any(),
                    None => view! { <p class="muted">"Every item has a decision. End the meeting to write the minutes."</p> }.into_any(),
                }}
            </section>
        })
    }
}

#[component]
fn AgendaPanel() -> impl IntoView {
    let room = expect_context::<Room>();
    let meeting = room.meeting;
    let edit = ServerAction::<EditAgenda>::new();
    let go_to = ServerAction::<GoToItem>::new();
    reload_after(edit.value(), room.reload);
    reload_after(go_to.value(), room.reload);
    let error = Signal::derive(move || {
        edit.value()
            .get()
            .and_then(Result::err)
            .or_else(|| go_to.value().get().and_then(Result::err))
    });
    let version = move || meeting.with(|m| m.version);
    let progress = move || meeting.with(|m| (m.decided(), m.items.len()));
    // The add form is redrawn only when the chair or the stage changes, not on every vote.
    let chair_stage = Memo::new(move |_| meeting.with(|m| (m.viewer_is_chair, m.state, m.id)));
    view! {
        <section class="panel agenda-panel" aria-labelledby="agenda-heading">
            <h2 id="agenda-heading">"Agenda"</h2>
            <p class="agenda-progress">
                <progress max=move || progress().1.max(1) value=move || progress().0 aria-label="Items decided"></progress>
                " "{move || format!("{} of {} decided", progress().0, progress().1)}
            </p>
            <FormErrors error/>
            <ol class="agenda">
                {move || {
                    let (items, current, is_chair, state, id) = meeting.with(|m| (m.items.clone(), m.current_item_id, m.viewer_is_chair, m.state, m.id));
                    let open = state != MeetingState::Ended;
                    let count = items.len();
                    items.into_iter().enumerate().map(|(index, item)| {
                        let item_id = item.id;
                        let is_current = Some(item_id) == current;
                        let viewing = move || room.viewing.get().or(current) == Some(item_id);
                        let label = format!("{} {}", reference(item.change_id), item.title);
                        let chair_buttons = (is_chair && open && item.decision.is_none()).then(|| {
                            let move_button = move |op: &'static str, text: &'static str, disabled: bool| view! {
                                <ActionForm action=edit attr:class="inline">
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="version" value=version/>
                                    <input type="hidden" name="item_id" value=item_id/>
                                    <button type="submit" name="op" value=op class="button small secondary" disabled=disabled
                                        aria-label=format!("{text}: {}", reference(item.change_id))>{text}</button>
                                </ActionForm>
                            };
                            view! {
                                <span class="agenda-tools">
                                    {(state == MeetingState::InProgress && !is_current).then(|| view! {
                                        <ActionForm action=go_to attr:class="inline">
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="version" value=version/>
                                            <input type="hidden" name="item_id" value=item_id/>
                                            <button type="submit" class="button small" aria-label=format!("Discuss now: {}", reference(item.change_id))>"Discuss now"</button>
                                        </ActionForm>
                                    })}
                                    {move_button("up", "↑", index == 0)}
                                    {move_button("down", "↓", index + 1 == count)}
                                    {(!is_current).then(|| move_button("remove", "Remove", false))}
                                </span>
                            }
                        });
                        view! {
                            <li class:current=is_current class:decided=item.decision.is_some() aria-current=if is_current { Some("step") } else { None }>
                                <button type="button" class="link-button" class:viewing=viewing
                                    on:click=move |_| room.viewing.set(if is_current { None } else { Some(item_id) })>
                                    {label}
                                </button>
                                <span class="agenda-status">
                                    {match &item.decision {
                                        Some(d) => d.decision.label().to_string(),
                                        None if is_current => "Under discussion".to_string(),
                                        None => format!("{} min", item.time_box_minutes),
                                    }}
                                </span>
                                {chair_buttons}
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            {move || {
                let (is_chair, state, id) = chair_stage.get();
                (is_chair && state != MeetingState::Ended).then(|| view! {
                    <ActionForm action=edit attr:class="form add-to-agenda" attr:novalidate=true>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        <div class="field">
                            <label for="agenda-change">"Add a change (reference)"</label>
                            <input id="agenda-change" name="change" placeholder="CHG-00012" aria-describedby="agenda-change-error"/>
                            <p class="field-error" id="agenda-change-error" aria-live="polite">{field_error(error, "change")}</p>
                        </div>
                        <div class="form-actions">
                            <button type="submit" name="op" value="add" class="button small">"Add to agenda"</button>
                            <button type="submit" name="op" value="refresh" class="button small secondary">"Pull in new matching changes"</button>
                        </div>
                    </ActionForm>
                })
            }}
        </section>
    }
}

#[component]
fn PresencePanel() -> impl IntoView {
    let room = expect_context::<Room>();
    let meeting = room.meeting;
    view! {
        <section class="panel presence-panel" aria-labelledby="presence-heading">
            <h2 id="presence-heading">"Who is here"</h2>
            <p class="quorum" class:quorate=move || meeting.with(|m| m.quorum.refusal.is_none())>
                {move || meeting.with(|m| format!(
                    "Quorum: {} of {} members represented, {} needed ({}).",
                    m.quorum.represented, m.quorum.members, m.quorum.required, m.quorum.rule
                ))}
            </p>
            <ul class="presence" aria-live="polite">
                {move || meeting.with(|m| {
                    let members: Vec<i64> = m.seats.iter().flat_map(|s| std::iter::once(s.member.id).chain(s.delegate.as_ref().map(|d| d.id))).collect();
                    let seats = m.seats.iter().map(|seat| {
                        let (class, status) = if seat.present {
                            ("present", "present".to_string())
                        } else if seat.delegate_present {
                            ("delegated", format!("represented by {}", seat.delegate.as_ref().map(|d| d.name.clone()).unwrap_or_default()))
                        } else {
                            ("absent", "absent".to_string())
                        };
                        let chair = (seat.member.id == m.chair.id).then_some(" (chair)");
                        view! { <li class=class><span class="dot" aria-hidden="true"></span>{seat.member.name.clone()}{chair}" — "{status}</li> }
                    }).collect_view();
                    let guests = m.present.iter().filter(|p| !members.contains(&p.id)).map(|p| view! {
                        <li class="present guest"><span class="dot" aria-hidden="true"></span>{p.name.clone()}" — guest"</li>
                    }).collect_view();
                    view! { {seats}{guests} }
                })}
            </ul>
        </section>
    }
}

#[component]
fn MinutesPanel() -> impl IntoView {
    let room = expect_context::<Room>();
    let meeting = room.meeting;
    let save = ServerAction::<SaveMinutes>::new();
    reload_after(save.value(), room.reload);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let stage = Memo::new(move |_| {
        meeting.with(|m| (m.state, m.minutes_published.is_some(), m.viewer_is_chair))
    });
    let version = move || meeting.with(|m| m.version);
    let html = move || meeting.with(|m| m.minutes_html.clone().unwrap_or_default());
    move || {
        let (state, published, is_chair) = stage.get();
        let id = meeting.with_untracked(|m| m.id);
        match (state, published) {
            (MeetingState::Scheduled, _) => ().into_any(),
            (MeetingState::InProgress, _) => view! {
                <details class="panel minutes-live">
                    <summary>"Minutes so far (written as the meeting runs)"</summary>
                    <div class="minutes" inner_html=html></div>
                </details>
            }
            .into_any(),
            (MeetingState::Ended, true) => view! {
                <section class="panel minutes-published" aria-labelledby="minutes-heading">
                    <h2 id="minutes-heading">"Minutes"</h2>
                    <p class="muted page-actions">
                        {move || meeting.with(|m| m.published_at.map(|at| format!("Published {} (UTC). ", at.format("%-d %b %Y %H:%M"))))}
                        <a href=format!("/cab/meetings/{id}/minutes.md") download="">"Markdown"</a>" · "
                        <a href=format!("/cab/meetings/{id}/minutes.html") target="_blank">"Printable page (save as PDF)"</a>" · "
                        <button type="button" class="link-button" on:click=|_| print_page()>"Print"</button>
                    </p>
                    <div class="minutes" inner_html=html></div>
                </section>
            }
            .into_any(),
            (MeetingState::Ended, false) if is_chair => {
                let draft = meeting.with_untracked(|m| m.minutes_draft.clone().unwrap_or_default());
                view! {
                    <section class="panel minutes-draft" aria-labelledby="minutes-heading">
                        <h2 id="minutes-heading">"Minutes (draft)"</h2>
                        <p class="hint">"Written from what happened in the meeting. Edit as needed, save, then publish: published minutes cannot be changed."</p>
                        <FormErrors error/>
                        <ActionForm action=save attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="version" value=version/>
                            <div class="field">
                                <label for="minutes-text">"Minutes (Markdown)"</label>
                                <textarea id="minutes-text" name="minutes" rows=18 class="minutes-editor" aria-describedby="minutes-error">{draft}</textarea>
                                <p class="field-error" id="minutes-error" aria-live="polite">{field_error(error, "minutes")}</p>
                            </div>
                            <div class="form-actions">
                                <button type="submit" class="button secondary" disabled=move || save.pending().get()>"Save draft"</button>
                                // Publishes exactly what is in the editor, saved in the same step.
                                <button type="submit" name="publish" value="true" class="button" disabled=move || save.pending().get()>"Publish the minutes"</button>
                            </div>
                        </ActionForm>
                        <h3>"Preview"</h3>
                        <div class="minutes" inner_html=html></div>
                    </section>
                }
                .into_any()
            }
            (MeetingState::Ended, false) => view! {
                <section class="panel minutes-draft" aria-labelledby="minutes-heading">
                    <h2 id="minutes-heading">"Minutes (draft, not yet published)"</h2>
                    <div class="minutes" inner_html=html></div>
                </section>
            }
            .into_any(),
        }
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
