//! Importing an improvement register from CSV: a malformed file reports every bad row and
//! writes nothing; a good one creates every new row in one go; an exported register imports
//! again without duplicating what is already there.

use crate::common;

use app::model::access::Role;
use app::model::csv_import::RowFate;
use app::model::improvement::ImprovementState;
use app::model::register::ImprovementForm;
use app::model::service::ServiceForm;
use app::model::user::NewUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{catalogue, register, register_import, users};
use std::collections::HashMap;

async fn person(db: &Db, email: &str, name: &str) -> i64 {
    users::create(
        db,
        &Actor::system("test"),
        NewUser {
            email: email.into(),
            name: name.into(),
            roles: vec![Role::QualityManager],
            password: "long enough password".into(),
        },
    )
    .await
    .unwrap()
    .id
}

async fn setup(db: &Db) -> HashMap<i64, String> {
    person(db, "dana@example.org", "Dana Quality").await;
    person(db, "sam.one@example.org", "Sam Twin").await;
    person(db, "sam.two@example.org", "Sam Twin").await;
    let mut services = HashMap::new();
    for name in ["Payroll", "Service Desk"] {
        let form = ServiceForm {
            name: name.into(),
            owner: "Owner".into(),
            criticality: "high".into(),
            status: "live".into(),
            ..Default::default()
        };
        let created = catalogue::create(db, &Actor::system("test"), form.validate().unwrap())
            .await
            .unwrap();
        services.insert(created.id, created.name);
    }
    services
}

fn invalid(fate: &RowFate) -> Vec<String> {
    match fate {
        RowFate::Invalid(problems) => problems.clone(),
        other => panic!("expected errors, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_file_reports_every_bad_row_and_writes_nothing() {
    let db = common::test_db().await;
    setup(&db).await;
    let csv = "\u{feff}Title,Source,Owner,Services,Clauses,Benefit score,Effort,Target date,Priority\n\
        Automate the patch report,Staff suggestion,dana@example.org,Payroll,10.2,4,S,2027-03-31,High\n\
        Hi,Staff suggestion,dana@example.org,,,,,,\n\
        Shorten the CAB agenda,Gossip,Nobody Known,,,,,,\n\
        Exercise payroll failover,Continuity exercise,Sam Twin,Payroll; Mail,99.9,7,XXL,31/03/2027,\n\
        Fix the backup reports,Audit finding,DANA QUALITY,Service Desk,8.7.1,3,M,,\n";
    let plan = register_import::plan(db.reader(), csv).await.unwrap();
    let preview = &plan.preview;
    assert!(preview.file_errors.is_empty(), "{:?}", preview.file_errors);
    assert_eq!(preview.ignored_columns, vec!["Priority".to_string()]);
    assert_eq!(preview.rows.len(), 5);
    assert_eq!(preview.rows[0].fate, RowFate::Create);
    assert_eq!(
        preview.rows[4].fate,
        RowFate::Create,
        "names match in any case"
    );
    assert_eq!(preview.rows[1].line, 3);
    assert!(invalid(&preview.rows[1].fate)[0].starts_with("Title:"));
    let third = invalid(&preview.rows[2].fate).join(" | ");
    assert!(third.contains("Owner: nobody active"), "{third}");
    assert!(third.contains("Source:"), "{third}");
    let fourth = invalid(&preview.rows[3].fate).join(" | ");
    for expected in [
        "Owner: 2 people are called “Sam Twin”",
        "Services: “Mail” is not in the service catalogue",
        "Clauses:",
        "Benefit score:",
        "Effort:",
        "Target date:",
    ] {
        assert!(
            fourth.contains(expected),
            "{expected} missing from {fourth}"
        );
    }
    assert_eq!(preview.invalid(), 3);
    assert!(!preview.can_import());

    let refused = register_import::import(&db, &Actor::system("test"), csv)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("Nothing was imported"),
        "{refused}"
    );
    assert!(register::all(&db).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_without_the_needed_columns_is_refused_as_a_whole() {
    let db = common::test_db().await;
    setup(&db).await;
    let plan = register_import::plan(db.reader(), "Name,Notes\nA,B\n")
        .await
        .unwrap();
    assert_eq!(
        plan.preview.file_errors.len(),
        3,
        "{:?}",
        plan.preview.file_errors
    );
    assert!(plan.preview.rows.is_empty());
    let empty = register_import::plan(db.reader(), "").await.unwrap();
    assert_eq!(empty.preview.file_errors.len(), 1);
    let huge = "Title,Source,Owner\n".to_string() + &"x".repeat(1_100_000);
    let too_big = register_import::plan(db.reader(), &huge).await.unwrap();
    assert!(too_big.preview.file_errors[0].contains("KB"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_register_imports_again_without_duplicates() {
    let db = common::test_db().await;
    let services = setup(&db).await;
    let csv = "Title,Source,Owner,Approver,Services,Description\n\
        Automate the patch report,staff_suggestion,dana@example.org,sam.one@example.org,Payroll,'=not a formula\n\
        Fix the backup reports,Audit finding,Dana Quality,,Service Desk; Payroll,\n";
    let (preview, created) = register_import::import(&db, &Actor::system("test"), csv)
        .await
        .unwrap();
    assert_eq!(preview.to_create(), 2);
    assert_eq!(created.len(), 2);
    assert!(created
        .iter()
        .all(|e| e.state == ImprovementState::Identified));
    assert_eq!(
        created[0].description, "=not a formula",
        "the export's guard comes off"
    );
    assert_eq!(created[1].service_ids.len(), 2);
    assert!(created[0].approver.is_some());

    // Export and import again: every row is already here.
    let all = register::all(&db).await.unwrap();
    let exported =
        String::from_utf8(conform::exports::register_csv::write(&all, &services).unwrap()).unwrap();
    let again = register_import::plan(db.reader(), &exported).await.unwrap();
    assert!(
        again.preview.file_errors.is_empty(),
        "{:?}",
        again.preview.file_errors
    );
    assert_eq!(again.preview.present(), 2, "{:?}", again.preview.rows);
    assert!(!again.preview.can_import(), "nothing new to import");

    // A row whose reference belongs to another entry here is an error, not an overwrite.
    let reference = all[0].reference();
    let clash = format!(
        "Reference,Title,Source,Owner\n{reference},Something else entirely,Staff suggestion,dana@example.org\n,Brand new improvement,Staff suggestion,dana@example.org\n"
    );
    let plan = register_import::plan(db.reader(), &clash).await.unwrap();
    assert!(invalid(&plan.preview.rows[0].fate)[0].contains("is another entry here"));
    assert_eq!(plan.preview.rows[1].fate, RowFate::Create);

    // A plain improvement created by hand is unaffected by any of this.
    let form = ImprovementForm {
        title: "One more by hand".into(),
        source: "staff_suggestion".into(),
        owner_id: created[0].owner.id.to_string(),
        ..Default::default()
    };
    register::create(&db, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap();
    assert_eq!(register::all(&db).await.unwrap().len(), 3);
}
