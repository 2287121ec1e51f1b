//! The improvement register against a real database: an entry from identified to closed
//! with the right people, KPIs and measured values, version checks and the audit trail.

use crate::common;

use common::{actor, person};

use app::error::AppError;
use app::model::access::Role;
use app::model::improvement::{ClosureCode, ImprovementAction, ImprovementState, TargetVerdict};
use app::model::register::{ImprovementForm, KpiForm, MeasurementForm};
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::service::audit_trail;
use app::server::service::register::{self, TransitionInput};
use chrono::NaiveDate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_improvement_goes_from_identified_to_closed_with_a_measured_outcome() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let approver = person(&db, "approver@example.org", Role::ChangeManager).await;
    let form = ImprovementForm {
        title: "Cut repeat incidents on the portal".into(),
        source: "incident_trend".into(),
        clauses: "8.6.1, 10.2".into(),
        benefit_score: "4".into(),
        effort: "M".into(),
        owner_id: owner.id.to_string(),
        approver_id: approver.id.to_string(),
        target_date: "2027-03-31".into(),
        ..Default::default()
    };
    let entry = register::create(&db, &actor(&owner), form.validate().unwrap())
        .await
        .unwrap();
    assert_eq!(entry.state, ImprovementState::Identified);
    assert_eq!(entry.reference(), format!("IMP-{:05}", entry.id));

    let step = |who: &CurrentUser, action, version, input: TransitionInput| {
        let who = who.clone();
        let db = db.db.clone();
        async move {
            register::transition(&db, &who, &actor(&who), entry.id, version, action, input).await
        }
    };
    let e = step(
        &owner,
        ImprovementAction::Evaluate,
        1,
        TransitionInput::default(),
    )
    .await
    .unwrap();
    // The owner cannot approve; the named approver can.
    let refused = step(
        &owner,
        ImprovementAction::Approve,
        e.version,
        TransitionInput::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    let e = step(
        &approver,
        ImprovementAction::Approve,
        e.version,
        TransitionInput::default(),
    )
    .await
    .unwrap();
    let e = step(
        &owner,
        ImprovementAction::Start,
        e.version,
        TransitionInput::default(),
    )
    .await
    .unwrap();
    let e = step(
        &owner,
        ImprovementAction::Implement,
        e.version,
        TransitionInput::default(),
    )
    .await
    .unwrap();

    // Without a measured outcome nobody verifies it.
    let unmeasured = step(
        &quality,
        ImprovementAction::Verify,
        e.version,
        TransitionInput::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        unmeasured,
        AppError::Refused("Record the measured outcome before verifying it.".into())
    );
    let kpi = KpiForm {
        name: "Repeat incidents".into(),
        unit: "per month".into(),
        baseline: "40".into(),
        target: "25".into(),
        direction: "lower".into(),
    };
    let e = register::add_kpi(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        kpi.validate().unwrap(),
    )
    .await
    .unwrap();
    let kpi_id = e.kpis[0].id;
    assert_eq!(e.kpis[0].verdict(), TargetVerdict::NotMeasured);
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let value = |on: &str, value: &str| {
        MeasurementForm {
            on: on.into(),
            value: value.into(),
        }
        .validate(today)
        .unwrap()
    };
    let e = register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        kpi_id,
        value("2026-10-31", "33"),
    )
    .await
    .unwrap();
    assert_eq!(e.kpis[0].verdict(), TargetVerdict::NotMet);
    // A stale screen adds nothing.
    let stale = register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version - 1,
        kpi_id,
        value("2026-11-20", "22"),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }));
    let e = register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        kpi_id,
        value("2026-11-20", "22"),
    )
    .await
    .unwrap();
    assert_eq!(e.kpis[0].verdict(), TargetVerdict::Met);
    assert_eq!(e.kpis[0].measurements.len(), 2);

    let owner_verifies = step(
        &owner,
        ImprovementAction::Verify,
        e.version,
        TransitionInput::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(owner_verifies, AppError::Refused(ref m) if m.contains("has not owned")));
    let e = step(
        &quality,
        ImprovementAction::Verify,
        e.version,
        TransitionInput {
            outcome: "Repeat incidents down from 40 to 22 a month.".into(),
            closure_code: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(e.verifier.as_ref().map(|v| v.id), Some(quality.id));
    let no_code = step(
        &quality,
        ImprovementAction::Close,
        e.version,
        TransitionInput::default(),
    )
    .await
    .unwrap_err();
    assert!(no_code
        .field_errors()
        .and_then(|f| f.get("closure_code"))
        .is_some());
    let e = step(
        &quality,
        ImprovementAction::Close,
        e.version,
        TransitionInput {
            outcome: String::new(),
            closure_code: Some(ClosureCode::Achieved),
        },
    )
    .await
    .unwrap();
    assert_eq!(e.state, ImprovementState::Closed);
    assert_eq!(e.closure_code, Some(ClosureCode::Achieved));
    assert_eq!(e.outcome, "Repeat incidents down from 40 to 22 a month.");

    // A closed entry is kept as it was.
    let edit = register::update(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        form.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(edit, AppError::Refused(ref m) if m.contains("closed")),
        "{edit:?}"
    );
    let history = audit_trail::history(&db, "improvement", &entry.id.to_string())
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        10,
        "{:#?}",
        history.iter().map(|h| &h.summary).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_filters_and_sorts_and_refuses_unknown_people() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    for (title, score, effort, source) in [
        ("Automate the patch report", "5", "S", "staff_suggestion"),
        ("Shorten the CAB agenda", "2", "XL", "change_review"),
        (
            "Exercise the payroll failover",
            "4",
            "L",
            "continuity_exercise",
        ),
    ] {
        let form = ImprovementForm {
            title: title.into(),
            source: source.into(),
            benefit_score: score.into(),
            effort: effort.into(),
            owner_id: owner.id.to_string(),
            target_date: "2026-01-31".into(),
            ..Default::default()
        };
        register::create(&db, &actor(&owner), form.validate().unwrap())
            .await
            .unwrap();
    }
    let all = register::all(&db).await.unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let by_priority = app::model::register::RegisterParams {
        sort: "priority".into(),
        dir: "desc".into(),
        ..Default::default()
    }
    .apply(&all, today);
    assert_eq!(by_priority[0].title, "Automate the patch report");
    assert_eq!(by_priority[2].title, "Shorten the CAB agenda");
    let exercises = app::model::register::RegisterParams {
        source: "continuity_exercise".into(),
        ..Default::default()
    }
    .apply(&all, today);
    assert_eq!(exercises.len(), 1);
    assert_eq!(register::overdue(&all, today).len(), 3);

    let unknown = ImprovementForm {
        title: "Nobody owns this".into(),
        source: "staff_suggestion".into(),
        owner_id: "424242".into(),
        ..Default::default()
    };
    let refused = register::create(&db, &actor(&owner), unknown.validate().unwrap())
        .await
        .unwrap_err();
    assert!(refused
        .field_errors()
        .and_then(|f| f.get("owner_id"))
        .is_some());
}

/// The table's query runs in SQL; `RegisterParams::apply` is its specification. Over entries
/// that differ in every filtered field, both give the same entries in the same order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sql_register_query_gives_the_same_answers_as_its_specification() {
    use app::model::register::RegisterParams;
    use app::model::service::ServiceForm;
    use app::server::entity::improvement as entry;
    use app::server::service::catalogue;
    use sea_orm::{ActiveModelTrait, Set};

    let db = common::test_db().await;
    let alice = person(&db, "alice@example.org", Role::ServiceOwner).await;
    let bob = person(&db, "bob@example.org", Role::QualityManager).await;
    let mut services = Vec::new();
    for name in [
        "Mail", "Payroll", "Portal", "Backup", "Wiki", "Print", "Phones", "VPN", "Desk",
        "Intranet", "Billing", "Files",
    ] {
        let form = ServiceForm {
            name: name.into(),
            owner: "Owner".into(),
            criticality: "medium".into(),
            status: "live".into(),
            ..Default::default()
        };
        services.push(
            catalogue::create(&db, &Actor::system("test"), form.validate().unwrap())
                .await
                .unwrap()
                .id,
        );
    }
    let sources = [
        "audit_finding",
        "staff_suggestion",
        "change_review",
        "incident_trend",
    ];
    let clauses = ["8.5.1", "10.2", "8.5.1, 10.2", "", "7.5", "8.5.2"];
    let efforts = ["S", "M", "L", "XL", ""];
    let titles = [
        "Patch report",
        "patch CAB",
        "Backup 100% checked",
        "Under_score",
        "Mail",
    ];
    for i in 0..40usize {
        let form = ImprovementForm {
            title: format!("{} {i}", titles[i % titles.len()]),
            description: if i % 7 == 0 {
                "mentions the PORTAL".into()
            } else {
                String::new()
            },
            source: sources[i % sources.len()].into(),
            service_ids: match i % 4 {
                0 => vec![],
                1 => vec![services[0].to_string()],
                2 => vec![services[11].to_string(), services[0].to_string()],
                _ => vec![services[1].to_string(), services[10].to_string()],
            },
            clauses: clauses[i % clauses.len()].into(),
            benefit_score: if efforts[i % efforts.len()].is_empty() {
                String::new()
            } else {
                ((i % 5) + 1).to_string()
            },
            effort: efforts[i % efforts.len()].into(),
            owner_id: if i % 3 == 0 { bob.id } else { alice.id }.to_string(),
            target_date: match i % 3 {
                0 => String::new(),
                1 => format!("2026-{:02}-15", (i % 12) + 1),
                _ => format!("2027-{:02}-01", (i % 12) + 1),
            },
            ..Default::default()
        };
        let created = register::create(&db, &actor(&alice), form.validate().unwrap())
            .await
            .unwrap();
        // States are set directly: the lifecycle has its own tests, this one is about the query.
        let state = ImprovementState::ALL[i % ImprovementState::ALL.len()];
        entry::ActiveModel {
            id: Set(created.id),
            state: Set(state.as_str().into()),
            ..Default::default()
        }
        .update(db.writer())
        .await
        .unwrap();
    }
    let all = register::all(&db).await.unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let base = RegisterParams::default();
    let mut cases = vec![base.clone()];
    let set = |f: &dyn Fn(&mut RegisterParams)| {
        let mut p = base.clone();
        f(&mut p);
        p
    };
    for q in [
        "patch",
        "PATCH",
        "100%",
        "_",
        "portal",
        "imp-00003",
        "IMP-3",
        "nothing",
    ] {
        cases.push(set(&|p| p.q = q.into()));
    }
    for state in ImprovementState::ALL {
        cases.push(set(&|p| p.state = state.as_str().into()));
    }
    for source in sources {
        cases.push(set(&|p| p.source = source.into()));
    }
    for priority in ["high", "medium", "low"] {
        cases.push(set(&|p| p.priority = priority.into()));
    }
    for owner in [alice.id, bob.id] {
        cases.push(set(&|p| p.owner = owner.to_string()));
    }
    for service in [
        services[0],
        services[1],
        services[10],
        services[11],
        services[5],
    ] {
        cases.push(set(&|p| p.service = service.to_string()));
    }
    for clause in ["8.5.1", "10.2", "8.5", "7.5", "8"] {
        cases.push(set(&|p| p.clause = clause.into()));
    }
    cases.push(set(&|p| p.overdue = "yes".into()));
    for sort in ["reference", "title", "priority", "target", "state"] {
        for dir in ["asc", "desc"] {
            cases.push(set(&|p| {
                p.sort = sort.into();
                p.dir = dir.into();
            }));
            cases.push(set(&|p| {
                p.sort = sort.into();
                p.dir = dir.into();
                p.owner = alice.id.to_string();
                p.overdue = "yes".into();
            }));
        }
    }
    for params in &cases {
        let expected: Vec<i64> = params.apply(&all, today).iter().map(|e| e.id).collect();
        let found: Vec<i64> = register::matching(&db, params, today)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(found, expected, "{params:?}");
        // A page is the same slice of the same order.
        let paged = RegisterParams {
            page: "2".into(),
            ..params.clone()
        };
        let (page, total, number) = register::query(&db, &paged, today, 5).await.unwrap();
        assert_eq!(total as usize, expected.len(), "{params:?}");
        let page_ids: Vec<i64> = page.iter().map(|e| e.id).collect();
        let start = if expected.len() > 5 { 5 } else { 0 };
        assert_eq!(number, if expected.len() > 5 { 2 } else { 1 });
        assert_eq!(
            page_ids,
            expected
                .iter()
                .copied()
                .skip(start)
                .take(5)
                .collect::<Vec<_>>(),
            "{params:?}"
        );
        // Pages linked by key (as the pager links them) walk the same order, both ways.
        let forward = walk_keyed(&db, params, today, 5, true).await;
        assert_eq!(forward, expected, "forward by key: {params:?}");
        let backward = walk_keyed(&db, params, today, 5, false).await;
        assert_eq!(backward, expected, "backward by key: {params:?}");
    }
    // A key whose row matches nothing now (or never existed) finds the page by number.
    let by_title = RegisterParams {
        sort: "title".into(),
        page: "2".into(),
        ..base.clone()
    };
    let (by_number, _, _) = register::query(&db, &by_title, today, 5).await.unwrap();
    for made_up in ["999999", "abc", "-4"] {
        let keyed = RegisterParams {
            after: made_up.into(),
            ..by_title.clone()
        };
        let (page, _, _) = register::query(&db, &keyed, today, 5).await.unwrap();
        assert_eq!(page, by_number, "after={made_up}");
    }
    // The summary counts every entry once.
    let summary = register::summary(&db, today).await.unwrap();
    assert_eq!(summary.by_state.iter().map(|(_, n)| n).sum::<usize>(), 40);
    assert_eq!(summary.by_source.iter().map(|(_, n)| n).sum::<usize>(), 40);
    assert_eq!(summary.overdue, register::overdue(&all, today).len());
    assert!(summary.overdue > 0);

    // A service that is not in the catalogue is refused.
    let form = ImprovementForm {
        title: "For a service that is gone".into(),
        source: "staff_suggestion".into(),
        service_ids: vec!["999999".into()],
        owner_id: alice.id.to_string(),
        ..Default::default()
    };
    let refused = register::create(&db, &actor(&alice), form.validate().unwrap())
        .await
        .unwrap_err();
    assert!(refused
        .field_errors()
        .and_then(|f| f.get("service_ids"))
        .is_some());
}

/// Every entry `params` finds, read page by page as the pager links them: from the first page
/// onwards after each page's last entry, or from the last page backwards before each page's
/// first one.
async fn walk_keyed(
    db: &app::server::db::Db,
    params: &app::model::register::RegisterParams,
    today: NaiveDate,
    page_size: u64,
    forward: bool,
) -> Vec<i64> {
    use app::model::register::RegisterParams;
    let (_, total, _) = register::query(db, params, today, page_size).await.unwrap();
    let pages = total.div_ceil(page_size).max(1);
    let mut at = RegisterParams {
        page: if forward { 1 } else { pages }.to_string(),
        ..params.clone()
    };
    let mut read: Vec<Vec<i64>> = Vec::new();
    let mut number = if forward { 1 } else { pages };
    loop {
        let (entries, _, _) = register::query(db, &at, today, page_size).await.unwrap();
        let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
        let (first, last) = (ids.first().copied(), ids.last().copied());
        read.push(ids);
        let key = if forward {
            number += 1;
            last.map(|id| ("after", id))
        } else {
            number -= 1;
            first.map(|id| ("before", id))
        };
        if number == 0 || number > pages {
            break;
        }
        // The page number is left at 1: a keyed page must be found by its key alone.
        at = RegisterParams {
            page: String::new(),
            after: String::new(),
            before: String::new(),
            ..params.clone()
        };
        match key {
            Some(("after", id)) => at.after = id.to_string(),
            Some((_, id)) => at.before = id.to_string(),
            None => break,
        }
    }
    if !forward {
        read.reverse();
    }
    read.concat()
}
