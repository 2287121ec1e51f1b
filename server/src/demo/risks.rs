//! Demo SMS risks: six risks and one opportunity to the SMS and the demo services, recorded
//! by their owners at their own past dates and walked through the real rules — one above the
//! appetite still open, one above it accepted by the quality manager (who never owned it),
//! two accepted by their owners within it, one whose review is overdue, one reviewed; the
//! data-centre risk addressed by a change and the continuity plan of the portal.

use super::actor;
use app::error::AppError;
use app::model::sms_risk::{ReviewForm, RiskForm, RiskStepForm};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::sms_risk;
use app::server::service::{catalogue, risk_links, sms_risks};
use chrono::{Duration, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};

struct Case {
    title: &'static str,
    description: &'static str,
    kind: &'static str,
    owner: &'static str,
    services: &'static [&'static str],
    /// Confidentiality, integrity, availability (an information security risk names one).
    cia: (bool, bool, bool),
    inherent: (u8, u8),
    treatment: &'static str,
    plan: &'static str,
    residual: (u8, u8),
    /// Recorded this many days ago, with its review this many days after that.
    age_days: i64,
    review_after: i64,
    /// Accepted by this person (its owner within the appetite, a quality manager above it).
    accepted_by: Option<&'static str>,
}

const CASES: [Case; 7] = [
    Case {
        title: "One data centre hosts the customer portal",
        description: "A power or network failure at the data centre stops the portal for every customer until it is restored.",
        kind: "risk",
        owner: "service.owner@conform.demo",
        services: &["Customer portal"],
        cia: (false, false, true),
        inherent: (4, 5),
        treatment: "reduce",
        plan: "Contract a second site and rehearse fail-over twice a year (continuity plan for the portal).",
        residual: (3, 4),
        age_days: 40,
        review_after: 120,
        accepted_by: None,
    },
    Case {
        title: "Legacy mail relay cannot be patched before the migration",
        description: "The relay runs an operating system out of support until mail moves to the new platform in spring.",
        kind: "risk",
        owner: "service.owner@conform.demo",
        services: &["E-mail and calendar"],
        cia: (false, true, true),
        inherent: (4, 4),
        treatment: "reduce",
        plan: "Relay isolated behind the gateway, only the mail ports open, daily configuration check.",
        residual: (3, 4),
        age_days: 90,
        review_after: 60,
        accepted_by: Some("quality@conform.demo"),
    },
    Case {
        title: "Phishing gives attackers a resolver's account",
        description: "Resolvers see customer data in incidents; a stolen account reads and changes it.",
        kind: "risk",
        owner: "service.levels@conform.demo",
        services: &["Customer portal", "E-mail and calendar"],
        cia: (true, true, false),
        inherent: (4, 4),
        treatment: "reduce",
        plan: "Second factor for every account, phishing exercise each quarter, sessions end after an hour idle.",
        residual: (2, 3),
        age_days: 60,
        review_after: 150,
        accepted_by: Some("service.levels@conform.demo"),
    },
    Case {
        title: "The payroll supplier ends support for our version",
        description: "Without support, a defect in the payroll run would have no fix in time for pay day.",
        kind: "risk",
        owner: "continuity@conform.demo",
        services: &[],
        cia: (false, false, false),
        inherent: (3, 4),
        treatment: "transfer",
        plan: "Extended support bought for a year in the renewed contract; upgrade planned before it ends.",
        residual: (2, 3),
        age_days: 200,
        review_after: 180,
        accepted_by: None,
    },
    Case {
        title: "CAB misses its quorum in holiday weeks",
        description: "Normal changes wait a week when too few members attend.",
        kind: "risk",
        owner: "change.manager@conform.demo",
        services: &[],
        cia: (false, false, false),
        inherent: (3, 2),
        treatment: "accept",
        plan: "",
        residual: (3, 2),
        age_days: 30,
        review_after: 180,
        accepted_by: Some("change.manager@conform.demo"),
    },
    Case {
        title: "Knowledge kept by one person on the intake rules",
        description: "Only one engineer knows how monitoring labels map to services and priorities.",
        kind: "risk",
        owner: "service.levels@conform.demo",
        services: &[],
        cia: (false, false, false),
        inherent: (3, 3),
        treatment: "reduce",
        plan: "Rules documented in Conform's monitoring sources; a second engineer trained.",
        residual: (2, 2),
        age_days: 20,
        review_after: 10,
        accepted_by: None,
    },
    Case {
        title: "Self-service password reset cuts incident volume",
        description: "About a fifth of incidents are password resets; a self-service reset would free the desk.",
        kind: "opportunity",
        owner: "service.levels@conform.demo",
        services: &["Customer portal"],
        cia: (false, false, false),
        inherent: (3, 3),
        treatment: "pursue",
        plan: "Pilot the reset for portal customers next quarter and measure the incident count.",
        residual: (4, 3),
        age_days: 15,
        review_after: 90,
        accepted_by: None,
    },
];

/// Records the demo risks into an empty register; returns how many.
pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if sms_risk::Entity::find().count(db.reader()).await? > 0 {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let services = catalogue::active_refs(db.reader()).await?;
    let now = Utc::now();
    let mut created = 0;
    for case in &CASES {
        let Some(owner) = find(case.owner) else {
            continue;
        };
        let service_ids = case
            .services
            .iter()
            .filter_map(|name| services.iter().find(|s| s.name == *name))
            .map(|s| s.id.to_string())
            .collect();
        let recorded = now - Duration::days(case.age_days);
        let (c, i, a) = case.cia;
        let form = RiskForm {
            kind: case.kind.into(),
            title: case.title.into(),
            description: case.description.into(),
            owner_id: owner.id.to_string(),
            service_ids,
            information_security: c || i || a,
            confidentiality: c,
            integrity: i,
            availability: a,
            inherent_likelihood: case.inherent.0.to_string(),
            inherent_impact: case.inherent.1.to_string(),
            treatment: case.treatment.into(),
            treatment_plan: case.plan.into(),
            residual_likelihood: case.residual.0.to_string(),
            residual_impact: case.residual.1.to_string(),
            review_on: (recorded + Duration::days(case.review_after))
                .date_naive()
                .to_string(),
        };
        let id = sms_risks::create(db, &owner, &actor(&owner), &form, recorded).await?;
        created += 1;
        if let Some(acceptor) = case.accepted_by.and_then(find) {
            let accept = RiskStepForm {
                action: "accept".into(),
                reason: "Weighed against the appetite: the treatment plan stands and the review date watches it.".into(),
            };
            let at = recorded + Duration::days(2);
            sms_risks::take_step(db, &acceptor, &actor(&acceptor), id, 1, &accept, at).await?;
        }
    }
    // The relay's owner reviewed it a month ago.
    if let (Some(owner), Some(relay)) = (
        find("service.owner@conform.demo"),
        sms_risks_titled(db, CASES[1].title).await?,
    ) {
        let review = ReviewForm {
            note: "Isolation checked; the migration is on plan for April. Still accepted as rated."
                .into(),
            next_review_on: (now + Duration::days(60)).date_naive().to_string(),
        };
        let at = now - Duration::days(30);
        sms_risks::review(db, &owner, &actor(&owner), relay.0, relay.1, &review, at).await?;
    }
    if let Some(keeper) = find("continuity@conform.demo") {
        link_portal_risk(db, &keeper).await?;
    }
    Ok(created)
}

/// The single data centre behind the customer portal is addressed by the portal's continuity
/// plan and by a change to the portal.
async fn link_portal_risk(db: &Db, keeper: &CurrentUser) -> Result<(), AppError> {
    use app::model::risk_link::{AddressedBy, RiskLinkRequest};
    use app::server::entity::{change_service, continuity_plan};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let Some((risk_id, _)) = sms_risks_titled(db, CASES[0].title).await? else {
        return Ok(());
    };
    let services = catalogue::active_refs(db.reader()).await?;
    let Some(portal) = services.iter().find(|s| s.name == "Customer portal") else {
        return Ok(());
    };
    let change = change_service::Entity::find()
        .filter(change_service::Column::ServiceId.eq(portal.id))
        .order_by_asc(change_service::Column::ChangeId)
        .one(db.reader())
        .await?
        .map(|link| (AddressedBy::Change, link.change_id));
    let plan = continuity_plan::Entity::find()
        .order_by_asc(continuity_plan::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .find(|plan| {
            serde_json::from_str::<Vec<i64>>(&plan.service_ids)
                .is_ok_and(|ids| ids.contains(&portal.id))
        })
        .map(|plan| (AddressedBy::ContinuityPlan, plan.id));
    for (addressed_by, record_id) in change.into_iter().chain(plan) {
        let request = RiskLinkRequest {
            addressed_by,
            record_id,
            risk_id,
        };
        risk_links::link(db, keeper, &actor(keeper), request, Utc::now()).await?;
    }
    Ok(())
}

async fn sms_risks_titled(db: &Db, title: &str) -> Result<Option<(i64, i32)>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(sms_risk::Entity::find()
        .filter(sms_risk::Column::Title.eq(title))
        .one(db.reader())
        .await?
        .map(|r| (r.id, r.version)))
}
