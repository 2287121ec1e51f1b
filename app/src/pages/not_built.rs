use leptos::prelude::*;
use leptos_meta::Title;

/// Placeholder for a section of Conform that is planned but not built yet.
#[component]
pub fn NotBuiltPage(section: &'static str) -> impl IntoView {
    view! {
        <Title text=section/>
        <h1>{section}</h1>
        <div class="empty-state">
            <p><strong>{format!("{section} is not built yet.")}</strong></p>
            <p>
                "This part of Conform is on the roadmap. Meanwhile the "
                <a href="/services">"service catalogue"</a>
                " is ready to use."
            </p>
        </div>
    }
}
