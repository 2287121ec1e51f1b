//! Service levels against a real database: service-hours calendars and the priority matrix
//! kept with version checks and audit entries, and agreements drafted, approved by someone
//! who wrote no part of them, never edited once approved, revised, and found in force for a
//! service on a day. Every way round the approval rule is tried.

use crate::common::{self, actor, person};

use app::error::AppError;
use app::model::access::Role;
use app::model::agreement::{AgreementAction, AgreementForm, AgreementState};
use app::model::priority_matrix::{Impact, PriorityMatrix, TicketPriority, Urgency};
use app::model::service::ServiceForm;
use app::model::service_hours::ServiceHoursForm;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{agreements, audit_trail, catalogue, service_levels};
use chrono::NaiveDate;

async fn service(db: &Db, name: &str) -> i64 {
    let form = ServiceForm {
        name: name.into(),
        owner: "Owner".into(),
        criticality: "high".into(),
        status: "live".into(),
        ..Default::default()
    };
    catalogue::create(db, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

fn office_hours(name: &str) -> ServiceHoursForm {
    let mut form = ServiceHoursForm {
        name: name.into(),
        time_zone: "Europe/London".into(),
        holidays: "2027-12-27 Christmas Day (substitute)".into(),
        ..Default::default()
    };
    for day in 0..5 {
        form.days[day] = "08:00-18:00".into();
    }
    form
}

fn agreement_form(service_ids: &[i64], calendar_id: i64) -> AgreementForm {
    AgreementForm {
        title: "Mail for all staff".into(),
        customer: "Every department".into(),
        service_ids: service_ids.iter().map(i64::to_string).collect(),
        calendar_id: calendar_id.to_string(),
        starts_on: "2027-01-01".into(),
        ends_on: String::new(),
        review_on: "2027-12-01".into(),
        response: ["15", "30", "60", "240", "480"].map(String::from),
        resolution: ["240", "480", "1440", "2880", "7200"].map(String::from),
        availability: "99.5".into(),
        fulfilment: "2880".into(),
    }
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn audit_actions(db: &Db) -> Vec<String> {
    audit_trail::list(
        db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.record_type == "service_agreement")
    .map(|e| e.action)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendars_are_checked_kept_by_version_and_audited() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let id = service_levels::create_calendar(&db, &actor(&sam), &office_hours("Office"))
        .await
        .unwrap();
    let stored = service_levels::calendar(db.reader(), id).await.unwrap();
    assert_eq!(stored.hours.weekly_minutes(), 50 * 60);
    assert_eq!(stored.hours.holidays.len(), 1);

    // A zone that does not exist and a name taken are refused beside their fields.
    let mut bad = office_hours("Office");
    bad.time_zone = "Europe/Atlantis".into();
    let error = service_levels::create_calendar(&db, &actor(&sam), &bad)
        .await
        .unwrap_err();
    let fields = error.field_errors().unwrap();
    assert!(fields.get("time_zone").unwrap().contains("IANA"));
    assert!(fields.get("name").unwrap().contains("Another calendar"));

    // An edit from a stale read changes nothing.
    let mut longer = office_hours("Office");
    longer.days[5] = "09:00-13:00".into();
    service_levels::update_calendar(&db, &actor(&sam), id, 1, &longer)
        .await
        .unwrap();
    let stale = service_levels::update_calendar(&db, &actor(&sam), id, 1, &office_hours("Office"))
        .await
        .unwrap_err();
    assert!(matches!(
        stale,
        AppError::Conflict {
            current_version: 2,
            ..
        }
    ));
    let stored = service_levels::calendar(db.reader(), id).await.unwrap();
    assert_eq!(stored.hours.weekly_minutes(), 54 * 60);
    assert_eq!(
        audit_actions(&db).await,
        vec!["service_hours_updated", "service_hours_created"],
        "on {}",
        common::backend_name()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_priority_matrix_is_set_only_when_consistent() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let settings = service_levels::settings(db.reader()).await.unwrap();
    assert_eq!(settings.matrix, PriorityMatrix::default());
    assert_eq!(settings.reopen_days, 10);

    let mut inverted = PriorityMatrix::default();
    inverted.cells[2][2] = TicketPriority::P1;
    let refused = service_levels::update_settings(&db, &actor(&sam), 1, inverted, 5)
        .await
        .unwrap_err();
    assert!(refused
        .field_errors()
        .unwrap()
        .get("cell_low_low")
        .is_some());
    let too_long =
        service_levels::update_settings(&db, &actor(&sam), 1, PriorityMatrix::default(), 400)
            .await
            .unwrap_err();
    assert!(too_long
        .field_errors()
        .unwrap()
        .get("reopen_days")
        .is_some());

    let mut stricter = PriorityMatrix::default();
    stricter.cells[0][1] = TicketPriority::P1;
    service_levels::update_settings(&db, &actor(&sam), 1, stricter, 5)
        .await
        .unwrap();
    let settings = service_levels::settings(db.reader()).await.unwrap();
    assert_eq!(
        settings.matrix.priority(Impact::High, Urgency::Medium),
        TicketPriority::P1
    );
    assert_eq!(settings.reopen_days, 5);
    assert_eq!(settings.version, 2);
    assert!(matches!(
        service_levels::update_settings(&db, &actor(&sam), 1, PriorityMatrix::default(), 5).await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(
        audit_actions(&db).await,
        vec!["service_level_settings_updated"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agreement_is_approved_by_someone_who_did_not_write_it() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = service(&db, "Mail").await;
    let calendar = service_levels::create_calendar(&db, &actor(&sam), &office_hours("Office"))
        .await
        .unwrap();
    let form = agreement_form(&[mail], calendar);

    // Only a service level manager drafts one.
    let refused = agreements::create(&db, &robin, &actor(&robin), &form)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)));
    let id = agreements::create(&db, &sam, &actor(&sam), &form)
        .await
        .unwrap();

    // Lee edits the draft: Lee is now a contributor.
    let mut edited = form.clone();
    edited.resolution[0] = "180".into();
    agreements::update(&db, &lee, &actor(&lee), id, 1, &edited)
        .await
        .unwrap();
    let step = |user, version, action| {
        let db = &db;
        async move { agreements::transition(db, user, &actor(user), id, version, action).await }
    };
    assert_eq!(
        step(&sam, 2, AgreementAction::SendToReview).await.unwrap(),
        AgreementState::InReview
    );

    // Neither the author nor the contributor approves; a requester cannot either.
    for writer in [&sam, &lee] {
        let refused = step(writer, 3, AgreementAction::Approve).await.unwrap_err();
        assert!(
            matches!(&refused, AppError::Refused(m) if m.contains("You wrote part")),
            "{refused:?}"
        );
    }
    assert!(matches!(
        step(&robin, 3, AgreementAction::Approve).await,
        Err(AppError::Refused(_))
    ));
    // A stale approval is refused even from the right person.
    assert!(matches!(
        step(&quinn, 2, AgreementAction::Approve).await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(
        step(&quinn, 3, AgreementAction::Approve).await.unwrap(),
        AgreementState::Approved
    );

    let approved = agreements::detail(db.reader(), id).await.unwrap();
    assert_eq!(approved.approved_by.unwrap().id, quinn.id);
    assert_eq!(approved.contributor_ids, vec![lee.id]);
    assert_eq!(
        approved
            .terms
            .target(TicketPriority::P1)
            .unwrap()
            .resolution_minutes,
        180
    );
    assert_eq!(approved.services[0].name, "Mail");

    // What was approved is never written again, by anyone.
    for writer in [&sam, &lee] {
        let refused = agreements::update(&db, writer, &actor(writer), id, 4, &form)
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, AppError::Refused(m) if m.contains("revise")),
            "{refused:?}"
        );
    }
    assert!(matches!(
        step(&sam, 4, AgreementAction::ReturnToDraft).await,
        Err(AppError::Refused(_))
    ));
    let unchanged = agreements::detail(db.reader(), id).await.unwrap();
    assert_eq!(unchanged.version, 4);
    assert_eq!(unchanged.terms, approved.terms);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revision_replaces_the_agreement_in_force_only_when_approved() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let mail = service(&db, "Mail").await;
    let web = service(&db, "Web").await;
    let calendar = service_levels::create_calendar(&db, &actor(&sam), &office_hours("Office"))
        .await
        .unwrap();
    let first = agreements::create(&db, &sam, &actor(&sam), &agreement_form(&[mail], calendar))
        .await
        .unwrap();
    // A draft is not in force.
    assert!(agreements::in_force(db.reader(), mail, day("2027-03-01"))
        .await
        .unwrap()
        .is_none());
    agreements::transition(
        &db,
        &sam,
        &actor(&sam),
        first,
        1,
        AgreementAction::SendToReview,
    )
    .await
    .unwrap();
    agreements::transition(&db, &lee, &actor(&lee), first, 2, AgreementAction::Approve)
        .await
        .unwrap();
    let (in_force, terms, hours) = agreements::in_force(db.reader(), mail, day("2027-03-01"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((in_force, terms.availability_percent), (first, 99.5));
    assert_eq!(hours.name, "Office");
    assert!(agreements::in_force(db.reader(), mail, day("2026-12-31"))
        .await
        .unwrap()
        .is_none());
    assert!(agreements::in_force(db.reader(), web, day("2027-03-01"))
        .await
        .unwrap()
        .is_none());

    // Lee revises it (adding Web); a second revision beside it is refused.
    let revision = agreements::revise(&db, &lee, &actor(&lee), first)
        .await
        .unwrap();
    assert!(matches!(
        agreements::revise(&db, &sam, &actor(&sam), first).await,
        Err(AppError::Refused(m)) if m.contains("already being revised")
    ));
    let mut wider = agreement_form(&[mail, web], calendar);
    wider.availability = "99.9".into();
    agreements::update(&db, &lee, &actor(&lee), revision, 1, &wider)
        .await
        .unwrap();
    agreements::transition(
        &db,
        &lee,
        &actor(&lee),
        revision,
        2,
        AgreementAction::SendToReview,
    )
    .await
    .unwrap();
    // The old text stays in force while the revision is in review.
    let (still, _, _) = agreements::in_force(db.reader(), mail, day("2027-03-01"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still, first);
    // Lee wrote the revision, so Sam (who wrote the first text, not this one) approves it.
    assert!(matches!(
        agreements::transition(
            &db,
            &lee,
            &actor(&lee),
            revision,
            3,
            AgreementAction::Approve
        )
        .await,
        Err(AppError::Refused(_))
    ));
    agreements::transition(
        &db,
        &sam,
        &actor(&sam),
        revision,
        3,
        AgreementAction::Approve,
    )
    .await
    .unwrap();
    let (now_in_force, terms, _) = agreements::in_force(db.reader(), web, day("2027-03-01"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((now_in_force, terms.availability_percent), (revision, 99.9));
    let old = agreements::detail(db.reader(), first).await.unwrap();
    assert_eq!(old.state, AgreementState::Retired);
    let new = agreements::detail(db.reader(), revision).await.unwrap();
    assert_eq!((new.revision, new.revises_id), (2, Some(first)));
    let current = agreements::current(db.reader(), 50).await.unwrap();
    assert_eq!(
        current.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![revision]
    );
    let actions = audit_actions(&db).await;
    // Two steps for each text, and the first retired by the revision's approval.
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "agreement_transition")
            .count(),
        5,
        "{actions:?}"
    );
}
