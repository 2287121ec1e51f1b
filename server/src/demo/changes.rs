//! Demo changes: about sixty across every state, type and risk over the six weeks around
//! today, with a blackout window, maintenance windows on key services and a few conflicts.
//!
//! Finished history (closed, cancelled, rejected) is imported, read-only. Everything still
//! open is raised and moved through the real lifecycle by the demo people: a change manager
//! authorises low-risk normal changes, and the CAB and the ECAB authorise the others in a
//! meeting with quorum (conflicts in the way are first overridden by the change manager, with a
//! reason, as the rules require).

use app::error::AppError;
use app::model::change::{ApprovalPath, ChangeAction, ChangeState, ChangeType};
use app::model::change_request::{Change, ChangeDraft, Review};
use app::model::risk::RiskAnswers;
use app::model::schedule::WindowKind;
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::change_import::{self, Imported};
use app::server::service::change_lists;
use app::server::service::changes::{self, TransitionInput};
use app::server::service::{catalogue, users};
use chrono::{Duration, DurationRound, Utc};

const TITLES: [(&str, &str); 12] = [
    ("Patch the mail gateway", "E-mail and calendar"),
    ("Upgrade the customer portal framework", "Customer portal"),
    ("Rotate payroll database credentials", "Payroll"),
    ("Add a knowledge base to the service desk", "Service desk"),
    ("Apply ERP quarterly update", "ERP finance"),
    ("Enforce phishing-resistant MFA", "Identity and access"),
    ("Replace core switch in building B", "Network and Wi-Fi"),
    ("Re-partition the sales fact table", "Data warehouse"),
    ("Enable CRM field-level audit", "CRM"),
    ("Archive legacy document libraries", "Document management"),
    ("Roll out new meeting-room firmware", "Video conferencing"),
    ("Pilot offline mode in the field app", "Field service app"),
];

/// (state, type, risk answers level 0–3, day offset from today, start hour)
fn plan(i: usize) -> (ChangeState, ChangeType, u8, i64, u32) {
    use ChangeState as S;
    let states = [
        S::Draft,
        S::Submitted,
        S::Assessed,
        S::AwaitingAuthorisation,
        S::Authorised,
        S::Scheduled,
        S::Implementing,
        S::Implemented,
        S::Reviewed,
        S::Closed,
        S::Failed,
        S::BackedOut,
        S::Rejected,
        S::Cancelled,
        S::Scheduled,
        S::AwaitingAuthorisation,
        S::Closed,
        S::Scheduled,
        S::Draft,
        S::Closed,
    ];
    let change_type = match i % 7 {
        0 => ChangeType::Standard,
        3 => ChangeType::Emergency,
        _ => ChangeType::Normal,
    };
    // Standard changes skip assessment and authorisation, emergencies skip assessment.
    let state = match states[i % states.len()] {
        state if app::model::change::reachable(change_type, state) => state,
        _ if change_type == ChangeType::Standard => S::Authorised,
        _ => S::AwaitingAuthorisation,
    };
    let finished = matches!(
        state,
        S::Implemented | S::Reviewed | S::Closed | S::Failed | S::BackedOut
    );
    let offset = if finished {
        -((i as i64 % 21) + 1)
    } else {
        (i as i64 % 21) + 1
    };
    (
        state,
        change_type,
        (i % 4) as u8,
        offset,
        [20, 21, 22, 6, 9, 14][i % 6],
    )
}

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    let existing = change_lists::list(db, &Default::default()).await?.total;
    if existing > 0 {
        return Ok(0);
    }
    let actor = Actor::system("demo-seed");
    let people = users::list(db).await?;
    let id_of = |email: &str| {
        people
            .iter()
            .find(|u| u.email == email)
            .map(|u| u.id)
            .unwrap_or(1)
    };
    let signed_in = |email: &str| {
        people
            .iter()
            .find(|u| u.email == email)
            .map(|u| CurrentUser {
                id: u.id,
                email: u.email.clone(),
                name: u.name.clone(),
                roles: u.roles.clone(),
                time_zone: "UTC".into(),
            })
            .ok_or_else(|| AppError::NotFound(format!("The demo user {email}")))
    };
    let requester = id_of("requester@conform.demo");
    let owner = id_of("service.owner@conform.demo");
    let manager = id_of("change.manager@conform.demo");
    let continuity = id_of("continuity@conform.demo");
    let raiser = signed_in("requester@conform.demo")?;
    let chris = signed_in("change.manager@conform.demo")?;
    // Changes past authorisation on the CAB and ECAB paths: (id, state to reach, review).
    let mut for_cab: Vec<(i64, ChangeState, Option<Review>)> = Vec::new();
    let mut for_ecab: Vec<(i64, ChangeState, Option<Review>)> = Vec::new();
    let services = catalogue::list(
        db,
        &app::model::service::ServiceQuery {
            page_size: 200,
            ..Default::default()
        },
    )
    .await?
    .items;
    let service_id = |name: &str| services.iter().find(|s| s.name == name).map(|s| s.id);
    let today = Utc::now()
        .duration_trunc(Duration::days(1))
        .unwrap_or_else(|_| Utc::now());

    // A freeze over the quarter-end close, and nightly maintenance windows on key services.
    let freeze_start = today + Duration::days(12);
    add_window(
        db,
        &actor,
        WindowKind::Blackout,
        "Quarter-end freeze",
        None,
        (freeze_start, freeze_start + Duration::days(3)),
    )
    .await?;
    for name in ["ERP finance", "Payroll", "Customer portal"] {
        if let Some(id) = service_id(name) {
            for day in -21..=21 {
                let start = today + Duration::days(day) + Duration::hours(20);
                add_window(
                    db,
                    &actor,
                    WindowKind::Maintenance,
                    &format!("{name} nightly"),
                    Some(id),
                    (start, start + Duration::hours(4)),
                )
                .await?;
            }
        }
    }

    let templates = seed_templates(db, &actor, &service_id).await?;
    let mut created = 0;
    let mut imported: Vec<i64> = Vec::new();
    for i in 0..60 {
        let (title, service) = TITLES[i % TITLES.len()];
        let (state, change_type, level, day, hour) = plan(i);
        let start = today + Duration::days(day) + Duration::hours(hour.into());
        let draft = ChangeDraft {
            title: format!("{title} ({})", i / TITLES.len() + 1),
            description: format!("{title} for {service}."),
            reason: "Keeps the service supported and secure.".into(),
            change_type,
            category: ["Application", "Infrastructure", "Security", "Network"][i % 4].into(),
            // A standard change runs on its template's services only.
            service_ids: if change_type == ChangeType::Standard {
                Vec::new()
            } else {
                service_id(service).into_iter().collect()
            },
            configuration_items: vec![format!(
                "{}-prod-{:02}",
                service.to_lowercase().replace(' ', "-"),
                i % 5 + 1
            )],
            owner_id: Some(if i % 3 == 0 { continuity } else { owner }),
            implementer_ids: vec![if i % 2 == 0 { owner } else { manager }],
            planned_start: None,
            planned_end: None,
            expects_outage: i % 5 == 0,
            outage_minutes: if i % 5 == 0 { 30 } else { 0 },
            implementation_plan: "1. Announce. 2. Apply. 3. Verify.".into(),
            test_plan: "Smoke tests and monitoring for one hour.".into(),
            backout_plan: "Restore the pre-change snapshot.".into(),
            communication_plan: "Notice to affected customers two days ahead.".into(),
            template_id: (change_type == ChangeType::Standard)
                .then(|| templates[i % templates.len()]),
            // A later round of the same work links back to the earlier one.
            related_ids: i
                .checked_sub(TITLES.len())
                .and_then(|earlier| imported.get(earlier).copied())
                .into_iter()
                .collect(),
            risk_answers: (state != ChangeState::Draft).then_some(RiskAnswers {
                impact_breadth: level,
                complexity: level,
                backout_difficulty: (level + 1).min(3) * u8::from(i % 2 == 0),
                history: level.saturating_sub(1),
                time_pressure: u8::from(change_type == ChangeType::Emergency) * 3,
            }),
        };
        let review = matches!(state, ChangeState::Reviewed | ChangeState::Closed).then(|| Review {
            outcome: if i % 4 == 0 {
                "Partly successful".into()
            } else {
                "Successful".into()
            },
            incidents: (i % 4 == 0) as i32,
            lessons: "Announce earlier to the service desk.".into(),
        });
        let planned = (state != ChangeState::Draft || i % 2 == 0)
            .then_some((start, start + Duration::minutes(60 + 30 * (i as i64 % 4))));
        let id = if state.is_final() {
            change_import::import(
                db,
                &actor,
                Imported {
                    draft,
                    state,
                    requester_id: requester,
                    planned,
                    review,
                },
            )
            .await?
        } else {
            let mut draft = draft;
            draft.planned_start = planned.map(|p| p.0.naive_utc());
            draft.planned_end = planned.map(|p| p.1.naive_utc());
            let change = raise(db, &raiser, &chris, draft, state).await?;
            if past_authorisation(state) && change.state == ChangeState::AwaitingAuthorisation {
                match change.approval_path() {
                    ApprovalPath::ChangeManager => {
                        clear_conflicts(db, &chris, change.id).await?;
                        step(db, &chris, change.id, ChangeAction::Authorise, "").await?;
                        carry_on(db, &chris, change.id, state, review).await?;
                    }
                    ApprovalPath::EmergencyCab => for_ecab.push((change.id, state, review)),
                    _ => for_cab.push((change.id, state, review)),
                }
            } else if change.state == ChangeState::Authorised {
                carry_on(db, &chris, change.id, state, review).await?;
            }
            change.id
        };
        imported.push(id);
        created += 1;
    }
    // The boards decide what is theirs, in a meeting with quorum.
    let boards = super::cab::boards(db).await?;
    for (board, members, decided) in [
        (boards.weekly, &boards.weekly_members, &for_cab),
        (boards.emergency, &boards.emergency_members, &for_ecab),
    ] {
        for (id, _, _) in decided {
            clear_conflicts(db, &chris, *id).await?;
        }
        let ids: Vec<i64> = decided.iter().map(|(id, _, _)| *id).collect();
        super::cab::decide_in_meeting(db, &chris, board, members, &ids).await?;
        for (id, state, review) in decided {
            carry_on(db, &chris, *id, *state, review.clone()).await?;
        }
    }
    Ok(created)
}

/// States that lie after authorisation.
fn past_authorisation(state: ChangeState) -> bool {
    use ChangeState as S;
    matches!(
        state,
        S::Authorised
            | S::Scheduled
            | S::Implementing
            | S::Implemented
            | S::Failed
            | S::BackedOut
            | S::Reviewed
    )
}

async fn step(
    db: &Db,
    who: &CurrentUser,
    id: i64,
    action: ChangeAction,
    comment: &str,
) -> Result<Change, AppError> {
    step_with(db, who, id, action, comment, None).await
}

async fn step_with(
    db: &Db,
    who: &CurrentUser,
    id: i64,
    action: ChangeAction,
    comment: &str,
    review: Option<Review>,
) -> Result<Change, AppError> {
    let version = changes::load(db.reader(), id).await?.version;
    let actor = Actor::user(who.id, who.name.clone(), None);
    let input = TransitionInput {
        comment: comment.into(),
        review,
    };
    changes::transition(db, who, &actor, id, version, action, input).await
}

/// The change manager accepts the conflicts of a change about to be authorised.
async fn clear_conflicts(db: &Db, manager: &CurrentUser, id: i64) -> Result<(), AppError> {
    let change = changes::load(db.reader(), id).await?;
    if change.open_conflicts() > 0 {
        let actor = Actor::user(manager.id, manager.name.clone(), None);
        changes::override_conflicts(
            db,
            manager,
            &actor,
            id,
            change.version,
            "Coordinated with the teams involved; accepted for the demo schedule.",
        )
        .await?;
    }
    Ok(())
}

/// Raises the change as the requester and takes it as far as it goes before authorisation
/// (a standard change is authorised on submission).
async fn raise(
    db: &Db,
    requester: &CurrentUser,
    manager: &CurrentUser,
    draft: ChangeDraft,
    target: ChangeState,
) -> Result<Change, AppError> {
    use ChangeState as S;
    let actor = Actor::user(requester.id, requester.name.clone(), None);
    let change_type = draft.change_type;
    let mut change = changes::create(db, requester, &actor, draft).await?;
    if target == S::Draft {
        return Ok(change);
    }
    if change_type == ChangeType::Standard {
        clear_conflicts(db, manager, change.id).await?;
    }
    change = step(db, requester, change.id, ChangeAction::Submit, "").await?;
    for (action, reached) in [
        (ChangeAction::Assess, S::Assessed),
        (ChangeAction::RequestAuthorisation, S::AwaitingAuthorisation),
    ] {
        if change.state == target || change.state != S::Submitted && change.state != S::Assessed {
            break;
        }
        change = step(db, manager, change.id, action, "").await?;
        debug_assert_eq!(change.state, reached);
    }
    Ok(change)
}

/// Takes an authorised change on to `target`: scheduled, implementing, done, reviewed.
async fn carry_on(
    db: &Db,
    manager: &CurrentUser,
    id: i64,
    target: ChangeState,
    review: Option<Review>,
) -> Result<(), AppError> {
    use ChangeState as S;
    let path: &[(ChangeAction, S, &str)] = match target {
        S::Authorised => &[],
        S::Scheduled => &[(ChangeAction::Schedule, S::Scheduled, "")],
        S::Implementing => &[
            (ChangeAction::Schedule, S::Scheduled, ""),
            (ChangeAction::StartImplementation, S::Implementing, ""),
        ],
        S::Implemented | S::Reviewed => &[
            (ChangeAction::Schedule, S::Scheduled, ""),
            (ChangeAction::StartImplementation, S::Implementing, ""),
            (ChangeAction::Complete, S::Implemented, ""),
        ],
        S::Failed => &[
            (ChangeAction::Schedule, S::Scheduled, ""),
            (ChangeAction::StartImplementation, S::Implementing, ""),
            (
                ChangeAction::ReportFailure,
                S::Failed,
                "The smoke tests failed.",
            ),
        ],
        S::BackedOut => &[
            (ChangeAction::Schedule, S::Scheduled, ""),
            (ChangeAction::StartImplementation, S::Implementing, ""),
            (
                ChangeAction::BackOut,
                S::BackedOut,
                "Restored the snapshot after errors.",
            ),
        ],
        _ => &[],
    };
    for (action, _, comment) in path {
        step(db, manager, id, *action, comment).await?;
    }
    if target == S::Reviewed {
        let review = review.unwrap_or(Review {
            outcome: "Successful".into(),
            incidents: 0,
            lessons: String::new(),
        });
        step_with(db, manager, id, ChangeAction::Review, "", Some(review)).await?;
    }
    Ok(())
}

/// Adds a window through the same service the window editor uses (times given in UTC).
async fn add_window(
    db: &Db,
    actor: &Actor,
    kind: WindowKind,
    name: &str,
    service_id: Option<i64>,
    (starts, ends): (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
) -> Result<(), AppError> {
    let draft = app::model::schedule::WindowDraft {
        kind,
        name: name.to_string(),
        service_id,
        starts: starts.naive_utc(),
        ends: ends.naive_utc(),
    };
    app::server::service::schedule::save_window(db, actor, "UTC", None, draft).await?;
    Ok(())
}

/// The pre-authorised catalogue: three templates that demo standard changes follow.
async fn seed_templates(
    db: &Db,
    actor: &Actor,
    service_id: &dyn Fn(&str) -> Option<i64>,
) -> Result<Vec<i64>, AppError> {
    let catalogue = [
        (
            "Monthly operating-system patching",
            "Infrastructure",
            "ERP finance",
            "Patch one node at a time behind the load balancer; drain, patch, reboot, re-add.",
            "Health checks green on every node; smoke test of the login page.",
            "Revert the node to its pre-patch snapshot and re-add it.",
        ),
        (
            "TLS certificate renewal",
            "Security",
            "Customer portal",
            "Install the renewed certificate from the internal CA on both gateways.",
            "Check the certificate chain and expiry from outside with openssl.",
            "Put the previous certificate back (still valid for 14 days).",
        ),
        (
            "Add a site to the Wi-Fi network",
            "Network",
            "Network and Wi-Fi",
            "Register the access points and apply the standard site profile.",
            "Connect a test laptop and a phone; check roaming between two access points.",
            "Remove the site profile; the access points fall back to isolation.",
        ),
    ];
    let mut ids = Vec::new();
    for (name, category, service, implementation, test, backout) in catalogue {
        let form = app::model::standard_template::TemplateForm {
            name: name.into(),
            description: format!("Pre-authorised by the CAB for {service}."),
            category: category.into(),
            service_ids: service_id(service)
                .into_iter()
                .map(|id| id.to_string())
                .collect(),
            implementation_plan: implementation.into(),
            test_plan: test.into(),
            backout_plan: backout.into(),
        };
        let template = app::server::service::templates::create(db, actor, form.validate()?).await?;
        ids.push(template.id);
    }
    Ok(ids)
}
