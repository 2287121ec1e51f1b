//! `/service-levels/report?service=N&month=2026-11`: the monthly service report (clauses
//! 9.4, 8.3.3, 8.7.1) — a month of one service against its agreement, with twelve months of
//! trend as charts and as a table. It prints without the app around it, and its figures
//! download as CSV.

use crate::api::incidents::incident_form_choices;
use crate::api::service_levels::service_report;
use crate::components::error_view::ErrorPanel;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::service_report::{bars, percent, MonthFigures, ServiceReport};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ServiceReportPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("service")
                    .and_then(|s| s.parse::<i64>().ok())
                    .filter(|id| *id > 0),
                super::query_text(q, "month", 7),
            )
        })
    });
    let report = Resource::new(
        move || asked.get(),
        |(service, month)| async move {
            match service {
                Some(id) => service_report(id, month).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let choices = Resource::new(|| (), |_| incident_form_choices());
    view! {
        <Title text="Monthly service report"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels">"Service levels"</a>" / Monthly report"</nav>
        <h1>"Monthly service report"</h1>
        <form method="get" action="/service-levels/report" class="filters report-controls" aria-label="Choose the report">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let services = choices.await.map(|c| c.services).unwrap_or_default();
                    let chosen = asked.get_untracked().0;
                    view! {
                        <div class="field">
                            <label for="report-service">"Service"</label>
                            <select id="report-service" name="service">
                                <option value="">"Choose…"</option>
                                {services.into_iter().map(|s| view! { <option value=s.id selected=chosen == Some(s.id)>{s.name}</option> }).collect_view()}
                            </select>
                        </div>
                    }
                })}
            </Transition>
            <div class="field">
                <label for="report-month">"Month"</label>
                <input id="report-month" name="month" type="month" placeholder="2026-11" value=move || asked.with(|a| a.1.clone())/>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Show the report"</button></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Working out the report…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some(report)) => view! { <ReportView report/> }.into_any(),
                    Ok(None) => view! {
                        <div class="empty-state">
                            <p><strong>"Choose a service."</strong></p>
                            <p>"The report shows a month of the service against its agreement — incidents, availability, requests and changes — with the eleven months before it."</p>
                        </div>
                    }.into_any(),
                    Err(error) => {
                        // A month the report cannot cover is said as such, not as a failure.
                        let month = error
                            .field_errors()
                            .and_then(|f| f.get("month").map(str::to_string));
                        match month {
                            Some(message) => view! { <p class="field-error" role="alert">{message}</p> }.into_any(),
                            None => view! { <ErrorPanel error/> }.into_any(),
                        }
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ReportView(report: ServiceReport) -> impl IntoView {
    let Some(figures) = report.figures().cloned() else {
        return view! { <p class="muted">"No month to show."</p> }.into_any();
    };
    let month = report.month;
    let csv = format!(
        "/service-levels/report.csv?service={}&month={}",
        report.service.id,
        month.code()
    );
    let availability = match (figures.availability_target, figures.availability_met()) {
        (Some(target), Some(met)) => view! {
            {percent(figures.availability)}" against "{percent(target)}" agreed "
            <span class=if met { "badge clock-on_track" } else { "badge clock-breached" }>{if met { "Met" } else { "Missed" }}</span>
        }.into_any(),
        _ => view! { {percent(figures.availability)}" (no agreement sets a target)" }.into_any(),
    };
    let in_time = figures
        .in_time_percent()
        .map(|p| {
            format!(
                "{p} % of {} resolved",
                figures.resolved_in_time + figures.resolved_late
            )
        })
        .unwrap_or_else(|| "None resolved".into());
    let trend = report.trend.clone();
    let missed = figures.missed_targets();
    let follow_up = (!missed.is_empty()).then(|| {
        let what = format!("{} in {}", report.service.name, month.label());
        let improvement = StoredValue::new(improvement_href(
            &format!("Targets missed for {what}: {}", missed.join("; ")),
            report.service.id,
        ));
        let problem = StoredValue::new(problem_href(
            &format!("Repeated target breaches on {what}"),
            report.service.id,
        ));
        view! {
            <div class="banner banner-warning" role="status">
                <p><strong>"Targets missed: "</strong>{missed.join("; ")}"."</p>
                <p>
                    <IfAllowed permission=Permission::ImprovementRaise>
                        <a href=improvement.get_value()>"Raise an improvement for this month"</a>" · "
                    </IfAllowed>
                    <IfAllowed permission=Permission::ProblemWork>
                        <a href=problem.get_value()>"Raise a problem to find the cause"</a>
                    </IfAllowed>
                </p>
            </div>
        }
    });
    view! {
        <section class="service-report" aria-labelledby="report-heading">
            <h2 id="report-heading">{format!("{} — {}", report.service.name, month.label())}</h2>
            <p class="muted">
                {report.agreement.clone().map(|a| format!("Measured against {a}. ")).unwrap_or_else(|| "No agreement covers the service this month. ".into())}
                "Availability is calendar time without the outages of service-affecting incidents, overlaps counted once."
            </p>
            {follow_up}
            <p class="report-controls"><a href=csv download="">"Download the twelve months as CSV"</a>" · The page prints without the app's controls."</p>
            <dl class="details report-figures">
                <dt>"Incidents reported"</dt>
                <dd>
                    {figures.incidents()}" ("
                    {figures.by_priority.iter().map(|(p, n)| format!("{} {n}", p.as_str().to_uppercase())).collect::<Vec<_>>().join(", ")}
                    ")"
                </dd>
                <dt>"Resolved within target"</dt><dd>{in_time}</dd>
                <dt>"Availability"</dt><dd>{availability}</dd>
                <dt>"Outage"</dt><dd>{format!("{} min", figures.outage_minutes)}</dd>
                <dt>"Requests fulfilled"</dt><dd>{format!("{} ({} within target) of {} raised", figures.requests_fulfilled, figures.requests_in_time, figures.requests)}</dd>
                <dt>"Changes"</dt><dd>{format!("{} planned, {} failed", figures.changes, figures.changes_failed)}</dd>
            </dl>
            <h3>"Twelve months"</h3>
            <div class="report-charts">
                <TrendChart title="Incidents reported" values=trend.iter().map(MonthFigures::incidents).collect() trend=trend.clone()/>
                <TrendChart title="Outage minutes" values=trend.iter().map(|m| m.outage_minutes.clamp(0, u32::MAX as i64) as u32).collect() trend=trend.clone()/>
                <TrendChart title="Requests fulfilled" values=trend.iter().map(|m| m.requests_fulfilled).collect() trend=trend.clone()/>
            </div>
            <div class="table-wrap">
                <table class="data-table">
                    <caption class="visually-hidden">"The report's twelve months"</caption>
                    <thead><tr>
                        <th scope="col">"Month"</th>
                        <th scope="col">"Incidents"</th>
                        <th scope="col">"In time / late"</th>
                        <th scope="col">"Availability"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Requests fulfilled (in time)"</th>
                        <th scope="col">"Changes (failed)"</th>
                    </tr></thead>
                    <tbody>
                        {trend.into_iter().rev().map(|m| view! {
                            <tr>
                                <th scope="row">{m.month.label()}</th>
                                <td>{m.incidents()}</td>
                                <td>{format!("{} / {}", m.resolved_in_time, m.resolved_late)}</td>
                                <td>{percent(m.availability)}</td>
                                <td>{m.availability_target.map(percent).unwrap_or_else(|| "—".into())}</td>
                                <td>{format!("{} ({})", m.requests_fulfilled, m.requests_in_time)}</td>
                                <td>{format!("{} ({})", m.changes, m.changes_failed)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// Twelve months as bars, described for screen readers by its values.
#[component]
fn TrendChart(title: &'static str, values: Vec<u32>, trend: Vec<MonthFigures>) -> impl IntoView {
    let (width, height) = (360.0, 120.0);
    let slot = width / values.len().max(1) as f64;
    let description = format!(
        "{title}, {} to {}: {}",
        trend.first().map(|m| m.month.label()).unwrap_or_default(),
        trend.last().map(|m| m.month.label()).unwrap_or_default(),
        trend
            .iter()
            .zip(&values)
            .map(|(m, v)| format!("{} {v}", m.month.short()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let drawn = bars(&values, width, height);
    view! {
        <figure class="report-chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {width} {}", height + 16.0) role="img" aria-label=description>
                {drawn.into_iter().zip(trend).map(|((x, y, h), m)| view! {
                    <rect class="bar" x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")/>
                    <text class="axis" x=format!("{:.1}", x + slot * 0.35) y=format!("{:.1}", height + 12.0) text-anchor="middle">{m.month.short()}</text>
                }).collect_view()}
            </svg>
        </figure>
    }
}

/// The new-improvement form, filled in from a month that missed its targets.
fn improvement_href(title: &str, service_id: i64) -> String {
    let query = serde_urlencoded::to_string([
        ("title", crate::model::text::shorten(title, 160)),
        (
            "source",
            crate::model::improvement::Source::IncidentTrend
                .as_str()
                .to_string(),
        ),
        ("service", service_id.to_string()),
    ])
    .unwrap_or_default();
    format!("/improvements/new?{query}")
}

/// The new-problem form, filled in for the service.
fn problem_href(title: &str, service_id: i64) -> String {
    let query = serde_urlencoded::to_string([
        ("title", crate::model::text::shorten(title, 160)),
        ("service", service_id.to_string()),
    ])
    .unwrap_or_default();
    format!("/problems/new?{query}")
}
