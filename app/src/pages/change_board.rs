//! The change board: a column per lifecycle stage, a card per change. Drag a card (or use
//! its Move button from the keyboard) to ask for the transition; the shared state machine
//! says which columns accept it, the server decides, and every open board follows live: an
//! event brings the cards that changed, and only their columns are drawn again.

use crate::api::changes::{change_board, transition_change};
use crate::components::change_badges::{RiskBadge, TypeBadge};
use crate::components::drag::{id_from_event, DropColumn, MoveMenu};
use crate::components::draw_more::{DrawMore, FIRST_DRAWN};
use crate::components::error_view::ErrorPanel;
use crate::components::live::listen;
use crate::components::session::use_session;
use crate::error::AppError;
use crate::model::actor::ActorFacts;
use crate::model::change::{action_towards, transition, ChangeAction, ChangeState};
use crate::model::change_request::{reference, ChangeCard};
use crate::model::live::{apply_cards, apply_recounted, BoardUpdate, LiveEvent};
use crate::model::user::CurrentUser;
use crate::pages::change_list::window_text;
use leptos::prelude::*;
use leptos_meta::Title;

/// The columns, in lifecycle order.
const COLUMNS: [ChangeState; 14] = ChangeState::ALL;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lanes {
    None,
    Service,
    Owner,
    Risk,
}

impl Lanes {
    /// The lanes a card is drawn in (by service: one per service it touches).
    fn of(self, card: &ChangeCard) -> Vec<String> {
        match self {
            Lanes::None => vec![String::new()],
            Lanes::Owner => vec![card.owner.name.clone()],
            Lanes::Risk => vec![card
                .risk
                .map(|r| format!("{} risk", r.label()))
                .unwrap_or_else(|| "Not assessed".into())],
            Lanes::Service if card.services.is_empty() => vec!["No service".into()],
            Lanes::Service => card.services.clone(),
        }
    }

    /// Whether a card is drawn in `lane` (the same as `of(card).contains(lane)`, without
    /// building the list: asked for every card of every column on each update).
    fn holds(self, card: &ChangeCard, lane: &str) -> bool {
        match self {
            Lanes::None => true,
            Lanes::Owner => card.owner.name == lane,
            Lanes::Service if card.services.is_empty() => lane == "No service",
            Lanes::Service => card.services.iter().any(|s| s == lane),
            Lanes::Risk => self.of(card).iter().any(|l| l == lane),
        }
    }
}

/// What the board shows now: the cards (updated in place by live events), grouped and
/// filtered as the person chose.
#[derive(Clone, Copy)]
struct Shown {
    cards: RwSignal<Vec<ChangeCard>>,
    lanes: RwSignal<Lanes>,
    /// Lower-cased quick filter.
    filter: RwSignal<String>,
}

impl Shown {
    fn matches(needle: &str, card: &ChangeCard) -> bool {
        needle.is_empty()
            || card.title.to_lowercase().contains(needle)
            || card.owner.name.to_lowercase().contains(needle)
            || card
                .services
                .iter()
                .any(|s| s.to_lowercase().contains(needle))
    }

    /// The lanes with at least one visible card, in name order.
    fn lane_names(self) -> Vec<String> {
        let (lanes, needle) = (self.lanes.get(), self.filter.get());
        let mut names: Vec<String> = self.cards.with(|all| {
            all.iter()
                .filter(|c| Self::matches(&needle, c))
                .flat_map(|c| lanes.of(c))
                .collect()
        });
        names.sort();
        names.dedup();
        names
    }

    /// The visible cards of one lane and column, in board order.
    fn cell(self, lane: &str, column: ChangeState) -> Vec<ChangeCard> {
        let (lanes, needle) = (self.lanes.get(), self.filter.get());
        self.cards.with(|all| {
            all.iter()
                .filter(|c| c.state == column && Self::matches(&needle, c))
                .filter(|c| lanes.holds(c, lane))
                .cloned()
                .collect()
        })
    }

    fn by_id(self, id: i64) -> Option<ChangeCard> {
        self.cards
            .with_untracked(|all| all.iter().find(|c| c.id == id).cloned())
    }
}

/// A move waiting for the person to add a comment or the review.
#[derive(Clone, PartialEq)]
struct PendingMove {
    card: ChangeCard,
    action: ChangeAction,
    to: ChangeState,
}

/// The change id of the card an event happened in.
fn card_id_of(event: &leptos::web_sys::Event) -> Option<i64> {
    id_from_event(event, "data-change")
}

/// Whether `user` may drop `card` on column `to`, or why not.
fn check_move(
    card: &ChangeCard,
    to: ChangeState,
    user: &CurrentUser,
) -> Result<ChangeAction, String> {
    if card.state == to {
        return Err("The change is already here.".into());
    }
    let facts = card.facts();
    let Some(action) = action_towards(&facts, to) else {
        return Err(format!(
            "A change cannot go from {} straight to {}.",
            card.state.label(),
            to.label()
        ));
    };
    // The review form comes with the move, so the board does not hold it back for that.
    let mut facts = facts;
    facts.has_review = true;
    transition(&facts, action, &ActorFacts::from(user))
        .map(|_| action)
        .map_err(|refusal| refusal.0)
}

#[component]
pub fn ChangeBoardPage() -> impl IntoView {
    let session = use_session();
    let board = Resource::new(|| (), |_| change_board());
    let dragging = RwSignal::new(None::<ChangeCard>);
    let notice = RwSignal::new(None::<(bool, String)>);
    let pending = RwSignal::new(None::<PendingMove>);
    let shown = Shown {
        cards: RwSignal::new(Vec::new()),
        lanes: RwSignal::new(Lanes::None),
        filter: RwSignal::new(String::new()),
    };
    let (lanes, filter) = (shown.lanes, shown.filter);

    // Live: a changed card (and its neighbours) is taken in place; the whole board is
    // fetched again only when the event cannot say everything that moved. The stream starts
    // where the board was read (opened again with each fresh read).
    let follow = move |events_after: String| {
        listen(
            format!(
                "/events?after={}",
                crate::model::service::encode_component(&events_after)
            ),
            move |event| match event {
                Some(LiveEvent::ChangeUpdated { cards, .. }) => {
                    let mut update = BoardUpdate::Applied;
                    shown.cards.update(|all| update = apply_cards(all, cards));
                    if update == BoardUpdate::Refetch {
                        board.refetch();
                    }
                }
                Some(LiveEvent::ScheduleChanged {
                    cards: Some(cards), ..
                }) => {
                    if !cards.is_empty() {
                        shown.cards.update(|all| apply_recounted(all, cards));
                    }
                }
                Some(
                    LiveEvent::MeetingUpdated { .. }
                    | LiveEvent::IncidentUpdated { .. }
                    | LiveEvent::RequestUpdated { .. },
                ) => {}
                Some(LiveEvent::ScheduleChanged { cards: None, .. }) | None => board.refetch(),
            },
            || {},
            move || board.refetch(),
        )
    };

    let submit = move |request: PendingMove,
                       comment: String,
                       review: Option<(String, String, String)>| {
        let (outcome, incidents, lessons) = match review {
            Some((o, i, l)) => (Some(o), Some(i), Some(l)),
            None => (None, None, None),
        };
        leptos::task::spawn_local(async move {
            let result = transition_change(
                request.card.id,
                request.card.version,
                request.action.as_str().to_string(),
                comment,
                outcome,
                incidents,
                lessons,
            )
            .await;
            match result {
                Ok(change) => notice.set(Some((
                    true,
                    format!("{} moved to {}.", change.reference(), change.state.label()),
                ))),
                Err(AppError::Conflict { .. }) => {
                    notice.set(Some((false, format!(
                        "{} was changed by someone else meanwhile; the board now shows its current state.",
                        reference(request.card.id)
                    ))));
                    board.refetch();
                }
                Err(error) => notice.set(Some((false, format!("Move refused: {error}")))),
            }
            // A move that went through comes back as a live event, like everyone else's.
        });
    };
    let request_move = move |card: ChangeCard, to: ChangeState, user: &CurrentUser| match check_move(
        &card, to, user,
    ) {
        Ok(action) if action.needs_comment() || action == ChangeAction::Review => {
            pending.set(Some(PendingMove { card, action, to }))
        }
        Ok(action) => submit(PendingMove { card, action, to }, String::new(), None),
        Err(reason) => notice.set(Some((
            false,
            format!("Move refused: {reason} ({})", reference(card.id)),
        ))),
    };

    view! {
        <Title text="Change board"/>
        <div class="page-header">
            <h1>"Change board"</h1>
            <div class="page-actions">
                <a class="button secondary" href="/changes">"List"</a>
                <a class="button" href="/changes/new">"New change"</a>
            </div>
        </div>
        <div class="search-bar board-tools">
            <div class="field">
                <label for="board-filter">"Quick filter"</label>
                <input id="board-filter" type="search" placeholder="Title, service or owner"
                    on:input=move |ev| filter.set(event_target_value(&ev).to_lowercase())/>
            </div>
            <div class="field">
                <label for="board-lanes">"Swimlanes"</label>
                <select id="board-lanes" on:change=move |ev| lanes.set(match event_target_value(&ev).as_str() {
                    "service" => Lanes::Service,
                    "owner" => Lanes::Owner,
                    "risk" => Lanes::Risk,
                    _ => Lanes::None,
                })>
                    <option value="none">"None"</option>
                    <option value="service">"By service"</option>
                    <option value="owner">"By owner"</option>
                    <option value="risk">"By risk"</option>
                </select>
            </div>
        </div>
        <div class="board-notice" role="status" aria-live="polite">
            {move || notice.get().map(|(ok, text)| view! {
                <p class=if ok { "banner banner-info" } else { "banner banner-error" }>{text}</p>
            })}
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                match (board.await, user) {
                    (Ok(snapshot), Some(user)) => {
                        shown.cards.set(snapshot.cards);
                        follow(snapshot.events_after);
                        let user = StoredValue::new(user);
                        let on_move = Callback::new(move |(card, to): (ChangeCard, ChangeState)| user.with_value(|u| request_move(card, to, u)));
                        let by_id = Callback::new(move |id: i64| shown.by_id(id));
                        view! {
                            <For each=move || shown.lane_names() key=|lane| lane.clone() let:lane>
                                <Lane lane shown user dragging on_move by_id/>
                            </For>
                        }
                        .into_any()
                    }
                    (Err(error), _) => view! { <ErrorPanel error/> }.into_any(),
                    (Ok(_), None) => view! { <ErrorPanel error=AppError::Unauthenticated/> }.into_any(),
                }
            })}
        </Transition>
        {move || pending.get().map(|request| view! { <MoveDialog request pending submit/> })}
    }
}

/// One swimlane: a row of columns.
#[component]
fn Lane(
    lane: String,
    shown: Shown,
    user: StoredValue<CurrentUser>,
    dragging: RwSignal<Option<ChangeCard>>,
    on_move: Callback<(ChangeCard, ChangeState)>,
    by_id: Callback<i64, Option<ChangeCard>>,
) -> impl IntoView {
    let label = if lane.is_empty() {
        "Board".to_string()
    } else {
        lane.clone()
    };
    let title = (!lane.is_empty()).then(|| view! { <h2 class="lane-title">{lane.clone()}</h2> });
    let lane = StoredValue::new(lane);
    view! {
        <section class="lane" aria-label=label>
            {title}
            <div class="board">
                {COLUMNS
                    .into_iter()
                    .map(|column| view! { <Column column lane shown user dragging on_move by_id/> })
                    .collect_view()}
            </div>
        </section>
    }
    .into_any()
}

/// One lifecycle column: highlights while a card it accepts is dragged, takes the drop.
/// Its cards are keyed by id and version, so a live event redraws only the cards it changed.
#[component]
fn Column(
    column: ChangeState,
    lane: StoredValue<String>,
    shown: Shown,
    user: StoredValue<CurrentUser>,
    dragging: RwSignal<Option<ChangeCard>>,
    on_move: Callback<(ChangeCard, ChangeState)>,
    by_id: Callback<i64, Option<ChangeCard>>,
) -> impl IntoView {
    let cards = Memo::new(move |_| lane.with_value(|lane| shown.cell(lane, column)));
    let count = move || cards.with(Vec::len);
    // Drawn a part at a time: hydrating a thousand cards at once kept the board frozen.
    let limit = RwSignal::new(FIRST_DRAWN);
    let drawn = Memo::new(move |_| {
        cards.with(|all| all.iter().take(limit.get()).cloned().collect::<Vec<_>>())
    });
    let hidden = Signal::derive(move || count().saturating_sub(limit.get()));
    let accepts = Callback::new(move |card: ChangeCard| {
        user.with_value(|u| check_move(&card, column, u).is_ok())
    });
    let on_drop = Callback::new(move |card: ChangeCard| on_move.run((card, column)));
    view! {
        <DropColumn state=column.as_str() dragging accepts on_drop>
            <h3 class="column-title">
                {column.label()}
                <span class="wip" aria-label=move || format!("{} changes", count())>{count}</span>
            </h3>
            <ul class="cards">
                <For each=move || drawn.get() key=|card| (card.id, card.version, card.conflicts) let:card>
                    <li class="card-item"><Card card user=user.get_value() dragging on_move by_id/></li>
                </For>
                <DrawMore hidden limit/>
            </ul>
        </DropColumn>
    }
    .into_any()
}

/// A change on the board.
#[component]
fn Card(
    card: ChangeCard,
    user: CurrentUser,
    dragging: RwSignal<Option<ChangeCard>>,
    on_move: Callback<(ChangeCard, ChangeState)>,
    by_id: Callback<i64, Option<ChangeCard>>,
) -> impl IntoView {
    let conflict = card.conflicts > 0 && !card.conflict_overridden;
    view! {
        <article
            class="change-card"
            draggable="true"
            tabindex="0"
            aria-label=format!("{} {}", reference(card.id), card.title)
            data-change=card.id
            on:dragstart=move |ev| dragging.set(card_id_of(&ev).and_then(|id| by_id.run(id)))
            on:dragend=move |_| dragging.set(None)
        >
            <p class="card-ref">
                <a href=format!("/changes/{}", card.id)>{reference(card.id)}</a>
                {conflict.then(|| view! { <span class="conflict-flag" title="Schedule conflict" aria-label="Schedule conflict">" ⚠"</span> })}
            </p>
            <p class="card-title">{card.title.clone()}</p>
            <p class="card-badges"><TypeBadge change_type=card.change_type/>" "<RiskBadge risk=card.risk/></p>
            <p class="card-meta">{card.services.join(", ")}</p>
            <p class="card-meta">{window_text(card.local_window.as_ref(), card.planned_start, card.planned_end)}</p>
            <p class="card-foot">
                <span class="avatar small" title=card.owner.name.clone()>{card.owner.initials()}</span>
                <MoveMenu
                    targets=COLUMNS.into_iter().filter(|to| check_move(&card, *to, &user).is_ok()).map(|to| (to, to.label())).collect()
                    card_attribute="data-change"
                    on_pick=Callback::new(move |(id, to)| if let Some(card) = by_id.run(id) { on_move.run((card, to)) })/>
            </p>
        </article>
    }
    .into_any()
}

/// Asks for what a move needs: a comment, or the post-implementation review.
#[component]
fn MoveDialog(
    request: PendingMove,
    pending: RwSignal<Option<PendingMove>>,
    submit: impl Fn(PendingMove, String, Option<(String, String, String)>)
        + Copy
        + Send
        + Sync
        + 'static,
) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let incidents = RwSignal::new("0".to_string());
    let lessons = RwSignal::new(String::new());
    let is_review = request.action == ChangeAction::Review;
    let title = format!(
        "{}: {} → {}",
        reference(request.card.id),
        request.card.state.label(),
        request.to.label()
    );
    let request = StoredValue::new(request);
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="move-dialog-title">
                <h2 id="move-dialog-title">{title}</h2>
                {if is_review {
                    view! {
                        <div class="field"><label for="dialog-outcome">"Outcome"</label>
                            <input id="dialog-outcome" autofocus=true on:input=move |ev| outcome.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="dialog-incidents">"Incidents caused"</label>
                            <input id="dialog-incidents" type="number" min=0 value="0" on:input=move |ev| incidents.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="dialog-lessons">"Lessons"</label>
                            <textarea id="dialog-lessons" on:input=move |ev| lessons.set(event_target_value(&ev))></textarea></div>
                    }.into_any()
                } else {
                    view! {
                        <div class="field"><label for="dialog-comment">"Why?"</label>
                            <textarea id="dialog-comment" autofocus=true on:input=move |ev| comment.set(event_target_value(&ev))></textarea></div>
                    }.into_any()
                }}
                <div class="form-actions">
                    <button type="button" class="button" on:click=move |_| {
                        let review = is_review.then(|| (outcome.get(), incidents.get(), lessons.get()));
                        pending.set(None);
                        submit(request.get_value(), comment.get(), review);
                    }>"Move"</button>
                    <button type="button" class="button secondary" on:click=move |_| pending.set(None)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::refs::PersonRef;
    use crate::model::risk::RiskLevel;

    #[test]
    fn a_card_is_held_by_exactly_the_lanes_it_is_drawn_in() {
        let mut card = ChangeCard {
            risk: Some(RiskLevel::High),
            services: vec!["Payroll".into(), "Mail".into()],
            owner: PersonRef {
                id: 2,
                name: "Ada".into(),
            },
            ..ChangeCard::sample(1)
        };
        let names = [
            "",
            "Payroll",
            "Mail",
            "No service",
            "Ada",
            "High risk",
            "Not assessed",
            "Other",
        ];
        for unserviced in [false, true] {
            if unserviced {
                card.services.clear();
                card.risk = None;
            }
            for lanes in [Lanes::None, Lanes::Service, Lanes::Owner, Lanes::Risk] {
                for name in names {
                    let drawn = lanes.of(&card).iter().any(|l| l == name);
                    assert_eq!(
                        lanes.holds(&card, name),
                        drawn || lanes == Lanes::None,
                        "{name:?}"
                    );
                }
            }
        }
    }
}
