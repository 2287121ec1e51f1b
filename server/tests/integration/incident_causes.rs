//! Incidents caused by a change: who may say so, which changes can have caused anything, and
//! how the link reaches the change's record, its review and the change success rate the
//! management review reads.

use crate::common::{self, actor, person};
use crate::incidents::service;
use crate::management_reviews::{change_step, import_change};

use app::error::AppError;
use app::model::access::Role;
use app::model::change::{ChangeAction, ChangeState, ChangeType};
use app::model::change_request::{reference as change_reference, Review};
use app::model::incident::{CauseForm, IncidentForm, StepForm};
use app::model::management_review::{Period, Ratio};
use app::server::service::changes::{self, TransitionInput};
use app::server::service::{incident_causes, incidents, management_reviews};
use chrono::{Duration, Utc};

fn named(change: &str) -> CauseForm {
    CauseForm {
        change: change.into(),
    }
}

fn field_message(result: Result<(), AppError>, field: &str) -> String {
    match result {
        Err(AppError::Validation(errors)) => errors
            .get(field)
            .unwrap_or_else(|| panic!("no {field} error in {errors:?}"))
            .to_string(),
        other => panic!("expected a message on {field}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_named_as_the_cause_counts_as_not_successful() {
    let db = common::test_db().await;
    let chris = person(&db, "change@example.org", Role::ChangeManager).await;
    person(&db, "owner@example.org", Role::ServiceOwner).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = service(&db, "Mail").await;
    let today = Utc::now().date_naive();
    let implemented = import_change(
        &db,
        &chris,
        ChangeType::Normal,
        ChangeState::Implemented,
        Some(today - Duration::days(2)),
    )
    .await;
    import_change(
        &db,
        &chris,
        ChangeType::Normal,
        ChangeState::Implemented,
        Some(today - Duration::days(3)),
    )
    .await;
    let draft = import_change(&db, &chris, ChangeType::Normal, ChangeState::Draft, None).await;
    let period = Period {
        start: today - Duration::days(30),
        end: today,
    };
    let success = || async {
        management_reviews::gather(db.reader(), None, today, period, today)
            .await
            .unwrap()
            .current
            .change_success
    };
    assert_eq!(success().await, Ratio::new(2, 2));

    let form = IncidentForm {
        title: "Mail bounces after the relay upgrade".into(),
        service_id: mail.to_string(),
        impact: "high".into(),
        urgency: "high".into(),
        ..Default::default()
    };
    let now = Utc::now();
    let id = incidents::raise(&db, &robin, &actor(&robin), &form, now)
        .await
        .unwrap();
    let version = || async {
        incidents::record(db.reader(), &jo, id, now)
            .await
            .unwrap()
            .incident
            .version
    };
    let set = |who, change: &str, version| {
        let form = named(change);
        let db = &db;
        async move { incident_causes::set_cause(db, who, &actor(who), id, version, &form, now).await }
    };

    // Robin reported it but does not work incidents: the record offers nothing, the call fails.
    let robins = incidents::record(db.reader(), &robin, id, now)
        .await
        .unwrap();
    assert!(!robins.may_link_cause);
    let v = version().await;
    assert!(matches!(
        set(&robin, &change_reference(implemented), v).await,
        Err(AppError::Refused(_))
    ));
    // Only a change whose implementation began can have caused it; a missing one is named.
    let message = field_message(set(&jo, &change_reference(draft), v).await, "change");
    assert!(message.contains("draft"), "{message}");
    let message = field_message(set(&jo, "CHG-99999", v).await, "change");
    assert_eq!(message, "There is no CHG-99999.");
    assert!(field_message(set(&jo, "INC-1", v).await, "change").contains("like CHG-00012"));
    assert_eq!(
        incidents::record(db.reader(), &jo, id, now)
            .await
            .unwrap()
            .incident
            .version,
        v,
        "refusals change nothing"
    );

    // Jo names it; a stale second attempt is refused.
    let jos = incidents::record(db.reader(), &jo, id, now).await.unwrap();
    assert!(jos.may_link_cause);
    set(&jo, &change_reference(implemented).to_lowercase(), v)
        .await
        .unwrap();
    assert!(matches!(
        set(&jo, &change_reference(implemented), v).await,
        Err(AppError::Conflict { .. })
    ));
    let record = incidents::record(db.reader(), &jo, id, now).await.unwrap();
    let cause = record.caused_by.expect("the cause is named");
    assert_eq!(cause.id, implemented);
    assert_eq!(cause.state, ChangeState::Implemented);
    assert!(record.incident.timeline.iter().any(|line| line
        .body
        .starts_with(&format!("Caused by {}", change_reference(implemented)))));

    // The change lists it, and it no longer counts as a success.
    let caused = incident_causes::caused_by(db.reader(), implemented)
        .await
        .unwrap();
    assert_eq!(caused.total, 1);
    assert_eq!(caused.listed[0].id, id);
    assert_eq!(success().await, Ratio::new(1, 2));

    // Its review cannot say it caused no incidents.
    let review = |incidents: i32| TransitionInput {
        comment: String::new(),
        review: Some(Review {
            outcome: "Relay upgraded".into(),
            incidents,
            lessons: String::new(),
        }),
    };
    let change_version = changes::load(db.reader(), implemented)
        .await
        .unwrap()
        .version;
    let undercounted = changes::transition(
        &db,
        &chris,
        &actor(&chris),
        implemented,
        change_version,
        ChangeAction::Review,
        review(0),
    )
    .await
    .map(|_| ());
    assert_eq!(
        field_message(undercounted, "review_incidents"),
        "1 incident is linked as caused by this change: the review counts at least it."
    );
    assert_eq!(
        change_step(&db, &chris, implemented, ChangeAction::Review, review(1)).await,
        ChangeState::Reviewed
    );

    // A link made in error is removed, and the change counts as a success again.
    set(&jo, "", version().await).await.unwrap();
    let record = incidents::record(db.reader(), &jo, id, now).await.unwrap();
    assert!(record.caused_by.is_none());
    assert!(record
        .incident
        .timeline
        .iter()
        .any(|line| line.body.starts_with("Not caused by")));
    assert_eq!(success().await, Ratio::new(2, 2));

    // A closed incident keeps what it says.
    for (action, extra) in [("assign", jo.id.to_string()), ("start", String::new())] {
        let step = StepForm {
            action: action.into(),
            assignee_id: extra,
            ..Default::default()
        };
        incidents::take_step(&db, &jo, &actor(&jo), id, version().await, &step, now)
            .await
            .unwrap();
    }
    let resolve = StepForm {
        action: "resolve".into(),
        resolution_code: "fixed".into(),
        resolution: "Rolled the relay back.".into(),
        ..Default::default()
    };
    incidents::take_step(&db, &jo, &actor(&jo), id, version().await, &resolve, now)
        .await
        .unwrap();
    incidents::take_step(
        &db,
        &robin,
        &actor(&robin),
        id,
        version().await,
        &StepForm {
            action: "close".into(),
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    let closed = incidents::record(db.reader(), &jo, id, now).await.unwrap();
    assert!(!closed.may_link_cause);
    assert!(matches!(
        set(&jo, &change_reference(implemented), version().await).await,
        Err(AppError::Refused(_))
    ));
}

/// The demo's portal framework upgrade caused the product images incident, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_links_an_incident_to_the_change_that_caused_it() {
    use app::server::entity::incident::{Column, Entity as Incidents};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = common::demo_db().await;
    let incident = Incidents::find()
        .filter(Column::Title.eq("Product images not loading"))
        .one(db.reader())
        .await
        .unwrap()
        .expect("the demo incident");
    let change = incident.caused_by_change_id.expect("linked to its cause");
    let caused = incident_causes::caused_by(db.reader(), change)
        .await
        .unwrap();
    assert_eq!(caused.total, 1);
    assert_eq!(caused.listed[0].id, incident.id);
    let cause = incident_causes::cause(db.reader(), change)
        .await
        .unwrap()
        .unwrap();
    assert!(cause
        .title
        .starts_with("Upgrade the customer portal framework"));
    assert!(cause.state.was_carried_out());
}
