//! Change enablement against a real database: the lifecycle through the service, conflicts,
//! optimistic concurrency and the audit trail.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::change::{ChangeAction, ChangeState};
use app::model::change_request::ChangeForm;
use app::model::schedule::{Conflict, WindowDraft, WindowKind};
use app::model::service::ServiceForm;
use app::model::user::{CurrentUser, NewUser};
use app::server::audit::Actor;
use app::server::service::change_lists;
use app::server::service::changes::{self, TransitionInput};
use app::server::service::{catalogue, users};
use chrono::{Duration, TimeZone, Utc};

struct People {
    requester: CurrentUser,
    manager: CurrentUser,
    cab: CurrentUser,
}

async fn person(db: &app::server::db::Db, email: &str, role: Role) -> CurrentUser {
    let user = users::create(
        db,
        &Actor::system("test"),
        NewUser {
            email: email.into(),
            name: format!("Person {email}"),
            roles: vec![role],
            password: "long enough password".into(),
        },
    )
    .await
    .unwrap();
    CurrentUser {
        id: user.id,
        email: user.email,
        name: user.name,
        roles: user.roles,
        time_zone: "Europe/Berlin".into(),
    }
}

async fn people(db: &app::server::db::Db) -> People {
    People {
        requester: person(db, "req@example.org", Role::Requester).await,
        manager: person(db, "mgr@example.org", Role::ChangeManager).await,
        cab: person(db, "cab@example.org", Role::CabMember).await,
    }
}

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.id, user.name.clone(), None)
}

async fn service(db: &app::server::db::Db, name: &str, criticality: &str) -> i64 {
    let form = ServiceForm {
        name: name.into(),
        owner: "Owner".into(),
        criticality: criticality.into(),
        status: "live".into(),
        ..Default::default()
    };
    catalogue::create(db, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

fn form(service_id: i64, start: &str, end: &str) -> ChangeForm {
    ChangeForm {
        title: "Upgrade the mail gateway".into(),
        change_type: "normal".into(),
        service_ids: vec![service_id.to_string()],
        planned_start: start.into(),
        planned_end: end.into(),
        implementation_plan: "Apply the update.".into(),
        test_plan: "Send test mail.".into(),
        backout_plan: "Restore the snapshot.".into(),
        impact_breadth: "2".into(),
        complexity: "2".into(),
        backout_difficulty: "1".into(),
        history: "1".into(),
        time_pressure: "0".into(),
        ..Default::default()
    }
}

/// Answers that make a low risk (a change manager authorises it alone).
fn low_risk(form: ChangeForm) -> ChangeForm {
    ChangeForm {
        impact_breadth: "0".into(),
        complexity: "0".into(),
        backout_difficulty: "0".into(),
        history: "0".into(),
        time_pressure: "0".into(),
        ..form
    }
}

async fn step(
    db: &app::server::db::Db,
    who: &CurrentUser,
    id: i64,
    action: ChangeAction,
) -> Result<app::model::change_request::Change, AppError> {
    let version = changes::load(db.reader(), id).await?.version;
    changes::transition(
        db,
        who,
        &actor(who),
        id,
        version,
        action,
        TransitionInput::default(),
    )
    .await
}

#[tokio::test]
async fn a_normal_change_goes_from_draft_to_the_cab_and_no_plain_move_authorises_it() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail", "critical").await;
    let created = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        form(mail, "2026-12-01T22:00", "2026-12-01T23:30")
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(created.state, ChangeState::Draft);
    // Local Berlin time (UTC+1 in December) stored as UTC.
    assert_eq!(
        created.planned_start,
        Some(Utc.with_ymd_and_hms(2026, 12, 1, 21, 0, 0).unwrap())
    );
    let risk = created.risk.clone().unwrap();
    assert!(
        risk.explanation
            .iter()
            .any(|line| line.contains("Critical")),
        "{risk:?}"
    );

    assert_eq!(
        step(&db, &p.requester, created.id, ChangeAction::Submit)
            .await
            .unwrap()
            .state,
        ChangeState::Submitted
    );
    assert_eq!(
        step(&db, &p.manager, created.id, ChangeAction::Assess)
            .await
            .unwrap()
            .state,
        ChangeState::Assessed
    );
    assert_eq!(
        step(
            &db,
            &p.manager,
            created.id,
            ChangeAction::RequestAuthorisation
        )
        .await
        .unwrap()
        .state,
        ChangeState::AwaitingAuthorisation
    );
    // Medium risk or higher: the requester cannot, and the CAB can.
    let refused = step(&db, &p.requester, created.id, ChangeAction::Authorise)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, AppError::Refused(ref reason) if reason.contains("CAB")),
        "{refused:?}"
    );
    // Neither a CAB member nor a change manager authorises it outside a CAB meeting (the CAB
    // tests show the chair's decision with quorum doing it).
    let waiting = changes::load(db.reader(), created.id).await.unwrap();
    for who in [&p.cab, &p.manager] {
        let refused = step(&db, who, created.id, ChangeAction::Authorise)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, AppError::Refused(ref reason) if reason.contains("meeting with quorum")),
            "{refused:?}"
        );
    }
    let after = changes::load(db.reader(), created.id).await.unwrap();
    assert_eq!(after.state, ChangeState::AwaitingAuthorisation);
    assert_eq!(after.version, waiting.version, "nothing written");

    let timeline =
        app::server::service::audit_trail::history(&db, "change", &created.id.to_string())
            .await
            .unwrap();
    assert_eq!(timeline.len(), 4, "created and three transitions");
    assert!(timeline[0]
        .summary
        .contains("Assessed → Awaiting authorisation"));
}

#[tokio::test]
async fn a_stale_move_is_refused_and_overwrites_nothing() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail", "low").await;
    let change = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        form(mail, "2026-12-01T22:00", "2026-12-01T23:30")
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    changes::transition(
        &db,
        &p.requester,
        &actor(&p.requester),
        change.id,
        change.version,
        ChangeAction::Submit,
        TransitionInput::default(),
    )
    .await
    .unwrap();
    let second = changes::transition(
        &db,
        &p.manager,
        &actor(&p.manager),
        change.id,
        change.version,
        ChangeAction::Cancel,
        TransitionInput {
            comment: "Duplicate".into(),
            review: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(second, AppError::Conflict { .. }), "{second:?}");
    assert_eq!(
        changes::load(db.reader(), change.id).await.unwrap().state,
        ChangeState::Submitted
    );
}

#[tokio::test]
async fn conflicts_are_found_and_block_authorisation_until_overridden() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let erp = service(&db, "ERP", "low").await;
    let first = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        form(erp, "2026-12-01T22:00", "2026-12-01T23:30")
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    // Low risk: the change manager decides it alone.
    let second = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        low_risk(form(erp, "2026-12-01T23:00", "2026-12-02T00:30"))
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    let loaded = changes::load(db.reader(), second.id).await.unwrap();
    assert_eq!(loaded.conflicts.len(), 1);
    assert_eq!(
        loaded.conflicts[0].conflict,
        Conflict::SameService {
            other_change: first.id,
            service_id: erp
        }
    );

    // A blackout over the first one.
    let start = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    app::server::service::schedule::save_window(
        &db,
        &actor(&p.manager),
        "UTC",
        None,
        WindowDraft {
            kind: WindowKind::Blackout,
            name: "Freeze".into(),
            service_id: None,
            starts: start.naive_utc(),
            ends: (start + Duration::days(1)).naive_utc(),
        },
    )
    .await
    .unwrap();
    let first_loaded = changes::load(db.reader(), first.id).await.unwrap();
    assert!(
        first_loaded
            .conflicts
            .iter()
            .any(|c| matches!(c.conflict, Conflict::InBlackout { .. })),
        "{:?}",
        first_loaded.conflicts
    );

    for action in [ChangeAction::Submit] {
        step(&db, &p.requester, second.id, action).await.unwrap();
    }
    for action in [ChangeAction::Assess, ChangeAction::RequestAuthorisation] {
        step(&db, &p.manager, second.id, action).await.unwrap();
    }
    let blocked = step(&db, &p.manager, second.id, ChangeAction::Authorise)
        .await
        .unwrap_err();
    assert!(
        matches!(blocked, AppError::Refused(ref reason) if reason.contains("conflict")),
        "{blocked:?}"
    );
    let version = changes::load(db.reader(), second.id).await.unwrap().version;
    changes::override_conflicts(
        &db,
        &p.manager,
        &actor(&p.manager),
        second.id,
        version,
        "Both are small and coordinated by the same team.",
    )
    .await
    .unwrap();
    assert_eq!(
        step(&db, &p.manager, second.id, ChangeAction::Authorise)
            .await
            .unwrap()
            .state,
        ChangeState::Authorised
    );
}

#[tokio::test]
async fn times_the_clocks_skip_are_refused() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let erp = service(&db, "ERP", "low").await;
    // 2026-03-29 02:30 does not exist in Berlin.
    let err = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        form(erp, "2026-03-29T02:30", "2026-03-29T04:00")
            .validate()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        err.field_errors()
            .and_then(|e| e.get("planned_start"))
            .is_some_and(|m| m.contains("does not exist")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_demo_changes_load() {
    let db = common::demo_db().await;
    let page = change_lists::list(&db, &Default::default()).await.unwrap();
    assert_eq!(page.total, 60);
    let board = change_lists::board(&db).await.unwrap();
    assert!(
        board.iter().any(|c| c.conflicts > 0),
        "some demo changes conflict"
    );
    let states: std::collections::BTreeSet<_> = board.iter().map(|c| c.state).collect();
    assert!(states.len() >= 10, "{states:?}");
}

#[tokio::test]
async fn change_search_ignores_case_and_takes_wildcards_literally() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail", "low").await;
    changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        form(mail, "2026-12-01T22:00", "2026-12-01T23:30")
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    let search = |text: &str| {
        app::model::change_request::ChangeQueryParams {
            q: Some(text.into()),
            ..Default::default()
        }
        .to_query()
    };
    assert_eq!(
        change_lists::list(&db, &search("MAIL GATEWAY"))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        change_lists::list(&db, &search("%")).await.unwrap().total,
        0,
        "% is not a wildcard"
    );
    assert_eq!(
        change_lists::list(&db, &search("upgrade_the"))
            .await
            .unwrap()
            .total,
        0,
        "_ is not a wildcard"
    );
}

#[tokio::test]
async fn related_changes_link_both_ways_and_refuse_unknown_or_self() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let erp = service(&db, "ERP", "low").await;
    let first = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        form(erp, "2026-12-01T22:00", "2026-12-01T23:00")
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    let mut second_form = form(erp, "2026-12-08T22:00", "2026-12-08T23:00");
    second_form.related_changes = first.reference();
    let second = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        second_form.validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(second.related.len(), 1);
    assert!(second.related[0].outgoing);
    let first = changes::load(db.reader(), first.id).await.unwrap();
    assert_eq!(first.related.len(), 1, "the link shows on both ends");
    assert_eq!(first.related[0].id, second.id);
    assert!(!first.related[0].outgoing);

    // Unknown references and self-links are field errors and change nothing.
    let mut unknown = form(erp, "2026-12-08T22:00", "2026-12-08T23:00");
    unknown.related_changes = "CHG-99999".into();
    let error = changes::update(
        &db,
        &p.requester,
        &actor(&p.requester),
        second.id,
        second.version,
        unknown.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.field_errors().and_then(|f| f.get("related_changes")),
        Some("CHG-99999 does not exist.")
    );
    let mut own = form(erp, "2026-12-08T22:00", "2026-12-08T23:00");
    own.related_changes = second.reference();
    let error = changes::update(
        &db,
        &p.requester,
        &actor(&p.requester),
        second.id,
        second.version,
        own.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(error
        .field_errors()
        .and_then(|f| f.get("related_changes"))
        .is_some());
    let unchanged = changes::load(db.reader(), second.id).await.unwrap();
    assert_eq!(unchanged.version, second.version);
    assert_eq!(unchanged.related, second.related);
}

#[tokio::test]
async fn standard_changes_run_their_template_and_skip_assessment() {
    use app::model::standard_template::TemplateForm;
    use app::server::service::templates;
    let db = common::test_db().await;
    let p = people(&db).await;
    let wifi = service(&db, "Wi-Fi", "low").await;
    let template_form = TemplateForm {
        name: "Add a Wi-Fi site".into(),
        category: "Network".into(),
        service_ids: vec![wifi.to_string()],
        implementation_plan: "Apply the standard site profile.".into(),
        test_plan: "Connect a test laptop.".into(),
        backout_plan: "Remove the profile.".into(),
        ..Default::default()
    };
    let template = templates::create(&db, &actor(&p.manager), template_form.validate().unwrap())
        .await
        .unwrap();
    let duplicate = templates::create(
        &db,
        &actor(&p.manager),
        TemplateForm {
            name: "add a  WI-FI site".into(),
            ..template_form.clone()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(duplicate
        .field_errors()
        .and_then(|f| f.get("name"))
        .is_some());

    // The form's own plans and services give way to the template's.
    let mut standard = form(wifi, "2026-12-03T09:00", "2026-12-03T10:00");
    standard.change_type = "standard".into();
    standard.service_ids.clear();
    standard.implementation_plan = "Something improvised.".into();
    standard.template_id = template.id.to_string();
    let change = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        standard.validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(change.template, Some((template.id, template.name.clone())));
    assert_eq!(
        change.implementation_plan,
        "Apply the standard site profile."
    );
    assert_eq!(
        change.services.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![wifi]
    );
    assert_eq!(change.category, "Network");
    let submitted = step(&db, &p.requester, change.id, ChangeAction::Submit)
        .await
        .unwrap();
    assert_eq!(submitted.state, ChangeState::Authorised, "pre-authorised");

    // A retired template cannot start new standard changes; a stale edit is refused.
    let retired = templates::update(
        &db,
        &actor(&p.manager),
        template.id,
        template.version,
        template_form.validate().unwrap(),
        false,
    )
    .await
    .unwrap();
    assert!(!retired.active);
    let stale = templates::update(
        &db,
        &actor(&p.manager),
        template.id,
        template.version,
        template_form.validate().unwrap(),
        true,
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    let refused = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        standard.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        refused
            .field_errors()
            .and_then(|f| f.get("template_id"))
            .is_some_and(|m| m.contains("retired")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_list_sorts_by_planned_start_title_or_risk_with_stable_ties() {
    use app::model::change_request::ChangeQueryParams;
    let db = common::test_db().await;
    let p = people(&db).await;
    let erp = service(&db, "ERP", "low").await;
    for (title, start) in [
        ("Bravo upgrade", "2026-12-03T10:00"),
        ("Alpha upgrade", "2026-12-05T10:00"),
        ("Charlie upgrade", "2026-12-01T10:00"),
    ] {
        let mut change = form(erp, start, &start.replace("T10", "T11"));
        change.title = title.into();
        changes::create(
            &db,
            &p.requester,
            &actor(&p.requester),
            change.validate().unwrap(),
        )
        .await
        .unwrap();
    }
    let titles = |sort: &str, dir: Option<&str>| {
        let query = ChangeQueryParams {
            sort: Some(sort.into()),
            dir: dir.map(str::to_string),
            ..Default::default()
        }
        .to_query();
        let db = db.db.clone();
        async move {
            change_lists::list(&db, &query)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|c| c.title.split(' ').next().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("planned", None).await, ["Charlie", "Bravo", "Alpha"]);
    assert_eq!(titles("title", None).await, ["Alpha", "Bravo", "Charlie"]);
    assert_eq!(
        titles("title", Some("desc")).await,
        ["Charlie", "Bravo", "Alpha"]
    );
    assert_eq!(
        titles("reference", None).await,
        ["Charlie", "Alpha", "Bravo"],
        "newest first"
    );
}

/// The pager links pages by key (the last card's id onwards, the first card's id backwards).
/// In every sort and direction, walking by key reads exactly what walking by page number
/// reads, changes without a planned start or a risk score included (they sort lowest, on
/// every database).
#[tokio::test]
async fn keyed_pages_of_the_change_list_read_what_numbered_pages_read() {
    use app::model::change_request::{ChangeQuery, ChangeSort};
    use app::model::listing::{PageKey, SortDirection};
    let db = common::demo_db().await;
    let p = people(&db).await;
    for i in 0..30 {
        let draft = ChangeForm {
            title: format!("{} unplanned draft", ["Zulu", "alpha", "Mike"][i % 3]),
            change_type: "normal".into(),
            ..Default::default()
        };
        changes::create(
            &db,
            &p.requester,
            &actor(&p.requester),
            draft.validate().unwrap(),
        )
        .await
        .unwrap();
    }
    let read = |query: ChangeQuery| {
        let db = db.db.clone();
        async move { change_lists::list(&db, &query).await.unwrap() }
    };
    for sort in [
        ChangeSort::Reference,
        ChangeSort::Title,
        ChangeSort::Risk,
        ChangeSort::Planned,
    ] {
        for direction in [SortDirection::Ascending, SortDirection::Descending] {
            let base = ChangeQuery {
                sort,
                direction,
                page: 1,
                ..ChangeQuery::default()
            };
            let first = read(base.clone()).await;
            let pages = first.page_count();
            assert!(pages >= 3, "enough changes for three pages");
            let mut numbered = first.items.clone();
            for page in 2..=pages {
                numbered.extend(
                    read(ChangeQuery {
                        page,
                        ..base.clone()
                    })
                    .await
                    .items,
                );
            }
            let ids = |cards: &[app::model::change_request::ChangeCard]| {
                cards.iter().map(|c| c.id).collect::<Vec<_>>()
            };
            let mut distinct = ids(&numbered);
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len() as u64, first.total, "{sort:?} {direction:?}");
            // The keyed pages carry a page number of 1: the key alone must find them.
            let mut forward = first.items.clone();
            while forward.len() < numbered.len() {
                let key = forward.last().map(|c| PageKey::After(c.id));
                let page = read(ChangeQuery {
                    key,
                    ..base.clone()
                })
                .await
                .items;
                assert!(!page.is_empty(), "{sort:?} {direction:?}");
                forward.extend(page);
            }
            assert_eq!(
                ids(&forward),
                ids(&numbered),
                "forward {sort:?} {direction:?}"
            );
            let mut backward: Vec<app::model::change_request::ChangeCard> = read(ChangeQuery {
                page: pages,
                ..base.clone()
            })
            .await
            .items;
            while backward.len() < numbered.len() {
                let key = backward.first().map(|c| PageKey::Before(c.id));
                let mut page = read(ChangeQuery {
                    key,
                    ..base.clone()
                })
                .await
                .items;
                assert!(!page.is_empty(), "{sort:?} {direction:?}");
                page.extend(backward);
                backward = page;
            }
            assert_eq!(
                ids(&backward),
                ids(&numbered),
                "backward {sort:?} {direction:?}"
            );
            // Unplanned changes come first going up, as `Option` orders, on both databases.
            if sort == ChangeSort::Planned {
                let mut expected = numbered.clone();
                expected.sort_by_key(|c| (c.planned_start, c.id));
                if direction == SortDirection::Descending {
                    expected.reverse();
                }
                assert_eq!(ids(&numbered), ids(&expected), "{direction:?}");
            }
        }
    }
}

/// A card is read column by column (never the change's long texts): each says what its
/// change's full record says — plans, review, override, former owners, conflicts.
#[tokio::test]
async fn every_card_says_what_its_changes_record_says() {
    use app::model::change_request::ChangeQuery;
    let db = common::demo_db().await;
    // One conflicted change accepted by a change manager, so that both kinds of card occur.
    let manager = users::list(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.roles.contains(&Role::ChangeManager))
        .unwrap();
    let manager = common::web::current(&manager);
    let conflicted = change_lists::board(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.conflicts > 0 && !c.conflict_overridden)
        .expect("the demo has a conflicted change");
    changes::override_conflicts(
        &db,
        &manager,
        &actor(&manager),
        conflicted.id,
        conflicted.version,
        "Accepted at CAB: the two never touch the same host.",
    )
    .await
    .unwrap();
    let unplanned = ChangeForm {
        title: "Draft without plans yet".into(),
        change_type: "normal".into(),
        ..Default::default()
    };
    changes::create(
        &db,
        &manager,
        &actor(&manager),
        unplanned.validate().unwrap(),
    )
    .await
    .unwrap();
    let mut cards = change_lists::board(&db).await.unwrap();
    let mut query = ChangeQuery {
        page: 1,
        ..ChangeQuery::default()
    };
    loop {
        let page = change_lists::list(&db, &query).await.unwrap();
        let last = page.items.is_empty() || query.page * page.page_size >= page.total;
        cards.extend(page.items);
        if last {
            break;
        }
        query.page += 1;
    }
    let (mut planned, mut reviewed, mut overridden, mut conflicted) = (0, 0, 0, 0);
    for card in &cards {
        let change = changes::load(db.reader(), card.id).await.unwrap();
        let has_plans = [
            &change.implementation_plan,
            &change.test_plan,
            &change.backout_plan,
        ]
        .iter()
        .all(|p| !p.trim().is_empty());
        assert_eq!(card.has_plans, has_plans, "plans of {}", card.id);
        assert_eq!(
            card.has_review,
            change.review.is_some(),
            "review of {}",
            card.id
        );
        assert_eq!(
            card.conflict_overridden,
            change.conflict_override.is_some(),
            "override of {}",
            card.id
        );
        let former: Vec<i64> = change.former_owners.iter().map(|p| p.id).collect();
        assert_eq!(
            card.former_owner_ids, former,
            "former owners of {}",
            card.id
        );
        assert_eq!(
            card.conflicts as usize,
            change.conflicts.len(),
            "conflicts of {}",
            card.id
        );
        assert_eq!(
            (
                card.state,
                card.change_type,
                card.version,
                &card.title,
                &card.owner
            ),
            (
                change.state,
                change.change_type,
                change.version,
                &change.title,
                &change.owner
            ),
        );
        let mut services: Vec<String> = change.services.iter().map(|s| s.name.clone()).collect();
        services.sort();
        assert_eq!(card.services, services, "services of {}", card.id);
        let mut implementers: Vec<i64> = change.implementers.iter().map(|p| p.id).collect();
        let mut on_card = card.implementer_ids.clone();
        implementers.sort_unstable();
        on_card.sort_unstable();
        assert_eq!(on_card, implementers, "implementers of {}", card.id);
        planned += usize::from(has_plans);
        reviewed += usize::from(card.has_review);
        overridden += usize::from(card.conflict_overridden);
        conflicted += usize::from(card.conflicts > 0);
    }
    // The demo holds each case both ways, so the test can tell a wrong column from a right one.
    for (what, count) in [
        ("with plans", planned),
        ("reviewed", reviewed),
        ("overridden", overridden),
        ("conflicted", conflicted),
    ] {
        assert!(
            count > 0 && count < cards.len(),
            "{what}: {count} of {}",
            cards.len()
        );
    }
}
