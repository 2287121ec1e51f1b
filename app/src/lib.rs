//! Conform's shared crate: typed models, validation, server functions and the UI.
//! The server builds it with `ssr`, the browser with `hydrate`; never both.

// Deeply nested views (the change board) need more room when compiled for release.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
mod lazy_routes;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use components::layout::AppShell;
use components::session::Session;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};
use pages::{dashboard::DashboardPage, login::LoginPage, not_found::NotFoundPage};

/// The Content-Security-Policy nonce of the current request (set by the server's middleware).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Inline hydration scripts carry the nonce the CSP header allows.
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // The stylesheet of the same build as the scripts (pkg/<hash>/ once published).
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)/>
                <HydrationScripts options/>
                <leptos_meta::MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Session::provide();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="description" content="Conform: service management for ISO/IEC 20000-1"/>
        <Title formatter=|text: String| {
            if text.is_empty() { "Conform".to_string() } else { format!("{text} · Conform") }
        }/>
        // Every page renders completely on the server before it is sent (SsrMode::Async):
        // readable without JavaScript, and the HTTP status (404, 403) is known in time.
        <Router>
            <AppShell>
                <Routes fallback=NotFoundPage>
                    <Route ssr=SsrMode::Async path=path!("/") view=DashboardPage/>
                    <Route ssr=SsrMode::Async path=path!("/login") view=LoginPage/>
                    <Route ssr=SsrMode::Async path=path!("/account") view={Lazy::<lazy_routes::people::Account>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/audit") view={Lazy::<lazy_routes::people::AuditTrail>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/admin/users") view={Lazy::<lazy_routes::people::Users>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/services") view={Lazy::<lazy_routes::continuity::ServiceList>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/services/new") view={Lazy::<lazy_routes::continuity::ServiceNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/services/:id") view={Lazy::<lazy_routes::continuity::ServiceDetail>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/services/:id/edit") view={Lazy::<lazy_routes::continuity::ServiceEdit>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/services/:id/bia") view={Lazy::<lazy_routes::continuity::ServiceBia>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/changes") view={Lazy::<lazy_routes::changes::ChangeList>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/changes/new") view={Lazy::<lazy_routes::changes::ChangeNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/changes/board") view={Lazy::<lazy_routes::changes::ChangeBoard>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/changes/templates") view={Lazy::<lazy_routes::changes::ChangeTemplates>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/changes/templates/:id") view={Lazy::<lazy_routes::changes::ChangeTemplate>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/changes/:id") view={Lazy::<lazy_routes::changes::ChangeDetail>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/changes/:id/edit") view={Lazy::<lazy_routes::changes::ChangeEdit>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cab") view={Lazy::<lazy_routes::cab::Cab>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cab/boards/new") view={Lazy::<lazy_routes::cab::CabBoardNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cab/boards/:id") view={Lazy::<lazy_routes::cab::CabBoardEdit>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cab/meetings/:id") view={Lazy::<lazy_routes::cab::CabMeeting>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cmdb") view={Lazy::<lazy_routes::changes::Cmdb>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cmdb/new") view={Lazy::<lazy_routes::changes::CiNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cmdb/import") view={Lazy::<lazy_routes::changes::CiImport>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/cmdb/:id") view={Lazy::<lazy_routes::changes::Ci>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/calendar") view={Lazy::<lazy_routes::changes::Calendar>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/calendar/windows") view={Lazy::<lazy_routes::changes::ScheduleWindows>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/calendar/windows/:id") view={Lazy::<lazy_routes::changes::ScheduleWindow>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/continuity") view={Lazy::<lazy_routes::continuity::Continuity>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/continuity/plans/:id") view={Lazy::<lazy_routes::continuity::ContinuityPlan>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/continuity/plans/:id/compare") view={Lazy::<lazy_routes::continuity::PlanCompare>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/profile") view={Lazy::<lazy_routes::compliance::SmsProfile>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/documents") view={Lazy::<lazy_routes::compliance::Documents>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/documents/:id") view={Lazy::<lazy_routes::compliance::Document>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/objectives") view={Lazy::<lazy_routes::compliance::Objectives>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/objectives/:id") view={Lazy::<lazy_routes::compliance::Objective>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/improvements") view={Lazy::<lazy_routes::improvement::Improvements>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/board") view={Lazy::<lazy_routes::improvement::ImprovementBoard>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/import") view={Lazy::<lazy_routes::improvement::ImprovementImport>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/new") view={Lazy::<lazy_routes::improvement::ImprovementNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/:id") view={Lazy::<lazy_routes::improvement::ImprovementDetail>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/nonconformities") view={Lazy::<lazy_routes::improvement::Nonconformities>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/nonconformities/:id") view={Lazy::<lazy_routes::improvement::Nonconformity>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/audits") view={Lazy::<lazy_routes::compliance::InternalAudits>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/audits/:id") view={Lazy::<lazy_routes::compliance::InternalAudit>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/evidence-pack") view={Lazy::<lazy_routes::compliance::EvidencePack>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/reviews") view={Lazy::<lazy_routes::compliance::Reviews>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/reviews/:id") view={Lazy::<lazy_routes::compliance::ReviewDetail>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance") view={Lazy::<lazy_routes::compliance::Compliance>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/gap") view={Lazy::<lazy_routes::compliance::GapAssessments>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/gap/:id") view={Lazy::<lazy_routes::compliance::GapAssessment>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/gap/:id/results") view={Lazy::<lazy_routes::compliance::GapResults>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/incidents") view={Lazy::<lazy_routes::incidents::Incidents>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/incidents/new") view={Lazy::<lazy_routes::incidents::IncidentNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/incidents/board") view={Lazy::<lazy_routes::incidents::IncidentBoard>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/incidents/import") view={Lazy::<lazy_routes::incidents::IncidentImport>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/incidents/:id") view={Lazy::<lazy_routes::incidents::Incident>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels") view={Lazy::<lazy_routes::incidents::ServiceLevels>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/report") view={Lazy::<lazy_routes::incidents::ServiceReport>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/settings") view={Lazy::<lazy_routes::incidents::ServiceLevelSettings>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/agreements/new") view={Lazy::<lazy_routes::incidents::AgreementNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/agreements/:id") view={Lazy::<lazy_routes::incidents::Agreement>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/calendars") view={Lazy::<lazy_routes::incidents::ServiceCalendars>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/calendars/:id") view={Lazy::<lazy_routes::incidents::ServiceCalendar>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/intake") view={Lazy::<lazy_routes::incidents::IntakeSources>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/service-levels/intake/:id") view={Lazy::<lazy_routes::incidents::IntakeSource>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/risks") view={Lazy::<lazy_routes::compliance::Risks>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/risks/new") view={Lazy::<lazy_routes::compliance::RiskNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/risks/matrix") view={Lazy::<lazy_routes::compliance::RiskMatrix>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/risks/:id") view={Lazy::<lazy_routes::compliance::Risk>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/suppliers") view={Lazy::<lazy_routes::compliance::Suppliers>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/suppliers/new") view={Lazy::<lazy_routes::compliance::SupplierNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/suppliers/:id") view={Lazy::<lazy_routes::compliance::Supplier>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/competences") view={Lazy::<lazy_routes::compliance::Competences>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/competences/new") view={Lazy::<lazy_routes::compliance::CompetenceNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/competences/people/:id") view={Lazy::<lazy_routes::compliance::PersonCompetences>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/competences/:id") view={Lazy::<lazy_routes::compliance::Competence>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/awareness") view={Lazy::<lazy_routes::compliance::Awareness>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/awareness/new") view={Lazy::<lazy_routes::compliance::AwarenessNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/awareness/:id") view={Lazy::<lazy_routes::compliance::AwarenessCampaign>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/problems") view={Lazy::<lazy_routes::incidents::Problems>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/problems/new") view={Lazy::<lazy_routes::incidents::ProblemNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/problems/:id") view={Lazy::<lazy_routes::incidents::Problem>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/requests") view={Lazy::<lazy_routes::incidents::Requests>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/requests/catalogue") view={Lazy::<lazy_routes::incidents::RequestCatalogue>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/requests/new") view={Lazy::<lazy_routes::incidents::RequestNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/requests/types/new") view={Lazy::<lazy_routes::incidents::RequestTypeNew>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/requests/types/:id") view={Lazy::<lazy_routes::incidents::RequestTypeEdit>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/requests/:id") view={Lazy::<lazy_routes::incidents::Request>::new()}/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/clauses/:number") view={Lazy::<lazy_routes::compliance::ComplianceClause>::new()}/>
                </Routes>
            </AppShell>
        </Router>
    }
}
