//! Demo SMS profile: version 1, written by the quality manager and approved by the top
//! management it names (the IT director, Avery Admin). It names owners for the busiest
//! processes only, scopes every service but one that it neither scopes nor excludes — so the
//! clause evidence shows what an auditor would question.

use super::actor;
use app::error::AppError;
use app::model::sms_document::DocAction;
use app::model::sms_profile::{
    ExclusionForm, IssueForm, PartyForm, PolicyForm, ProfileEdit, RoleForm, ScopeForm,
};
use app::server::db::Db;
use app::server::entity::sms_profile_version;
use app::server::service::{catalogue, sms_profile};
use chrono::Utc;
use sea_orm::{EntityTrait, PaginatorTrait};

const QUALITY: &str = "quality@conform.demo";
const TOP_MANAGEMENT: &str = "admin@conform.demo";
/// Left out of the scope without an exclusion: the 4.3 evidence names it.
const UNSCOPED: &str = "Field service app";

const ISSUES: [(&str, &str); 4] = [
    (
        "internal",
        "Ageing hardware in the building B comms room; the core switch is due for replacement.",
    ),
    ("internal", "Two people hold most of the network knowledge."),
    (
        "external",
        "Customers expect the portal around the clock since the 2026 price change.",
    ),
    (
        "external",
        "The cloud mail provider's contract renews in 2027.",
    ),
];

const PARTIES: [(&str, &str); 3] = [
    ("Staff", "Working e-mail, network and payroll during office hours; answers from the service desk within a day."),
    ("Customers", "The customer portal available as agreed, their data kept confidential."),
    ("Regulator", "Payroll records kept seven years; incidents affecting personal data reported within 72 hours."),
];

const OWNERS: [(&str, &str); 5] = [
    ("8.5.1", "change.manager@conform.demo"),
    ("8.6.1", "resolver@conform.demo"),
    ("8.3.3", "service.levels@conform.demo"),
    ("8.7.2", "continuity@conform.demo"),
    ("8.2.4", "service.owner@conform.demo"),
];

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if sms_profile_version::Entity::find()
        .count(db.reader())
        .await?
        > 0
    {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email);
    let (Some(quinn), Some(avery)) = (find(QUALITY), find(TOP_MANAGEMENT)) else {
        return Ok(0);
    };
    let writer = actor(quinn);
    let id = sms_profile::start(db, quinn, &writer).await?;
    let services = catalogue::active_refs(db.reader()).await?;
    let mut edits = vec![
        ProfileEdit::Scope(ScopeForm {
            scope: "The SMS covers the IT services the IT department delivers to the company's staff and customers from its two offices, supported by the service desk.".into(),
            service_ids: services.iter().filter(|s| s.name != UNSCOPED).map(|s| s.id).collect(),
            locations: "Head office, building A\nBuilding B".into(),
            units: "IT operations\nService desk\nApplications".into(),
        }),
        ProfileEdit::AddExclusion(ExclusionForm {
            what: "Shop-floor machine control".into(),
            reason: "Run by the production engineering department under its own quality system.".into(),
        }),
        ProfileEdit::Policy(PolicyForm {
            policy: "IT delivers the services its customers rely on as agreed with them.\n\nWe commit to meeting the requirements of our customers, staff and regulators, to setting service management objectives each year and measuring them, and to improving the SMS and our services continually.\n\nEveryone who works in the SMS knows this policy; it is reviewed every year by top management.".into(),
        }),
        ProfileEdit::Role(RoleForm { role: "top_management".into(), holder_id: Some(avery.id) }),
        ProfileEdit::Role(RoleForm { role: "sms_owner".into(), holder_id: Some(quinn.id) }),
    ];
    edits.extend(ISSUES.iter().map(|(kind, text)| {
        ProfileEdit::AddIssue(IssueForm {
            kind: (*kind).into(),
            text: (*text).into(),
        })
    }));
    edits.extend(PARTIES.iter().map(|(name, requirements)| {
        ProfileEdit::AddParty(PartyForm {
            name: (*name).into(),
            requirements: (*requirements).into(),
        })
    }));
    edits.extend(OWNERS.iter().filter_map(|(clause, email)| {
        find(email).map(|owner| {
            ProfileEdit::Role(RoleForm {
                role: (*clause).into(),
                holder_id: Some(owner.id),
            })
        })
    }));
    let mut version = 1;
    for edit in &edits {
        sms_profile::edit(db, quinn, &writer, id, version, edit).await?;
        version += 1;
    }
    let today = Utc::now().date_naive();
    sms_profile::act(
        db,
        quinn,
        &writer,
        id,
        version,
        DocAction::SendToReview,
        today,
    )
    .await?;
    sms_profile::act(
        db,
        avery,
        &actor(avery),
        id,
        version + 1,
        DocAction::Approve,
        today,
    )
    .await?;
    Ok(1)
}
