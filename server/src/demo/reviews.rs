//! Demo management reviews: one held last quarter with its minutes published — decisions, and
//! actions of which one is done, one open and one overdue — and the next one planned for next
//! month. Walked by the demo quality manager through the real service. Idempotent: does
//! nothing once any review exists.

use super::actor;
use app::error::AppError;
use app::model::management_review::{last_full_quarter, DetailsForm, ReviewPlan, ReviewTransition};
use app::server::db::Db;
use app::server::entity::management_review as review_entity;
use app::server::service::management_reviews as reviews;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn version(db: &Db, id: i64) -> Result<i32, AppError> {
    Ok(reviews::get(db.reader(), id, Utc::now().date_naive())
        .await?
        .version)
}

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if review_entity::Entity::find().count(db.reader()).await? > 0 {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(quinn), Some(chris), Some(rowan), Some(dana), Some(ari)) = (
        find("quality@conform.demo"),
        find("change.manager@conform.demo"),
        find("continuity@conform.demo"),
        find("service.owner@conform.demo"),
        find("auditor@conform.demo"),
    ) else {
        return Ok(0);
    };
    let today = Utc::now().date_naive();
    let last_quarter = last_full_quarter(today);
    // Held three weeks into last quarter, looking back on the quarter before it.
    let held_on = last_quarter.start + Duration::days(20);
    let id = reviews::plan(
        db,
        &actor(&quinn),
        ReviewPlan {
            title: format!(
                "Management review Q{} {}",
                held_on.month0() / 3 + 1,
                held_on.year()
            ),
            planned_on: held_on,
            period: last_quarter.previous(),
            chair_id: quinn.id,
        },
    )
    .await?;
    let q = actor(&quinn);
    reviews::save_details(
        db,
        &q,
        id,
        version(db, id).await?,
        DetailsForm {
            attendees: vec![quinn.id, chris.id, rowan.id, dana.id, ari.id],
            guests: "Sam Patel (CIO)".into(),
            context_changes: "New data protection rules for customer records take effect next year.\nThe customer portal moved to the new hosting partner.".into(),
            customer_feedback: "Satisfaction survey: 4.1 of 5 (was 3.8). Two complaints about planned-outage notices arriving late.".into(),
            minutes: "## Summary\n\nThe SMS is working; change success improved, but emergency changes are still too frequent.\n\n## Discussion\n\n- Emergency changes: most came from one supplier's patches.\n- Continuity: the payroll tabletop exercise passed partly; the call tree is out of date.\n- Audit programme: clause 8.3 was not audited last cycle.\n".into(),
        },
    )
    .await?;
    for text in [
        "Target fewer than 10% emergency changes by the next review.",
        "Fund a second on-call engineer for the customer portal.",
    ] {
        reviews::add_decision(db, &q, id, version(db, id).await?, text).await?;
    }
    let actions = [
        (
            "Agree a patch window with the hosting partner",
            &chris,
            held_on + Duration::days(14),
        ),
        (
            "Update the payroll continuity plan's call tree",
            &rowan,
            held_on + Duration::days(30),
        ),
        (
            "Send planned-outage notices five working days ahead",
            &dana,
            today + Duration::days(30),
        ),
    ];
    for (text, owner, due) in &actions {
        reviews::add_action(
            db,
            &q,
            id,
            version(db, id).await?,
            text,
            &owner.id.to_string(),
            &due.to_string(),
        )
        .await?;
    }
    reviews::transition_review(
        db,
        &quinn,
        &q,
        id,
        version(db, id).await?,
        ReviewTransition::Hold,
        today,
    )
    .await?;
    reviews::transition_review(
        db,
        &quinn,
        &q,
        id,
        version(db, id).await?,
        ReviewTransition::Publish,
        today,
    )
    .await?;
    // The change manager finished the first action; the other two stay open (one overdue).
    let record = reviews::get(db.reader(), id, today).await?;
    if let Some(first) = record.actions.iter().find(|a| a.owner.id == chris.id) {
        reviews::complete_action(
            db,
            &chris,
            &actor(&chris),
            first.id,
            first.version,
            "Window agreed: Tuesdays 22:00–02:00.",
        )
        .await?;
    }
    // The demo's history starts today; date the publication when the review was held.
    review_entity::Entity::update_many()
        .col_expr(
            review_entity::Column::PublishedAt,
            Expr::value(date_time(held_on + Duration::days(2))),
        )
        .filter(review_entity::Column::Id.eq(id))
        .exec(db.writer())
        .await?;

    let next_month = NaiveDate::from_ymd_opt(
        if today.month() == 12 {
            today.year() + 1
        } else {
            today.year()
        },
        today.month() % 12 + 1,
        10,
    )
    .unwrap_or(today + Duration::days(30));
    let next_period = last_full_quarter(next_month);
    reviews::plan(
        db,
        &q,
        ReviewPlan {
            title: format!(
                "Management review Q{} {}",
                next_month.month0() / 3 + 1,
                next_month.year()
            ),
            planned_on: next_month,
            period: app::model::management_review::Period {
                start: last_quarter.start,
                // Up to today at least: the inputs include what happened since the last quarter.
                end: Ord::max(next_period.end, today),
            },
            chair_id: quinn.id,
        },
    )
    .await?;
    Ok(2)
}

fn date_time(day: NaiveDate) -> chrono::DateTime<Utc> {
    day.and_hms_opt(16, 0, 0).unwrap_or_default().and_utc()
}
