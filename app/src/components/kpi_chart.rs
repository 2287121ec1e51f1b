//! The KPI trend chart: measured values against the baseline and target lines, as an SVG
//! with a text description for screen readers. Used by the improvement register and the
//! service management objectives.

use crate::model::improvement::{Kpi, Measurement};
use crate::model::register::chart_geometry;
use leptos::prelude::*;

#[component]
pub fn KpiTrendChart(kpi: Kpi, measurements: Vec<Measurement>) -> impl IntoView {
    let (width, height) = (480.0, 160.0);
    let geometry = chart_geometry(&kpi, &measurements, width, height);
    let unit = kpi.unit.clone();
    let latest = measurements.iter().max_by_key(|m| m.on).copied();
    let polyline = geometry
        .points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let description = format!(
        "{}: baseline {} {unit}, target {} {unit}, {} measurement(s){}",
        kpi.name,
        kpi.baseline,
        kpi.target,
        measurements.len(),
        latest
            .map(|m| format!(", latest {} {unit} on {}", m.value, m.on))
            .unwrap_or_default()
    );
    view! {
        <svg class="kpi-chart" viewBox=format!("-8 -8 {} {}", width + 16.0, height + 16.0) role="img" aria-label=description>
            <line class="baseline" x1="0" x2=width y1=geometry.baseline_y y2=geometry.baseline_y/>
            <line class="target" x1="0" x2=width y1=geometry.target_y y2=geometry.target_y/>
            <polyline class="trend" points=polyline/>
            {geometry.points.iter().map(|(x, y)| view! { <circle class="point" cx=*x cy=*y r="4"/> }).collect_view()}
        </svg>
        <p class="chart-legend"><span class="legend-target">"— target"</span>" "<span class="legend-baseline">"— baseline"</span>" "<span class="legend-trend">"— measured"</span></p>
    }
}
