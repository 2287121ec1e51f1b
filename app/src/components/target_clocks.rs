//! Target clocks that tick in the browser: a page reads its clocks once (with the instants
//! they warn and fall due), and each second the browser asks `ClockReading::status_at` how
//! they stand now, without asking the server or knowing the service hours.

use crate::model::target_clock::{ClockPhase, ClockReading, ClockStatus};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// The instant a page's clocks are read at: the server's read time first, so the page
/// hydrates exactly as it was rendered, then the browser's clock every second.
pub fn ticking_now(read_at: DateTime<Utc>) -> ReadSignal<DateTime<Utc>> {
    let (now, set_now) = signal(read_at);
    #[cfg(feature = "hydrate")]
    {
        let ticking = set_interval_with_handle(
            move || {
                if let Some(at) = DateTime::from_timestamp_millis(browser_now() as i64) {
                    set_now.set(at)
                }
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = ticking {
                handle.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_now;
    now
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// Milliseconds since the epoch, from the browser (chrono's clock is not there in wasm).
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn browser_now() -> f64;
}

/// A status as a badge: on track, warning, breached.
pub fn status_badge(status: ClockStatus) -> impl IntoView {
    view! { <span class=format!("badge clock-{}", status.as_str())>{status.label()}</span> }
}

/// One clock: its name, its standing as a badge, and what is left, kept current.
#[component]
pub fn ClockLine(
    label: &'static str,
    reading: ClockReading,
    now: ReadSignal<DateTime<Utc>>,
) -> impl IntoView {
    let target = crate::model::target_clock::span(i64::from(reading.target_minutes) * 60);
    // Only a running clock falls due at a known instant; a paused one waits on people.
    let due = reading
        .due_at
        .filter(|_| reading.phase == ClockPhase::Running);
    let shown = reading.clone();
    let status = Memo::new(move |_| shown.status_at(now.get()));
    let words = move || reading.describe(now.get());
    view! {
        <div class="clock-line">
            <span class="clock-name">{label}</span>
            {move || status_badge(status.get())}
            <span class="clock-words" aria-live="off">{words}</span>
            {due.map(|due| view! {
                <span class="clock-due">"due "<time datetime=due.to_rfc3339()>{due.format("%Y-%m-%d %H:%M UTC").to_string()}</time></span>
            })}
            <span class="muted">{format!(" (target {target} of service time)")}</span>
        </div>
    }
}
