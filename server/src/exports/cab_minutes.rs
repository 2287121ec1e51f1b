//! `GET /cab/meetings/{id}/minutes.md` and `…/minutes.html`: published CAB minutes as
//! Markdown, or as a standalone HTML page ready to print or save as PDF.

use super::{attachment, failure, inline_html, page, slug};
use app::model::access::Permission;
use app::server::auth::RequestAuth;
use app::server::markdown::to_safe_html;
use app::server::service::cab;
use app::server::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;

fn file_name(title: &str, extension: &str) -> String {
    format!("minutes-{}.{extension}", slug(title))
}

/// The meeting's title and its published minutes (Markdown), if the caller may read changes.
async fn published(
    state: &AppState,
    auth: &RequestAuth,
    id: i64,
) -> Result<(String, String), Response> {
    crate::access::require(state, auth, Permission::ChangeRead).await?;
    cab::minutes::published_minutes(&state.db, id)
        .await
        .map_err(failure)
}

pub async fn markdown(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match published(&state, &auth, id).await {
        Ok((title, text)) => attachment(
            "text/markdown; charset=utf-8",
            &file_name(&title, "md"),
            text,
        ),
        Err(response) => response,
    }
}

pub async fn html(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match published(&state, &auth, id).await {
        Ok((title, text)) => inline_html(
            &file_name(&title, "html"),
            page(
                &format!("Minutes: {title}"),
                None,
                &to_safe_html(&text),
                "Published minutes, exported from Conform. This record does not change.",
            ),
        ),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_plain() {
        assert_eq!(
            super::file_name("Weekly CAB — 1 Dec 2026", "md"),
            "minutes-weekly-cab-1-dec-2026.md"
        );
    }
}
