//! Keeps a page current: whenever the server announces that something changed, the page
//! fetches its data again. One `EventSource` per page, closed when the page goes away.

/// Runs `refresh` on every live event (in the browser; the server renders once).
pub fn refresh_on_live_events(refresh: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::Effect::new(move |_| {
        use leptos::prelude::on_cleanup;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new("/events") else {
            return;
        };
        let refresh = refresh.clone();
        let on_event = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |_event: web_sys::MessageEvent| refresh(),
        );
        let _ =
            source.add_event_listener_with_callback("change", on_event.as_ref().unchecked_ref());
        on_event.forget();
        let source = send_wrapper::SendWrapper::new(source);
        on_cleanup(move || source.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = refresh;
}
