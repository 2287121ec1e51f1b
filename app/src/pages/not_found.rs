use crate::components::error_view::set_status;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found"/>
        <section class="error-panel">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <p><a href="/">"Back to the dashboard"</a></p>
        </section>
    }
}
