//! Values at their extremes, sent straight to the server as an attacker with a valid account
//! would: huge page numbers, far-future years, out-of-range numbers. Each gets an answer (a
//! page or a clear 400), never a panic or a dropped connection.

use crate::common;

use app::model::access::Role;
use axum::http::StatusCode;
use common::web::{add_user, call, get, send, sign_in, state, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_page_numbers_answer_an_empty_page() {
    let db = common::test_db().await;
    add_user(
        &db,
        "admin@example.org",
        vec![Role::Admin, Role::ChangeManager],
    )
    .await;
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "admin@example.org", PASSWORD).await;
    for (uri, body) in [
        (
            "/api/services/list",
            "params[q]=&params[page]=18446744073709551615",
        ),
        (
            "/api/changes/list",
            "params[q]=&params[page]=18446744073709551615",
        ),
        (
            "/api/improvements/list",
            "params[q]=&params[page]=99999999999999999999",
        ),
    ] {
        let reply = send(&state, call(uri, body, Some(&cookie))).await;
        assert!(
            reply.status == StatusCode::OK || reply.status == StatusCode::BAD_REQUEST,
            "{uri}: {} {}",
            reply.status,
            reply.body
        );
    }
    for uri in [
        "/services?page=18446744073709551616",
        "/audit?page=18446744073709551615",
        "/changes?page=-1",
    ] {
        let reply = send(&state, get(uri, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn far_future_years_and_out_of_range_numbers_get_a_clear_400() {
    let db = common::test_db().await;
    add_user(&db, "cm@example.org", vec![Role::ChangeManager]).await;
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "cm@example.org", PASSWORD).await;
    for (uri, body) in [
        (
            "/api/calendar/save_window",
            "form[kind]=blackout&form[name]=Far+away&form[starts]=262142-01-01T00:00&form[ends]=262142-01-02T00:00",
        ),
        (
            "/api/changes/transition",
            "id=1&version=99999999999&action=submit",
        ),
        ("/api/services/get", "id=-9223372036854775809"),
    ] {
        let reply = send(&state, call(uri, body, Some(&cookie))).await;
        assert!(
            reply.status.is_client_error(),
            "{uri}: {} {}",
            reply.status,
            reply.body
        );
        assert!(!reply.body.is_empty(), "{uri}: an answer, with its reason");
    }
}

/// Every audit entry so far: each write appends one, so an unchanged count means nothing
/// was written.
async fn writes(db: &app::server::db::Db) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    app::server::entity::audit_log::Entity::find()
        .count(db.reader())
        .await
        .unwrap()
}

const YEAR: &str = "Enter a year from 1900 to 9999.";
const HUGE: &str = "Enter a number below 1,000,000,000,000 (either sign).";

/// Each date, time, duration and number a server function accepts, at its extremes: year
/// 262142, ends before starts, negative and huge values. Each gets a 400 naming the field
/// and the reason, and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_durations_and_numbers_at_their_extremes_get_a_400_and_write_nothing() {
    let db = common::test_db().await;
    let me = add_user(&db, "all@example.org", Role::ALL.to_vec()).await;
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "all@example.org", PASSWORD).await;
    let actor = app::server::audit::Actor::user(me.id, me.name.clone(), None);
    // Records whose checks need the record first: a review (actions are due after its date)
    // and an objective (only its owner measures it).
    let review = app::server::service::management_reviews::plan(
        &db,
        &actor,
        app::model::management_review::PlanForm {
            title: "Quarterly review".into(),
            planned_on: "2030-01-15".into(),
            period_start: "2029-10-01".into(),
            period_end: "2029-12-31".into(),
            chair_id: me.id.to_string(),
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    let objective = app::server::service::objectives::create(
        &db,
        &actor,
        app::model::objective::ObjectiveForm {
            title: "Keep the portal up".into(),
            owner_id: me.id,
            kpi_name: "Availability".into(),
            baseline: "99".into(),
            target: "99.9".into(),
            direction: "higher".into(),
            frequency: "monthly".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let owner = me.id;
    let far_csv = app::model::service::encode_component(&format!(
        "Title,Source,Owner,Target date\nA register entry far ahead,Staff suggestion,{},262142-01-01\n",
        me.email
    ));

    // (endpoint, body, field (None: a plain 400), message)
    let cases: Vec<(&str, String, Option<&str>, &str)> = vec![
        (
            "/api/calendar/save_window",
            "form[kind]=blackout&form[name]=Far+away&form[starts]=262142-01-01T00:00&form[ends]=262142-01-02T00:00".into(),
            Some("starts"),
            YEAR,
        ),
        (
            "/api/calendar/save_window",
            "form[kind]=blackout&form[name]=Backwards&form[starts]=2030-01-02T00:00&form[ends]=2030-01-01T00:00".into(),
            Some("ends"),
            "The window must end after it starts.",
        ),
        (
            "/api/calendar/save_window",
            "form[kind]=blackout&form[name]=Endless&form[starts]=2030-01-01T00:00&form[ends]=9999-12-31T23:59".into(),
            Some("ends"),
            "A window may last at most 92 days.",
        ),
        (
            "/api/changes/create",
            "form[title]=Patch+in+the+far+future&form[change_type]=normal&form[planned_start]=262142-01-01T10:00&form[planned_end]=262142-01-01T11:00".into(),
            Some("planned_start"),
            YEAR,
        ),
        (
            "/api/changes/create",
            "form[title]=Patch+backwards&form[change_type]=normal&form[planned_start]=2030-01-01T11:00&form[planned_end]=2030-01-01T10:00".into(),
            Some("planned_end"),
            "The end must be after the start.",
        ),
        (
            "/api/changes/create",
            "form[title]=Patch+with+negative+outage&form[change_type]=normal&form[expects_outage]=on&form[outage_minutes]=-5".into(),
            Some("outage_minutes"),
            "Enter whole minutes from 0 to 10080.",
        ),
        (
            "/api/changes/create",
            "form[title]=Patch+with+endless+outage&form[change_type]=normal&form[expects_outage]=on&form[outage_minutes]=99999999999".into(),
            Some("outage_minutes"),
            "Enter whole minutes from 0 to 10080.",
        ),
        (
            "/api/audits/programme/create",
            "title=Far+cycle&cycle_start=262142-01-01&cycle_end=262142-12-31".into(),
            Some("cycle_start"),
            YEAR,
        ),
        (
            "/api/audits/programme/create",
            "title=Signed+cycle&cycle_start=%2B262142-01-01&cycle_end=%2B262142-12-31".into(),
            Some("cycle_start"),
            YEAR,
        ),
        (
            "/api/calendar/save_window",
            "form[kind]=maintenance&form[name]=Signed&form[starts]=%2B262142-12-31T00:00&form[ends]=%2B262142-12-31T23:00".into(),
            Some("starts"),
            YEAR,
        ),
        (
            "/api/audits/programme/create",
            "title=Backwards+cycle&cycle_start=2030-12-31&cycle_end=2030-01-01".into(),
            Some("cycle_end"),
            "The cycle ends after it starts.",
        ),
        (
            "/api/audits/plan",
            format!("programme_id=1&title=Far+audit&area=Service+desk&planned_on=-0001-01-01&lead_auditor_id={owner}&scope=The+whole+service+desk&criteria=ISO+20000"),
            Some("planned_on"),
            YEAR,
        ),
        (
            "/api/reviews/plan",
            format!("form[title]=Far+review&form[planned_on]=262142-01-01&form[period_start]=2029-01-01&form[period_end]=2029-03-31&form[chair_id]={owner}"),
            Some("planned_on"),
            YEAR,
        ),
        (
            "/api/reviews/plan",
            format!("form[title]=Backwards+review&form[planned_on]=2030-01-01&form[period_start]=2029-03-31&form[period_end]=2029-01-01&form[chair_id]={owner}"),
            Some("period_end"),
            "The period ends after it starts.",
        ),
        (
            "/api/reviews/action",
            format!("id={review}&version=1&text=Do+it+later&owner_id={owner}&due_on=262142-01-01"),
            Some("due_on"),
            YEAR,
        ),
        (
            "/api/cab/schedule_meeting",
            "form[board_id]=1&form[when]=262142-01-01T10:00".into(),
            Some("when"),
            YEAR,
        ),
        (
            "/api/cab/create_board",
            format!("form[name]=Far+board&form[kind]=cab&form[chair_id]={owner}&form[quorum_kind]=majority&form[weekday]=tue&form[meets_at]=10:00&form[interval_weeks]=99999999999&form[time_zone]=UTC"),
            Some("interval_weeks"),
            "Enter a number of weeks from 1 to 4.",
        ),
        (
            "/api/cab/create_board",
            format!("form[name]=Negative+board&form[kind]=cab&form[chair_id]={owner}&form[quorum_kind]=at_least&form[quorum_value]=-1&form[time_zone]=UTC"),
            Some("quorum_value"),
            "Enter a number of members from 1 to 100.",
        ),
        (
            "/api/cab/add_action",
            format!("id=1&version=1&form[text]=Far+action&form[owner_id]={owner}&form[due]=262142-01-01"),
            Some("action_due"),
            YEAR,
        ),
        (
            "/api/cab/agenda",
            "id=1&version=1&op=time_box&minutes=99999999999".into(),
            Some("minutes"),
            "Enter a number of minutes.",
        ),
        (
            "/api/continuity/exercise/plan",
            "plan_id=1&kind=tabletop&planned_on=262142-01-01&participants=Ops&objectives=Recover".into(),
            Some("planned_on"),
            YEAR,
        ),
        (
            "/api/continuity/exercise/record",
            "exercise_id=1&version=1&result=passed&actual=4000000000".into(),
            Some("actual"),
            "Enter the recovery time it took, such as 3 h or 90 min (at most 366 days).",
        ),
        (
            "/api/continuity/bia/save",
            "service_id=1&version=1&form[mtpd]=4+h&form[rto]=4000000000&form[rpo]=1+h".into(),
            Some("rto"),
            "Enter the RTO as a duration such as 4 h, 1 d or 90 min (at most 366 days).",
        ),
        (
            "/api/improvements/create",
            format!("form[title]=Improve+far+ahead&form[source]=staff_suggestion&form[owner_id]={owner}&form[target_date]=262142-01-01"),
            Some("target_date"),
            YEAR,
        ),
        (
            "/api/improvements/add_kpi",
            "id=1&version=1&form[name]=Far+KPI&form[baseline]=1e308&form[target]=5&form[direction]=higher".into(),
            Some("kpi_baseline"),
            HUGE,
        ),
        (
            "/api/improvements/measure",
            "id=1&version=1&kpi_id=1&form[on]=-262143-01-01&form[value]=5".into(),
            Some("measurement_on"),
            YEAR,
        ),
        (
            "/api/improvements/import",
            format!("csv={far_csv}"),
            None,
            "Nothing was imported.",
        ),
        (
            "/api/nonconformities/raise",
            format!("form[grade]=minor&form[clause]=8.5&form[description]=Changes+skip+the+CAB&form[found_in]=internal_audit&form[owner_id]={owner}&form[wait_days]=-1"),
            Some("wait_days"),
            "Enter a waiting period from 0 to 365 days.",
        ),
        (
            "/api/nonconformities/raise",
            format!("form[grade]=minor&form[clause]=8.5&form[description]=Changes+skip+the+CAB&form[found_in]=internal_audit&form[owner_id]={owner}&form[wait_days]=99999999999"),
            Some("wait_days"),
            "Enter a waiting period from 0 to 365 days.",
        ),
        (
            "/api/nonconformities/step",
            format!("id=1&version=1&step=add_action&text=Fix+it&owner_id={owner}&due=262142-01-01"),
            Some("action_due"),
            YEAR,
        ),
        (
            "/api/nonconformities/step",
            "id=1&version=1&step=actions_done&wait_days=-5".into(),
            Some("wait_days"),
            "Enter a waiting period from 0 to 365 days.",
        ),
        (
            "/api/objectives/create",
            format!("form[title]=Far+objective&form[owner_id]={owner}&form[kpi_name]=Uptime&form[baseline]=1&form[target]=1e308&form[direction]=higher&form[frequency]=monthly"),
            Some("target"),
            HUGE,
        ),
        (
            "/api/objectives/measure",
            format!("id={objective}&form[measured_on]=262142-01-01&form[value]=99.9"),
            Some("measured_on"),
            YEAR,
        ),
        (
            "/api/objectives/measure",
            format!("id={objective}&form[measured_on]=2020-01-01&form[value]=-1e13"),
            Some("value"),
            HUGE,
        ),
        (
            "/api/evidence-pack/start",
            "as_of=262142-01-01".into(),
            None,
            YEAR,
        ),
    ];
    for (uri, body, field, message) in cases {
        let before = writes(&db).await;
        let reply = send(&state, call(uri, &body, Some(&cookie))).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{uri} {body}: {}",
            reply.body
        );
        match field {
            Some(field) => assert_eq!(
                reply.error().field_errors().and_then(|e| e.get(field)),
                Some(message),
                "{uri} {body}: {}",
                reply.body
            ),
            None => assert!(
                reply.error().to_string().contains(message),
                "{uri} {body}: {}",
                reply.body
            ),
        }
        assert_eq!(writes(&db).await, before, "{uri} {body}: nothing written");
    }
}

/// Links are not forms: a far date in a list's filter or the calendar's anchor is ignored,
/// and the page still answers (no panic in the date arithmetic behind it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn far_dates_in_links_answer_a_page() {
    let db = common::test_db().await;
    add_user(&db, "all@example.org", Role::ALL.to_vec()).await;
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "all@example.org", PASSWORD).await;
    for (uri, body) in [
        (
            "/api/changes/list",
            "params[from]=262142-01-01&params[to]=262142-12-31",
        ),
        ("/api/changes/list", "params[to]=9999-12-31"),
        // chrono reads a signed year up to 262142, whose last day has no next day.
        ("/api/changes/list", "params[to]=%2B262142-12-31"),
        ("/api/audit/list", "params[to]=%2B262142-12-31"),
        (
            "/api/audit/list",
            "params[from]=-262143-01-01&params[to]=262142-12-31",
        ),
        ("/api/audit/list", "params[to]=9999-12-31"),
        (
            "/api/calendar/view",
            "params[view]=month&params[date]=262142-12-31",
        ),
        (
            "/api/calendar/view",
            "params[view]=week&params[date]=9999-12-31",
        ),
    ] {
        let reply = send(&state, call(uri, body, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri} {body}: {}", reply.body);
    }
    for uri in [
        "/changes/export.csv?to=262142-12-31",
        "/changes/export.csv?to=%2B262142-12-31",
        "/changes/export.csv?from=9999-12-31&to=9999-12-31",
        "/changes?to=262142-12-31",
        "/audit?to=262142-12-31",
        "/calendar?date=262142-12-31",
    ] {
        let reply = send(&state, get(uri, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
    }
}
