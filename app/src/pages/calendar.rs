//! The change calendar: month, week and day views of scheduled changes with blackout and
//! maintenance windows and schedule conflicts, in the reader's time zone.

use crate::api::schedule::change_calendar;
use crate::components::change_badges::{RiskBadge, StateBadge};
use crate::components::error_view::ErrorPanel;
use crate::components::live::refresh_on_live_events_where;
use crate::model::calendar::{Calendar, CalendarChange, CalendarDay, CalendarView, CalendarWindow};
use crate::model::change_request::reference;
use crate::model::live::LiveEvent;
use crate::model::schedule::WindowKind;
use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// How many changes a month cell lists before pointing to the day view.
const MONTH_CELL_LIMIT: usize = 4;

fn calendar_href(view: CalendarView, date: NaiveDate) -> String {
    format!(
        "/calendar?view={}&date={}",
        view.as_str(),
        date.format("%Y-%m-%d")
    )
}

/// "22:00–02:00" within a day; a span that began earlier or ends later says so.
fn span_on(day: NaiveDate, start: NaiveDateTime, end: NaiveDateTime) -> String {
    let from = if start.date() == day {
        start.format("%H:%M").to_string()
    } else {
        "…".to_string()
    };
    let to = if end.date() == day
        || (end.date() == day.succ_opt().unwrap_or(day) && end.time() == chrono::NaiveTime::MIN)
    {
        end.format("%H:%M").to_string()
    } else {
        "…".to_string()
    };
    format!("{from}–{to}")
}

fn full_span(start: NaiveDateTime, end: NaiveDateTime) -> String {
    if start.date() == end.date() {
        format!(
            "{} {}–{}",
            start.format("%a %-d %b"),
            start.format("%H:%M"),
            end.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            start.format("%a %-d %b %H:%M"),
            end.format("%a %-d %b %H:%M")
        )
    }
}

#[component]
fn ChangeChip(change: CalendarChange, day: NaiveDate) -> impl IntoView {
    let conflicted = !change.conflicts.is_empty();
    // The chip shows the time on this day, the reference and the title; its name says the same
    // first (a name that starts with the visible text is what speech input users can say), then
    // the whole span and any conflict, read out but not shown.
    let details = format!(
        ", {}{}",
        full_span(change.start, change.end),
        if conflicted {
            format!(", conflict: {}", change.conflicts.join(" "))
        } else {
            String::new()
        }
    );
    let title = format!("{} {}{details}", reference(change.id), change.title);
    view! {
        <a class=format!("cal-change state-{}{}", change.state.as_str(), if conflicted { " has-conflict" } else { "" })
            href=format!("/changes/{}", change.id) title=title data-change=change.id>
            <span class="cal-time">{span_on(day, change.start, change.end)}</span>" "
            {conflicted.then(|| view! { <span class="conflict-flag" aria-hidden="true">"⚠ "</span> })}
            <span class="cal-ref">{reference(change.id)}</span>" "{change.title.clone()}
            <span class="visually-hidden">{details}</span>
        </a>
    }
}

#[component]
fn WindowBand(window: CalendarWindow, day: NaiveDate) -> impl IntoView {
    let scope = window
        .service
        .clone()
        .unwrap_or_else(|| "All services".into());
    // Shown short; the kind in full, the scope and the whole span are read out but not shown.
    let details = format!(
        ", {} ({scope}), {}",
        window.kind.label(),
        full_span(window.start, window.end)
    );
    let title = format!(
        "{}: {} ({scope}), {}",
        window.kind.label(),
        window.name,
        full_span(window.start, window.end)
    );
    view! {
        <div class=format!("cal-window window-{}", window.kind.as_str()) title=title data-window=window.id>
            {if window.kind == WindowKind::Blackout { "Freeze " } else { "Maint. " }}
            <span class="cal-time">{span_on(day, window.start, window.end)}</span>" "{window.name.clone()}
            <span class="visually-hidden">{details}</span>
        </div>
    }
}

fn day_items(calendar: &Calendar, day: &CalendarDay, limit: Option<usize>) -> impl IntoView {
    let shown = limit.unwrap_or(usize::MAX);
    let more = day.changes.len().saturating_sub(shown);
    let date = day.date;
    view! {
        {day.windows.iter().map(|i| view! { <WindowBand window=calendar.windows[*i].clone() day=date/> }).collect_view()}
        {day.changes.iter().take(shown).map(|i| view! { <ChangeChip change=calendar.changes[*i].clone() day=date/> }).collect_view()}
        {(more > 0).then(|| view! { <a class="cal-more" href=calendar_href(CalendarView::Day, date)>{format!("+{more} more")}</a> })}
    }
}

fn day_heading_class(calendar: &Calendar, day: &CalendarDay) -> String {
    let mut class = String::from("cal-day");
    if day.outside {
        class.push_str(" outside");
    }
    if day.date == calendar.today {
        class.push_str(" today");
    }
    if day
        .windows
        .iter()
        .any(|i| calendar.windows[*i].kind == WindowKind::Blackout)
    {
        class.push_str(" frozen");
    }
    class
}

fn month_view(calendar: &Calendar) -> impl IntoView {
    let weeks: Vec<&[CalendarDay]> = calendar.days.chunks(7).collect();
    view! {
        <div class="table-wrap">
            <table class="calendar-month">
                <caption class="visually-hidden">{calendar.view.title(calendar.anchor)}</caption>
                <thead><tr>
                    {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].into_iter().map(|d| view! { <th scope="col">{d}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {weeks.into_iter().map(|week| view! {
                        <tr>
                            {week.iter().map(|day| view! {
                                <td class=day_heading_class(calendar, day) data-date=day.date.format("%Y-%m-%d").to_string()>
                                    <a class="cal-date" href=calendar_href(CalendarView::Day, day.date)
                                        aria-label=day.date.format("%A %-d %B").to_string()>{day.date.format("%-d").to_string()}</a>
                                    {day_items(calendar, day, Some(MONTH_CELL_LIMIT))}
                                </td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn week_view(calendar: &Calendar) -> impl IntoView {
    view! {
        <div class="calendar-week">
            {calendar.days.iter().map(|day| view! {
                <section class=day_heading_class(calendar, day) data-date=day.date.format("%Y-%m-%d").to_string()
                    aria-label=day.date.format("%A %-d %B").to_string()>
                    <h2><a href=calendar_href(CalendarView::Day, day.date)>{day.date.format("%a %-d %b").to_string()}</a></h2>
                    {day_items(calendar, day, None)}
                    {(day.changes.is_empty() && day.windows.is_empty()).then(|| view! { <p class="muted">"Nothing scheduled"</p> })}
                </section>
            }).collect_view()}
        </div>
    }
}

fn day_view(calendar: &Calendar) -> impl IntoView {
    let Some(day) = calendar.days.first() else {
        return ().into_any();
    };
    let date = day.date;
    let empty = day.changes.is_empty() && day.windows.is_empty();
    view! {
        <div class=day_heading_class(calendar, day) data-date=date.format("%Y-%m-%d").to_string()>
            {(!day.windows.is_empty()).then(|| view! {
                <h2>"Windows"</h2>
                {day.windows.iter().map(|i| view! { <WindowBand window=calendar.windows[*i].clone() day=date/> }).collect_view()}
            })}
            {(!day.changes.is_empty()).then(|| view! {
                <h2>"Changes"</h2>
                <ul class="cal-day-list">
                    {day.changes.iter().map(|i| {
                        let change = calendar.changes[*i].clone();
                        view! {
                            <li>
                                <ChangeChip change=change.clone() day=date/>
                                <div class="cal-details">
                                    <StateBadge state=change.state/>" "<RiskBadge risk=change.risk/>
                                    " "<span class="muted">{full_span(change.start, change.end)}</span>
                                    {(!change.services.is_empty()).then(|| view! { " · "<span>{change.services.join(", ")}</span> })}
                                </div>
                                {(!change.conflicts.is_empty()).then(|| view! {
                                    <ul class="conflict-list">
                                        {change.conflicts.iter().map(|c| view! { <li>"⚠ "{c.clone()}</li> }).collect_view()}
                                    </ul>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {empty.then(|| view! {
                <div class="empty-state"><p><strong>"Nothing is scheduled on this day."</strong></p>
                <p><a href=calendar_href(CalendarView::Week, date)>"See the whole week"</a></p></div>
            })}
        </div>
    }
    .into_any()
}

#[component]
fn CalendarBody(calendar: Calendar) -> impl IntoView {
    let view_kind = calendar.view;
    let anchor = calendar.anchor;
    let conflicts = calendar
        .changes
        .iter()
        .filter(|c| !c.conflicts.is_empty())
        .count();
    view! {
        <div class="calendar-toolbar">
            <nav class="segmented" aria-label="Calendar view">
                {CalendarView::ALL.into_iter().map(|v| view! {
                    <a href=calendar_href(v, anchor) aria-current=(v == view_kind).then_some("page")>{v.label()}</a>
                }).collect_view()}
            </nav>
            <nav class="segmented" aria-label="Move in time">
                <a href=calendar_href(view_kind, view_kind.step(anchor, -1)) rel="prev">"← Previous"</a>
                <a href=calendar_href(view_kind, calendar.today)>"Today"</a>
                <a href=calendar_href(view_kind, view_kind.step(anchor, 1)) rel="next">"Next →"</a>
            </nav>
            <h2 class="calendar-title" aria-live="polite">{view_kind.title(anchor)}</h2>
            <p class="muted">{format!("Times in {}", calendar.time_zone)}" · "<a href="/account">"change"</a></p>
        </div>
        <p class="result-summary" role="status">
            {format!("{} scheduled changes, {} windows", calendar.changes.len(), calendar.windows.len())}
            {(conflicts > 0).then(|| view! { <strong class="conflict-summary">{format!(" · {conflicts} with conflicts")}</strong> })}
        </p>
        <ul class="calendar-legend" aria-label="Legend">
            <li><span class="swatch window-blackout"></span>"Blackout (freeze)"</li>
            <li><span class="swatch window-maintenance"></span>"Maintenance window"</li>
            <li><span class="conflict-flag">"⚠"</span>" Schedule conflict"</li>
        </ul>
        {match view_kind {
            CalendarView::Month => month_view(&calendar).into_any(),
            CalendarView::Week => week_view(&calendar).into_any(),
            CalendarView::Day => day_view(&calendar).into_any(),
        }}
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        query.with(|q| crate::model::calendar::CalendarParams {
            view: q.get("view"),
            date: q.get("date"),
        })
    });
    let calendar = Resource::new(move || params.get(), change_calendar);
    // A change or window moved somewhere: conflicts and placements may differ.
    refresh_on_live_events_where(
        |event| {
            matches!(
                event,
                LiveEvent::ChangeUpdated { .. } | LiveEvent::ScheduleChanged { .. }
            )
        },
        move || calendar.refetch(),
    );
    view! {
        <Title text="Change calendar"/>
        <div class="page-header">
            <h1>"Change calendar"</h1>
            <div class="page-actions">
                <a class="button secondary" href="/calendar/windows">"Blackout & maintenance windows"</a>
                <a class="button secondary" href="/account#calendar-feed">"Subscribe"</a>
                <a class="button secondary" href="/changes/board">"Board"</a>
            </div>
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the calendar…"</p> }>
            {move || Suspend::new(async move {
                match calendar.await {
                    Ok(calendar) => view! { <CalendarBody calendar/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
