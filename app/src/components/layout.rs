//! The app shell: top bar, navigation, main area.

use leptos::prelude::*;
use leptos_router::components::A;

const SECTIONS: [(&str, &str); 8] = [
    ("/", "Dashboard"),
    ("/changes", "Changes"),
    ("/cab", "CAB"),
    ("/calendar", "Calendar"),
    ("/continuity", "Continuity"),
    ("/improvements", "Improvements"),
    ("/services", "Services"),
    ("/compliance", "Compliance"),
];

#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Conform"
            </a>
            <nav aria-label="Main">
                <ul class="nav">
                    {SECTIONS
                        .into_iter()
                        .map(|(href, label)| {
                            view! {
                                <li>
                                    <A href=href exact=href == "/">{label}</A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
    }
}
