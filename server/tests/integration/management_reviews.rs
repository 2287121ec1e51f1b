//! Management reviews (clause 9.3) against a real database: the inputs gathered from the
//! records of the period (changes, continuity exercises, improvements, nonconformities,
//! objectives, earlier reviews' actions), the Planned → Held → Published lifecycle and its
//! preconditions, who may minute a review (through the HTTP API), immutability and the frozen
//! inputs once published, review actions, version checks and the audit trail.

use crate::common;

use app::error::AppError;
use app::model::access::{Permission, Role};
use app::model::audit::AuditEntry;
use app::model::change::{ChangeAction, ChangeState, ChangeType};
use app::model::change_request::{ChangeDraft, Review};
use app::model::continuity_plan::{check_outcome, ExerciseKind};
use app::model::improvement::{ClosureCode, ImprovementAction};
use app::model::management_review::{
    ActionStatus, AuditResults, DetailsForm, ObjectiveStatus, Period, PeriodFigures, Ratio,
    ReviewInputs, ReviewPlan, ReviewRecord, ReviewState, ReviewTransition,
};
use app::model::nonconformity::{NcForm, NcState, RootCauseMethod};
use app::model::objective::{MeasurementForm, ObjectiveForm};
use app::model::register::ImprovementForm;
use app::model::risk::RiskAnswers;
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::change_import::{self, Imported};
use app::server::service::changes::{self, TransitionInput};
use app::server::service::continuity_exercises::{self, PlannedExercise};
use app::server::service::continuity_plans::{self, NewPlan};
use app::server::service::management_reviews as reviews;
use app::server::service::nonconformities::{self, Raised, Step};
use app::server::service::register;
use app::server::service::{audit_trail, objectives};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{actor, person};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

struct People {
    /// Quality manager: manages reviews.
    quinn: CurrentUser,
    chris: CurrentUser,
    rowan: CurrentUser,
    owen: CurrentUser,
    ari: CurrentUser,
}

async fn people(db: &Db) -> People {
    People {
        quinn: person(db, "quality@example.org", Role::QualityManager).await,
        chris: person(db, "change@example.org", Role::ChangeManager).await,
        rowan: person(db, "continuity@example.org", Role::ContinuityManager).await,
        owen: person(db, "owner@example.org", Role::ServiceOwner).await,
        ari: person(db, "auditor@example.org", Role::Auditor).await,
    }
}

async fn plan(
    db: &Db,
    chair: &CurrentUser,
    title: &str,
    planned_on: NaiveDate,
    period: Period,
) -> i64 {
    reviews::plan(
        db,
        &actor(chair),
        ReviewPlan {
            title: title.into(),
            planned_on,
            period,
            chair_id: chair.id,
        },
    )
    .await
    .unwrap()
}

async fn record(db: &Db, id: i64) -> ReviewRecord {
    reviews::get(db.reader(), id, today()).await.unwrap()
}

async fn version(db: &Db, id: i64) -> i32 {
    record(db, id).await.version
}

fn details(attendees: &[i64], minutes: &str) -> DetailsForm {
    DetailsForm {
        attendees: attendees.to_vec(),
        guests: "Sam Patel (CIO)".into(),
        context_changes: "A new hosting partner.".into(),
        customer_feedback: "Survey 4.1 of 5.".into(),
        minutes: minutes.into(),
    }
}

async fn save(db: &Db, by: &CurrentUser, id: i64, form: DetailsForm) {
    let v = version(db, id).await;
    reviews::save_details(db, &actor(by), id, v, form)
        .await
        .unwrap();
}

async fn add_action(db: &Db, by: &CurrentUser, id: i64, text: &str, owner: i64, due: NaiveDate) {
    let v = version(db, id).await;
    reviews::add_action(
        db,
        &actor(by),
        id,
        v,
        text,
        &owner.to_string(),
        &due.to_string(),
    )
    .await
    .unwrap();
}

async fn transition_to(
    db: &Db,
    by: &CurrentUser,
    id: i64,
    step: ReviewTransition,
) -> Result<ReviewState, AppError> {
    let v = version(db, id).await;
    reviews::transition_review(db, by, &actor(by), id, v, step, today()).await
}

/// Attendees and minutes recorded, held and published by `by`.
async fn publish(db: &Db, by: &CurrentUser, id: i64, attendees: &[i64]) {
    save(
        db,
        by,
        id,
        details(
            attendees,
            "The SMS works; emergency changes are too frequent.",
        ),
    )
    .await;
    assert_eq!(
        transition_to(db, by, id, ReviewTransition::Hold)
            .await
            .unwrap(),
        ReviewState::Held
    );
    assert_eq!(
        transition_to(db, by, id, ReviewTransition::Publish)
            .await
            .unwrap(),
        ReviewState::Published
    );
}

async fn trail(db: &Db, id: i64) -> Vec<AuditEntry> {
    audit_trail::history(db, "management_review", &id.to_string())
        .await
        .unwrap()
}

fn published_refusal() -> AppError {
    AppError::BadRequest(
        "The minutes of this review are published; a published review does not change.".into(),
    )
}

// ---------------------------------------------------------------------------------------------
// Seeding the records the inputs are gathered from, through their own services

pub(crate) async fn import_change(
    db: &Db,
    manager: &CurrentUser,
    change_type: ChangeType,
    state: ChangeState,
    planned_end: Option<NaiveDate>,
) -> i64 {
    let draft = ChangeDraft {
        title: format!("{} change, {}", change_type.label(), state.label()),
        description: "A change the management review counts.".into(),
        reason: "Keeps the service supported.".into(),
        change_type,
        category: "Application".into(),
        service_ids: vec![],
        configuration_items: vec![],
        owner_id: Some(manager.id),
        implementer_ids: vec![manager.id],
        planned_start: None,
        planned_end: None,
        expects_outage: false,
        outage_minutes: 0,
        implementation_plan: "Apply the update.".into(),
        test_plan: "Smoke tests.".into(),
        backout_plan: "Restore the snapshot.".into(),
        communication_plan: String::new(),
        risk_answers: (state != ChangeState::Draft).then_some(RiskAnswers {
            impact_breadth: 1,
            complexity: 1,
            backout_difficulty: 1,
            history: 0,
            time_pressure: 0,
        }),
        related_ids: vec![],
        template_id: None,
    };
    let review = matches!(state, ChangeState::Reviewed | ChangeState::Closed).then(|| Review {
        outcome: "Successful".into(),
        incidents: 0,
        lessons: String::new(),
    });
    if state.is_final() {
        // Finished history may be imported (read-only).
        return change_import::import(
            db,
            &Actor::system("test"),
            Imported {
                draft,
                state,
                requester_id: manager.id,
                planned: planned_end.map(|d| (at(d, 20), at(d, 22))),
                review,
            },
        )
        .await
        .unwrap();
    }
    // Open work goes through the lifecycle: imports never create it.
    let mut draft = draft;
    draft.planned_start = planned_end.map(|d| at(d, 20).naive_utc());
    draft.planned_end = planned_end.map(|d| at(d, 22).naive_utc());
    let id = changes::create(db, manager, &actor(manager), draft)
        .await
        .unwrap()
        .id;
    use ChangeAction as A;
    use ChangeState as S;
    if state == S::Draft {
        return id;
    }
    let quiet = TransitionInput::default;
    change_step(db, manager, id, A::Submit, quiet()).await;
    if change_type == ChangeType::Normal {
        change_step(db, manager, id, A::Assess, quiet()).await;
        change_step(db, manager, id, A::RequestAuthorisation, quiet()).await;
    }
    authorise_in_meeting(db, id).await;
    let why = |text: &str| TransitionInput {
        comment: text.into(),
        review: None,
    };
    let rest: &[(A, TransitionInput)] = match state {
        S::Authorised => &[],
        S::Scheduled => &[(A::Schedule, quiet())],
        S::Implementing => &[(A::Schedule, quiet()), (A::StartImplementation, quiet())],
        S::Implemented => &[
            (A::Schedule, quiet()),
            (A::StartImplementation, quiet()),
            (A::Complete, quiet()),
        ],
        S::Failed => &[
            (A::Schedule, quiet()),
            (A::StartImplementation, quiet()),
            (A::ReportFailure, why("It failed.")),
        ],
        S::BackedOut => &[
            (A::Schedule, quiet()),
            (A::StartImplementation, quiet()),
            (A::BackOut, why("Backed out.")),
        ],
        other => panic!("no path to {other:?} here"),
    };
    for (action, input) in rest {
        change_step(db, manager, id, *action, input.clone()).await;
    }
    id
}

/// A board whose chair is someone other than the requester authorises the change in a meeting
/// with quorum: the only way past authorisation for a change its requester owns.
async fn authorise_in_meeting(db: &Db, change_id: i64) {
    use app::server::service::{cab, users};
    let dana = match users::list(db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "board.chair@example.org")
    {
        Some(u) => CurrentUser {
            id: u.id,
            email: u.email,
            name: u.name,
            roles: u.roles,
            time_zone: "UTC".into(),
        },
        None => person(db, "board.chair@example.org", Role::ChangeManager).await,
    };
    let board_id = match cab::boards::list(db, Utc::now())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.board.name == "Review test board")
    {
        Some(b) => b.board.id,
        None => {
            let form = app::model::cab::BoardForm {
                name: "Review test board".into(),
                // A CAB: it decides normal changes, and emergencies as the full board (an
                // ECAB decides emergency changes only).
                kind: "cab".into(),
                chair_id: dana.id.to_string(),
                quorum_kind: "at_least".into(),
                quorum_value: "1".into(),
                time_zone: "UTC".into(),
                // Two seats (the least a board has); the quorum is the chair alone.
                member_ids: users::list(db)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|u| u.id == dana.id || u.email == "owner@example.org")
                    .map(|u| u.id.to_string())
                    .collect(),
                ..Default::default()
            };
            cab::boards::create(db, &actor(&dana), form.validate().unwrap())
                .await
                .unwrap()
                .id
        }
    };
    let meeting = cab::meetings::schedule(
        db,
        &actor(&dana),
        board_id,
        app::model::meeting::MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    cab::presence::join(db, meeting, dana.id).await.unwrap();
    let load = || cab::meetings::load(db, &dana, meeting);
    cab::meetings::start(
        db,
        &dana,
        &actor(&dana),
        meeting,
        load().await.unwrap().version,
    )
    .await
    .unwrap();
    let m = load().await.unwrap();
    if !m.items.iter().any(|i| i.change_id == change_id) {
        cab::agenda::edit_agenda(
            db,
            &dana,
            &actor(&dana),
            meeting,
            m.version,
            cab::agenda::AgendaEdit::Add(change_id),
        )
        .await
        .unwrap();
    }
    let m = load().await.unwrap();
    let item = m
        .items
        .iter()
        .find(|i| i.change_id == change_id)
        .unwrap()
        .id;
    cab::meetings::go_to(db, &dana, &actor(&dana), meeting, m.version, item)
        .await
        .unwrap();
    cab::voting::decide(
        db,
        &dana,
        &actor(&dana),
        meeting,
        load().await.unwrap().version,
        item,
        app::model::cab::Decision::Authorise,
        String::new(),
        String::new(),
    )
    .await
    .unwrap();
    cab::meetings::end(
        db,
        &dana,
        &actor(&dana),
        meeting,
        load().await.unwrap().version,
    )
    .await
    .unwrap();
}

pub(crate) async fn change_step(
    db: &Db,
    who: &CurrentUser,
    id: i64,
    action: ChangeAction,
    input: TransitionInput,
) -> ChangeState {
    let v = changes::load(db.reader(), id).await.unwrap().version;
    changes::transition(db, who, &actor(who), id, v, action, input)
        .await
        .unwrap()
        .state
}

async fn exercise(
    db: &Db,
    rowan: &CurrentUser,
    plan_id: i64,
    planned_on: NaiveDate,
    result: Option<&str>,
) {
    let planned = continuity_exercises::plan(
        db,
        rowan,
        &actor(rowan),
        plan_id,
        PlannedExercise {
            kind: ExerciseKind::Tabletop,
            planned_on,
            participants: "Payroll team".into(),
            objectives: "Walk the failover with the people who would do it.".into(),
        },
    )
    .await
    .unwrap();
    if let Some(result) = result {
        let findings = if result == "passed" {
            ""
        } else {
            "The call tree was out of date"
        };
        continuity_exercises::record_outcome(
            db,
            rowan,
            &actor(rowan),
            planned.id,
            planned.version,
            check_outcome(result, "2 h", findings).unwrap(),
        )
        .await
        .unwrap();
    }
}

async fn improvement(db: &Db, by: &CurrentUser, owner: i64, target: NaiveDate) -> i64 {
    let form = ImprovementForm {
        title: "Cut repeat incidents on the portal".into(),
        source: "incident_trend".into(),
        clauses: "10.2".into(),
        benefit_score: "4".into(),
        effort: "M".into(),
        owner_id: owner.to_string(),
        target_date: target.to_string(),
        ..Default::default()
    };
    register::create(db, &actor(by), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// Walks an improvement owned by someone else to Closed as the quality manager.
async fn close_improvement(db: &Db, quinn: &CurrentUser, id: i64) {
    let mut v = register::get(db.reader(), id).await.unwrap().version;
    for (action, input) in [
        (
            ImprovementAction::Evaluate,
            register::TransitionInput::default(),
        ),
        (
            ImprovementAction::Approve,
            register::TransitionInput::default(),
        ),
        (
            ImprovementAction::Start,
            register::TransitionInput::default(),
        ),
        (
            ImprovementAction::Implement,
            register::TransitionInput::default(),
        ),
        (
            ImprovementAction::Verify,
            register::TransitionInput {
                outcome: "Repeat incidents down from 40 to 22 a month.".into(),
                closure_code: None,
            },
        ),
        (
            ImprovementAction::Close,
            register::TransitionInput {
                outcome: String::new(),
                closure_code: Some(ClosureCode::Achieved),
            },
        ),
    ] {
        v = register::transition(db, quinn, &actor(quinn), id, v, action, input)
            .await
            .unwrap()
            .version;
    }
}

async fn raise_nc(db: &Db, by: &CurrentUser, owner: i64, on: NaiveDate) -> i64 {
    let form = NcForm {
        grade: "minor".into(),
        clause: "8.5.1".into(),
        description: "Two emergency changes were never reviewed afterwards.".into(),
        evidence: "CHG-00012".into(),
        found_in: "audit".into(),
        owner_id: owner.to_string(),
        wait_days: "30".into(),
    };
    match nonconformities::raise(
        db,
        by,
        &actor(by),
        form.validate().unwrap(),
        on,
        &Default::default(),
    )
    .await
    .unwrap()
    {
        Raised::Nonconformity(id) => id,
        Raised::Improvement(_) => panic!("a minor finding is a nonconformity"),
    }
}

async fn nc_step(db: &Db, who: &CurrentUser, id: i64, step: Step) -> NcState {
    nc_step_on(db, who, id, step, today()).await
}

async fn nc_step_on(db: &Db, who: &CurrentUser, id: i64, step: Step, on: NaiveDate) -> NcState {
    let v = nonconformities::get(db.reader(), id).await.unwrap().version;
    nonconformities::record(db, who, &actor(who), id, v, step, on, &Default::default())
        .await
        .unwrap()
        .state
}

async fn contain(db: &Db, owner: &CurrentUser, id: i64) -> NcState {
    nc_step(
        db,
        owner,
        id,
        Step::Contain {
            correction: "Both changes reviewed now.".into(),
        },
    )
    .await
}

/// Corrected by its owner, verified effective and closed by the quality manager.
async fn close_nc(db: &Db, owner: &CurrentUser, quinn: &CurrentUser, id: i64) {
    contain(db, owner, id).await;
    nc_step(
        db,
        owner,
        id,
        Step::AnalyseRootCause {
            root_cause: "The emergency path has no review task.".into(),
            method: RootCauseMethod::FiveWhys,
            similar_notes: "Standard changes are not affected.".into(),
        },
    )
    .await;
    nc_step(
        db,
        owner,
        id,
        Step::AddAction {
            text: "Add a review task to the emergency path".into(),
            owner_id: owner.id,
            due: today() + days(10),
        },
    )
    .await;
    nc_step(db, owner, id, Step::PlanActions).await;
    let action_id = nonconformities::get(db.reader(), id).await.unwrap().actions[0].id;
    nc_step(db, owner, id, Step::CompleteAction { action_id }).await;
    nc_step(db, owner, id, Step::CompleteActions { wait_days: None }).await;
    // Effectiveness is judged after the organisation's minimum wait (30 days).
    let judged = today() + days(30);
    nc_step_on(db, quinn, id, Step::Verify { effective: true }, judged).await;
    assert_eq!(nc_step(db, quinn, id, Step::Close).await, NcState::Closed);
}

fn objective_form(owner: i64, title: &str, direction: &str) -> ObjectiveForm {
    let (baseline, target) = if direction == "lower" {
        ("18", "10")
    } else {
        ("88", "95")
    };
    ObjectiveForm {
        title: title.into(),
        description: String::new(),
        owner_id: owner,
        service_id: None,
        kpi_name: title.into(),
        unit: "%".into(),
        baseline: baseline.into(),
        target: target.into(),
        direction: direction.into(),
        frequency: "monthly".into(),
    }
}

async fn objective(db: &Db, quinn: &CurrentUser, title: &str, direction: &str) -> i64 {
    objectives::create(
        db,
        &actor(quinn),
        objective_form(quinn.id, title, direction),
    )
    .await
    .unwrap()
}

async fn measure(db: &Db, quinn: &CurrentUser, id: i64, on: NaiveDate, value: &str) {
    objectives::record_measurement(
        db,
        quinn,
        &actor(quinn),
        id,
        MeasurementForm {
            measured_on: on.to_string(),
            value: value.into(),
            note: String::new(),
        },
        today(),
    )
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------------------------
// 1. Inputs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inputs_count_the_records_of_the_period_and_the_one_before() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let t = today();
    // This period ends today (records are created now); the previous one has the same length.
    let period = Period {
        start: t - days(40),
        end: t,
    };
    let before = period.previous();
    assert_eq!((before.start, before.end), (t - days(81), t - days(41)));

    // Changes implemented in the period: two fine, one failed, one (emergency) backed out, and
    // one that failed and was then reviewed and closed — the audit trail remembers the failure.
    use ChangeState as S;
    use ChangeType as T;
    import_change(&db, &p.chris, T::Normal, S::Closed, Some(t - days(10))).await;
    import_change(&db, &p.chris, T::Normal, S::Implemented, Some(t - days(5))).await;
    import_change(&db, &p.chris, T::Normal, S::Failed, Some(t - days(8))).await;
    import_change(&db, &p.chris, T::Emergency, S::BackedOut, Some(t - days(3))).await;
    let recovered =
        import_change(&db, &p.chris, T::Normal, S::Implementing, Some(t - days(2))).await;
    let comment = |text: &str| TransitionInput {
        comment: text.into(),
        review: None,
    };
    change_step(
        &db,
        &p.chris,
        recovered,
        ChangeAction::ReportFailure,
        comment("The migration failed."),
    )
    .await;
    change_step(
        &db,
        &p.chris,
        recovered,
        ChangeAction::Review,
        TransitionInput {
            comment: String::new(),
            review: Some(Review {
                outcome: "Failed, fixed the next day".into(),
                incidents: 1,
                lessons: "Rehearse the migration.".into(),
            }),
        },
    )
    .await;
    assert_eq!(
        change_step(
            &db,
            &p.chris,
            recovered,
            ChangeAction::Close,
            TransitionInput::default()
        )
        .await,
        S::Closed
    );
    // Implemented in the previous period (an emergency), a draft, and two still to come.
    import_change(&db, &p.chris, T::Emergency, S::Closed, Some(t - days(50))).await;
    import_change(&db, &p.chris, T::Normal, S::Draft, None).await;
    import_change(&db, &p.chris, T::Normal, S::Scheduled, Some(t + days(3))).await;
    import_change(
        &db,
        &p.chris,
        T::Emergency,
        S::Authorised,
        Some(t + days(5)),
    )
    .await;

    // Continuity exercises: one of each result in the period, one passed before it, and one
    // planned in the period but not yet recorded.
    let (plan_id, _) = continuity_plans::create(
        &db,
        &p.rowan,
        &actor(&p.rowan),
        NewPlan {
            title: "Head office continuity plan".into(),
            owner_id: p.rowan.id,
            service_ids: vec![],
            site: "Head office".into(),
            review_months: 12,
        },
    )
    .await
    .unwrap();
    exercise(&db, &p.rowan, plan_id, t - days(20), Some("passed")).await;
    exercise(&db, &p.rowan, plan_id, t - days(15), Some("partly")).await;
    exercise(&db, &p.rowan, plan_id, t - days(10), Some("failed")).await;
    exercise(&db, &p.rowan, plan_id, t - days(60), Some("passed")).await;
    exercise(&db, &p.rowan, plan_id, t - days(1), None).await;

    // Improvements: one past its target date, one on time, one closed.
    improvement(&db, &p.quinn, p.owen.id, t - days(1)).await;
    improvement(&db, &p.quinn, p.owen.id, t + days(30)).await;
    let closed = improvement(&db, &p.quinn, p.owen.id, t + days(30)).await;
    close_improvement(&db, &p.quinn, closed).await;

    // Nonconformities: one just raised, one raised a month ago (its step overdue), one
    // contained, one verified effective and closed.
    raise_nc(&db, &p.ari, p.owen.id, t).await;
    raise_nc(&db, &p.ari, p.owen.id, t - days(30)).await;
    let contained = raise_nc(&db, &p.ari, p.owen.id, t).await;
    assert_eq!(contain(&db, &p.owen, contained).await, NcState::Contained);
    let verified = raise_nc(&db, &p.ari, p.owen.id, t).await;
    close_nc(&db, &p.owen, &p.quinn, verified).await;

    // Objectives: met, not met, met on its latest value (lower is better), never measured.
    let met = objective(&db, &p.quinn, "Changes succeed first time", "higher").await;
    measure(&db, &p.quinn, met, t - days(10), "96").await;
    let missed = objective(&db, &p.quinn, "Portal availability", "higher").await;
    measure(&db, &p.quinn, missed, t - days(10), "90").await;
    let lower = objective(&db, &p.quinn, "Emergency change ratio", "lower").await;
    measure(&db, &p.quinn, lower, t - days(50), "12").await;
    measure(&db, &p.quinn, lower, t - days(5), "8").await;
    objective(&db, &p.quinn, "Customer satisfaction", "higher").await;

    // Earlier reviews' actions: one overdue, one open, one done; a later review's action and
    // the review's own action do not count.
    let earlier = plan(&db, &p.quinn, "Management review Q1", t - days(30), before).await;
    add_action(
        &db,
        &p.quinn,
        earlier,
        "Agree a patch window",
        p.owen.id,
        t - days(5),
    )
    .await;
    add_action(
        &db,
        &p.quinn,
        earlier,
        "Fund on-call cover",
        p.chris.id,
        t + days(10),
    )
    .await;
    add_action(
        &db,
        &p.quinn,
        earlier,
        "Update the call tree",
        p.rowan.id,
        t - days(20),
    )
    .await;
    let call_tree = record(&db, earlier)
        .await
        .actions
        .into_iter()
        .find(|a| a.owner.id == p.rowan.id)
        .unwrap();
    reviews::complete_action(
        &db,
        &p.rowan,
        &actor(&p.rowan),
        call_tree.id,
        call_tree.version,
        "Done.",
    )
    .await
    .unwrap();
    let id = plan(&db, &p.quinn, "Management review Q2", t + days(7), period).await;
    add_action(&db, &p.quinn, id, "Its own action", p.owen.id, t + days(20)).await;
    let later = plan(&db, &p.quinn, "Management review Q3", t + days(60), period).await;
    add_action(
        &db,
        &p.quinn,
        later,
        "A later action",
        p.owen.id,
        t + days(90),
    )
    .await;

    let review = record(&db, id).await;
    assert!(!review.inputs_frozen);
    let inputs = &review.inputs;
    assert_eq!(inputs.period, period);
    assert_eq!(inputs.gathered_on, t);
    assert_eq!(
        inputs.current,
        PeriodFigures {
            change_success: Ratio::new(2, 5),
            // Everything was raised now, beyond draft: 8, of which 3 emergencies.
            emergency_changes: Ratio::new(3, 8),
            exercises_passed: 1,
            exercises_partly: 1,
            exercises_failed: 1,
            improvements_opened: 3,
            improvements_closed: 1,
            nonconformities_raised: 4,
            nonconformities_closed_verified: 1,
            audit: AuditResults::default(),
            // No incidents or requests in this test: nothing measured.
            ..Default::default()
        },
        "on {}",
        common::backend_name()
    );
    assert_eq!(inputs.current.change_success.text(), "40% (2 of 5)");
    assert_eq!(
        inputs.previous,
        PeriodFigures {
            change_success: Ratio::new(1, 1),
            emergency_changes: Ratio::new(0, 0),
            exercises_passed: 1,
            ..Default::default()
        }
    );
    assert_eq!(
        inputs.previous_actions,
        ActionStatus {
            open: 2,
            done: 1,
            overdue: 1
        }
    );
    assert_eq!(
        (inputs.improvements_open, inputs.improvements_overdue),
        (2, 1)
    );
    assert_eq!(
        inputs.nonconformities_open,
        vec![(NcState::Raised, 2), (NcState::Contained, 1)]
    );
    assert_eq!(inputs.nonconformities_overdue, 1);
    assert_eq!(
        inputs.objectives,
        ObjectiveStatus {
            met: 2,
            not_met: 1,
            not_measured: 1
        }
    );

    // The earlier review looks at the previous period: the same figures as this review's
    // "previous" column, and objectives as they stood at its end.
    let earlier_inputs = record(&db, earlier).await.inputs;
    assert_eq!(earlier_inputs.current, inputs.previous);
    assert_eq!(
        earlier_inputs.objectives,
        ObjectiveStatus {
            met: 0,
            not_met: 1,
            not_measured: 3
        }
    );
    // The review list counts each review's own open and overdue actions.
    let list = reviews::list(db.reader(), t).await.unwrap();
    let line = |id: i64| list.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![later, id, earlier]
    );
    assert_eq!(
        (line(earlier).open_actions, line(earlier).overdue_actions),
        (2, 1)
    );
    assert_eq!((line(id).open_actions, line(id).overdue_actions), (1, 0));
}

// ---------------------------------------------------------------------------------------------
// 2. Lifecycle and who may write

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_needs_a_held_meeting_attendees_and_minutes() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let period = Period {
        start: today() - days(90),
        end: today() - days(1),
    };
    // An unknown chair is refused by field and nothing is planned.
    let unknown = reviews::plan(
        &db,
        &actor(&p.quinn),
        ReviewPlan {
            title: "Management review".into(),
            planned_on: today(),
            period,
            chair_id: 9_999,
        },
    )
    .await
    .unwrap_err();
    assert!(
        unknown
            .field_errors()
            .and_then(|f| f.get("chair_id"))
            .is_some(),
        "{unknown:?}"
    );
    assert!(reviews::list(db.reader(), today())
        .await
        .unwrap()
        .is_empty());

    let id = plan(&db, &p.quinn, "Management review", today(), period).await;
    let planned = record(&db, id).await;
    assert_eq!((planned.state, planned.version), (ReviewState::Planned, 1));
    assert!(planned.published_at.is_none() && planned.published_by.is_none());

    let unchanged = |state: ReviewState, version: i32| {
        let db = db.db.clone();
        async move {
            let now = record(&db, id).await;
            assert_eq!((now.state, now.version), (state, version));
        }
    };
    // Held comes first.
    assert_eq!(
        transition_to(&db, &p.quinn, id, ReviewTransition::Publish)
            .await
            .unwrap_err(),
        AppError::BadRequest("Mark the review as held before publishing its minutes.".into())
    );
    unchanged(ReviewState::Planned, 1).await;
    assert_eq!(
        transition_to(&db, &p.quinn, id, ReviewTransition::Hold)
            .await
            .unwrap(),
        ReviewState::Held
    );
    unchanged(ReviewState::Held, 2).await;
    assert_eq!(
        transition_to(&db, &p.quinn, id, ReviewTransition::Hold)
            .await
            .unwrap_err(),
        AppError::BadRequest("The review is already held.".into())
    );
    // No attendees, then attendees without minutes.
    assert_eq!(
        transition_to(&db, &p.quinn, id, ReviewTransition::Publish)
            .await
            .unwrap_err(),
        AppError::BadRequest("Record who attended before publishing the minutes.".into())
    );
    unchanged(ReviewState::Held, 2).await;
    let bad = reviews::save_details(
        &db,
        &actor(&p.quinn),
        id,
        2,
        details(&[p.quinn.id, 9_999], "Minutes"),
    )
    .await
    .unwrap_err();
    assert!(
        bad.field_errors()
            .and_then(|f| f.get("attendees"))
            .is_some(),
        "{bad:?}"
    );
    unchanged(ReviewState::Held, 2).await;
    save(&db, &p.quinn, id, details(&[p.quinn.id, p.chris.id], "   ")).await;
    assert_eq!(
        transition_to(&db, &p.quinn, id, ReviewTransition::Publish)
            .await
            .unwrap_err(),
        AppError::BadRequest("Write the minutes before publishing them.".into())
    );
    unchanged(ReviewState::Held, 3).await;
    // Attendees (given twice) and minutes: published by the quality manager, inputs frozen.
    save(
        &db,
        &p.quinn,
        id,
        details(
            &[p.chris.id, p.quinn.id, p.chris.id],
            "Emergency changes are too frequent.",
        ),
    )
    .await;
    assert_eq!(
        transition_to(&db, &p.quinn, id, ReviewTransition::Publish)
            .await
            .unwrap(),
        ReviewState::Published
    );
    let published = record(&db, id).await;
    assert_eq!(published.state, ReviewState::Published);
    assert_eq!(published.version, 5);
    assert!(published.inputs_frozen);
    assert_eq!(published.published_by.map(|p| p.id), Some(p.quinn.id));
    assert!(published.published_at.is_some());
    assert_eq!(
        published.attendees.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![p.chris.id, p.quinn.id],
        "de-duplicated, sorted by name"
    );
    assert_eq!(published.minutes, "Emergency changes are too frequent.");
    for step in [ReviewTransition::Hold, ReviewTransition::Publish] {
        assert_eq!(
            transition_to(&db, &p.quinn, id, step).await.unwrap_err(),
            AppError::BadRequest(
                "The minutes are published; a published review does not change.".into()
            )
        );
    }
    unchanged(ReviewState::Published, 5).await;
    // The evidence for clause 9.3 counts it.
    let (published_count, overdue) = review_evidence(&db).await;
    assert_eq!((published_count, overdue.len()), (1, 0));
    assert_eq!(
        reviews::published(db.reader(), today())
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![id]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_quality_manager_plans_minutes_and_publishes_through_the_api() {
    use common::web::{add_user, call, send, sign_in, state, PASSWORD};
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let quality = add_user(&db, "quality@example.org", vec![Role::QualityManager]).await;
    let owner = add_user(&db, "owner@example.org", vec![Role::ServiceOwner]).await;
    let others = [
        ("auditor@example.org", Role::Auditor),
        ("change@example.org", Role::ChangeManager),
        ("owner@example.org", Role::ServiceOwner),
        ("admin@example.org", Role::Admin),
        ("requester@example.org", Role::Requester),
    ];
    for (email, role) in others {
        if email != "owner@example.org" {
            add_user(&db, email, vec![role]).await;
        }
    }
    let qm = sign_in(&state, "quality@example.org", PASSWORD).await;
    let t = today();
    let plan_body = format!(
        "form[title]=Management+review+Q2&form[planned_on]={t}&form[period_start]={}&form[period_end]={}&form[chair_id]={}",
        t - days(90),
        t - days(1),
        quality.id
    );

    // Nobody else plans one.
    for (email, _) in others {
        let cookie = sign_in(&state, email, PASSWORD).await;
        let reply = send(&state, call("/api/reviews/plan", &plan_body, Some(&cookie))).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{email}: {}",
            reply.body
        );
        assert_eq!(
            reply.error(),
            AppError::Forbidden(Permission::ReviewManage.describe().into())
        );
    }
    assert!(reviews::list(db.reader(), t).await.unwrap().is_empty());

    // The quality manager does.
    let reply = send(&state, call("/api/reviews/plan", &plan_body, Some(&qm))).await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{} {}",
        reply.status,
        reply.body
    );
    let list = reviews::list(db.reader(), t).await.unwrap();
    assert_eq!(list.len(), 1);
    let id = list[0].id;
    assert_eq!(list[0].state, ReviewState::Planned);
    assert_eq!(list[0].chair, quality.name);

    let writes = |v: i32| {
        vec![
            (
                "/api/reviews/save",
                format!("id={id}&version={v}&form[minutes]=Someone+else%27s+minutes"),
            ),
            (
                "/api/reviews/decision",
                format!("id={id}&version={v}&text=Someone+else%27s+decision"),
            ),
            (
                "/api/reviews/action",
                format!(
                    "id={id}&version={v}&text=Someone+else%27s+action&owner_id={}&due_on={}",
                    owner.id,
                    t + days(30)
                ),
            ),
            (
                "/api/reviews/transition",
                format!("id={id}&version={v}&step=Hold"),
            ),
            (
                "/api/reviews/transition",
                format!("id={id}&version={v}&step=Publish"),
            ),
        ]
    };
    let refuse_all = |expected_state: ReviewState| {
        let state = state.clone();
        let db = db.db.clone();
        async move {
            let before = record(&db, id).await;
            assert_eq!(before.state, expected_state);
            let entries = trail(&db, id).await.len();
            for (email, _) in others {
                let cookie = sign_in(&state, email, PASSWORD).await;
                for (path, body) in writes(before.version) {
                    let reply = send(&state, call(path, &body, Some(&cookie))).await;
                    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{email} {path}");
                    assert_eq!(
                        reply.error(),
                        AppError::Forbidden(Permission::ReviewManage.describe().into()),
                        "{email} {path}"
                    );
                }
            }
            assert_eq!(record(&db, id).await, before, "nothing changed");
            assert_eq!(trail(&db, id).await.len(), entries);
        }
    };
    refuse_all(ReviewState::Planned).await;

    // The quality manager minutes, holds and publishes through the same endpoints.
    let v = version(&db, id).await;
    let reply = send(
        &state,
        call(
            "/api/reviews/decision",
            &format!("id={id}&version={v}&text=Fewer+emergency+changes"),
            Some(&qm),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let v = version(&db, id).await;
    let reply = send(
        &state,
        call(
            "/api/reviews/transition",
            &format!("id={id}&version={v}&step=Hold"),
            Some(&qm),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    refuse_all(ReviewState::Held).await;

    save(
        &db,
        &CurrentUser {
            id: quality.id,
            email: quality.email.clone(),
            name: quality.name.clone(),
            roles: quality.roles.clone(),
            time_zone: "UTC".into(),
        },
        id,
        details(
            &[quality.id, owner.id],
            "Emergency changes are too frequent.",
        ),
    )
    .await;
    let v = version(&db, id).await;
    let reply = send(
        &state,
        call(
            "/api/reviews/transition",
            &format!("id={id}&version={v}&step=Publish"),
            Some(&qm),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let published = record(&db, id).await;
    assert_eq!(published.state, ReviewState::Published);
    assert_eq!(published.published_by.map(|p| p.id), Some(quality.id));
    assert_eq!(published.decisions.len(), 1);
    // Others may still read it.
    let auditor = sign_in(&state, "auditor@example.org", PASSWORD).await;
    let reply = send(
        &state,
        call("/api/reviews/get", &format!("id={id}"), Some(&auditor)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let read: ReviewRecord = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(read.state, ReviewState::Published);
    assert!(read.inputs_frozen);
}

// ---------------------------------------------------------------------------------------------
// 3. Immutability and frozen inputs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_review_never_changes_and_its_inputs_stay_frozen() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let t = today();
    let period = Period {
        start: t - days(30),
        end: t,
    };
    raise_nc(&db, &p.ari, p.owen.id, t).await;
    let id = plan(&db, &p.quinn, "Management review Q2", t, period).await;
    let v = version(&db, id).await;
    reviews::add_decision(&db, &actor(&p.quinn), id, v, "Fund on-call cover.")
        .await
        .unwrap();
    add_action(
        &db,
        &p.quinn,
        id,
        "Agree a patch window",
        p.owen.id,
        t + days(14),
    )
    .await;
    publish(&db, &p.quinn, id, &[p.quinn.id, p.owen.id]).await;

    let published = record(&db, id).await;
    assert!(published.inputs_frozen);
    assert_eq!(published.inputs.gathered_on, t);
    assert_eq!(published.inputs.current.nonconformities_raised, 1);
    assert_eq!(
        published.inputs.nonconformities_open,
        vec![(NcState::Raised, 1)]
    );
    assert_eq!(published.inputs.improvements_open, 0);
    let entries = trail(&db, id).await.len();

    // Every edit is refused, at the current version: details, minutes and attendees,
    // decisions, actions, moves.
    let v = published.version;
    assert_eq!(
        reviews::save_details(
            &db,
            &actor(&p.quinn),
            id,
            v,
            details(&[p.chris.id], "Rewritten minutes"),
        )
        .await
        .unwrap_err(),
        published_refusal()
    );
    assert_eq!(
        reviews::add_decision(&db, &actor(&p.quinn), id, v, "A late decision.")
            .await
            .unwrap_err(),
        published_refusal()
    );
    assert_eq!(
        reviews::add_action(
            &db,
            &actor(&p.quinn),
            id,
            v,
            "A late action",
            &p.owen.id.to_string(),
            &(t + days(5)).to_string(),
        )
        .await
        .unwrap_err(),
        published_refusal()
    );
    for step in [ReviewTransition::Hold, ReviewTransition::Publish] {
        assert!(matches!(
            reviews::transition_review(&db, &p.quinn, &actor(&p.quinn), id, v, step, t).await,
            Err(AppError::BadRequest(_))
        ));
    }
    assert_eq!(record(&db, id).await, published);
    assert_eq!(
        trail(&db, id).await.len(),
        entries,
        "refusals write nothing"
    );

    // New records after publishing: the published inputs do not move, even read later.
    raise_nc(&db, &p.ari, p.owen.id, t).await;
    improvement(&db, &p.quinn, p.owen.id, t - days(1)).await;
    let later = reviews::get(db.reader(), id, t + days(30)).await.unwrap();
    assert_eq!(later.inputs, published.inputs);
    assert_eq!(later.inputs.gathered_on, t);
    assert!(later.inputs_frozen);
    assert_eq!(
        reviews::published(db.reader(), t).await.unwrap()[0].inputs,
        published.inputs
    );

    // A new review of the same period sees them.
    let next = plan(&db, &p.quinn, "Management review Q3", t, period).await;
    let live = record(&db, next).await;
    assert!(!live.inputs_frozen);
    assert_eq!(live.inputs.current.nonconformities_raised, 2);
    assert_eq!(live.inputs.nonconformities_open, vec![(NcState::Raised, 2)]);
    assert_eq!(live.inputs.current.improvements_opened, 1);
    assert_eq!(
        (
            live.inputs.improvements_open,
            live.inputs.improvements_overdue
        ),
        (1, 1)
    );
    // The published review's open action counts as a previous action for it.
    assert_eq!(
        live.inputs.previous_actions,
        ActionStatus {
            open: 1,
            done: 0,
            overdue: 0
        }
    );
    // The live figures are what `gather` computes for the same review right now.
    let gathered: ReviewInputs = reviews::gather(db.reader(), Some(next), t, period, t)
        .await
        .unwrap();
    assert_eq!(gathered, live.inputs);
    assert_ne!(gathered, published.inputs);
}

// ---------------------------------------------------------------------------------------------
// 4. Review actions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_is_done_by_its_owner_or_the_quality_manager() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let t = today();
    let period = Period {
        start: t - days(90),
        end: t - days(1),
    };
    let id = plan(&db, &p.quinn, "Management review Q2", t - days(3), period).await;
    // A due date before the review, or an unknown owner, is refused.
    let v = version(&db, id).await;
    let early = reviews::add_action(
        &db,
        &actor(&p.quinn),
        id,
        v,
        "Too early",
        &p.owen.id.to_string(),
        &(t - days(4)).to_string(),
    )
    .await
    .unwrap_err();
    assert!(early.field_errors().and_then(|f| f.get("due_on")).is_some());
    let nobody = reviews::add_action(
        &db,
        &actor(&p.quinn),
        id,
        v,
        "Nobody's",
        "9999",
        &t.to_string(),
    )
    .await
    .unwrap_err();
    assert!(nobody
        .field_errors()
        .and_then(|f| f.get("owner_id"))
        .is_some());
    // Nor someone whose account is disabled: they could never complete it.
    let leaver = person(&db, "leaver@example.org", Role::ServiceOwner).await;
    let leaver_version = app::server::service::users::get(&db, leaver.id)
        .await
        .unwrap()
        .version;
    app::server::service::users::set_disabled(
        &db,
        &actor(&p.quinn),
        leaver.id,
        leaver_version,
        true,
    )
    .await
    .unwrap();
    let disabled = reviews::add_action(
        &db,
        &actor(&p.quinn),
        id,
        v,
        "Left the company",
        &leaver.id.to_string(),
        &t.to_string(),
    )
    .await
    .unwrap_err();
    assert!(disabled
        .field_errors()
        .and_then(|f| f.get("owner_id"))
        .is_some());
    assert!(record(&db, id).await.actions.is_empty());

    add_action(
        &db,
        &p.quinn,
        id,
        "Agree a patch window",
        p.owen.id,
        t + days(5),
    )
    .await;
    add_action(
        &db,
        &p.quinn,
        id,
        "Update the call tree",
        p.owen.id,
        t - days(1),
    )
    .await;
    add_action(
        &db,
        &p.quinn,
        id,
        "Fund on-call cover",
        p.chris.id,
        t + days(10),
    )
    .await;
    let other = plan(&db, &p.quinn, "Management review Q3", t + days(10), period).await;
    add_action(
        &db,
        &p.quinn,
        other,
        "Send outage notices",
        p.owen.id,
        t + days(20),
    )
    .await;

    let review = record(&db, id).await;
    let action = |text: &str| {
        review
            .actions
            .iter()
            .find(|a| a.text == text)
            .unwrap()
            .clone()
    };
    let window = action("Agree a patch window");
    let call_tree = action("Update the call tree");
    let cover = action("Fund on-call cover");
    assert_eq!((window.owner.id, window.version), (p.owen.id, 1));
    assert!(window.done_at.is_none());

    // The owner's open actions, soonest due first, with their review.
    let mine = reviews::my_open_actions(db.reader(), p.owen.id, t)
        .await
        .unwrap();
    assert_eq!(
        mine.iter()
            .map(|m| (m.action.text.as_str(), m.review_title.as_str(), m.overdue))
            .collect::<Vec<_>>(),
        vec![
            ("Update the call tree", "Management review Q2", true),
            ("Agree a patch window", "Management review Q2", false),
            ("Send outage notices", "Management review Q3", false),
        ]
    );
    let chris_open = reviews::my_open_actions(db.reader(), p.chris.id, t)
        .await
        .unwrap();
    assert_eq!(chris_open.len(), 1);
    assert_eq!(chris_open[0].action.id, cover.id);
    assert!(reviews::my_open_actions(db.reader(), p.ari.id, t)
        .await
        .unwrap()
        .is_empty());

    // Someone else — an auditor, the change manager owning another action — may not.
    for who in [&p.ari, &p.chris] {
        let refused = reviews::complete_action(&db, who, &actor(who), window.id, 1, "Done.")
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    }
    assert_eq!(action_now(&db, id, window.id).await, window);

    // A stale version is refused.
    let stale = reviews::complete_action(&db, &p.owen, &actor(&p.owen), window.id, 7, "Done.")
        .await
        .unwrap_err();
    assert!(
        matches!(
            stale,
            AppError::Conflict {
                current_version: 1,
                ..
            }
        ),
        "{stale:?}"
    );
    assert_eq!(action_now(&db, id, window.id).await, window);
    // A note too long is refused.
    let long = reviews::complete_action(
        &db,
        &p.owen,
        &actor(&p.owen),
        window.id,
        1,
        &"x".repeat(2_001),
    )
    .await
    .unwrap_err();
    assert!(long.field_errors().and_then(|f| f.get("note")).is_some());

    // The owner does it.
    let done = reviews::complete_action(
        &db,
        &p.owen,
        &actor(&p.owen),
        window.id,
        1,
        "Window agreed: Tuesdays 22:00–02:00.",
    )
    .await
    .unwrap();
    assert!(done.done_at.is_some());
    assert_eq!(done.done_note, "Window agreed: Tuesdays 22:00–02:00.");
    assert_eq!(done.version, 2);
    assert_eq!(action_now(&db, id, window.id).await, done);
    assert_eq!(
        reviews::complete_action(&db, &p.owen, &actor(&p.owen), window.id, 2, "Again.")
            .await
            .unwrap_err(),
        AppError::BadRequest("The action is already done.".into())
    );
    // The quality manager may mark anyone's action done.
    let by_quinn =
        reviews::complete_action(&db, &p.quinn, &actor(&p.quinn), cover.id, 1, "Funded.")
            .await
            .unwrap();
    assert!(by_quinn.done_at.is_some());
    assert!(matches!(
        reviews::complete_action(&db, &p.owen, &actor(&p.owen), 424_242, 1, "").await,
        Err(AppError::NotFound(_))
    ));

    let mine = reviews::my_open_actions(db.reader(), p.owen.id, t)
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|m| m.action.id).collect::<Vec<_>>(),
        vec![call_tree.id, record(&db, other).await.actions[0].id]
    );
    assert!(reviews::my_open_actions(db.reader(), p.chris.id, t)
        .await
        .unwrap()
        .is_empty());

    // Actions stay trackable after publishing.
    publish(&db, &p.quinn, id, &[p.quinn.id, p.owen.id]).await;
    let after = reviews::complete_action(
        &db,
        &p.owen,
        &actor(&p.owen),
        call_tree.id,
        call_tree.version,
        "Call tree updated.",
    )
    .await
    .unwrap();
    assert!(after.done_at.is_some());
    let line = reviews::list(db.reader(), t)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!((line.open_actions, line.overdue_actions), (0, 0));
    assert_eq!(
        reviews::my_open_actions(db.reader(), p.owen.id, t)
            .await
            .unwrap()
            .len(),
        1
    );

    // Each completion is on the review's trail, by whoever did it.
    let done_by: Vec<Option<i64>> = trail(&db, id)
        .await
        .into_iter()
        .rev()
        .filter(|e| e.action == "review_action_done")
        .map(|e| e.actor_id)
        .collect();
    assert_eq!(
        done_by,
        vec![Some(p.owen.id), Some(p.quinn.id), Some(p.owen.id)]
    );
}

async fn action_now(
    db: &Db,
    review: i64,
    action: i64,
) -> app::model::management_review::ReviewAction {
    record(db, review)
        .await
        .actions
        .into_iter()
        .find(|a| a.id == action)
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// 5. Versions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_version_is_refused_and_changes_nothing() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let t = today();
    let period = Period {
        start: t - days(90),
        end: t - days(1),
    };
    let id = plan(&db, &p.quinn, "Management review Q2", t, period).await;
    reviews::save_details(
        &db,
        &actor(&p.quinn),
        id,
        1,
        details(&[p.quinn.id], "First minutes"),
    )
    .await
    .unwrap();
    let current = record(&db, id).await;
    assert_eq!(current.version, 2);
    let entries = trail(&db, id).await.len();
    assert_eq!(entries, 2);

    let conflict = |err: AppError| {
        assert!(
            matches!(
                err,
                AppError::Conflict {
                    current_version: 2,
                    ..
                }
            ),
            "{err:?}"
        );
    };
    conflict(
        reviews::save_details(
            &db,
            &actor(&p.chris),
            id,
            1,
            details(&[p.chris.id], "Someone else's minutes"),
        )
        .await
        .unwrap_err(),
    );
    conflict(
        reviews::add_decision(&db, &actor(&p.quinn), id, 1, "A stale decision.")
            .await
            .unwrap_err(),
    );
    conflict(
        reviews::add_action(
            &db,
            &actor(&p.quinn),
            id,
            1,
            "A stale action",
            &p.owen.id.to_string(),
            &(t + days(5)).to_string(),
        )
        .await
        .unwrap_err(),
    );
    for step in [ReviewTransition::Hold, ReviewTransition::Publish] {
        conflict(
            reviews::transition_review(&db, &p.quinn, &actor(&p.quinn), id, 1, step, t)
                .await
                .unwrap_err(),
        );
    }
    // A version from the future is as stale as one from the past.
    conflict(
        reviews::add_decision(&db, &actor(&p.quinn), id, 3, "A future decision.")
            .await
            .unwrap_err(),
    );
    let after = record(&db, id).await;
    assert_eq!(after, current);
    assert_eq!(after.minutes, "First minutes");
    assert_eq!(after.attendees.len(), 1);
    assert!(after.decisions.is_empty() && after.actions.is_empty());
    assert_eq!(trail(&db, id).await.len(), entries);

    // Each accepted write moves the version on by one.
    reviews::add_decision(&db, &actor(&p.quinn), id, 2, "Fund on-call cover.")
        .await
        .unwrap();
    reviews::add_action(
        &db,
        &actor(&p.quinn),
        id,
        3,
        "Agree a patch window",
        &p.owen.id.to_string(),
        &(t + days(5)).to_string(),
    )
    .await
    .unwrap();
    reviews::transition_review(
        &db,
        &p.quinn,
        &actor(&p.quinn),
        id,
        4,
        ReviewTransition::Hold,
        t,
    )
    .await
    .unwrap();
    assert_eq!(version(&db, id).await, 5);
}

// ---------------------------------------------------------------------------------------------
// 6. The audit trail

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_is_on_the_audit_trail() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let t = today();
    let period = Period {
        start: t - days(90),
        end: t - days(1),
    };
    let id = plan(&db, &p.quinn, "Management review Q2", t, period).await;
    save(
        &db,
        &p.quinn,
        id,
        details(&[p.quinn.id, p.owen.id], "Minutes"),
    )
    .await;
    // Refused writes leave nothing behind.
    let v = version(&db, id).await;
    assert!(reviews::add_decision(&db, &actor(&p.quinn), id, v, "ok")
        .await
        .unwrap_err()
        .field_errors()
        .is_some());
    let v = version(&db, id).await;
    reviews::add_decision(&db, &actor(&p.quinn), id, v, "Fund on-call cover.")
        .await
        .unwrap();
    let due = t + days(14);
    add_action(&db, &p.quinn, id, "Agree a patch window", p.owen.id, due).await;
    transition_to(&db, &p.quinn, id, ReviewTransition::Hold)
        .await
        .unwrap();
    transition_to(&db, &p.quinn, id, ReviewTransition::Publish)
        .await
        .unwrap();
    let window = record(&db, id).await.actions[0].clone();
    reviews::complete_action(&db, &p.owen, &actor(&p.owen), window.id, 1, "Agreed.")
        .await
        .unwrap();

    let entries: Vec<AuditEntry> = trail(&db, id).await.into_iter().rev().collect();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        vec![
            "review_planned",
            "review_saved",
            "review_decision_added",
            "review_action_added",
            "review_held",
            "review_published",
            "review_action_done",
        ],
        "on {}",
        common::backend_name()
    );
    assert!(entries[..6]
        .iter()
        .all(|e| e.actor_id == Some(p.quinn.id) && e.record_type == "management_review"));
    assert_eq!(entries[6].actor_id, Some(p.owen.id));
    assert!(entries
        .iter()
        .all(|e| e.summary.contains("Management review Q2")));
    assert!(entries[0].summary.contains(&t.to_string()));
    assert!(entries[0].summary.contains(&period.label()));
    assert!(entries[2].summary.contains("Fund on-call cover."));
    assert!(entries[3].summary.contains(&p.owen.name));
    assert!(entries[3].summary.contains(&due.to_string()));
    assert!(entries[4].summary.contains("Planned → Held"));
    assert!(entries[5].summary.contains("Held → Minutes published"));
    assert!(entries[6].summary.contains("Agree a patch window"));
    // The whole audit trail lists them too.
    let all = audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap();
    assert_eq!(
        all.items
            .iter()
            .filter(|e| e.record_type == "management_review")
            .count(),
        7
    );
}

// ---------------------------------------------------------------------------------------------
// The demo

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_publishes_one_review_and_plans_the_next() {
    let db = common::demo_db().await;
    let t = today();
    let list = reviews::list(db.reader(), t).await.unwrap();
    assert_eq!(list.len(), 2);
    let planned = list
        .iter()
        .find(|r| r.state == ReviewState::Planned)
        .unwrap();
    let published_line = list
        .iter()
        .find(|r| r.state == ReviewState::Published)
        .unwrap();
    assert!(planned.planned_on > published_line.planned_on);
    assert_eq!(
        (published_line.open_actions, published_line.overdue_actions),
        (2, 1)
    );

    let published = record(&db, published_line.id).await;
    assert!(published.inputs_frozen);
    assert_eq!(published.attendees.len(), 5);
    assert_eq!(published.decisions.len(), 2);
    assert_eq!(published.actions.len(), 3);
    assert_eq!(
        published
            .actions
            .iter()
            .filter(|a| a.done_at.is_some())
            .count(),
        1
    );
    // Frozen today from the same records: what `gather` computes now for its period.
    let gathered = reviews::gather(
        db.reader(),
        Some(published.id),
        published.planned_on,
        published.period,
        t,
    )
    .await
    .unwrap();
    assert_eq!(gathered, published.inputs);

    // The next review carries the published review's actions as its previous actions.
    let next = record(&db, planned.id).await;
    assert!(!next.inputs_frozen);
    // The demo's completed internal audit (a minor NC, an observation, an opportunity) is in
    // the period the next review looks at.
    assert_eq!(
        next.inputs.current.audit,
        app::model::management_review::AuditResults {
            audits_completed: 1,
            major: 0,
            minor: 1,
            observation: 1,
            opportunity: 1,
        }
    );
    assert_eq!(
        next.inputs.previous_actions,
        ActionStatus {
            open: 2,
            done: 1,
            overdue: 1
        }
    );
    let (published_count, overdue) = review_evidence(&db).await;
    assert_eq!((published_count, overdue.len()), (1, 1));

    // A new nonconformity shows in the next review's inputs, never in the published ones.
    let people = app::server::service::users::list(&db).await.unwrap();
    let find = |email: &str| {
        let u = people.iter().find(|u| u.email == email).unwrap();
        CurrentUser {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            roles: u.roles.clone(),
            time_zone: "UTC".into(),
        }
    };
    let auditor = find("auditor@conform.demo");
    let owner = find("service.owner@conform.demo");
    let open_before = next.inputs.nonconformities_open_total();
    raise_nc(&db, &auditor, owner.id, t).await;
    assert_eq!(
        record(&db, planned.id)
            .await
            .inputs
            .nonconformities_open_total(),
        open_before + 1
    );
    assert_eq!(record(&db, published.id).await.inputs, published.inputs);
    // Seeding again adds nothing.
    assert_eq!(conform::demo::reviews::seed(&db).await.unwrap(), 0);
}

/// The clause 9.3 page: reviews published in the last 12 months, overdue review actions.
async fn review_evidence(db: &app::server::db::Db) -> (u64, Vec<String>) {
    common::clause_summary(
        db,
        "9.3",
        "Management reviews published in the last 12 months",
        "Management review actions overdue",
        chrono::Utc::now().date_naive(),
    )
    .await
}
