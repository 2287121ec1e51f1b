//! Conform's shared crate: typed models, validation, server functions and the UI.
//! The server builds it with `ssr`, the browser with `hydrate`; never both.

// Deeply nested views (the change board) need more room when compiled for release.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use components::layout::AppShell;
use components::session::Session;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::{
    account::AccountPage,
    audit_trail::AuditTrailPage,
    cab::CabPage,
    cab_board::{CabBoardEditPage, CabBoardNewPage},
    cab_meeting::CabMeetingPage,
    calendar::CalendarPage,
    change_board::ChangeBoardPage,
    change_detail::ChangeDetailPage,
    change_edit::ChangeEditPage,
    change_list::ChangeListPage,
    change_new::ChangeNewPage,
    change_templates::{ChangeTemplatePage, ChangeTemplatesPage},
    compliance::CompliancePage,
    compliance_clause::ComplianceClausePage,
    continuity::ContinuityPage,
    continuity_plan::ContinuityPlanPage,
    dashboard::DashboardPage,
    document::DocumentPage,
    documents::DocumentsPage,
    evidence_pack::EvidencePackPage,
    gap_assessment::GapAssessmentPage,
    gap_assessments::GapAssessmentsPage,
    gap_results::GapResultsPage,
    improvement::ImprovementDetailPage,
    improvement_board::ImprovementBoardPage,
    improvement_import::ImprovementImportPage,
    improvement_new::ImprovementNewPage,
    improvement_register::ImprovementsPage,
    internal_audit::InternalAuditPage,
    internal_audits::InternalAuditsPage,
    login::LoginPage,
    nonconformities::{NonconformitiesPage, NonconformityPage},
    not_found::NotFoundPage,
    objectives::{ObjectivePage, ObjectivesPage},
    plan_compare::PlanComparePage,
    review_detail::ReviewDetailPage,
    reviews::ReviewsPage,
    schedule_windows::{ScheduleWindowPage, ScheduleWindowsPage},
    service_bia::ServiceBiaPage,
    service_detail::ServiceDetailPage,
    service_edit::ServiceEditPage,
    service_list::ServiceListPage,
    service_new::ServiceNewPage,
    users::UsersPage,
};

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
        <Stylesheet id="leptos" href="/pkg/conform.css"/>
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
                    <Route ssr=SsrMode::Async path=path!("/account") view=AccountPage/>
                    <Route ssr=SsrMode::Async path=path!("/audit") view=AuditTrailPage/>
                    <Route ssr=SsrMode::Async path=path!("/admin/users") view=UsersPage/>
                    <Route ssr=SsrMode::Async path=path!("/services") view=ServiceListPage/>
                    <Route ssr=SsrMode::Async path=path!("/services/new") view=ServiceNewPage/>
                    <Route ssr=SsrMode::Async path=path!("/services/:id") view=ServiceDetailPage/>
                    <Route ssr=SsrMode::Async path=path!("/services/:id/edit") view=ServiceEditPage/>
                    <Route ssr=SsrMode::Async path=path!("/services/:id/bia") view=ServiceBiaPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes") view=ChangeListPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/new") view=ChangeNewPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/board") view=ChangeBoardPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/templates") view=ChangeTemplatesPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/templates/:id") view=ChangeTemplatePage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/:id") view=ChangeDetailPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/:id/edit") view=ChangeEditPage/>
                    <Route ssr=SsrMode::Async path=path!("/cab") view=CabPage/>
                    <Route ssr=SsrMode::Async path=path!("/cab/boards/new") view=CabBoardNewPage/>
                    <Route ssr=SsrMode::Async path=path!("/cab/boards/:id") view=CabBoardEditPage/>
                    <Route ssr=SsrMode::Async path=path!("/cab/meetings/:id") view=CabMeetingPage/>
                    <Route ssr=SsrMode::Async path=path!("/calendar") view=CalendarPage/>
                    <Route ssr=SsrMode::Async path=path!("/calendar/windows") view=ScheduleWindowsPage/>
                    <Route ssr=SsrMode::Async path=path!("/calendar/windows/:id") view=ScheduleWindowPage/>
                    <Route ssr=SsrMode::Async path=path!("/continuity") view=ContinuityPage/>
                    <Route ssr=SsrMode::Async path=path!("/continuity/plans/:id") view=ContinuityPlanPage/>
                    <Route ssr=SsrMode::Async path=path!("/continuity/plans/:id/compare") view=PlanComparePage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/documents") view=DocumentsPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/documents/:id") view=DocumentPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/objectives") view=ObjectivesPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/objectives/:id") view=ObjectivePage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements") view=ImprovementsPage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/board") view=ImprovementBoardPage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/import") view=ImprovementImportPage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/new") view=ImprovementNewPage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/:id") view=ImprovementDetailPage/>
                    <Route ssr=SsrMode::Async path=path!("/nonconformities") view=NonconformitiesPage/>
                    <Route ssr=SsrMode::Async path=path!("/nonconformities/:id") view=NonconformityPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/audits") view=InternalAuditsPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/audits/:id") view=InternalAuditPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/evidence-pack") view=EvidencePackPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/reviews") view=ReviewsPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/reviews/:id") view=ReviewDetailPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance") view=CompliancePage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/gap") view=GapAssessmentsPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/gap/:id") view=GapAssessmentPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/gap/:id/results") view=GapResultsPage/>
                    <Route ssr=SsrMode::Async path=path!("/compliance/clauses/:number") view=ComplianceClausePage/>
                </Routes>
            </AppShell>
        </Router>
    }
}
