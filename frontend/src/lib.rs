//! The WebAssembly client: hydrates the server-rendered page and nothing else.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    // Most pages are lazy routes (their code is a chunk of the split client): hydration waits
    // until the current route's chunk has arrived, so it runs as a task.
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // End-to-end tests wait for this marker before they click anything.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
