//! Who may do what: roles, the actions on each record type, and the permission matrix.
//! The UI asks `may` which buttons to show; every server function asks it before acting.

use crate::model::labelled::labelled_enum;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// A role a user holds; a user may hold several (see the domain notes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Role {
        Admin => ("admin", "Admin"),
        ChangeManager => ("change_manager", "Change manager"),
        CabMember => ("cab_member", "CAB member"),
        ServiceOwner => ("service_owner", "Service owner"),
        ContinuityManager => ("continuity_manager", "Continuity manager"),
        QualityManager => ("quality_manager", "Quality manager"),
        Auditor => ("auditor", "Auditor"),
        Requester => ("requester", "Requester"),
        /// Keeps the agreements and their service hours, runs the incident queue and declares
        /// major incidents.
        ServiceLevelManager => ("service_level_manager", "Service level manager"),
        /// Service desk and support staff: take, work and resolve incidents and requests.
        Resolver => ("resolver", "Resolver"),
    }
}

labelled_enum! {
    /// Kinds of record Conform keeps; permissions and audit entries name them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum RecordType {
        Service => ("service", "Service"),
        Change => ("change", "Change"),
        ScheduleWindow => ("schedule_window", "Schedule window"),
        StandardTemplate => ("standard_template", "Standard change template"),
        CabBoard => ("cab_board", "Change advisory board"),
        CabMeeting => ("cab_meeting", "CAB meeting"),
        Improvement => ("improvement", "Improvement"),
        Nonconformity => ("nonconformity", "Nonconformity"),
        ContinuityPlan => ("continuity_plan", "Continuity plan"),
        SmsDocument => ("sms_document", "SMS document"),
        Objective => ("objective", "Service management objective"),
        GapAssessment => ("gap_assessment", "Gap assessment"),
        InternalAudit => ("internal_audit", "Internal audit"),
        ManagementReview => ("management_review", "Management review"),
        EvidencePack => ("evidence_pack", "Evidence pack"),
        Incident => ("incident", "Incident"),
        ServiceAgreement => ("service_agreement", "Service level agreement"),
        IntakeSource => ("intake_source", "Monitoring source"),
        Problem => ("problem", "Problem"),
        RequestType => ("request_type", "Request type"),
        ServiceRequest => ("service_request", "Service request"),
        SmsRisk => ("sms_risk", "SMS risk"),
        Supplier => ("supplier", "Supplier"),
        Competence => ("competence", "Competence"),
        AwarenessCampaign => ("awareness_campaign", "Awareness campaign"),
        ConfigurationItem => ("configuration_item", "Configuration item"),
        SmsProfile => ("sms_profile", "SMS profile"),
        User => ("user", "User"),
        AuditTrail => ("audit_trail", "Audit trail"),
    }
}

/// Everything a user can ask Conform to do that needs a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    ServiceRead,
    ServiceCreate,
    ServiceUpdate,
    ServiceArchive,
    ChangeRead,
    ChangeRaise,
    ChangeTransition,
    ScheduleManage,
    TemplateManage,
    CabManage,
    CabChair,
    CabVote,
    ImprovementRead,
    ImprovementRaise,
    FindingRaise,
    AssignedWork,
    ContinuityRead,
    ContinuityEdit,
    ContinuityReview,
    ComplianceRead,
    DocumentEdit,
    ObjectiveManage,
    GapAssess,
    AuditManage,
    ReviewManage,
    EvidenceExport,
    UserRead,
    UserManage,
    AuditRead,
    IncidentRead,
    IncidentRaise,
    IncidentWork,
    IncidentImport,
    AgreementManage,
    ProblemWork,
    RequestRead,
    RequestRaise,
    RequestWork,
    RequestApprove,
    RequestTypeManage,
    RiskRead,
    RiskManage,
    RiskMatrixManage,
    SupplierRead,
    SupplierManage,
    CompetenceRead,
    CompetenceManage,
    AwarenessRead,
    AwarenessManage,
    AwarenessAcknowledge,
    ConfigurationRead,
    ConfigurationManage,
    ProfileRead,
    ProfileEdit,
    ProfileApprove,
}

impl Permission {
    pub const ALL: [Permission; 55] = [
        Permission::ServiceRead,
        Permission::ServiceCreate,
        Permission::ServiceUpdate,
        Permission::ServiceArchive,
        Permission::ChangeRead,
        Permission::ChangeRaise,
        Permission::ChangeTransition,
        Permission::ScheduleManage,
        Permission::TemplateManage,
        Permission::CabManage,
        Permission::CabChair,
        Permission::CabVote,
        Permission::ImprovementRead,
        Permission::ImprovementRaise,
        Permission::FindingRaise,
        Permission::AssignedWork,
        Permission::ContinuityRead,
        Permission::ContinuityEdit,
        Permission::ContinuityReview,
        Permission::ComplianceRead,
        Permission::DocumentEdit,
        Permission::ObjectiveManage,
        Permission::GapAssess,
        Permission::AuditManage,
        Permission::ReviewManage,
        Permission::EvidenceExport,
        Permission::UserRead,
        Permission::UserManage,
        Permission::AuditRead,
        Permission::IncidentRead,
        Permission::IncidentRaise,
        Permission::IncidentWork,
        Permission::IncidentImport,
        Permission::AgreementManage,
        Permission::ProblemWork,
        Permission::RequestRead,
        Permission::RequestRaise,
        Permission::RequestWork,
        Permission::RequestApprove,
        Permission::RequestTypeManage,
        Permission::RiskRead,
        Permission::RiskManage,
        Permission::RiskMatrixManage,
        Permission::SupplierRead,
        Permission::SupplierManage,
        Permission::CompetenceRead,
        Permission::CompetenceManage,
        Permission::AwarenessRead,
        Permission::AwarenessManage,
        Permission::AwarenessAcknowledge,
        Permission::ConfigurationRead,
        Permission::ConfigurationManage,
        Permission::ProfileRead,
        Permission::ProfileEdit,
        Permission::ProfileApprove,
    ];

    pub fn record_type(self) -> RecordType {
        match self {
            Permission::ServiceRead
            | Permission::ServiceCreate
            | Permission::ServiceUpdate
            | Permission::ServiceArchive => RecordType::Service,
            Permission::ChangeRead
            | Permission::ChangeRaise
            | Permission::ChangeTransition
            | Permission::ScheduleManage => RecordType::Change,
            Permission::TemplateManage => RecordType::StandardTemplate,
            Permission::CabManage => RecordType::CabBoard,
            Permission::CabChair | Permission::CabVote => RecordType::CabMeeting,
            Permission::ImprovementRead
            | Permission::ImprovementRaise
            | Permission::FindingRaise => RecordType::Improvement,
            Permission::AssignedWork => RecordType::Objective,
            Permission::ContinuityRead
            | Permission::ContinuityEdit
            | Permission::ContinuityReview => RecordType::ContinuityPlan,
            Permission::ComplianceRead | Permission::GapAssess => RecordType::GapAssessment,
            Permission::DocumentEdit => RecordType::SmsDocument,
            Permission::ObjectiveManage => RecordType::Objective,
            Permission::AuditManage => RecordType::InternalAudit,
            Permission::ReviewManage => RecordType::ManagementReview,
            Permission::EvidenceExport => RecordType::EvidencePack,
            Permission::UserRead | Permission::UserManage => RecordType::User,
            Permission::AuditRead => RecordType::AuditTrail,
            Permission::IncidentRead
            | Permission::IncidentRaise
            | Permission::IncidentWork
            | Permission::IncidentImport => RecordType::Incident,
            Permission::AgreementManage => RecordType::ServiceAgreement,
            Permission::ProblemWork => RecordType::Problem,
            Permission::RequestRead
            | Permission::RequestRaise
            | Permission::RequestWork
            | Permission::RequestApprove => RecordType::ServiceRequest,
            Permission::RequestTypeManage => RecordType::RequestType,
            Permission::RiskRead | Permission::RiskManage | Permission::RiskMatrixManage => {
                RecordType::SmsRisk
            }
            Permission::SupplierRead | Permission::SupplierManage => RecordType::Supplier,
            Permission::CompetenceRead | Permission::CompetenceManage => RecordType::Competence,
            Permission::AwarenessRead
            | Permission::AwarenessManage
            | Permission::AwarenessAcknowledge => RecordType::AwarenessCampaign,
            Permission::ConfigurationRead | Permission::ConfigurationManage => {
                RecordType::ConfigurationItem
            }
            Permission::ProfileRead | Permission::ProfileEdit | Permission::ProfileApprove => {
                RecordType::SmsProfile
            }
        }
    }

    /// What the user would be doing, for "You are not allowed to …".
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ServiceRead => "read the service catalogue",
            Permission::ServiceCreate => "add services",
            Permission::ServiceUpdate => "edit services",
            Permission::ServiceArchive => "archive or restore services",
            Permission::ChangeRead => "see changes and the change schedule",
            Permission::ChangeRaise => "raise and edit change requests",
            Permission::ChangeTransition => {
                "move changes through their lifecycle (as the lifecycle allows)"
            }
            Permission::ScheduleManage => {
                "manage blackout and maintenance windows and override conflicts"
            }
            Permission::TemplateManage => "keep the catalogue of standard change templates",
            Permission::CabManage => "define change advisory boards and schedule their meetings",
            Permission::CabChair => {
                "chair CAB meetings: run them and record the board's decisions (only the meeting's chair, or a change manager standing in)"
            }
            Permission::CabVote => {
                "vote in CAB meetings (only the board's members, or a delegate for an absent member)"
            }
            Permission::ImprovementRead => "read the improvement register",
            Permission::ImprovementRaise => {
                "add improvements and move them through their lifecycle (as it allows)"
            }
            Permission::FindingRaise => {
                "raise nonconformities and audit findings and work on them (as the clause 10.1 rules allow)"
            }
            Permission::AssignedWork => {
                "record progress on what is assigned to you: objective measurements and management review actions (a quality manager: any)"
            }
            Permission::ContinuityRead => "read continuity plans and exercises",
            Permission::ContinuityEdit => {
                "write continuity plans, plan exercises and record their results"
            }
            Permission::ContinuityReview => "comment on continuity plans in review",
            Permission::ComplianceRead => {
                "read the clause library, SMS documents, objectives, gap assessments, audits and management reviews"
            }
            Permission::DocumentEdit => {
                "write SMS documents and send them for approval (a quality manager approves)"
            }
            Permission::ObjectiveManage => "set service management objectives",
            Permission::GapAssess => {
                "rate clauses in a gap assessment (a quality manager opens and closes it)"
            }
            Permission::AuditManage => "plan internal audits and record their findings",
            Permission::ReviewManage => "plan and minute management reviews",
            Permission::EvidenceExport => "download the auditor's evidence pack",
            Permission::UserRead => "see the user directory",
            Permission::UserManage => "manage users",
            Permission::AuditRead => "read the audit trail",
            Permission::IncidentRead => "read incidents, their clocks and the service reports",
            Permission::IncidentRaise => "report incidents (and follow their own)",
            Permission::IncidentWork => {
                "assign, work and resolve incidents (as the incident lifecycle allows)"
            }
            Permission::IncidentImport => {
                "import incident history from another tool (it counts in the service reports)"
            }
            Permission::AgreementManage => {
                "keep service level agreements, service hours and the priority matrix (someone else approves an agreement)"
            }
            Permission::ProblemWork => {
                "raise problems from incidents, record their root cause and workaround (known errors) and raise the change that removes the cause"
            }
            Permission::RequestRead => {
                "see the request catalogue and their own requests (the service desk, approvers, quality managers, auditors and admins: every request)"
            }
            Permission::RequestRaise => "ask for something from the request catalogue",
            Permission::RequestWork => {
                "assign, work and fulfil service requests (as the request lifecycle allows)"
            }
            Permission::RequestApprove => {
                "approve or reject service requests that need approval (never one they asked for or raised)"
            }
            Permission::RequestTypeManage => {
                "keep the request catalogue: request types, the fields they ask, approval and fulfilment targets"
            }
            Permission::RiskRead => "read the SMS risk register and the risk matrix",
            Permission::RiskManage => {
                "record SMS risks and opportunities and rate, treat, accept and review those they own (a quality manager: any; above the appetite a quality manager who never owned, recorded or rated it accepts); name the risks a change or continuity plan addresses"
            }
            Permission::RiskMatrixManage => "set the risk matrix and the appetite",
            Permission::SupplierRead => {
                "read the supplier register: contacts, contracts, agreed targets and reviews"
            }
            Permission::SupplierManage => {
                "keep the supplier register: add suppliers and their contracts, review their performance, retire them"
            }
            Permission::CompetenceRead => {
                "read the competences the SMS needs, the competence matrix and everyone's evidence"
            }
            Permission::CompetenceManage => {
                "define competences and who needs them; record and withdraw people's evidence (never their own)"
            }
            Permission::AwarenessRead => {
                "read the awareness campaigns and how far each audience has come"
            }
            Permission::AwarenessManage => {
                "run awareness campaigns: the document to read, the audience and the due date; launch, extend and close them"
            }
            Permission::AwarenessAcknowledge => {
                "acknowledge the awareness campaigns they are in (only their own)"
            }
            Permission::ConfigurationRead => {
                "read the CMDB: configuration items, their relationships and what a failure reaches"
            }
            Permission::ConfigurationManage => {
                "record configuration items and their relationships; change those they own (a change manager: any)"
            }
            Permission::ProfileRead => {
                "read the SMS profile: context, interested parties, scope, policy and SMS roles"
            }
            Permission::ProfileEdit => {
                "write the SMS profile's draft and send it to review"
            }
            Permission::ProfileApprove => {
                "approve the SMS profile — only a quality manager or its top management, never someone who wrote the version"
            }
        }
    }

    /// The roles granted this permission: the matrix, one row per permission.
    pub fn granted_to(self) -> &'static [Role] {
        use Role::*;
        match self {
            // Everyone who works in the SMS reads the catalogue.
            Permission::ServiceRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            Permission::ServiceCreate | Permission::ServiceUpdate => &[Admin, ServiceOwner],
            Permission::ServiceArchive => &[Admin, ServiceOwner],
            Permission::ChangeRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Everyone who works in the SMS may propose a change; the auditor only reads.
            Permission::ChangeRaise | Permission::ChangeTransition => &[
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            Permission::ScheduleManage => &[ChangeManager],
            // Pre-authorising a kind of change is the change manager's call.
            Permission::TemplateManage => &[ChangeManager],
            // Boards and their meetings are the change manager's to organise; chairs run them.
            Permission::CabManage => &[ChangeManager],
            // Chairs are change managers or CAB members; the meeting checks it is its chair.
            Permission::CabChair => &[ChangeManager, CabMember],
            // A board's members come from everyone who works in the SMS; the meeting checks the
            // seat (member, or delegate of an absent member). Admins and auditors never vote.
            Permission::CabVote => &[
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            Permission::ImprovementRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Anyone may report a nonconformity; auditors record their findings.
            Permission::FindingRaise => &[
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Work is assigned to people who work in the SMS; the auditor and the admin only read
            // it. The record says whose it is.
            Permission::AssignedWork => &[
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Anyone who works in the SMS proposes improvements; the lifecycle says who decides.
            Permission::ImprovementRaise => &[
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Plans must be available to everyone who may have to act on them.
            Permission::ContinuityRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Service owners write their services' plans; approval is the continuity
            // manager's (the plan lifecycle decides).
            Permission::ContinuityEdit => &[ServiceOwner, ContinuityManager],
            Permission::ContinuityReview => &[
                ChangeManager,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                ServiceLevelManager,
            ],
            // The SMS's documented information is there to be used by everyone in it.
            Permission::ComplianceRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Process owners write their documents; approval is the quality manager's
            // (the document lifecycle decides, never the author).
            Permission::DocumentEdit => &[
                ChangeManager,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                ServiceLevelManager,
            ],
            Permission::ObjectiveManage => &[QualityManager],
            // Process owners rate their own clauses; the quality manager runs the campaign.
            Permission::GapAssess => &[
                ChangeManager,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                ServiceLevelManager,
            ],
            // Internal auditors plan and perform audits with the quality manager.
            Permission::AuditManage => &[QualityManager, Auditor],
            Permission::ReviewManage => &[QualityManager],
            Permission::EvidenceExport => &[QualityManager, Auditor],
            Permission::UserRead => &[Admin, Auditor],
            Permission::UserManage => &[Admin],
            Permission::AuditRead => &[Admin, Auditor],
            // Incidents are the auditor's first sample: everyone reads them.
            Permission::IncidentRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Anyone who works in the SMS reports what is broken; the auditor and the admin
            // only read.
            Permission::IncidentRaise => &[
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            Permission::IncidentWork => &[ServiceLevelManager, Resolver],
            // Imported history counts against the agreements: the service level manager's call.
            Permission::IncidentImport => &[ServiceLevelManager],
            Permission::AgreementManage => &[ServiceLevelManager],
            // Problem management is done by those who work incidents and see them recur.
            Permission::ProblemWork => &[ServiceLevelManager, Resolver],
            // Everyone sees the catalogue and their own requests; the record decides whether
            // they see others' (`service_request::reads_all_requests`).
            Permission::RequestRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            // Anyone who works in the organisation asks; the auditor and the admin only look.
            Permission::RequestRaise => &[
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Requester,
                ServiceLevelManager,
                Resolver,
            ],
            Permission::RequestWork => &[ServiceLevelManager, Resolver],
            // A service owner answers for what their service gives out; the record checks it
            // is never the approver's own request.
            Permission::RequestApprove => &[ServiceOwner, ServiceLevelManager],
            Permission::RequestTypeManage => &[ServiceLevelManager],
            // Risks to the SMS and its services are read by those who work in it (not by
            // requesters: information security risks name weaknesses).
            Permission::RiskRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                ServiceLevelManager,
            ],
            // Owners of services and processes keep the risks to them.
            Permission::RiskManage => &[
                ChangeManager,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                ServiceLevelManager,
            ],
            Permission::RiskMatrixManage => &[QualityManager],
            // Whoever works incidents waits on suppliers and needs their contacts; contract
            // values and targets are not for requesters.
            Permission::SupplierRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                ServiceLevelManager,
                Resolver,
            ],
            // Service owners answer for their services' suppliers; the service level manager
            // manages the relationships; the quality manager keeps the register whole.
            Permission::SupplierManage => &[ServiceOwner, QualityManager, ServiceLevelManager],
            // Who is competent for what is how the SMS is staffed: everyone who works in it
            // sees the matrix; requesters only use the services.
            Permission::CompetenceRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                ServiceLevelManager,
                Resolver,
            ],
            // The quality manager keeps the competence records (clause 7.2's retained
            // documented information); one never attests their own.
            Permission::CompetenceManage => &[QualityManager],
            // How far a campaign has come names who has not read the policy: for those who
            // work in the SMS, as the competence matrix is.
            Permission::AwarenessRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                ServiceLevelManager,
                Resolver,
            ],
            // Awareness is part of the quality manager's support of the SMS (clause 7.3).
            Permission::AwarenessManage => &[QualityManager],
            // Anyone may be in a campaign's audience; the assignment decides whether they are.
            Permission::AwarenessAcknowledge => &Role::ALL,
            // The CMDB maps the infrastructure and its weak points: for those who work in the
            // SMS, not for requesters.
            Permission::ConfigurationRead => &[
                Admin,
                ChangeManager,
                CabMember,
                ServiceOwner,
                ContinuityManager,
                QualityManager,
                Auditor,
                ServiceLevelManager,
                Resolver,
            ],
            // Those who build and run the services record what they are made of; the change
            // manager controls the configuration as a whole.
            Permission::ConfigurationManage => &[ChangeManager, ServiceOwner, Resolver],
            // The policy and scope are communicated to everyone in the SMS (clause 5.2).
            Permission::ProfileRead => &Role::ALL,
            // The quality manager keeps the SMS's description.
            Permission::ProfileEdit => &[QualityManager],
            // Top management may hold any role: the rule decides who approves.
            Permission::ProfileApprove => &Role::ALL,
        }
    }
}

/// The permission matrix as a Markdown table (the README shows it; a test keeps them equal).
pub fn matrix_markdown() -> String {
    let mut table = String::from("| Permission |");
    for role in Role::ALL {
        table.push_str(&format!(" {} |", role.label()));
    }
    table.push_str("\n| --- |");
    for _ in Role::ALL {
        table.push_str(" :-: |");
    }
    for permission in Permission::ALL {
        table.push_str(&format!("\n| {} |", permission.describe()));
        for role in Role::ALL {
            table.push_str(if may(&[role], permission) {
                " ✓ |"
            } else {
                " |"
            });
        }
    }
    table.push('\n');
    table
}

/// True when any of `roles` grants `permission`.
pub fn may(roles: &[Role], permission: Permission) -> bool {
    permission
        .granted_to()
        .iter()
        .any(|granted| roles.contains(granted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn roles_parse_from_code_or_label() {
        for role in Role::ALL {
            assert_eq!(Role::parse_loose(role.as_str()), Some(role));
            assert_eq!(Role::parse_loose(role.label()), Some(role));
        }
        assert_eq!(Role::parse_loose("CAB-member"), Some(Role::CabMember));
        assert_eq!(Role::parse_loose("superuser"), None);
    }

    #[test]
    fn matrix_examples() {
        assert!(may(&[Role::Requester], Permission::ServiceRead));
        assert!(!may(&[Role::Requester], Permission::ServiceCreate));
        assert!(may(&[Role::ServiceOwner], Permission::ServiceUpdate));
        assert!(!may(&[Role::Auditor], Permission::ServiceUpdate));
        assert!(may(&[Role::Auditor], Permission::AuditRead));
        assert!(!may(&[Role::ChangeManager], Permission::UserManage));
        assert!(may(&[Role::Admin], Permission::UserManage));
    }

    #[test]
    fn no_roles_means_no_permissions() {
        for permission in Permission::ALL {
            assert!(!may(&[], permission), "{permission:?}");
        }
    }

    #[test]
    fn admin_administers_but_does_not_run_changes() {
        for permission in Permission::ALL {
            // Segregation of duties: changes are raised and decided by the people doing the work.
            let change_work = matches!(
                permission,
                Permission::ChangeRaise
                    | Permission::ChangeTransition
                    | Permission::ScheduleManage
                    | Permission::TemplateManage
                    | Permission::CabManage
                    | Permission::CabChair
                    | Permission::CabVote
                    | Permission::ImprovementRaise
                    | Permission::FindingRaise
                    | Permission::AssignedWork
                    | Permission::ContinuityEdit
                    | Permission::ContinuityReview
                    | Permission::DocumentEdit
                    | Permission::ObjectiveManage
                    | Permission::GapAssess
                    | Permission::AuditManage
                    | Permission::ReviewManage
                    | Permission::EvidenceExport
                    | Permission::IncidentRaise
                    | Permission::IncidentWork
                    | Permission::IncidentImport
                    | Permission::AgreementManage
                    | Permission::ProblemWork
                    | Permission::RequestRaise
                    | Permission::RequestWork
                    | Permission::RequestApprove
                    | Permission::RequestTypeManage
                    | Permission::RiskManage
                    | Permission::RiskMatrixManage
                    | Permission::SupplierManage
                    | Permission::CompetenceManage
                    | Permission::AwarenessManage
                    | Permission::ConfigurationManage
                    | Permission::ProfileEdit
            );
            assert_eq!(
                may(&[Role::Admin], permission),
                !change_work,
                "{permission:?}"
            );
        }
    }

    #[test]
    fn auditors_only_read() {
        for permission in [
            Permission::ServiceCreate,
            Permission::ChangeRaise,
            Permission::ChangeTransition,
            Permission::CabChair,
            Permission::CabVote,
            Permission::ImprovementRaise,
            Permission::UserManage,
            Permission::IncidentRaise,
            Permission::IncidentWork,
            Permission::AgreementManage,
            Permission::SupplierManage,
            Permission::CompetenceManage,
            Permission::AwarenessManage,
            Permission::ConfigurationManage,
        ] {
            assert!(!may(&[Role::Auditor], permission));
        }
    }

    #[test]
    fn readme_shows_the_current_matrix() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("<!-- permission-matrix -->")
            .expect("marker in README")
            + "<!-- permission-matrix -->".len();
        let end = readme
            .find("<!-- /permission-matrix -->")
            .expect("end marker in README");
        assert_eq!(
            readme[start..end].trim(),
            matrix_markdown().trim(),
            "update the README table from matrix_markdown()"
        );
    }

    proptest! {
        /// Holding more roles never takes a permission away.
        #[test]
        fn permissions_are_monotonic_in_roles(
            base in proptest::sample::subsequence(Role::ALL.to_vec(), 0..=Role::ALL.len()),
            extra in proptest::sample::select(Role::ALL.to_vec()),
        ) {
            let mut more = base.clone();
            more.push(extra);
            for permission in Permission::ALL {
                prop_assert!(!may(&base, permission) || may(&more, permission));
            }
        }
    }
}
