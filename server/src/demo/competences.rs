//! Demo competence records: what the demo roles need, and evidence recorded by the quality
//! manager at past dates through the real rules — certificates in date, one expiring within
//! weeks, one expired (a gap), and the quality manager's own auditor competence missing,
//! since nobody records their own.

use super::actor;
use app::error::AppError;
use app::model::access::Role;
use app::model::competence::{CompetenceForm, EvidenceForm};
use app::server::db::Db;
use app::server::entity::competence;
use app::server::service::{catalogue, competences};
use chrono::{Duration, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};

struct Definition {
    name: &'static str,
    description: &'static str,
    roles: &'static [Role],
    /// Named people (e-mail), besides the roles.
    people: &'static [&'static str],
    service: Option<&'static str>,
    validity_months: Option<u32>,
    /// What a gap does at a CAB vote and for a plan owner (`Gate` codes).
    cab_vote: &'static str,
    plan_owner: &'static str,
}

struct Held {
    competence: &'static str,
    holder: &'static str,
    kind: &'static str,
    evidence: &'static str,
    achieved_days_ago: i64,
}

const QUALITY: &str = "quality@conform.demo";

const DEFINITIONS: [Definition; 7] = [
    Definition {
        name: "CAB chair",
        description: "Runs a change advisory board meeting to the change procedure: quorum, conflicts, decisions and their recording.",
        roles: &[Role::ChangeManager],
        people: &[],
        service: None,
        validity_months: Some(24),
        cab_vote: "off",
        plan_owner: "off",
    },
    Definition {
        name: "Change risk assessment",
        description: "Assesses a change's risk and impact against the questionnaire and the services it reaches.",
        roles: &[Role::ChangeManager, Role::CabMember],
        people: &[],
        service: None,
        validity_months: Some(36),
        cab_vote: "warn",
        plan_owner: "off",
    },
    Definition {
        name: "Continuity exercise lead",
        description: "Plans, runs and reports a continuity test against the plan's recovery objectives.",
        roles: &[Role::ContinuityManager],
        people: &[],
        service: None,
        validity_months: Some(12),
        cab_vote: "off",
        plan_owner: "off",
    },
    Definition {
        name: "Payroll continuity",
        description: "Knows the payroll run's recovery steps, its suppliers and the payment deadlines.",
        roles: &[],
        people: &["continuity@conform.demo"],
        service: Some("Payroll"),
        validity_months: None,
        cab_vote: "off",
        plan_owner: "warn",
    },
    Definition {
        name: "ISO/IEC 20000-1 internal auditor",
        description: "Audits the SMS against ISO/IEC 20000-1 and ISO 19011: plans, samples, grades findings.",
        roles: &[Role::QualityManager, Role::Auditor],
        people: &[],
        service: None,
        validity_months: Some(36),
        cab_vote: "off",
        plan_owner: "off",
    },
    Definition {
        name: "Major incident management",
        description: "Declares and coordinates a major incident, its communications and its review.",
        roles: &[Role::ServiceLevelManager, Role::Resolver],
        people: &[],
        service: None,
        validity_months: Some(12),
        cab_vote: "off",
        plan_owner: "off",
    },
    Definition {
        name: "Service desk tooling",
        description: "Logs, classifies and routes incidents and requests in Conform.",
        roles: &[Role::Resolver],
        people: &[],
        service: None,
        validity_months: None,
        cab_vote: "off",
        plan_owner: "off",
    },
];

const HELD: [Held; 9] = [
    Held {
        competence: "CAB chair",
        holder: "change.manager@conform.demo",
        kind: "certificate",
        evidence: "CAB chairing course, certificate CC-2291",
        achieved_days_ago: 300,
    },
    Held {
        competence: "Change risk assessment",
        holder: "change.manager@conform.demo",
        kind: "assessed",
        evidence: "Assessed on twelve normal changes at the CAB; risk ratings matched the review.",
        achieved_days_ago: 200,
    },
    Held {
        competence: "Change risk assessment",
        holder: "cab.member@conform.demo",
        kind: "training",
        evidence: "Change risk workshop (one day), attendance record",
        achieved_days_ago: 1060,
    },
    // Expired a month ago: the continuity manager shows a gap until the next exercise.
    Held {
        competence: "Continuity exercise lead",
        holder: "continuity@conform.demo",
        kind: "assessed",
        evidence: "Led the data-centre failover exercise; report reviewed by the quality manager.",
        achieved_days_ago: 400,
    },
    Held {
        competence: "Payroll continuity",
        holder: "continuity@conform.demo",
        kind: "assessed",
        evidence: "Walked the payroll recovery runbook with the payroll team.",
        achieved_days_ago: 100,
    },
    Held {
        competence: "ISO/IEC 20000-1 internal auditor",
        holder: "auditor@conform.demo",
        kind: "certificate",
        evidence: "ISO/IEC 20000-1 internal auditor, certificate IA-55817",
        achieved_days_ago: 500,
    },
    Held {
        competence: "Major incident management",
        holder: "service.levels@conform.demo",
        kind: "training",
        evidence: "Major incident management course, two days",
        achieved_days_ago: 100,
    },
    // Expires within weeks: on the resolver's dashboard.
    Held {
        competence: "Major incident management",
        holder: "resolver@conform.demo",
        kind: "training",
        evidence: "Major incident management course, two days",
        achieved_days_ago: 340,
    },
    Held {
        competence: "Service desk tooling",
        holder: "resolver@conform.demo",
        kind: "training",
        evidence: "Conform service desk induction",
        achieved_days_ago: 500,
    },
];

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if competence::Entity::find().count(db.reader()).await? > 0 {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let Some(quality) = people.iter().find(|p| p.email == QUALITY) else {
        return Ok(0);
    };
    let services = catalogue::active_refs(db.reader()).await?;
    let now = Utc::now();
    let actor = actor(quality);
    let mut ids = Vec::new();
    for d in &DEFINITIONS {
        let form = CompetenceForm {
            name: d.name.into(),
            description: d.description.into(),
            roles: d.roles.iter().map(|r| r.as_str().to_string()).collect(),
            people: d
                .people
                .iter()
                .filter_map(|email| people.iter().find(|p| p.email == *email))
                .map(|p| p.id.to_string())
                .collect(),
            service_id: d
                .service
                .and_then(|name| services.iter().find(|s| s.name == name))
                .map_or(String::new(), |s| s.id.to_string()),
            validity_months: d.validity_months.map_or(String::new(), |m| m.to_string()),
            cab_vote: d.cab_vote.into(),
            plan_owner: d.plan_owner.into(),
        };
        let at = now - Duration::days(1200);
        ids.push((
            d.name,
            competences::create(db, quality, &actor, &form, at).await?,
        ));
    }
    for held in &HELD {
        let (Some((_, competence_id)), Some(holder)) = (
            ids.iter().find(|(name, _)| *name == held.competence),
            people.iter().find(|p| p.email == held.holder),
        ) else {
            continue;
        };
        let achieved = now - Duration::days(held.achieved_days_ago);
        let form = EvidenceForm {
            user_id: holder.id.to_string(),
            competence_id: competence_id.to_string(),
            kind: held.kind.into(),
            evidence: held.evidence.into(),
            achieved_on: achieved.date_naive().to_string(),
            expires_on: String::new(),
        };
        // Recorded the day after, as it happened.
        let recorded = achieved + Duration::days(1);
        competences::record_evidence(db, quality, &actor, &form, recorded).await?;
    }
    Ok(DEFINITIONS.len())
}
