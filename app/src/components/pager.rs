//! The previous/next links under a paged list.

use leptos::prelude::*;

/// Links to the neighbouring pages; either is left out on the first or last page.
#[component]
pub fn Pager(
    previous: Option<String>,
    next: Option<String>,
    #[prop(default = "← Previous")] previous_label: &'static str,
    #[prop(default = "Next →")] next_label: &'static str,
) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <a class="button secondary" href=href rel="prev">{previous_label}</a> })}
            {next.map(|href| view! { <a class="button secondary" href=href rel="next">{next_label}</a> })}
        </nav>
    }
}
