//! The HTTP surface: pages, server functions, static files, health.

use crate::exports;
use crate::health::healthz;
use crate::middleware;
use app::server::state::AppState;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

const FAVICON: &str = include_str!("assets/favicon.svg");

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/events", get(crate::live::events))
        .route("/calendar/feed/{file}", get(crate::feeds::change_feed))
        .route("/changes/export.csv", get(exports::change_csv::change_csv))
        .route(
            "/incidents/export.csv",
            get(exports::incident_csv::incident_csv),
        )
        .route(
            "/requests/export.csv",
            get(exports::request_csv::request_csv),
        )
        .route(
            "/service-levels/report.csv",
            get(exports::service_report_csv::service_report_csv),
        )
        .route("/risks/export.csv", get(exports::risk_csv::risk_csv))
        .route("/cmdb/export.csv", get(exports::ci_csv::ci_csv))
        .route(
            "/suppliers/export.csv",
            get(exports::supplier_csv::supplier_csv),
        )
        .route(
            "/compliance/profile/export.csv",
            get(exports::profile_csv::profile_csv),
        )
        .route(
            "/competences/matrix.csv",
            get(exports::competence_csv::competence_csv),
        )
        .route(
            "/awareness/{id}/export.csv",
            get(exports::awareness_csv::awareness_csv),
        )
        .route(
            "/improvements/export.csv",
            get(exports::register_csv::register_csv),
        )
        .route(exports::PRINT_CSS_PATH, get(exports::print_css))
        .route(
            "/cab/meetings/{id}/minutes.md",
            get(exports::cab_minutes::markdown),
        )
        .route(
            "/cab/meetings/{id}/minutes.html",
            get(exports::cab_minutes::html),
        )
        .route(
            "/compliance/audits/{id}/report",
            get(exports::audit_report::html),
        )
        .route(
            "/compliance/audits/{id}/report.md",
            get(exports::audit_report::markdown),
        )
        .route(
            "/continuity/plans/{id}/plan.md",
            get(exports::continuity_plan::plan_markdown),
        )
        .route(
            "/continuity/plans/{id}/print",
            get(exports::continuity_plan::plan_print),
        )
        .route(
            "/compliance/reviews/{id}/minutes",
            get(exports::review_minutes::html),
        )
        .route(
            "/compliance/reviews/{id}/minutes.md",
            get(exports::review_minutes::markdown),
        )
        .route(
            "/compliance/evidence-pack/{id}/download",
            get(crate::evidence_pack::download),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .nest_service(
            "/pkg",
            crate::client_files::service(std::path::Path::new(
                state.leptos_options.site_root.as_ref(),
            )),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Layers run bottom-up: the origin check, then the session, then the error status.
        // (leptos_routes also serves every server function at its /api/… path.)
        .layer(from_fn(middleware::server_fn_error_status))
        .layer(from_fn_with_state(state.clone(), middleware::session))
        .layer(from_fn(middleware::same_origin_writes))
        // Machines post here with a token, from another origin and without a session: added
        // after the layers above, so neither the origin check nor the session applies.
        .route(
            "/intake/alertmanager",
            axum::routing::post(crate::intake::alertmanager),
        );
    outer_layers(app, &state).with_state(state)
}

/// What every response passes through, whoever answered it: the body limit, compression,
/// the panic catcher, then the security headers outside them all, so that a 413, a 401, a
/// 429 or a caught panic carries the same headers as a page.
pub fn outer_layers(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    router
        // Outermost checks first: an oversized body is refused before anything reads it.
        .layer(from_fn(crate::body_limit::limit_body))
        .layer(DefaultBodyLimit::max(crate::body_limit::BODY_LIMIT))
        .layer(CompressionLayer::new())
        // A bug that panics on some input answers 500 instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(from_fn(middleware::security_headers))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::strict_transport_security,
        ))
        .layer(TraceLayer::new_for_http())
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
        .into_response()
}
