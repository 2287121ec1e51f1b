//! Demo awareness campaigns, run through the real rules at past dates: this year's policy
//! campaign, running, with most of its audience done and some still to acknowledge (the
//! resolver among them, so their dashboard asks); and last spring's change policy briefing,
//! closed below its target — what clause 7.3 flags.

use super::actor;
use app::error::AppError;
use app::model::access::Role;
use app::model::awareness::CampaignForm;
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::awareness_campaign;
use app::server::entity::sms_document::{Column as DocColumn, Entity as Documents};
use app::server::service::awareness;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

struct DemoCampaign {
    title: &'static str,
    document: &'static str,
    message: &'static str,
    roles: &'static [Role],
    launched_days_ago: i64,
    due_in_days: i64,
    target_percent: u32,
    /// Who acknowledged, and how many days after the launch.
    acknowledged: &'static [(&'static str, i64)],
    closed: bool,
}

const QUALITY: &str = "quality@conform.demo";

const CAMPAIGNS: [DemoCampaign; 2] = [
    DemoCampaign {
        title: "Change management policy briefing",
        document: "Change management policy",
        message: "The board now reviews every emergency change at its next meeting. Read the policy and acknowledge that you know which kind of change needs which approval.",
        roles: &[Role::ChangeManager, Role::CabMember, Role::ServiceOwner, Role::Resolver],
        launched_days_ago: 150,
        due_in_days: -120,
        target_percent: 100,
        acknowledged: &[("change.manager@conform.demo", 2), ("cab.member@conform.demo", 12)],
        closed: true,
    },
    DemoCampaign {
        title: "Service management policy 2026",
        document: "Service management policy",
        message: "This year's policy adds measured objectives with named owners. Read it, and acknowledge that you understand what it means for your work and what happens when it is not followed.",
        roles: &[
            Role::ChangeManager,
            Role::CabMember,
            Role::ServiceOwner,
            Role::ContinuityManager,
            Role::QualityManager,
            Role::ServiceLevelManager,
            Role::Resolver,
        ],
        launched_days_ago: 20,
        due_in_days: 10,
        target_percent: 90,
        acknowledged: &[
            ("quality@conform.demo", 0),
            ("change.manager@conform.demo", 1),
            ("service.owner@conform.demo", 3),
            ("continuity@conform.demo", 6),
        ],
        closed: false,
    },
];

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if awareness_campaign::Entity::find()
        .count(db.reader())
        .await?
        > 0
    {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let Some(quality) = people.iter().find(|p| p.email == QUALITY) else {
        return Ok(0);
    };
    let now = Utc::now();
    let mut created = 0;
    for campaign in &CAMPAIGNS {
        let Some(document) = Documents::find()
            .filter(DocColumn::Title.eq(campaign.document))
            .one(db.reader())
            .await?
        else {
            continue;
        };
        let launched = now - Duration::days(campaign.launched_days_ago);
        run(db, quality, &people, campaign, document.id, launched, now).await?;
        created += 1;
    }
    Ok(created)
}

async fn run(
    db: &Db,
    quality: &CurrentUser,
    people: &[CurrentUser],
    campaign: &DemoCampaign,
    document_id: i64,
    launched: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let quality_actor = actor(quality);
    let prepared = launched - Duration::days(3);
    let due = now + Duration::days(campaign.due_in_days);
    let form = CampaignForm {
        title: campaign.title.into(),
        message: campaign.message.into(),
        document_id: document_id.to_string(),
        roles: campaign
            .roles
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
        people: Vec::new(),
        due_on: due.date_naive().to_string(),
        target_percent: campaign.target_percent.to_string(),
    };
    let id = awareness::create(db, quality, &quality_actor, &form, prepared).await?;
    awareness::launch(db, quality, &quality_actor, id, 1, launched).await?;
    for (email, after_days) in campaign.acknowledged {
        if let Some(person) = people.iter().find(|p| p.email == *email) {
            let at = launched + Duration::days(*after_days) + Duration::hours(2);
            awareness::acknowledge(db, person, &actor(person), id, true, at).await?;
        }
    }
    if campaign.closed {
        let closed = due + Duration::days(7);
        awareness::close(db, quality, &quality_actor, id, 2, closed).await?;
    }
    Ok(())
}
