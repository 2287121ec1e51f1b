//! `GET /compliance/audits/{id}/report` and `…/report.md`: the report of a completed internal
//! audit (clause 9.2) as a standalone printable page (no app chrome, no JavaScript) or as
//! Markdown, rendered by `app::server::render::audit_report` (which the evidence pack embeds
//! too).

use super::{attachment, failure, inline_html, slug};
use app::model::access::Permission;
use app::model::internal_audit::AuditReport;
use app::server::auth::RequestAuth;
use app::server::render::audit_report::{report_html, report_markdown};
use app::server::service::internal_audits;
use app::server::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;

/// The report, if the caller may read compliance records and the audit is completed.
async fn load(state: &AppState, auth: &RequestAuth, id: i64) -> Result<AuditReport, Response> {
    // The session layer already sends signed-out browsers to sign in; this is the backstop.
    crate::access::require(state, auth, Permission::ComplianceRead).await?;
    internal_audits::report(state.db.reader(), id)
        .await
        .map_err(failure)
}

fn file_name(report: &AuditReport, extension: &str) -> String {
    let slug = slug(&report.audit.title);
    let reference = report.audit.reference().to_ascii_lowercase();
    if slug.is_empty() {
        format!("audit-report-{reference}.{extension}")
    } else {
        format!("audit-report-{reference}-{slug}.{extension}")
    }
}

pub async fn html(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match load(&state, &auth, id).await {
        Ok(report) => inline_html(&file_name(&report, "html"), report_html(&report)),
        Err(response) => response,
    }
}

pub async fn markdown(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match load(&state, &auth, id).await {
        Ok(report) => attachment(
            "text/markdown; charset=utf-8",
            &file_name(&report, "md"),
            report_markdown(&report),
        ),
        Err(response) => response,
    }
}
