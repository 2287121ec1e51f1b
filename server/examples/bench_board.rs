//! Data and timings for the change-board benchmarks (run by `scripts/bench.sh`).
//!
//! `bench_board conflicts` times conflict detection over 10,000 scheduled changes against a
//! baseline measured in the same run (sorting the same changes by start, the floor of any
//! sweep). `bench_board seed <database-url>` fills a database with the demo data plus
//! changes up to 5,000, of which 1,000 are on the board (open) and the rest closed long ago.

use app::model::schedule::{detect, PlannedChange, ScheduleWindow, Window, WindowKind};
use chrono::{Duration, Utc};
use std::time::Instant;

#[path = "common/changes.rs"]
mod bench_changes;

const SCHEDULED: usize = 10_000;
const TOTAL: usize = 5_000;
const ON_BOARD: usize = 1_000;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// 10,000 changes over six weeks on 12 services with 40 implementers, 100 windows.
fn schedule() -> (Vec<PlannedChange>, Vec<ScheduleWindow>) {
    let origin = Utc::now();
    let changes = (0..SCHEDULED)
        .map(|i| {
            // A deterministic spread: start every ~6 minutes, 30–150 minutes long.
            let start = origin + Duration::minutes((i as i64 * 6043) % (42 * 24 * 60));
            let end = start + Duration::minutes(30 + (i as i64 * 37) % 120);
            PlannedChange {
                id: i as i64 + 1,
                window: Window::new(start, end).expect("end after start"),
                service_ids: vec![(i % 12) as i64 + 1, ((i * 7) % 12) as i64 + 1],
                implementer_ids: vec![(i % 40) as i64 + 1],
            }
        })
        .collect();
    let windows = (0..100)
        .map(|i| {
            let start = origin + Duration::hours(i * 10);
            ScheduleWindow {
                id: i + 1,
                kind: if i % 10 == 0 {
                    WindowKind::Blackout
                } else {
                    WindowKind::Maintenance
                },
                name: format!("Window {i}"),
                service_id: (i % 3 != 0).then_some(i % 12 + 1),
                window: Window::new(start, start + Duration::hours(4)).expect("end after start"),
            }
        })
        .collect();
    (changes, windows)
}

fn conflicts() {
    let (changes, windows) = schedule();
    let runs = 7;
    let mut detect_ms = Vec::new();
    let mut sort_ms = Vec::new();
    let mut found = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let mut sorted = changes.clone();
        sorted.sort_by_key(|c| c.window.start);
        std::hint::black_box(&sorted);
        sort_ms.push(t.elapsed().as_secs_f64() * 1000.0);

        let t = Instant::now();
        let result = detect(&changes, &windows);
        detect_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        found = result.values().map(Vec::len).sum();
    }
    let (detect_ms, sort_ms) = (median(detect_ms), median(sort_ms));
    println!(
        "{{\"scheduled_changes\":{SCHEDULED},\"windows\":{},\"conflicts_found\":{found},\"runs\":{runs},\"detect_ms\":{detect_ms:.2},\"baseline_sort_ms\":{sort_ms:.2},\"ratio\":{:.1}}}",
        windows.len(),
        detect_ms / sort_ms.max(0.001)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("conflicts") => conflicts(),
        Some("seed") => {
            let url = args
                .get(2)
                .ok_or_else(|| anyhow::anyhow!("usage: bench_board seed <database-url>"))?;
            bench_changes::seed_database(url, TOTAL, ON_BOARD).await?;
        }
        _ => anyhow::bail!("usage: bench_board conflicts | bench_board seed <database-url>"),
    }
    Ok(())
}
