//! The app shell: top bar, navigation, the signed-in user, main area.

use crate::components::session::use_session;
use crate::model::access::Permission;
use crate::model::user::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::A;

const SECTIONS: [(&str, &str); 10] = [
    ("/", "Dashboard"),
    ("/incidents", "Incidents"),
    ("/requests", "Requests"),
    ("/changes", "Changes"),
    ("/cab", "CAB"),
    ("/calendar", "Calendar"),
    ("/continuity", "Continuity"),
    ("/improvements", "Improvements"),
    ("/services", "Services"),
    ("/compliance", "Compliance"),
];

/// Sections only some roles see.
const RESTRICTED: [(&str, &str, Permission); 7] = [
    ("/cmdb", "CMDB", Permission::ConfigurationRead),
    ("/risks", "Risks", Permission::RiskRead),
    ("/suppliers", "Suppliers", Permission::SupplierRead),
    ("/competences", "Competence", Permission::CompetenceRead),
    ("/awareness", "Awareness", Permission::AwarenessRead),
    ("/audit", "Audit trail", Permission::AuditRead),
    ("/admin/users", "Users", Permission::UserManage),
];

#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    let session = use_session();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Conform"
            </a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    session.user.await.ok().flatten().map(|user| view! { <SignedInBar user/> })
                })}
            </Transition>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
    }
}

#[component]
fn SignedInBar(user: CurrentUser) -> impl IntoView {
    let session = use_session();
    let restricted = RESTRICTED
        .into_iter()
        .filter(|(_, _, permission)| user.may(*permission))
        .map(|(href, label, _)| view! { <li><A href=href>{label}</A></li> })
        .collect_view();
    view! {
        <nav aria-label="Main">
            <ul class="nav">
                {SECTIONS
                    .into_iter()
                    .map(|(href, label)| view! { <li><A href=href exact=href == "/">{label}</A></li> })
                    .collect_view()}
                {restricted}
            </ul>
        </nav>
        <div class="user-menu">
            <a class="user-link" href="/account" title="Your account">
                <span class="avatar" aria-hidden="true">{user.initials()}</span>
                <span class="user-name">{user.name.clone()}</span>
            </a>
            <ActionForm action=session.sign_out>
                <button type="submit" class="button secondary small">"Sign out"</button>
            </ActionForm>
        </div>
    }
}
