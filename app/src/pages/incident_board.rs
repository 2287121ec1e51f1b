//! `/incidents/board`: open incidents by state, each column due soonest first, under the
//! queue's filters. Live like the queue: a step taken anywhere moves the cards.

use crate::api::incidents::incident_board;
use crate::components::error_view::ErrorPanel;
use crate::components::live::refresh_on_live_events_where;
use crate::components::target_clocks::{status_badge, ticking_now};
use crate::model::incident_queue::QueueRow;
use crate::model::live::LiveEvent;
use crate::pages::incidents::{queue_params, ticket_priority_badge};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn IncidentBoardPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| queue_params(&query.read()));
    let board = Resource::new(move || params.get(), incident_board);
    refresh_on_live_events_where(
        |event| matches!(event, LiveEvent::IncidentUpdated { .. }),
        move || board.refetch(),
    );
    view! {
        <Title text="Incident board"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / Board"</nav>
        <div class="page-head">
            <h1>"Incident board"</h1>
            <div class="page-actions">
                <a class="button secondary" href=move || params.with(|p| p.href_at(1, None))>"Queue"</a>
            </div>
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => {
                        let now = ticking_now(board.read_at);
                        view! {
                            <div class="board incident-board">
                                {board.columns.into_iter().map(|(state, page)| {
                                    let heading = format!("{} ({})", state.label(), page.total_label());
                                    let label = heading.clone();
                                    let more = page.total.saturating_sub(page.rows.len() as u64);
                                    let more = if page.more { format!("{more}+") } else { more.to_string() };
                                    let has_more = page.more || page.total > page.rows.len() as u64;
                                    let rest = params.with_untracked(|p| {
                                        let mut p = p.clone();
                                        p.state = state.as_str().to_string();
                                        p.href_at(1, None)
                                    });
                                    view! {
                                        <section class="board-column" aria-label=label>
                                            <h2>{heading}</h2>
                                            {if page.rows.is_empty() {
                                                view! { <p class="muted">"None."</p> }.into_any()
                                            } else {
                                                view! {
                                                    <ul class="incident-cards">
                                                        {page.rows.into_iter().map(|row| view! { <IncidentCard row now/> }).collect_view()}
                                                    </ul>
                                                }.into_any()
                                            }}
                                            {has_more.then(|| view! { <p><a href=rest>{format!("{more} more in the queue")}</a></p> })}
                                        </section>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn IncidentCard(row: QueueRow, now: ReadSignal<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    let reading = row.resolution_reading();
    view! {
        <li class="card incident-card">
            <p><a href=format!("/incidents/{}", row.id)>{row.reference.clone()}</a>" "{ticket_priority_badge(row.priority)}{row.major.then(|| view! { " "<span class="badge major">"Major"</span> })}</p>
            <p>{row.title.clone()}</p>
            <p class="muted">{row.service.clone()}" · "{row.assignee.clone().unwrap_or_else(|| "Unassigned".into())}</p>
            {reading.map(|reading| view! { <p>{move || status_badge(reading.status_at(now.get()))}</p> })}
        </li>
    }
}
