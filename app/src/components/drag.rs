//! What drag-and-drop boards share.

/// The record id in the `attribute` of the element an event happened in (or its nearest
/// ancestor with one), read from the DOM so a handler acts on the card actually touched.
pub fn id_from_event(event: &leptos::web_sys::Event, attribute: &str) -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let element = event
            .current_target()?
            .dyn_into::<leptos::web_sys::Element>()
            .ok()?;
        let card = element.closest(&format!("[{attribute}]")).ok()??;
        card.get_attribute(attribute)?.parse().ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, attribute);
        None
    }
}
