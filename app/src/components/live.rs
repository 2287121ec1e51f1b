//! Keeps a page current from the server's live stream (`/events`). One `EventSource` per
//! page, closed when the page goes away. The browser reconnects by itself after a network
//! drop and says the last event it saw; the server then sends what was missed, or `resync`
//! when it cannot know (another process, a restart, too long), and the page fetches itself
//! again. Only then: a page applying events in place never refetches for a reconnection.

use crate::model::live::LiveEvent;

/// Runs `refresh` on each live event `wanted` accepts (and on one this build cannot read),
/// and whenever events were missed.
pub fn refresh_on_live_events_where(
    wanted: impl Fn(&LiveEvent) -> bool + Clone + 'static,
    refresh: impl Fn() + Clone + 'static,
) {
    let on_event = {
        let refresh = refresh.clone();
        move |event: Option<LiveEvent>| {
            if event.as_ref().is_none_or(&wanted) {
                refresh()
            }
        }
    };
    listen("/events".to_string(), on_event, || {}, refresh);
}

/// Runs `refresh` when a meeting moved on (not for arrivals and departures), and whenever
/// events were missed: for pages that show meetings but no board.
pub fn refresh_when_meetings_move_on(refresh: impl Fn() + Clone + 'static) {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(
        crate::model::live::SeenMeetings::default(),
    ));
    refresh_on_live_events_where(move |event| seen.borrow_mut().moved_on(event), refresh)
}

/// The stream itself: `on_event` gets each event (`None`: one this build cannot read),
/// `on_ready` runs when a new stream is up, `on_resync` when events were missed.
pub fn listen(
    url: String,
    on_event: impl Fn(Option<LiveEvent>) + Clone + 'static,
    on_ready: impl Fn() + Clone + 'static,
    on_resync: impl Fn() + Clone + 'static,
) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::Effect::new(move |_| {
        use leptos::prelude::on_cleanup;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new(&url) else {
            return;
        };
        let on_change = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                on_event(
                    event
                        .data()
                        .as_string()
                        .and_then(|data| serde_json::from_str::<LiveEvent>(&data).ok()),
                )
            })
        };
        let on_ready = {
            let on_ready = on_ready.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| on_ready())
        };
        let on_resync = {
            let on_resync = on_resync.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| on_resync())
        };
        for (name, handler) in [
            ("change", &on_change),
            ("ready", &on_ready),
            ("resync", &on_resync),
        ] {
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        }
        // The handlers live as long as the stream: dropped once it is closed.
        let stream = send_wrapper::SendWrapper::new((source, on_change, on_ready, on_resync));
        on_cleanup(move || stream.0.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, on_event, on_ready, on_resync);
}
