//! Keeps a page current: whenever the server announces that something changed, the page
//! fetches its data again. One `EventSource` per page, closed when the page goes away.
//! The browser reconnects by itself after a network drop; the page fetches again on every
//! (re)connection, so nothing said while it was away is missed.

use crate::model::live::LiveEvent;

/// Runs `refresh` on every live event (in the browser; the server renders once).
pub fn refresh_on_live_events(refresh: impl Fn() + Clone + 'static) {
    follow_live("/events".to_string(), false, |_| true, refresh);
}

/// Listens on `url` (e.g. `/events?meeting=7`, which also marks the reader present) and runs
/// `refresh` on each event that `wanted` accepts, and after each reconnection. With
/// `refresh_when_connected`, also once the first connection is up: whatever happened between
/// the server rendering the page and the connection (e.g. one's own arrival) is fetched then.
pub fn follow_live(
    url: String,
    refresh_when_connected: bool,
    wanted: impl Fn(&LiveEvent) -> bool + Clone + 'static,
    refresh: impl Fn() + Clone + 'static,
) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::Effect::new(move |_| {
        use leptos::prelude::on_cleanup;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new(&url) else {
            return;
        };
        let on_event = {
            let (wanted, refresh) = (wanted.clone(), refresh.clone());
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let event = event
                    .data()
                    .as_string()
                    .and_then(|data| serde_json::from_str::<LiveEvent>(&data).ok());
                // An event this build does not know: refetch rather than miss it.
                if event.as_ref().is_none_or(&wanted) {
                    refresh()
                }
            })
        };
        let _ =
            source.add_event_listener_with_callback("change", on_event.as_ref().unchecked_ref());
        on_event.forget();
        let opened = std::cell::Cell::new(false);
        let refresh = refresh.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            // The first open follows the page load; later ones are reconnections.
            if opened.replace(true) || refresh_when_connected {
                refresh()
            }
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let source = send_wrapper::SendWrapper::new(source);
        on_cleanup(move || source.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, refresh_when_connected, wanted, refresh);
}
