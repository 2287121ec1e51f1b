//! The recovery timeline: each step as a bar from when it can start to when it finishes, the
//! critical path picked out, and the shortest RTO of the covered services as a line the
//! recovery must finish before. Drawn by the app as SVG, so it also prints and works
//! without JavaScript.

use crate::model::continuity_plan::PlanContent;
use crate::model::plan_overview::plan_warnings;
use crate::model::recovery::minutes_text;
use leptos::prelude::*;

const WIDTH: f64 = 960.0;
const LABEL: f64 = 300.0;
const ROW: f64 = 22.0;
const AXIS: f64 = 26.0;

/// A tick interval that gives about six ticks over `span` minutes.
fn tick_minutes(span: u32) -> u32 {
    const NICE: [u32; 12] = [
        15, 30, 60, 120, 240, 360, 720, 1440, 2880, 4320, 10080, 20160,
    ];
    NICE.into_iter().find(|t| span / t <= 8).unwrap_or(40320)
}

fn short(title: &str) -> String {
    let chars: Vec<char> = title.chars().collect();
    if chars.len() > 38 {
        chars[..37].iter().collect::<String>() + "…"
    } else {
        title.to_string()
    }
}

#[component]
pub fn PlanTimeline(
    #[prop(into)] content: Signal<PlanContent>,
    /// The covered services' RTOs, by service name.
    #[prop(into)]
    rtos: Signal<Vec<(String, u32)>>,
) -> impl IntoView {
    let analysis = Memo::new(move |_| {
        let content = content.get();
        let rtos = rtos.get();
        let (schedule, warnings) = plan_warnings(&content, &rtos);
        (content, schedule, warnings, rtos)
    });
    move || {
        analysis.with(|(content, schedule, _, rtos)| {
            let Some(schedule) = schedule else {
                return view! {
                    <p class="timeline-empty" role="status">"No timeline while steps wait for each other in a circle."</p>
                }
                .into_any();
            };
            if content.steps.is_empty() {
                return view! {
                    <p class="timeline-empty">"Add recovery steps to see how long the recovery takes."</p>
                }
                .into_any();
            }
            let shortest_rto = rtos.iter().map(|(_, rto)| *rto).min();
            let span = Ord::max(
                Ord::max(schedule.total_minutes, shortest_rto.unwrap_or(0)),
                1,
            );
            let scale = (WIDTH - LABEL - 12.0) / span as f64;
            let x = move |minutes: u32| LABEL + minutes as f64 * scale;
            let height = AXIS + ROW * content.steps.len() as f64 + 8.0;
            let tick = tick_minutes(span);
            let ticks: Vec<u32> = (0..=span / tick).map(|i| i * tick).collect();
            let critical = schedule.critical_path.clone();
            let summary = format!(
                "Recovery takes {} along its critical path of {} step{}.{}",
                minutes_text(schedule.total_minutes),
                critical.len(),
                if critical.len() == 1 { "" } else { "s" },
                shortest_rto
                    .map(|rto| format!(" The shortest RTO is {}.", minutes_text(rto)))
                    .unwrap_or_default()
            );
            let bars = content
                .steps
                .iter()
                .zip(&schedule.slots)
                .enumerate()
                .map(|(row, (step, slot))| {
                    let y = AXIS + ROW * row as f64;
                    let on_path = critical.contains(&step.key);
                    let width = f64::max((slot.finish - slot.start) as f64 * scale, 2.0);
                    let label = format!(
                        "{}#{} {}",
                        "  ".repeat(step.depth as usize),
                        step.key,
                        short(&step.title)
                    );
                    let tip = format!(
                        "#{} {}: starts at +{}, takes {}{}",
                        step.key,
                        step.title,
                        minutes_text(slot.start),
                        minutes_text(step.duration_minutes),
                        if on_path { " (critical path)" } else { "" }
                    );
                    view! {
                        <g class=if on_path { "timeline-row critical" } else { "timeline-row" }>
                            <title>{tip}</title>
                            <text x=4 y=y + 15.0 class="timeline-label">{label}</text>
                            <rect x=x(slot.start) y=y + 4.0 width=width height=ROW - 8.0 rx=3 class="timeline-bar"/>
                        </g>
                    }
                })
                .collect_view();
            let rto_line = shortest_rto.map(|rto| {
                let over = schedule.total_minutes > rto;
                view! {
                    <g class=if over { "timeline-rto over" } else { "timeline-rto" }>
                        <line x1=x(rto) x2=x(rto) y1=AXIS - 6.0 y2=height/>
                        <text x=x(rto) - 4.0 y=AXIS - 10.0 text-anchor="end">{format!("RTO {}", minutes_text(rto))}</text>
                    </g>
                }
            });
            view! {
                <figure class="timeline">
                    <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=summary.clone() preserveAspectRatio="xMinYMin meet">
                        {ticks.into_iter().map(|t| view! {
                            <g class="timeline-tick">
                                <line x1=x(t) x2=x(t) y1=AXIS - 4.0 y2=height/>
                                <text x=x(t) + 2.0 y=12>{if t == 0 { "0".to_string() } else { format!("+{}", minutes_text(t)) }}</text>
                            </g>
                        }).collect_view()}
                        {bars}
                        {rto_line}
                    </svg>
                    <figcaption class="timeline-summary" data-total=schedule.total_minutes>{summary}</figcaption>
                </figure>
            }
            .into_any()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_stay_few_over_any_span() {
        for span in [1, 50, 240, 1440, 10_000, 100_000] {
            let tick = tick_minutes(span);
            assert!(span / tick <= 8 || tick == 40320, "{span}: {tick}");
        }
        assert_eq!(short(&"x".repeat(50)).chars().count(), 38);
    }
}
