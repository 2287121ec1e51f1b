//! The routes whose page code the browser loads when they are first visited.
//!
//! Pages are grouped in seven sections, each one split point: in the split client
//! (scripts/build-client.sh) a section's pages, and everything only they use, are fetched on
//! the first visit to any of them; code several sections share lands in shared chunks, one per
//! set of sections sharing it. Fewer, larger sections mean fewer requests: one split point per
//! page cut the client into 1,270 chunks (about 165 requests per page), twelve sections into
//! 534 (118–286 per section). The server
//! renders lazy routes like any other, so every page still works before, or without, the
//! client. The dashboard and the sign-in page stay in the first load.
use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::pages::{
    account::AccountPage,
    agreement::{AgreementNewPage, AgreementPage},
    audit_trail::AuditTrailPage,
    awareness::{AwarenessNewPage, AwarenessPage},
    awareness_campaign::AwarenessCampaignPage,
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
    ci::CiPage,
    cmdb::{CiNewPage, CmdbPage},
    cmdb_import::CiImportPage,
    competence::CompetencePage,
    competences::{CompetenceNewPage, CompetencesPage},
    compliance::CompliancePage,
    compliance_clause::ComplianceClausePage,
    continuity::ContinuityPage,
    continuity_plan::ContinuityPlanPage,
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
    incident::IncidentPage,
    incident_board::IncidentBoardPage,
    incident_import::IncidentImportPage,
    incident_new::IncidentNewPage,
    incidents::IncidentsPage,
    intake_sources::{IntakeSourcePage, IntakeSourcesPage},
    internal_audit::InternalAuditPage,
    internal_audits::InternalAuditsPage,
    nonconformities::{NonconformitiesPage, NonconformityPage},
    objectives::{ObjectivePage, ObjectivesPage},
    person_competences::PersonCompetencesPage,
    plan_compare::PlanComparePage,
    problem::ProblemPage,
    problems::{ProblemNewPage, ProblemsPage},
    request::RequestPage,
    request_catalogue::{
        RequestCataloguePage, RequestNewPage, RequestTypeEditPage, RequestTypeNewPage,
    },
    requests::RequestsPage,
    review_detail::ReviewDetailPage,
    reviews::ReviewsPage,
    risk::RiskPage,
    risk_matrix::RiskMatrixPage,
    risks::{RiskNewPage, RisksPage},
    schedule_windows::{ScheduleWindowPage, ScheduleWindowsPage},
    service_bia::ServiceBiaPage,
    service_calendars::{ServiceCalendarPage, ServiceCalendarsPage},
    service_detail::ServiceDetailPage,
    service_edit::ServiceEditPage,
    service_levels::{ServiceLevelSettingsPage, ServiceLevelsPage},
    service_list::ServiceListPage,
    service_new::ServiceNewPage,
    service_report::ServiceReportPage,
    sms_profile::SmsProfilePage,
    supplier::SupplierPage,
    suppliers::{SupplierNewPage, SuppliersPage},
    users::UsersPage,
};

/// `section / split_fn / preload_fn { Route => Page, … }`: a module per section with one lazy
/// route per page. `split_fn` is the section's split point (`#[lazy]` makes it async and names
/// its chunk after it); `preload_fn` is the loader `#[lazy]` generates for it (`__preload_` +
/// its name), which the router runs before hydrating or entering a route of the section.
macro_rules! lazy_sections {
    ($(
        $section:ident / $split:ident / $preload:ident { $($route:ident => $page:ident,)* }
    )*) => {$(
        pub mod $section {
            use super::*;

            pub enum Page {
                $($route,)*
            }

            #[leptos::lazy]
            fn $split(page: Page) -> AnyView {
                match page {
                    $(Page::$route => view! { <$page/> }.into_any(),)*
                }
            }

            $(
                pub struct $route;

                impl LazyRoute for $route {
                    fn data() -> Self {
                        $route
                    }

                    async fn view(_: Self) -> AnyView {
                        $split(Page::$route).await
                    }

                    async fn preload() {
                        #[cfg(target_arch = "wasm32")]
                        $preload().await;
                    }
                }
            )*
        }
    )*};
}

lazy_sections! {
    people / people_section / __preload_people_section {
        Account => AccountPage,
        AuditTrail => AuditTrailPage,
        Users => UsersPage,
    }
    changes / changes_section / __preload_changes_section {
        ChangeList => ChangeListPage,
        ChangeNew => ChangeNewPage,
        ChangeTemplates => ChangeTemplatesPage,
        ChangeTemplate => ChangeTemplatePage,
        ChangeDetail => ChangeDetailPage,
        ChangeEdit => ChangeEditPage,
        ChangeBoard => ChangeBoardPage,
        Calendar => CalendarPage,
        ScheduleWindows => ScheduleWindowsPage,
        ScheduleWindow => ScheduleWindowPage,
        Cmdb => CmdbPage,
        CiNew => CiNewPage,
        CiImport => CiImportPage,
        Ci => CiPage,
    }
    cab / cab_section / __preload_cab_section {
        Cab => CabPage,
        CabBoardNew => CabBoardNewPage,
        CabBoardEdit => CabBoardEditPage,
        CabMeeting => CabMeetingPage,
    }
    continuity / continuity_section / __preload_continuity_section {
        ServiceList => ServiceListPage,
        ServiceNew => ServiceNewPage,
        ServiceDetail => ServiceDetailPage,
        ServiceEdit => ServiceEditPage,
        ServiceBia => ServiceBiaPage,
        Continuity => ContinuityPage,
        ContinuityPlan => ContinuityPlanPage,
        PlanCompare => PlanComparePage,
    }
    improvement / improvement_section / __preload_improvement_section {
        Improvements => ImprovementsPage,
        ImprovementBoard => ImprovementBoardPage,
        ImprovementImport => ImprovementImportPage,
        ImprovementNew => ImprovementNewPage,
        ImprovementDetail => ImprovementDetailPage,
        Nonconformities => NonconformitiesPage,
        Nonconformity => NonconformityPage,
    }
    incidents / incidents_section / __preload_incidents_section {
        Incidents => IncidentsPage,
        IncidentNew => IncidentNewPage,
        IncidentBoard => IncidentBoardPage,
        IncidentImport => IncidentImportPage,
        Incident => IncidentPage,
        ServiceLevels => ServiceLevelsPage,
        ServiceLevelSettings => ServiceLevelSettingsPage,
        ServiceReport => ServiceReportPage,
        AgreementNew => AgreementNewPage,
        Agreement => AgreementPage,
        ServiceCalendars => ServiceCalendarsPage,
        ServiceCalendar => ServiceCalendarPage,
        IntakeSources => IntakeSourcesPage,
        IntakeSource => IntakeSourcePage,
        Problems => ProblemsPage,
        ProblemNew => ProblemNewPage,
        Problem => ProblemPage,
        Requests => RequestsPage,
        RequestCatalogue => RequestCataloguePage,
        RequestNew => RequestNewPage,
        RequestTypeNew => RequestTypeNewPage,
        RequestTypeEdit => RequestTypeEditPage,
        Request => RequestPage,
    }
    compliance / compliance_section / __preload_compliance_section {
        Compliance => CompliancePage,
        ComplianceClause => ComplianceClausePage,
        SmsProfile => SmsProfilePage,
        Documents => DocumentsPage,
        Document => DocumentPage,
        Objectives => ObjectivesPage,
        Objective => ObjectivePage,
        EvidencePack => EvidencePackPage,
        InternalAudits => InternalAuditsPage,
        InternalAudit => InternalAuditPage,
        Reviews => ReviewsPage,
        ReviewDetail => ReviewDetailPage,
        GapAssessments => GapAssessmentsPage,
        GapAssessment => GapAssessmentPage,
        GapResults => GapResultsPage,
        Risks => RisksPage,
        RiskNew => RiskNewPage,
        RiskMatrix => RiskMatrixPage,
        Risk => RiskPage,
        Suppliers => SuppliersPage,
        SupplierNew => SupplierNewPage,
        Supplier => SupplierPage,
        Competences => CompetencesPage,
        CompetenceNew => CompetenceNewPage,
        Competence => CompetencePage,
        PersonCompetences => PersonCompetencesPage,
        Awareness => AwarenessPage,
        AwarenessNew => AwarenessNewPage,
        AwarenessCampaign => AwarenessCampaignPage,
    }
}
