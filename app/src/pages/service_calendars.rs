//! `/service-levels/calendars` and `/service-levels/calendars/:id`: the service hours that
//! agreement targets are measured on (time zone, hours per weekday, holidays). Editing hours
//! moves clocks from their next step; what was measured stays measured.

use super::id_param;
use crate::api::service_levels::{get_calendar, list_calendars, CreateCalendar, UpdateCalendar};
use crate::components::change_fields::{field_error, field_error_named};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::service_hours::{ServiceHoursForm, StoredCalendar};
use leptos::prelude::*;
use leptos_meta::Title;

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The calendar's fields, named `form[…]` as `ServiceHoursForm` reads them.
#[component]
fn CalendarFields(initial: ServiceHoursForm, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div class="field-row">
            <div class="field">
                <label for="hours-name">"Name"</label>
                <input id="hours-name" name="form[name]" value=initial.name.clone() aria-describedby="hours-name-error"/>
                <p class="field-error" id="hours-name-error" aria-live="polite">{field_error(error, "name")}</p>
            </div>
            <div class="field">
                <label for="hours-zone">"Time zone"</label>
                <input id="hours-zone" name="form[time_zone]" value=initial.time_zone.clone() placeholder="Europe/London" aria-describedby="hours-zone-hint hours-zone-error"/>
                <p class="hint" id="hours-zone-hint">"As in the IANA database: Europe/London, America/New_York, UTC."</p>
                <p class="field-error" id="hours-zone-error" aria-live="polite">{field_error(error, "time_zone")}</p>
            </div>
        </div>
        <fieldset class="field">
            <legend>"Hours per day (empty: no service that day)"</legend>
            {WEEKDAYS.into_iter().enumerate().map(|(day, name)| {
                let id = format!("hours-day-{day}");
                let field = format!("day_{day}");
                let message = field_error_named(error, field);
                view! {
                    <div class="field inline-field">
                        <label for=id.clone()>{name}</label>
                        <input id=id name=format!("form[days][{day}]") value=initial.days[day].clone() placeholder="08:00-18:00"/>
                        <span class="field-error" aria-live="polite">{message}</span>
                    </div>
                }
            }).collect_view()}
        </fieldset>
        <div class="field">
            <label for="hours-holidays">"Holidays, one per line"</label>
            <textarea id="hours-holidays" name="form[holidays]" rows=5 placeholder="2027-12-25 Christmas Day" aria-describedby="hours-holidays-error">{initial.holidays.clone()}</textarea>
            <p class="field-error" id="hours-holidays-error" aria-live="polite">{field_error(error, "holidays")}</p>
        </div>
    }
}

fn week_summary(calendar: &StoredCalendar) -> String {
    WEEKDAYS
        .iter()
        .zip(calendar.hours.week.iter())
        .filter_map(|(name, hours)| hours.map(|h| format!("{} {}", &name[..3], h)))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
pub fn ServiceCalendarsPage() -> impl IntoView {
    let create = ServerAction::<CreateCalendar>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let calendars = Resource::new(move || create.version().get(), |_| list_calendars());
    let initial = StoredValue::new(ServiceHoursForm {
        time_zone: "UTC".into(),
        days: [
            "08:00-18:00",
            "08:00-18:00",
            "08:00-18:00",
            "08:00-18:00",
            "08:00-18:00",
            "",
            "",
        ]
        .map(String::from),
        ..Default::default()
    });
    view! {
        <Title text="Service hours"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels">"Service levels"</a>" / Service hours"</nav>
        <h1>"Service hours"</h1>
        <p class="muted">"Targets count only while the service is open: the hours of each weekday in the calendar's time zone, less its holidays. Daylight-saving days last as long as the clock on the wall says."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading service hours…"</p> }>
            {move || Suspend::new(async move {
                match calendars.await {
                    Ok(list) if list.is_empty() => view! { <div class="empty-state"><p><strong>"No service hours yet."</strong></p><p>"Add the hours your agreements are measured in."</p></div> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="data-table">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Time zone"</th><th scope="col">"Hours"</th><th scope="col">"Holidays"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|c| view! {
                                        <tr>
                                            <td><a href=format!("/service-levels/calendars/{}", c.id)>{c.hours.name.clone()}</a></td>
                                            <td>{c.hours.time_zone.clone()}</td>
                                            <td>{week_summary(&c)}</td>
                                            <td>{c.hours.holidays.len()}</td>
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
            <section class="panel" aria-labelledby="new-hours-heading">
                <h2 id="new-hours-heading">"Add service hours"</h2>
                <ActionForm action=create attr:class="form" attr:novalidate=true>
                    <FormErrors error/>
                    <CalendarFields initial=initial.get_value() error/>
                    <div class="form-actions"><button type="submit" class="button" disabled=move || create.pending().get()>"Add"</button></div>
                </ActionForm>
            </section>
        </IfAllowed>
    }
}

#[component]
pub fn ServiceCalendarPage() -> impl IntoView {
    let id = id_param();
    let update = ServerAction::<UpdateCalendar>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    let calendar = Resource::new(
        move || (id.get(), update.version().get()),
        |(id, _)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("Those service hours".into()))?;
            get_calendar(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match calendar.await {
                    Ok(calendar) => {
                        let form = StoredValue::new(ServiceHoursForm::of(&calendar.hours));
                        let (calendar_id, version) = (calendar.id, calendar.version);
                        view! {
                        <Title text=calendar.hours.name.clone()/>
                        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels/calendars">"Service hours"</a>" / "{calendar.hours.name.clone()}</nav>
                        <h1>{calendar.hours.name.clone()}</h1>
                        <p>{format!("{} · {} hours a week · {}", calendar.hours.time_zone, calendar.hours.weekly_minutes() / 60, week_summary(&calendar))}</p>
                        <IfAllowed permission=Permission::AgreementManage>
                            <section class="panel" aria-labelledby="edit-hours-heading">
                                <h2 id="edit-hours-heading">"Change the hours"</h2>
                                <p class="hint">"Clocks already running keep the due times worked out when they last moved; the new hours count from their next step."</p>
                                <ActionForm action=update attr:class="form" attr:novalidate=true>
                                    <FormErrors error/>
                                    {move || saved().then(|| view! { <p class="banner banner-success" role="status">"Saved."</p> })}
                                    <input type="hidden" name="id" value=calendar_id/>
                                    <input type="hidden" name="version" value=version/>
                                    <CalendarFields initial=form.get_value() error/>
                                    <div class="form-actions"><button type="submit" class="button" disabled=move || update.pending().get()>"Save"</button></div>
                                </ActionForm>
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
