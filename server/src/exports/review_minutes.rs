//! `GET /compliance/reviews/{id}/minutes` and `…/minutes.md`: a management review's minutes as
//! a standalone printable page (no app chrome, no JavaScript) or as Markdown, rendered by
//! `app::server::render::review_minutes` (a review not yet published prints with a DRAFT
//! watermark).

use super::{attachment, failure, inline_html, slug};
use app::model::access::Permission;
use app::model::management_review::{minutes_markdown, ReviewRecord};
use app::server::auth::RequestAuth;
use app::server::render::review_minutes::minutes_html;
use app::server::service::management_reviews;
use app::server::service::schedule::local_today;
use app::server::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;

async fn review(state: &AppState, auth: &RequestAuth, id: i64) -> Result<ReviewRecord, Response> {
    let user = crate::access::require(state, auth, Permission::ComplianceRead).await?;
    let today = local_today(&user.time_zone);
    management_reviews::get(state.db.reader(), id, today)
        .await
        .map_err(failure)
}

/// `management-review-q3-minutes.md`: ASCII only, so always a valid header value.
fn file_name(review: &ReviewRecord, extension: &str) -> String {
    let slug = slug(&review.title);
    let slug = if slug.is_empty() {
        format!("management-review-{}", review.id)
    } else {
        slug
    };
    format!("{slug}-minutes.{extension}")
}

pub async fn html(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match review(&state, &auth, id).await {
        Ok(review) => inline_html(&file_name(&review, "html"), minutes_html(&review)),
        Err(response) => response,
    }
}

pub async fn markdown(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match review(&state, &auth, id).await {
        Ok(review) => attachment(
            "text/markdown; charset=utf-8",
            &file_name(&review, "md"),
            minutes_markdown(&review),
        ),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::management_review::{Period, ReviewInputs, ReviewState};
    use app::model::refs::PersonRef;

    fn record(title: &str, state: ReviewState) -> ReviewRecord {
        let day = |s: &str| s.parse().unwrap();
        let period = Period {
            start: day("2026-07-01"),
            end: day("2026-09-30"),
        };
        let quinn = PersonRef {
            id: 1,
            name: "Quinn <Quality>".into(),
        };
        ReviewRecord {
            id: 4,
            title: title.into(),
            planned_on: day("2026-10-10"),
            period,
            state,
            chair: quinn.clone(),
            attendees: vec![quinn.clone()],
            guests: String::new(),
            context_changes: "<script>alert(1)</script>".into(),
            customer_feedback: String::new(),
            inputs: ReviewInputs::empty(period, day("2026-10-10")),
            inputs_frozen: state == ReviewState::Published,
            minutes: "We *agreed*.".into(),
            published_at: (state == ReviewState::Published).then(chrono::Utc::now),
            published_by: (state == ReviewState::Published).then_some(quinn),
            version: 3,
            decisions: vec![],
            actions: vec![],
        }
    }

    #[test]
    fn file_names_are_ascii() {
        assert_eq!(
            file_name(&record("Review — Q3 <B>", ReviewState::Held), "md"),
            "review-q3-b-minutes.md"
        );
        assert_eq!(
            file_name(&record("Обзор", ReviewState::Held), "md"),
            "management-review-4-minutes.md"
        );
    }
}
