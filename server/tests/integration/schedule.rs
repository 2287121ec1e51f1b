//! The change calendar and its windows against a real database: windows are validated,
//! versioned and audited, moving one re-checks conflicts, and the calendar shows each
//! reader their own wall-clock times.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::calendar::CalendarView;
use app::model::change_request::ChangeForm;
use app::model::schedule::{Conflict, WindowDraft, WindowForm};
use app::model::service::ServiceForm;
use app::model::user::{CurrentUser, NewUser};
use app::server::audit::Actor;
use app::server::service::{catalogue, changes, schedule, users};
use chrono::NaiveDate;

async fn manager(db: &app::server::db::Db) -> CurrentUser {
    let user = users::create(
        db,
        &Actor::system("test"),
        NewUser {
            email: "mgr@example.org".into(),
            name: "Morgan Manager".into(),
            roles: vec![Role::ChangeManager],
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

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.id, user.name.clone(), None)
}

async fn service(db: &app::server::db::Db, name: &str) -> i64 {
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

/// A change on `service_id` from 22:00 to 23:30 Berlin time on 1 December 2026.
async fn evening_change(db: &app::server::db::Db, user: &CurrentUser, service_id: i64) -> i64 {
    let form = ChangeForm {
        title: "Patch the database cluster".into(),
        change_type: "normal".into(),
        service_ids: vec![service_id.to_string()],
        planned_start: "2026-12-01T22:00".into(),
        planned_end: "2026-12-01T23:30".into(),
        ..Default::default()
    };
    changes::create(db, user, &actor(user), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// ERP, Payroll and Mail, and three people who implement changes: the manager and two more.
async fn three_services_and_implementers(
    db: &app::server::db::Db,
    mgr: &CurrentUser,
) -> ([i64; 3], Vec<i64>) {
    let services = [
        service(db, "ERP").await,
        service(db, "Payroll").await,
        service(db, "Mail").await,
    ];
    let mut people = vec![mgr.id];
    for (i, name) in ["Ida Implementer", "Ivo Implementer"].iter().enumerate() {
        let user = users::create(
            db,
            &Actor::system("test"),
            NewUser {
                email: format!("impl{i}@example.org"),
                name: (*name).into(),
                roles: vec![Role::ChangeManager],
                password: "long enough password".into(),
            },
        )
        .await
        .unwrap();
        people.push(user.id);
    }
    (services, people)
}

fn window(kind: &str, starts: &str, ends: &str) -> WindowDraft {
    WindowForm {
        kind: kind.into(),
        name: "December freeze".into(),
        service_id: String::new(),
        starts: starts.into(),
        ends: ends.into(),
    }
    .validate()
    .unwrap()
}

async fn blackout_conflicts(db: &app::server::db::Db, change: i64) -> usize {
    changes::load(db.reader(), change)
        .await
        .unwrap()
        .conflicts
        .iter()
        .filter(|c| matches!(c.conflict, Conflict::InBlackout { .. }))
        .count()
}

#[tokio::test]
async fn moving_a_window_rechecks_conflicts_and_stale_edits_change_nothing() {
    let db = common::test_db().await;
    let mgr = manager(&db).await;
    let erp = service(&db, "ERP").await;
    let change = evening_change(&db, &mgr, erp).await;

    // A freeze the day after: no conflict yet.
    let id = schedule::save_window(
        &db,
        &actor(&mgr),
        "Europe/Berlin",
        None,
        window("blackout", "2026-12-02T00:00", "2026-12-03T00:00"),
    )
    .await
    .unwrap()
    .id;
    assert_eq!(
        blackout_conflicts(&db, change).await,
        0,
        "touching is not overlapping"
    );

    // Moved back by a day, it covers the change.
    let record = schedule::get_window(&db, "Europe/Berlin", id)
        .await
        .unwrap();
    schedule::save_window(
        &db,
        &actor(&mgr),
        "Europe/Berlin",
        Some((id, record.version)),
        window("blackout", "2026-12-01T00:00", "2026-12-02T00:00"),
    )
    .await
    .unwrap();
    assert_eq!(blackout_conflicts(&db, change).await, 1);

    // Someone still holding the first version cannot move it back.
    let stale = schedule::save_window(
        &db,
        &actor(&mgr),
        "Europe/Berlin",
        Some((id, record.version)),
        window("blackout", "2026-12-05T00:00", "2026-12-06T00:00"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            stale,
            AppError::Conflict {
                current_version: 2,
                ..
            }
        ),
        "{stale:?}"
    );
    assert_eq!(
        blackout_conflicts(&db, change).await,
        1,
        "nothing overwritten"
    );

    // Deleting it (with the current version) clears the conflict.
    assert!(schedule::delete_window(&db, &actor(&mgr), id, 1)
        .await
        .is_err());
    schedule::delete_window(&db, &actor(&mgr), id, 2)
        .await
        .unwrap();
    assert_eq!(blackout_conflicts(&db, change).await, 0);

    let trail = app::server::service::audit_trail::history(&db, "schedule_window", &id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "schedule_window_added",
        "schedule_window_changed",
        "schedule_window_deleted",
    ] {
        assert!(actions.contains(&action), "{actions:?}");
    }
}

#[tokio::test]
async fn windows_refuse_unknown_services_and_times_the_clocks_skip() {
    let db = common::test_db().await;
    let mgr = manager(&db).await;
    let mut draft = window("maintenance", "2026-12-01T20:00", "2026-12-01T23:00");
    draft.service_id = Some(9999);
    let error = schedule::save_window(&db, &actor(&mgr), "UTC", None, draft)
        .await
        .unwrap_err();
    assert!(
        error
            .field_errors()
            .and_then(|f| f.get("service_id"))
            .is_some(),
        "{error:?}"
    );

    // 02:30 on 29 March 2026 does not exist in Berlin.
    let error = schedule::save_window(
        &db,
        &actor(&mgr),
        "Europe/Berlin",
        None,
        window("maintenance", "2026-03-29T02:30", "2026-03-29T05:00"),
    )
    .await
    .unwrap_err();
    assert!(
        error.field_errors().and_then(|f| f.get("starts")).is_some(),
        "{error:?}"
    );
    assert!(
        schedule::list_windows(&db, "UTC").await.unwrap().is_empty(),
        "nothing saved"
    );
}

#[tokio::test]
async fn the_calendar_shows_each_reader_their_own_wall_clock() {
    let db = common::test_db().await;
    let mgr = manager(&db).await;
    let erp = service(&db, "ERP").await;
    let change = evening_change(&db, &mgr, erp).await;
    schedule::save_window(
        &db,
        &actor(&mgr),
        "Europe/Berlin",
        None,
        window("blackout", "2026-12-01T00:00", "2026-12-02T00:00"),
    )
    .await
    .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();

    // Berlin: 22:00–23:30 on the 1st, with the freeze as its conflict.
    let berlin = schedule::calendar(&db, "Europe/Berlin", CalendarView::Day, day)
        .await
        .unwrap();
    assert_eq!(berlin.changes.len(), 1);
    assert_eq!(berlin.changes[0].id, change);
    assert_eq!(berlin.changes[0].start.format("%H:%M").to_string(), "22:00");
    assert_eq!(berlin.days[0].changes, vec![0]);
    assert_eq!(berlin.days[0].windows, vec![0]);
    assert!(berlin.changes[0].conflicts[0].contains("December freeze"));

    // Tokyo (UTC+9): the same change is 06:00–07:30 on the 2nd.
    let tokyo = schedule::calendar(&db, "Asia/Tokyo", CalendarView::Week, day)
        .await
        .unwrap();
    let entry = &tokyo.changes[0];
    assert_eq!(entry.start.format("%d %H:%M").to_string(), "02 06:00");
    let second = tokyo
        .days
        .iter()
        .find(|d| d.date == day.succ_opt().unwrap())
        .unwrap();
    assert_eq!(second.changes, vec![0]);
    assert!(tokyo.days.iter().filter(|d| !d.changes.is_empty()).count() == 1);

    // A month away there is nothing.
    let january = schedule::calendar(
        &db,
        "Europe/Berlin",
        CalendarView::Month,
        NaiveDate::from_ymd_opt(2027, 2, 15).unwrap(),
    )
    .await
    .unwrap();
    assert!(january.changes.is_empty());
    assert_eq!(january.days.len() % 7, 0);
}

/// A page asks for the conflicts of its own rows only; for those rows the answer must be what
/// sweeping the whole schedule finds — same-service overlaps, double-booked implementers,
/// blackouts, and maintenance windows a service has at other times.
#[tokio::test]
async fn conflicts_of_a_page_equal_those_of_the_whole_schedule() {
    use app::server::service::change_conflicts::{all_conflicts, conflicts_of};
    let db = common::test_db().await;
    let mgr = manager(&db).await;
    let (services, people) = three_services_and_implementers(&db, &mgr).await;
    // 40 changes over four days: a deterministic spread with many overlaps, some unscheduled.
    let mut ids = Vec::new();
    for i in 0..40i64 {
        let start_hour = (i * 7) % 96;
        let hours = 1 + (i * 5) % 6;
        let at = |h: i64| {
            let day = 1 + h / 24;
            format!("2026-12-{day:02}T{:02}:00", h % 24)
        };
        let form = ChangeForm {
            title: format!("Change number {i}"),
            change_type: "normal".into(),
            service_ids: vec![
                services[i as usize % 3].to_string(),
                services[(i as usize * 2) % 3].to_string(),
            ],
            implementer_ids: vec![people[i as usize % 3].to_string()],
            planned_start: if i % 9 == 8 {
                String::new()
            } else {
                at(start_hour)
            },
            planned_end: if i % 9 == 8 {
                String::new()
            } else {
                at(start_hour + hours)
            },
            ..Default::default()
        };
        let draft = form.validate().unwrap();
        ids.push(
            changes::create(&db, &mgr, &actor(&mgr), draft)
                .await
                .unwrap()
                .id,
        );
    }
    // A global blackout, a blackout of one service, and maintenance windows of ERP and
    // Payroll — ERP's only on the last day, so most ERP changes fall outside them.
    let windows = [
        ("blackout", None, "2026-12-01T10:00", "2026-12-01T14:00"),
        (
            "blackout",
            Some(services[2]),
            "2026-12-03T00:00",
            "2026-12-03T06:00",
        ),
        (
            "maintenance",
            Some(services[0]),
            "2026-12-04T00:00",
            "2026-12-04T12:00",
        ),
        (
            "maintenance",
            Some(services[1]),
            "2026-12-02T00:00",
            "2026-12-03T00:00",
        ),
        ("maintenance", None, "2026-12-01T20:00", "2026-12-02T04:00"),
    ];
    for (kind, service_id, starts, ends) in windows {
        let mut draft = window(kind, starts, ends);
        draft.service_id = service_id;
        schedule::save_window(&db, &actor(&mgr), "Europe/Berlin", None, draft)
            .await
            .unwrap();
    }

    let whole = all_conflicts(db.reader()).await.unwrap();
    assert!(
        whole.values().map(Vec::len).sum::<usize>() > 40,
        "the schedule is dense enough to test: {whole:?}"
    );
    let kinds: std::collections::HashSet<std::mem::Discriminant<Conflict>> = whole
        .values()
        .flatten()
        .map(std::mem::discriminant)
        .collect();
    assert_eq!(kinds.len(), 4, "every kind of conflict occurs: {whole:?}");
    // Pages of 1, 7 and 25 rows in list order, and the whole set at once.
    for size in [1, 7, 25, ids.len()] {
        for page in ids.chunks(size) {
            let found = conflicts_of(db.reader(), page).await.unwrap();
            for id in page {
                assert_eq!(
                    found.get(id),
                    whole.get(id),
                    "change {id}, page size {size}"
                );
            }
            assert!(
                found.keys().all(|id| page.contains(id)),
                "only the page's rows"
            );
        }
    }
}

/// Each change's stored conflict count, by id.
async fn stored_counts(db: &app::server::db::Db) -> std::collections::BTreeMap<i64, i32> {
    use app::server::entity::change::{Column, Entity as Changes};
    use sea_orm::{EntityTrait, QuerySelect};
    Changes::find()
        .select_only()
        .columns([Column::Id, Column::ConflictCount])
        .into_tuple::<(i64, i32)>()
        .all(db.reader())
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// The counts the whole schedule's detection gives (0 for a change it finds nothing for).
async fn detected_counts(db: &app::server::db::Db) -> std::collections::BTreeMap<i64, i32> {
    let whole = app::server::service::change_conflicts::all_conflicts(db.reader())
        .await
        .unwrap();
    stored_counts(db)
        .await
        .into_keys()
        .map(|id| (id, whole.get(&id).map_or(0, |found| found.len() as i32)))
        .collect()
}

/// A tiny deterministic generator: the same steps on every run and both databases.
struct Steps(u64);

impl Steps {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn stored_conflict_counts_follow_every_write_that_moves_a_conflict() {
    use app::model::change::ChangeAction;
    use app::server::service::change_lists;
    use app::server::service::changes::TransitionInput;
    let db = common::test_db().await;
    let mgr = manager(&db).await;
    let (services, people) = three_services_and_implementers(&db, &mgr).await;
    let at = |h: u64| format!("2026-12-{:02}T{:02}:00", 1 + h / 24, h % 24);
    let mut steps = Steps(20261205);
    let form_of = |steps: &mut Steps, title: String| {
        let start = steps.below(60);
        let scheduled = steps.below(8) != 0;
        ChangeForm {
            title,
            change_type: "normal".into(),
            service_ids: (0..1 + steps.below(2))
                .map(|_| services[steps.below(3) as usize].to_string())
                .collect(),
            implementer_ids: vec![people[steps.below(3) as usize].to_string()],
            planned_start: if scheduled { at(start) } else { String::new() },
            planned_end: if scheduled {
                at(start + 1 + steps.below(6))
            } else {
                String::new()
            },
            implementation_plan: "Apply.".into(),
            test_plan: "Test.".into(),
            backout_plan: "Restore.".into(),
            impact_breadth: "2".into(),
            complexity: "2".into(),
            backout_difficulty: "1".into(),
            history: "1".into(),
            time_pressure: "0".into(),
            ..Default::default()
        }
    };
    let mut changes_made: Vec<i64> = Vec::new();
    let mut windows_made: Vec<i64> = Vec::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    let mut counts_moved_by_windows = 0;
    for step in 0..70 {
        let counts_before = stored_counts(&db).await;
        // What a window write says it recounted: exactly the counts that moved (open boards
        // are sent those cards and nothing else).
        let recounted_rightly = |recounted: Vec<i64>| {
            let db = db.db.clone();
            let counts_before = counts_before.clone();
            async move {
                let after = stored_counts(&db).await;
                let moved: Vec<i64> = after
                    .iter()
                    .filter(|(id, n)| counts_before.get(id) != Some(n))
                    .map(|(id, _)| *id)
                    .collect();
                assert_eq!(recounted, moved, "step {step}");
                moved.len()
            }
        };
        let choice = if changes_made.len() < 12 {
            0
        } else {
            steps.below(7)
        };
        let what = match choice {
            0 => {
                let form = form_of(&mut steps, format!("Change at step {step}"));
                let change = changes::create(&db, &mgr, &actor(&mgr), form.validate().unwrap())
                    .await
                    .unwrap();
                changes_made.push(change.id);
                "create a change"
            }
            1 | 2 => {
                // Move it, or give it other services and implementers (drafts only).
                let id = changes_made[steps.below(changes_made.len() as u64) as usize];
                let change = changes::load(db.reader(), id).await.unwrap();
                if change.state != app::model::change::ChangeState::Draft {
                    continue;
                }
                let form = form_of(&mut steps, change.title.clone());
                changes::update(
                    &db,
                    &mgr,
                    &actor(&mgr),
                    id,
                    change.version,
                    form.validate().unwrap(),
                )
                .await
                .unwrap();
                "edit a change's window, services or implementers"
            }
            3 => {
                // Leave the schedule (cancelled) or stay in it (submitted).
                let id = changes_made[steps.below(changes_made.len() as u64) as usize];
                let change = changes::load(db.reader(), id).await.unwrap();
                if change.state != app::model::change::ChangeState::Draft {
                    continue;
                }
                let (action, comment) = if steps.below(2) == 0 || change.planned_start.is_none() {
                    (ChangeAction::Cancel, "Not needed any more")
                } else {
                    (ChangeAction::Submit, "")
                };
                changes::transition(
                    &db,
                    &mgr,
                    &actor(&mgr),
                    id,
                    change.version,
                    action,
                    TransitionInput {
                        comment: comment.into(),
                        review: None,
                    },
                )
                .await
                .unwrap();
                "cancel or submit a change"
            }
            4 | 5 => {
                // Add a window, or move one: blackouts and maintenance, of one service or all.
                let kind = if steps.below(2) == 0 {
                    "blackout"
                } else {
                    "maintenance"
                };
                let start = steps.below(60);
                let mut draft = window(kind, &at(start), &at(start + 2 + steps.below(10)));
                draft.service_id = match steps.below(4) {
                    0 => None,
                    n => Some(services[n as usize - 1]),
                };
                let existing = if choice == 5 && !windows_made.is_empty() {
                    let id = windows_made[steps.below(windows_made.len() as u64) as usize];
                    let record = schedule::get_window(&db, "Europe/Berlin", id)
                        .await
                        .unwrap();
                    Some((id, record.version))
                } else {
                    None
                };
                let saved =
                    schedule::save_window(&db, &actor(&mgr), "Europe/Berlin", existing, draft)
                        .await
                        .unwrap();
                counts_moved_by_windows += recounted_rightly(saved.recounted).await;
                let id = saved.id;
                if existing.is_none() {
                    windows_made.push(id);
                }
                "add or move a window"
            }
            _ => {
                if windows_made.is_empty() {
                    continue;
                }
                let id = windows_made.remove(steps.below(windows_made.len() as u64) as usize);
                let record = schedule::get_window(&db, "Europe/Berlin", id)
                    .await
                    .unwrap();
                let recounted = schedule::delete_window(&db, &actor(&mgr), id, record.version)
                    .await
                    .unwrap();
                counts_moved_by_windows += recounted_rightly(recounted).await;
                "delete a window"
            }
        };
        kinds_seen.insert(what);
        assert_eq!(
            stored_counts(&db).await,
            detected_counts(&db).await,
            "after step {step} ({what})"
        );
    }
    assert_eq!(
        kinds_seen.len(),
        5,
        "every kind of write was tried: {kinds_seen:?}"
    );
    assert!(counts_moved_by_windows > 0, "some window moved a count");
    let detected = detected_counts(&db).await;
    assert!(
        detected.values().filter(|n| **n > 0).count() >= 5,
        "the schedule holds conflicts to keep: {detected:?}"
    );
    // The board and the list show the stored counts.
    for card in change_lists::board(&db).await.unwrap() {
        assert_eq!(
            card.conflicts as i32, detected[&card.id],
            "card {}",
            card.id
        );
    }
}

#[tokio::test]
async fn counts_written_by_hand_are_corrected_when_the_server_starts() {
    use app::server::entity::change::{Column, Entity as Changes};
    use app::server::service::conflict_counts;
    use sea_orm::sea_query::Expr;
    use sea_orm::EntityTrait;
    let db = common::test_db().await;
    let mgr = manager(&db).await;
    let erp = service(&db, "ERP").await;
    let first = evening_change(&db, &mgr, erp).await;
    let second = evening_change(&db, &mgr, erp).await;
    assert_eq!(
        stored_counts(&db).await[&first],
        1,
        "the two share ERP at one time"
    );
    // A restore of an older database, or a hand edit: counts that no longer match.
    Changes::update_many()
        .col_expr(Column::ConflictCount, Expr::value(7))
        .exec(db.writer())
        .await
        .unwrap();
    assert_eq!(conflict_counts::reconcile_all(&db).await.unwrap(), 2);
    assert_eq!(stored_counts(&db).await, detected_counts(&db).await);
    assert_eq!(stored_counts(&db).await[&second], 1);
    assert_eq!(
        conflict_counts::reconcile_all(&db).await.unwrap(),
        0,
        "nothing to correct the second time"
    );
}

#[tokio::test]
async fn concurrent_moves_onto_one_change_leave_its_count_right() {
    let db = common::test_db().await;
    let mgr = manager(&db).await;
    let erp = service(&db, "ERP").await;
    let target = evening_change(&db, &mgr, erp).await;
    // Eight ERP changes elsewhere in time, then all moved onto the target's window at once.
    let mut movers = Vec::new();
    for i in 0..8 {
        let form = ChangeForm {
            title: format!("Mover {i}"),
            change_type: "normal".into(),
            service_ids: vec![erp.to_string()],
            planned_start: format!("2026-12-{:02}T08:00", 10 + i),
            planned_end: format!("2026-12-{:02}T09:00", 10 + i),
            ..Default::default()
        };
        movers.push(
            changes::create(&db, &mgr, &actor(&mgr), form.validate().unwrap())
                .await
                .unwrap(),
        );
    }
    assert_eq!(stored_counts(&db).await[&target], 0);
    let mut moves = tokio::task::JoinSet::new();
    for change in movers {
        let (db, mgr) = (db.db.clone(), mgr.clone());
        moves.spawn(async move {
            let form = ChangeForm {
                title: change.title.clone(),
                change_type: "normal".into(),
                service_ids: vec![erp.to_string()],
                planned_start: "2026-12-01T22:30".into(),
                planned_end: "2026-12-01T23:00".into(),
                ..Default::default()
            };
            changes::update(
                &db,
                &mgr,
                &actor(&mgr),
                change.id,
                change.version,
                form.validate().unwrap(),
            )
            .await
        });
    }
    while let Some(moved) = moves.join_next().await {
        moved.unwrap().unwrap();
    }
    let stored = stored_counts(&db).await;
    assert_eq!(stored[&target], 8, "the target shares ERP with all eight");
    assert_eq!(stored, detected_counts(&db).await);
}
