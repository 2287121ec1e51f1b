//! The improvement register as a Kanban: a column per status, a card per entry. Drag a card
//! (or use its Move button from the keyboard) to ask for the lifecycle move; the shared rules
//! say which columns accept it, and the server decides.

use crate::api::improvements::{improvement_board, TransitionImprovement};
use crate::components::drag::{id_from_event, DropColumn, MoveMenu};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::use_session;
use crate::error::AppError;
use crate::model::actor::ActorFacts;
use crate::model::improvement::{
    action_towards, transition, ClosureCode, ImprovementAction, ImprovementState,
};
use crate::model::register::{improvement_reference, BoardColumn, Improvement};
use crate::model::user::CurrentUser;
use crate::pages::improvement_register::{priority_badge, register_params};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A move that needs something typed first: the outcome, or how the entry ended.
#[derive(Clone, PartialEq)]
struct PendingMove {
    entry: Improvement,
    action: ImprovementAction,
    to: ImprovementState,
}

fn card_id_of(event: &leptos::web_sys::Event) -> Option<i64> {
    id_from_event(event, "data-improvement")
}

/// Whether `user` may drop `entry` on column `to`, or why not.
fn check_move(
    entry: &Improvement,
    to: ImprovementState,
    user: &CurrentUser,
) -> Result<ImprovementAction, String> {
    if entry.state == to {
        return Err("The entry is already here.".into());
    }
    let Some(action) = action_towards(entry.state, to) else {
        return Err(format!(
            "An improvement cannot go from {} straight to {}.",
            entry.state.label(),
            to.label()
        ));
    };
    // The outcome can be typed with the move, so the board does not hold it back for that.
    let mut facts = entry.facts();
    facts.has_outcome |= action == ImprovementAction::Verify;
    let actor = ActorFacts::from(user);
    transition(&facts, action, &actor)
        .map(|_| action)
        .map_err(|refusal| refusal.0)
}

#[component]
pub fn ImprovementBoardPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let params = Memo::new(move |_| register_params(&query.read()));
    let board = Resource::new(move || params.get(), improvement_board);
    let dragging = RwSignal::new(None::<Improvement>);
    let notice = RwSignal::new(None::<(bool, String)>);
    let pending = RwSignal::new(None::<PendingMove>);
    let moved = ServerAction::<TransitionImprovement>::new();

    // Every answer from the server is said out loud and the board redrawn from the truth.
    Effect::new(move |_| {
        let Some(result) = moved.value().get() else {
            return;
        };
        match result {
            Ok(entry) => {
                pending.set(None);
                notice.set(Some((
                    true,
                    format!("{} moved to {}.", entry.reference(), entry.state.label()),
                )));
                board.refetch();
            }
            Err(AppError::Conflict { .. }) => {
                pending.set(None);
                notice.set(Some((
                    false,
                    "Someone else changed that entry meanwhile; the board now shows its current status.".into(),
                )));
                board.refetch();
            }
            // Field errors stay in the dialog, next to what needs fixing.
            Err(error) if error.field_errors().is_some() && pending.get_untracked().is_some() => {}
            Err(error) => {
                pending.set(None);
                notice.set(Some((false, format!("Move refused: {error}"))));
                board.refetch();
            }
        }
    });
    let submit = move |request: &PendingMove, outcome: String, closure: String| {
        moved.dispatch(TransitionImprovement {
            id: request.entry.id,
            version: request.entry.version,
            action: request.action.as_str().into(),
            outcome: Some(outcome),
            closure_code: Some(closure),
        });
    };
    let request_move =
        move |entry: Improvement, to: ImprovementState, user: &CurrentUser| match check_move(
            &entry, to, user,
        ) {
            Ok(action)
                if matches!(action, ImprovementAction::Verify | ImprovementAction::Close) =>
            {
                moved.value().set(None);
                pending.set(Some(PendingMove { entry, action, to }))
            }
            Ok(action) => submit(
                &PendingMove { entry, action, to },
                String::new(),
                String::new(),
            ),
            Err(reason) => notice.set(Some((
                false,
                format!(
                    "Move refused: {reason} ({})",
                    improvement_reference(entry.id)
                ),
            ))),
        };

    view! {
        <Title text="Improvement Kanban"/>
        <div class="page-head">
            <h1>"Improvement Kanban"</h1>
            <div class="page-actions">
                <a class="button secondary" href=move || params.with(|p| p.href(1))>"Table"</a>
                <a class="button" href="/improvements/new">"New improvement"</a>
            </div>
        </div>
        <p class="muted">"Drag a card to the status it should move to, or use its Move button. Columns that accept the card light up; a refused move says why."</p>
        <div class="board-notice" role="status" aria-live="polite">
            {move || notice.get().map(|(ok, text)| view! {
                <p class=if ok { "banner banner-info" } else { "banner banner-error" }>{text}</p>
            })}
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the Kanban…"</p> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                match (board.await, user) {
                    (Ok(columns), Some(user)) => {
                        let user = StoredValue::new(user);
                        let cards: Vec<Improvement> = columns.iter().flat_map(|c| c.entries.iter().cloned()).collect();
                        let cards = StoredValue::new(cards);
                        let on_move = Callback::new(move |(entry, to): (Improvement, ImprovementState)| user.with_value(|u| request_move(entry, to, u)));
                        let by_id = Callback::new(move |id: i64| cards.with_value(|all| all.iter().find(|c| c.id == id).cloned()));
                        view! {
                            <div class="board improvement-board">
                                {columns.into_iter().map(|column| view! { <Column column user=user.get_value() dragging on_move by_id/> }).collect_view()}
                            </div>
                        }.into_any()
                    }
                    (Err(error), _) => view! { <ErrorPanel error/> }.into_any(),
                    (Ok(_), None) => view! { <ErrorPanel error=AppError::Unauthenticated/> }.into_any(),
                }
            })}
        </Transition>
        {move || pending.get().map(|request| view! { <MoveDialog request pending moved submit/> })}
    }
}

/// One status column: highlights while a card it accepts is dragged, takes the drop.
#[component]
fn Column(
    column: BoardColumn,
    user: CurrentUser,
    dragging: RwSignal<Option<Improvement>>,
    on_move: Callback<(Improvement, ImprovementState)>,
    by_id: Callback<i64, Option<Improvement>>,
) -> impl IntoView {
    let state = column.state;
    let shown = column.entries.len();
    let total = column.total;
    let user = StoredValue::new(user);
    let accepts = Callback::new(move |entry: Improvement| {
        user.with_value(|u| check_move(&entry, state, u).is_ok())
    });
    let on_drop = Callback::new(move |entry: Improvement| on_move.run((entry, state)));
    view! {
        <DropColumn state=state.as_str() dragging accepts on_drop>
            <h2 class="column-title">
                {state.label()}
                <span class="wip" aria-label=format!("{total} entries")>{total}</span>
            </h2>
            {(total == 0).then(|| view! { <p class="muted small">"Nothing here."</p> })}
            <ul class="cards">
                {column.entries
                    .into_iter()
                    .map(|entry| view! { <li class="card-item"><Card entry user=user.get_value() dragging on_move by_id/></li> })
                    .collect_view()}
            </ul>
            {(total > shown).then(|| view! {
                <p class="muted small">
                    {format!("{} more — ", total - shown)}
                    <a href=format!("/improvements?state={}", state.as_str())>"see them in the table"</a>
                </p>
            })}
        </DropColumn>
    }
    .into_any()
}

/// An improvement on the board.
#[component]
fn Card(
    entry: Improvement,
    user: CurrentUser,
    dragging: RwSignal<Option<Improvement>>,
    on_move: Callback<(Improvement, ImprovementState)>,
    by_id: Callback<i64, Option<Improvement>>,
) -> impl IntoView {
    let reference = entry.reference();
    let due = entry
        .target_date
        .map(|d| format!("Due {}", d.format("%-d %b %Y")));
    view! {
        <article
            class="change-card"
            draggable="true"
            tabindex="0"
            aria-label=format!("{} {}", reference, entry.title)
            data-improvement=entry.id
            on:dragstart=move |ev| dragging.set(card_id_of(&ev).and_then(|id| by_id.run(id)))
            on:dragend=move |_| dragging.set(None)
        >
            <p class="card-ref"><a href=format!("/improvements/{}", entry.id)>{reference.clone()}</a></p>
            <p class="card-title">{entry.title.clone()}</p>
            <p class="card-badges">{priority_badge(entry.priority())}" "<span class="muted small">{entry.source.label()}</span></p>
            {due.map(|due| view! { <p class="card-meta">{due}</p> })}
            <p class="card-foot">
                <span class="avatar small" title=entry.owner.name.clone()>{entry.owner.initials()}</span>
                <MoveMenu
                    targets=ImprovementState::ALL.into_iter().filter(|to| check_move(&entry, *to, &user).is_ok()).map(|to| (to, to.label())).collect()
                    card_attribute="data-improvement"
                    label=format!("Move {}", entry.reference())
                    on_pick=Callback::new(move |(id, to)| if let Some(entry) = by_id.run(id) { on_move.run((entry, to)) })/>
            </p>
        </article>
    }
    .into_any()
}

/// Asks for what the move needs: the measured outcome (verify) or how it ended (close).
#[component]
fn MoveDialog(
    request: PendingMove,
    pending: RwSignal<Option<PendingMove>>,
    moved: ServerAction<TransitionImprovement>,
    submit: impl Fn(&PendingMove, String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let outcome = RwSignal::new(String::new());
    let closure = RwSignal::new(String::new());
    let closing = request.action == ImprovementAction::Close;
    let title = format!(
        "{}: {} → {}",
        request.entry.reference(),
        request.entry.state.label(),
        request.to.label()
    );
    let error = Signal::derive(move || moved.value().get().and_then(Result::err));
    let request = StoredValue::new(request);
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="move-dialog-title">
                <h2 id="move-dialog-title">{title}</h2>
                <FormErrors error/>
                {closing.then(|| view! {
                    <div class="field">
                        <label for="dialog-closure">"How did it end?"</label>
                        <select id="dialog-closure" autofocus=true on:change=move |ev| closure.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            {ClosureCode::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                <div class="field">
                    <label for="dialog-outcome">{if closing { "Outcome (optional)" } else { "Measured outcome" }}</label>
                    <textarea id="dialog-outcome" rows=3 autofocus=!closing on:input=move |ev| outcome.set(event_target_value(&ev))></textarea>
                    <p class="hint">"Leave it empty when the KPIs already show the outcome."</p>
                </div>
                <div class="form-actions">
                    <button type="button" class="button" disabled=move || moved.pending().get() on:click=move |_| {
                        request.with_value(|r| submit(r, outcome.get(), closure.get()));
                    }>"Move"</button>
                    <button type="button" class="button secondary" on:click=move |_| pending.set(None)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}
