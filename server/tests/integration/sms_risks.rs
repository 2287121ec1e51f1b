//! The SMS risk register (clauses 6.1, 8.7.3): a risk is recorded with its ratings and found
//! by level, heat-map cell, owner and review date; above the appetite only a quality manager
//! who never owned it accepts it (by the services and over HTTP, each refusal changing
//! nothing); an accepted risk keeps its rating until reopened; reviews move the next review
//! date; the matrix is a quality manager's, checked, and decides whose acceptance counts;
//! stale versions write nothing.

use crate::common::{self, actor, person, PERSON_PASSWORD};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::risk::RiskLevel;
use app::model::sms_risk::{
    ReviewForm, RiskForm, RiskListParams, RiskMatrix, RiskState, RiskStepForm,
};
use app::model::user::CurrentUser;
use app::server::entity::{audit_log, sms_risk_review};
use app::server::service::sms_risks;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::web::{call, send, sign_in, state};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2027-02-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn today() -> NaiveDate {
    now().date_naive()
}

/// A risk owned by `owner`, rated 4 × 5 before and `residual` after reducing it.
fn form(owner: &CurrentUser, services: &[i64], residual: (u8, u8)) -> RiskForm {
    RiskForm {
        kind: "risk".into(),
        title: "Hosting provider fails without notice".into(),
        description: "The portal and mail run in one data centre.".into(),
        owner_id: owner.id.to_string(),
        service_ids: services.iter().map(i64::to_string).collect(),
        information_security: true,
        availability: true,
        inherent_likelihood: "4".into(),
        inherent_impact: "5".into(),
        treatment: "reduce".into(),
        treatment_plan: "Contract a second data centre and test fail-over.".into(),
        residual_likelihood: residual.0.to_string(),
        residual_impact: residual.1.to_string(),
        review_on: (today() + Duration::days(90)).to_string(),
        ..Default::default()
    }
}

/// Why a test accepts a risk (every acceptance says why).
const ACCEPTED: &str = "Within what the organisation can bear for now.";

fn step(action: &str, reason: &str) -> RiskStepForm {
    RiskStepForm {
        action: action.into(),
        reason: reason.into(),
    }
}

async fn audit_count(db: &app::server::db::Db, action: &str) -> u64 {
    audit_summaries(db, action).await.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_risk_is_recorded_rated_and_found_by_level_cell_owner_and_review() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let requester = person(&db, "robin@example.org", Role::Requester).await;
    let portal = service(&db, "Portal").await;
    let mail = service(&db, "Mail").await;

    // A requester keeps no risks and cannot be named owner; unknown services are refused.
    let mut bad = form(&requester, &[portal, 999], (3, 4));
    let Err(AppError::Validation(errors)) =
        sms_risks::create(&db, &quality, &actor(&quality), &bad, now()).await
    else {
        panic!("a requester owning a risk was accepted");
    };
    assert!(errors.get("owner_id").unwrap().contains("keeps risks"));
    assert!(errors.get("service_ids").is_some());
    bad.owner_id = owner.id.to_string();
    bad.service_ids = vec![portal.to_string()];
    bad.residual_likelihood = "5".into();
    let Err(AppError::Validation(errors)) =
        sms_risks::create(&db, &quality, &actor(&quality), &bad, now()).await
    else {
        panic!("a residual rating above the inherent one was accepted");
    };
    assert!(errors.get("residual_likelihood").is_some(), "{errors:?}");
    assert_eq!(audit_count(&db, "risk_recorded").await, 0);

    let high = sms_risks::create(
        &db,
        &quality,
        &actor(&quality),
        &form(&owner, &[portal, mail], (3, 4)),
        now(),
    )
    .await
    .unwrap();
    let low = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &RiskForm {
            title: "Shared mailbox grows past its quota".into(),
            information_security: false,
            availability: false,
            review_on: (today() + Duration::days(7)).to_string(),
            ..form(&owner, &[mail], (1, 2))
        },
        now(),
    )
    .await
    .unwrap();
    let risk = sms_risks::detail(db.reader(), high).await.unwrap();
    assert_eq!(risk.reference, format!("RSK-{high}"));
    assert_eq!(
        risk.services
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Mail", "Portal"]
    );
    assert_eq!(risk.security.unwrap().letters(), "A");
    assert_eq!(risk.state, RiskState::Open);
    assert_eq!(audit_count(&db, "risk_recorded").await, 2);

    let page = |params: RiskListParams| {
        let (db, quality) = (&db, &quality);
        async move {
            sms_risks::page(db.reader(), quality, &params, today(), 25)
                .await
                .unwrap()
        }
    };
    let all = page(RiskListParams::default()).await;
    assert_eq!(
        all.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [high, low],
        "worst residual first"
    );
    assert_eq!(all.heat.inherent[3][4], 2);
    assert_eq!(all.heat.residual[2][3], 1);
    assert_eq!(all.heat.residual[0][1], 1);
    let high_only = page(RiskListParams {
        level: "high".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(
        high_only.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [high]
    );
    let cell = page(RiskListParams {
        cell: "1-2".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(cell.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [low]);
    let due = page(RiskListParams {
        review: "due".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(due.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [low]);
    let security = page(RiskListParams {
        security: "yes".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(security.total, 1);
    let mine = sms_risks::page(
        db.reader(),
        &owner,
        &RiskListParams {
            owner: "me".into(),
            ..Default::default()
        },
        today(),
        25,
    )
    .await
    .unwrap();
    assert_eq!(mine.total, 2);
    let searched = page(RiskListParams {
        q: "data centre".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(searched.total, 2);
    let by_ref = page(RiskListParams {
        q: format!("rsk-{low}"),
        ..Default::default()
    })
    .await;
    assert_eq!(by_ref.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [low]);
    // The owner's dashboard reminder: the review due within the fortnight.
    let reminders = sms_risks::reviews_due(db.reader(), owner.id, today(), 5)
        .await
        .unwrap();
    assert_eq!(reminders.iter().map(|r| r.0).collect::<Vec<_>>(), [low]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_the_appetite_only_a_quality_manager_who_never_owned_it_accepts() {
    let db = common::test_db().await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let deputy = person(&db, "deputy@example.org", Role::QualityManager).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let portal = service(&db, "Portal").await;
    // The quality manager owns a high residual risk: they cannot accept it themselves.
    let id = sms_risks::create(
        &db,
        &quality,
        &actor(&quality),
        &form(&quality, &[portal], (3, 4)),
        now(),
    )
    .await
    .unwrap();
    let refused = sms_risks::take_step(
        &db,
        &quality,
        &actor(&quality),
        id,
        1,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("never owned")),
        "{refused:?}"
    );
    // Handing it to the service owner does not make the former owner an acceptor.
    sms_risks::update(
        &db,
        &quality,
        &actor(&quality),
        id,
        1,
        &form(&owner, &[portal], (3, 4)),
        now(),
    )
    .await
    .unwrap();
    let refused = sms_risks::take_step(
        &db,
        &quality,
        &actor(&quality),
        id,
        2,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("never owned")),
        "{refused:?}"
    );
    // Nor does its new owner, nor a colleague who keeps risks but is no quality manager.
    let refused = sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        2,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("never owned")),
        "{refused:?}"
    );
    let colleague = person(&db, "changes@example.org", Role::ChangeManager).await;
    let refused = sms_risks::take_step(
        &db,
        &colleague,
        &actor(&colleague),
        id,
        2,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("only a quality manager")),
        "{refused:?}"
    );
    // The same attempts over HTTP: 403 in the rule's words, nothing changed.
    let state = state(db.db.clone());
    for (email, words) in [
        ("quality@example.org", "never owned"),
        ("owner@example.org", "never owned"),
        ("changes@example.org", "only a quality manager"),
    ] {
        let cookie = sign_in(&state, email, PERSON_PASSWORD).await;
        let reply = send(
            &state,
            call(
                "/api/risks/step",
                &format!(
                    "id={id}&version=2&form[action]=accept&form[reason]=Within+what+we+can+bear"
                ),
                Some(&cookie),
            ),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{email}: {}",
            reply.body
        );
        assert!(
            matches!(reply.error(), AppError::Refused(w) if w.contains(words)),
            "{email}: {}",
            reply.body
        );
    }
    assert_eq!(
        sms_risks::detail(db.reader(), id).await.unwrap().state,
        RiskState::Open
    );
    assert_eq!(audit_count(&db, "risk_step").await, 0);

    // Someone else with the authority accepts it; the acceptance is on the record.
    let state_after = sms_risks::take_step(
        &db,
        &deputy,
        &actor(&deputy),
        id,
        2,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(state_after, RiskState::Accepted);
    let risk = sms_risks::detail(db.reader(), id).await.unwrap();
    assert_eq!(risk.accepted_by.map(|p| p.id), Some(deputy.id));
    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("risk_step"))
        .one(db.reader())
        .await
        .unwrap()
        .unwrap();
    assert!(
        entry.summary.contains("above the appetite"),
        "{}",
        entry.summary
    );

    // An accepted risk keeps the rating it was accepted on: no quiet downgrade, even by a
    // quality manager; it is reopened first, which voids the acceptance.
    let lowered = form(&owner, &[portal], (1, 1));
    for who in [&owner, &deputy] {
        let refused = sms_risks::update(&db, who, &actor(who), id, 3, &lowered, now())
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, AppError::Refused(w) if w.contains("reopen")),
            "{refused:?}"
        );
    }
    let cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/risks/update",
            &format!("id={id}&version=3&form[kind]=risk&form[title]=Hosting+provider+fails&form[owner_id]={}&form[inherent_likelihood]=4&form[inherent_impact]=5&form[treatment]=reduce&form[treatment_plan]=Second+data+centre+contracted&form[residual_likelihood]=1&form[residual_impact]=1&form[review_on]={}", owner.id, today() + Duration::days(30)),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(
        sms_risks::detail(db.reader(), id)
            .await
            .unwrap()
            .residual
            .score(),
        12
    );

    // The owner may not close it (it would leave the register's watch); a quality manager
    // closes it with a reason.
    let refused = sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        3,
        &step("close", "The portal moved to a managed cloud."),
        now(),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)));
    let reopened = sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        3,
        &step("reopen", ""),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(reopened, RiskState::Open);
    assert_eq!(
        sms_risks::detail(db.reader(), id)
            .await
            .unwrap()
            .accepted_by,
        None
    );
    let Err(AppError::Validation(errors)) = sms_risks::take_step(
        &db,
        &deputy,
        &actor(&deputy),
        id,
        4,
        &step("close", "gone"),
        now(),
    )
    .await
    else {
        panic!("closed without a reason");
    };
    assert!(errors.get("reason").is_some());
    sms_risks::take_step(
        &db,
        &deputy,
        &actor(&deputy),
        id,
        4,
        &step("close", "The portal moved to a managed cloud."),
        now(),
    )
    .await
    .unwrap();
    let risk = sms_risks::detail(db.reader(), id).await.unwrap();
    assert_eq!(risk.state, RiskState::Closed);
    assert_eq!(
        risk.closed_reason.as_deref(),
        Some("The portal moved to a managed cloud.")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn within_the_appetite_the_owner_accepts_and_reviews_move_the_date() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ContinuityManager).await;
    let other = person(&db, "other@example.org", Role::ServiceOwner).await;
    let id = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (2, 2)),
        now(),
    )
    .await
    .unwrap();
    // Someone who neither owns it nor manages quality changes nothing.
    assert!(matches!(
        sms_risks::take_step(
            &db,
            &other,
            &actor(&other),
            id,
            1,
            &step("accept", ACCEPTED),
            now()
        )
        .await,
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        sms_risks::update(
            &db,
            &other,
            &actor(&other),
            id,
            1,
            &form(&other, &[], (2, 2)),
            now()
        )
        .await,
        Err(AppError::Refused(_))
    ));
    let review = ReviewForm {
        note: "Fail-over tested in January; still rated as before.".into(),
        next_review_on: (today() + Duration::days(180)).to_string(),
    };
    assert!(matches!(
        sms_risks::review(&db, &other, &actor(&other), id, 1, &review, now()).await,
        Err(AppError::Refused(_))
    ));
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        1,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap();
    // A review of an accepted risk is recorded, with the next date.
    sms_risks::review(&db, &owner, &actor(&owner), id, 2, &review, now())
        .await
        .unwrap();
    let risk = sms_risks::detail(db.reader(), id).await.unwrap();
    assert_eq!(risk.review_on, today() + Duration::days(180));
    assert_eq!(risk.reviews.len(), 1);
    assert_eq!(risk.reviews[0].by.id, owner.id);
    assert_eq!(audit_count(&db, "risk_reviewed").await, 1);
    // A stale version writes nothing: no second review row, the date unchanged.
    let stale = ReviewForm {
        next_review_on: (today() + Duration::days(30)).to_string(),
        ..review
    };
    assert!(matches!(
        sms_risks::review(&db, &owner, &actor(&owner), id, 2, &stale, now()).await,
        Err(AppError::Conflict {
            current_version: 3,
            ..
        })
    ));
    assert_eq!(
        sms_risk_review::Entity::find()
            .count(db.reader())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        sms_risks::detail(db.reader(), id).await.unwrap().review_on,
        today() + Duration::days(180)
    );
    // A stale edit too.
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        3,
        &step("reopen", ""),
        now(),
    )
    .await
    .unwrap();
    assert!(matches!(
        sms_risks::update(
            &db,
            &owner,
            &actor(&owner),
            id,
            3,
            &form(&owner, &[], (1, 1)),
            now()
        )
        .await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(
        sms_risks::detail(db.reader(), id)
            .await
            .unwrap()
            .residual
            .score(),
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_is_a_quality_managers_and_decides_whose_acceptance_counts() {
    let db = common::test_db().await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let (matrix, version) = sms_risks::matrix(db.reader()).await.unwrap();
    assert_eq!(matrix, RiskMatrix::default());
    // A medium residual risk: within the default appetite, its owner could accept it.
    let id = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (3, 3)),
        now(),
    )
    .await
    .unwrap();
    let strict = RiskMatrix {
        appetite: RiskLevel::Low,
        ..matrix
    };
    assert!(matches!(
        sms_risks::set_matrix(&db, &owner, &actor(&owner), version, strict, now()).await,
        Err(AppError::Refused(_))
    ));
    let mut falling = strict;
    falling.cells[4][4] = RiskLevel::Low;
    assert!(matches!(
        sms_risks::set_matrix(&db, &quality, &actor(&quality), version, falling, now()).await,
        Err(AppError::Validation(_))
    ));
    assert_eq!(
        sms_risks::set_matrix(&db, &quality, &actor(&quality), version, strict, now())
            .await
            .unwrap(),
        app::model::sms_risk::MatrixOutcome::Applied,
        "a stricter matrix is in force at once"
    );
    assert!(matches!(
        sms_risks::set_matrix(&db, &quality, &actor(&quality), version, strict, now()).await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(
        sms_risks::matrix(db.reader()).await.unwrap(),
        (strict, version + 1)
    );
    assert_eq!(audit_count(&db, "risk_matrix_set").await, 1);
    // Now above the appetite: the owner may no longer accept it alone.
    let refused = sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        1,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("above the appetite")),
        "{refused:?}"
    );
    let record = sms_risks::record(db.reader(), &owner, id, today())
        .await
        .unwrap();
    assert!(record.actions.is_empty(), "{:?}", record.actions);
    let record = sms_risks::record(db.reader(), &quality, id, today())
        .await
        .unwrap();
    assert!(record
        .actions
        .contains(&app::model::sms_risk::RiskAction::Accept));
    // Over HTTP, only a quality manager sets the matrix.
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    // A complete, valid matrix: only the permission stands in the way.
    let lenient = app::model::sms_risk::MatrixForm::of(&RiskMatrix {
        appetite: RiskLevel::VeryHigh,
        ..strict
    });
    let cells: String = lenient
        .cells
        .iter()
        .map(|(cell, level)| format!("&form[cells][{cell}]={level}"))
        .collect();
    let body = format!("version={}&form[appetite]=very_high{cells}", version + 1);
    let reply = send(&state, call("/api/risks/set_matrix", &body, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(
        sms_risks::matrix(db.reader()).await.unwrap().0.appetite,
        RiskLevel::Low
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lowering_the_rating_or_closing_does_not_get_around_independent_acceptance() {
    let db = common::test_db().await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let deputy = person(&db, "deputy@example.org", Role::QualityManager).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    // Rated high (3 × 4) after treatment: above the medium appetite.
    let id = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (3, 4)),
        now(),
    )
    .await
    .unwrap();
    // The owner lowers the rating to low, then tries to accept alone: refused.
    sms_risks::update(
        &db,
        &owner,
        &actor(&owner),
        id,
        1,
        &form(&owner, &[], (1, 2)),
        now(),
    )
    .await
    .unwrap();
    let refused = sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        2,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("was rated above the appetite")),
        "{refused:?}"
    );
    // Over HTTP too.
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/risks/step",
            &format!("id={id}&version=2&form[action]=accept&form[reason]=Within+what+we+can+bear"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    // A quality manager who owns a risk above the appetite cannot close it away either.
    let own = sms_risks::create(
        &db,
        &quality,
        &actor(&quality),
        &form(&quality, &[], (4, 4)),
        now(),
    )
    .await
    .unwrap();
    let refused = sms_risks::take_step(
        &db,
        &quality,
        &actor(&quality),
        own,
        1,
        &step("close", "It no longer applies to us."),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("never owned, recorded or rated it closes it")),
        "{refused:?}"
    );
    let quality_cookie = sign_in(&state, "quality@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/risks/step",
            &format!(
                "id={own}&version=1&form[action]=close&form[reason]=It+no+longer+applies+to+us."
            ),
            Some(&quality_cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(
        sms_risks::detail(db.reader(), own).await.unwrap().state,
        RiskState::Open
    );
    // A stale version accepts nothing, even for someone allowed to.
    assert!(matches!(
        sms_risks::take_step(
            &db,
            &deputy,
            &actor(&deputy),
            id,
            1,
            &step("accept", ACCEPTED),
            now()
        )
        .await,
        Err(AppError::Conflict {
            current_version: 2,
            ..
        })
    ));
    sms_risks::take_step(
        &db,
        &deputy,
        &actor(&deputy),
        id,
        2,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap();
    // Reopened within the appetite, it starts again from how it is rated now: the owner
    // may accept it.
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        3,
        &step("reopen", ""),
        now(),
    )
    .await
    .unwrap();
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        id,
        4,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap();
    // A risk stays a risk; an edit does not move the review date; a closed risk is not reviewed.
    sms_risks::take_step(
        &db,
        &deputy,
        &actor(&deputy),
        id,
        5,
        &step("reopen", ""),
        now(),
    )
    .await
    .unwrap();
    let opportunity = RiskForm {
        kind: "opportunity".into(),
        treatment: "pursue".into(),
        ..form(&owner, &[], (1, 2))
    };
    assert!(matches!(
        sms_risks::update(&db, &owner, &actor(&owner), id, 6, &opportunity, now()).await,
        Err(AppError::Validation(_))
    ));
    let later = RiskForm {
        review_on: (today() + Duration::days(300)).to_string(),
        ..form(&owner, &[], (1, 2))
    };
    sms_risks::update(&db, &owner, &actor(&owner), id, 6, &later, now())
        .await
        .unwrap();
    assert_eq!(
        sms_risks::detail(db.reader(), id).await.unwrap().review_on,
        today() + Duration::days(90)
    );
    sms_risks::take_step(
        &db,
        &deputy,
        &actor(&deputy),
        id,
        7,
        &step("close", "The service was retired in March."),
        now(),
    )
    .await
    .unwrap();
    let review = ReviewForm {
        note: "Looked again after closing.".into(),
        next_review_on: (today() + Duration::days(30)).to_string(),
    };
    assert!(matches!(
        sms_risks::review(&db, &deputy, &actor(&deputy), id, 8, &review, now()).await,
        Err(AppError::Refused(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clause_pages_name_risks_only_to_those_who_read_the_register() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    person(&db, "robin@example.org", Role::Requester).await;
    person(&db, "quality@example.org", Role::QualityManager).await;
    sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (3, 4)),
        now(),
    )
    .await
    .unwrap();
    let state = state(db.db.clone());
    for (email, named) in [("robin@example.org", false), ("quality@example.org", true)] {
        let cookie = sign_in(&state, email, PERSON_PASSWORD).await;
        let reply = send(
            &state,
            call("/api/compliance/clause", "number=6.1", Some(&cookie)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{email}: {}", reply.body);
        let row: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        let thin = row["evidence"]["thin"].as_array().unwrap();
        let above = thin
            .iter()
            .find(|t| t["rule"].as_str().unwrap().contains("above the appetite"))
            .unwrap_or_else(|| panic!("{email}: {thin:?}"));
        assert_eq!(above["total"], 1, "{email}");
        assert_eq!(
            !above["records"].as_array().unwrap().is_empty(),
            named,
            "{email}: {above}"
        );
        assert_eq!(
            reply.body.contains("Hosting provider fails"),
            named,
            "{email}"
        );
    }
}

/// A looser matrix (a higher appetite, or any cell lower) would let owners accept more alone:
/// it waits for a second quality manager. Its proposer may withdraw it, never approve it —
/// by the service or over HTTP — and a stricter matrix ends the proposal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looser_matrix_waits_for_a_second_quality_manager() {
    use app::model::sms_risk::{MatrixDecision, MatrixOutcome};
    let db = common::test_db().await;
    let quinn = person(&db, "quality@example.org", Role::QualityManager).await;
    let kim = person(&db, "kim@example.org", Role::QualityManager).await;
    let (matrix, version) = sms_risks::matrix(db.reader()).await.unwrap();
    let lenient = RiskMatrix {
        appetite: RiskLevel::High,
        ..matrix
    };
    assert_eq!(
        sms_risks::set_matrix(&db, &quinn, &actor(&quinn), version, lenient, now())
            .await
            .unwrap(),
        MatrixOutcome::Proposed
    );
    let settings = sms_risks::settings(db.reader()).await.unwrap();
    assert_eq!(settings.matrix, matrix, "not in force yet");
    let proposal = settings.proposal.clone().unwrap();
    assert_eq!((proposal.matrix, proposal.by.id), (lenient, quinn.id));
    assert_eq!(audit_count(&db, "risk_matrix_proposed").await, 1);
    assert_eq!(audit_count(&db, "risk_matrix_set").await, 0);

    // Its proposer cannot approve it: by the service, nor over HTTP.
    let own = sms_risks::decide_matrix(
        &db,
        &quinn,
        &actor(&quinn),
        settings.version,
        MatrixDecision::Approve,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&own, AppError::Refused(w) if w.contains("another quality manager")),
        "{own:?}"
    );
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "quality@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/risks/decide_matrix",
            &format!("version={}&decision=approve", settings.version),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let unchanged = sms_risks::settings(db.reader()).await.unwrap();
    assert_eq!(
        (unchanged.matrix, unchanged.version),
        (matrix, settings.version)
    );
    assert!(unchanged.proposal.is_some());

    // A second quality manager approves it, against the version they read.
    assert!(matches!(
        sms_risks::decide_matrix(
            &db,
            &kim,
            &actor(&kim),
            settings.version - 1,
            MatrixDecision::Approve
        )
        .await,
        Err(AppError::Conflict { .. })
    ));
    sms_risks::decide_matrix(
        &db,
        &kim,
        &actor(&kim),
        settings.version,
        MatrixDecision::Approve,
    )
    .await
    .unwrap();
    let approved = sms_risks::settings(db.reader()).await.unwrap();
    assert_eq!(approved.matrix, lenient);
    assert_eq!(approved.proposal, None);
    assert_eq!(audit_count(&db, "risk_matrix_set").await, 1);
    assert!(matches!(
        sms_risks::decide_matrix(
            &db,
            &kim,
            &actor(&kim),
            approved.version,
            MatrixDecision::Reject
        )
        .await,
        Err(AppError::Refused(_))
    ));

    // Proposed again looser, then withdrawn by its proposer: nothing changes.
    let very = RiskMatrix {
        appetite: RiskLevel::VeryHigh,
        ..lenient
    };
    sms_risks::set_matrix(&db, &quinn, &actor(&quinn), approved.version, very, now())
        .await
        .unwrap();
    let pending = sms_risks::settings(db.reader()).await.unwrap();
    sms_risks::decide_matrix(
        &db,
        &quinn,
        &actor(&quinn),
        pending.version,
        MatrixDecision::Reject,
    )
    .await
    .unwrap();
    let withdrawn = sms_risks::settings(db.reader()).await.unwrap();
    assert_eq!((withdrawn.matrix, withdrawn.proposal), (lenient, None));
    assert_eq!(audit_count(&db, "risk_matrix_withdrawn").await, 1);

    // A stricter matrix is in force at once and ends a looser proposal made before it.
    sms_risks::set_matrix(&db, &kim, &actor(&kim), withdrawn.version, very, now())
        .await
        .unwrap();
    let pending = sms_risks::settings(db.reader()).await.unwrap();
    assert!(pending.proposal.is_some());
    assert_eq!(
        sms_risks::set_matrix(&db, &quinn, &actor(&quinn), pending.version, matrix, now())
            .await
            .unwrap(),
        MatrixOutcome::Applied
    );
    let strict = sms_risks::settings(db.reader()).await.unwrap();
    assert_eq!((strict.matrix, strict.proposal), (matrix, None));
    // The record names the proposal the stricter matrix ended, and the ended proposal cannot
    // be approved with the version read before it ended.
    assert!(audit_summaries(&db, "risk_matrix_set")
        .await
        .iter()
        .any(|s| s.contains("ending the looser matrix Person kim@example.org")));
    assert!(matches!(
        sms_risks::decide_matrix(
            &db,
            &quinn,
            &actor(&quinn),
            pending.version,
            MatrixDecision::Approve
        )
        .await,
        Err(AppError::Refused(_))
    ));
    // Saving the matrix in force changes nothing; a cell made milder is looser too.
    assert!(matches!(
        sms_risks::set_matrix(&db, &quinn, &actor(&quinn), strict.version, matrix, now()).await,
        Err(AppError::Validation(_))
    ));
    let mut milder = matrix;
    milder.cells[0][4] = RiskLevel::Low;
    assert_eq!(
        sms_risks::set_matrix(&db, &quinn, &actor(&quinn), strict.version, milder, now())
            .await
            .unwrap(),
        MatrixOutcome::Proposed
    );
    assert_eq!(sms_risks::matrix(db.reader()).await.unwrap().0, matrix);
}

async fn audit_summaries(db: &app::server::db::Db, action: &str) -> Vec<String> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.summary)
        .collect()
}

/// A quality manager who recorded a risk for its owner, or re-rated it, is not independent
/// of it: above the appetite another quality manager accepts or closes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_recorded_or_rated_a_risk_does_not_accept_it_above_the_appetite() {
    let db = common::test_db().await;
    let quinn = person(&db, "quality@example.org", Role::QualityManager).await;
    let kim = person(&db, "kim@example.org", Role::QualityManager).await;
    let lee = person(&db, "lee@example.org", Role::QualityManager).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let recorded = sms_risks::create(
        &db,
        &quinn,
        &actor(&quinn),
        &form(&owner, &[], (4, 4)),
        now(),
    )
    .await
    .unwrap();
    for action in ["accept", "close"] {
        let refused = sms_risks::take_step(
            &db,
            &quinn,
            &actor(&quinn),
            recorded,
            1,
            &step(action, "Weighed and found bearable for now."),
            now(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&refused, AppError::Refused(w) if w.contains("recorded or rated")),
            "{action}: {refused:?}"
        );
    }
    // Kim re-rates the owner's risk: Kim is out too, Lee decides.
    let own = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (3, 3)),
        now(),
    )
    .await
    .unwrap();
    sms_risks::update(
        &db,
        &kim,
        &actor(&kim),
        own,
        1,
        &form(&owner, &[], (4, 4)),
        now(),
    )
    .await
    .unwrap();
    assert!(matches!(
        sms_risks::take_step(
            &db,
            &kim,
            &actor(&kim),
            own,
            2,
            &step("accept", ACCEPTED),
            now()
        )
        .await,
        Err(AppError::Refused(_))
    ));
    assert_eq!(
        sms_risks::detail(db.reader(), own).await.unwrap().version,
        2
    );
    sms_risks::take_step(
        &db,
        &lee,
        &actor(&lee),
        own,
        2,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap();
    sms_risks::take_step(
        &db,
        &kim,
        &actor(&kim),
        recorded,
        1,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap();
}

/// A management review weighs the register (clause 9.3): live and accepted risks, those
/// still open above the appetite (an opportunity never is), and reviews overdue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_management_review_weighs_the_register() {
    use app::model::management_review::{Period, RiskStatus};
    use app::server::service::management_reviews;
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let high = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (3, 4)),
        now(),
    )
    .await
    .unwrap();
    let low = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (1, 2)),
        now(),
    )
    .await
    .unwrap();
    sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &RiskForm {
            kind: "opportunity".into(),
            treatment: "pursue".into(),
            information_security: false,
            availability: false,
            ..form(&owner, &[], (4, 4))
        },
        now(),
    )
    .await
    .unwrap();
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        low,
        1,
        &step("accept", ACCEPTED),
        now(),
    )
    .await
    .unwrap();
    sms_risks::take_step(
        &db,
        &quality,
        &actor(&quality),
        high,
        1,
        &step("close", "The data centre contract moved to two sites."),
        now(),
    )
    .await
    .unwrap();
    let later = today() + Duration::days(120);
    let period = Period {
        start: today() - Duration::days(90),
        end: today(),
    };
    let inputs = management_reviews::gather(db.reader(), None, later, period, later)
        .await
        .unwrap();
    assert_eq!(
        inputs.risks,
        RiskStatus {
            live: 2,
            accepted: 1,
            above_appetite_open: 0,
            reviews_overdue: 2,
        }
    );
    sms_risks::take_step(
        &db,
        &quality,
        &actor(&quality),
        low,
        2,
        &step("reopen", ""),
        now(),
    )
    .await
    .unwrap();
    let reopened_high = sms_risks::create(
        &db,
        &owner,
        &actor(&owner),
        &form(&owner, &[], (4, 4)),
        now(),
    )
    .await
    .unwrap();
    let status = sms_risks::review_status(db.reader(), today())
        .await
        .unwrap();
    assert_eq!(status.above_appetite_open, 1, "RSK-{reopened_high} only");
    assert_eq!(
        (status.live, status.accepted, status.reviews_overdue),
        (3, 0, 0)
    );
    assert!(inputs.risks.summary().contains("2 live (1 accepted)"));
}
