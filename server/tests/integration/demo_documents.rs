//! The demo document register and objectives: documents at every point of their lifecycle,
//! two reviews overdue, a clause left without a document, and objectives that need attention —
//! all loaded through the services, and seeding twice adds nothing.

use crate::common;

use app::model::objective::{Frequency, ObjectiveFlag};
use app::model::sms_document::{DocState, DocumentSummary};
use app::server::service::{objectives, sms_documents};

fn doc<'a>(docs: &'a [DocumentSummary], title: &str) -> &'a DocumentSummary {
    docs.iter()
        .find(|d| d.title == title)
        .unwrap_or_else(|| panic!("no document “{title}”"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_documents_sit_at_every_point_of_their_lifecycle() {
    let db = common::demo_db().await;
    let today = chrono::Utc::now().date_naive();
    let docs = sms_documents::list(db.reader(), today).await.unwrap();
    assert_eq!(docs.len(), 10);

    let approved: Vec<&DocumentSummary> = docs
        .iter()
        .filter(|d| d.approved_number.is_some())
        .collect();
    assert_eq!(approved.len(), 8);
    // Every approved version was approved by the quality manager, never its author.
    for summary in &approved {
        let detail = sms_documents::detail(db.reader(), summary.id, today)
            .await
            .unwrap();
        for version in detail.versions.iter().filter(|v| v.approved_by.is_some()) {
            let approver = version.approved_by.as_ref().unwrap();
            assert_ne!(approver.id, version.author.id, "{}", summary.title);
        }
    }

    let overdue: Vec<&str> = docs
        .iter()
        .filter(|d| d.review.is_overdue())
        .map(|d| d.title.as_str())
        .collect();
    assert_eq!(
        overdue,
        vec!["Context and interested parties", "SLA template"]
    );

    assert_eq!(
        doc(&docs, "Service management plan").latest_state,
        DocState::InReview
    );
    let draft = doc(&docs, "Information security policy");
    assert_eq!(draft.latest_state, DocState::Draft);
    assert_eq!(draft.approved_number, None);

    let policy = doc(&docs, "Service management policy");
    let detail = sms_documents::detail(db.reader(), policy.id, today)
        .await
        .unwrap();
    let states: Vec<(i32, DocState)> = detail
        .versions
        .iter()
        .map(|v| (v.number, v.state))
        .collect();
    assert_eq!(
        states,
        vec![(2, DocState::Approved), (1, DocState::Superseded)]
    );
    assert!(!policy.review.is_overdue());

    // The gap analysis finds mandatory documents missing for 6.1 and 7.2.
    let by_clause = sms_documents::approved_by_clause(&db).await.unwrap();
    for clause in [
        "4.1", "4.2", "4.3", "5.2", "7.5", "8.2.4", "8.3.3", "8.5.1", "8.7.1",
    ] {
        assert!(by_clause.contains_key(clause), "{clause}");
    }
    for clause in ["6.1", "6.3", "7.2", "8.7.3"] {
        assert!(!by_clause.contains_key(clause), "{clause}");
    }

    // Seeding again changes nothing.
    conform::demo::seed(&db).await.unwrap();
    assert_eq!(
        sms_documents::list(db.reader(), today).await.unwrap().len(),
        10
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_objectives_show_a_year_of_figures_and_what_needs_attention() {
    let db = common::demo_db().await;
    let today = chrono::Utc::now().date_naive();
    let list = objectives::summaries(&db, today).await.unwrap();
    assert_eq!(list.len(), 4);
    let find = |kpi: &str| {
        list.iter()
            .find(|o| o.kpi.name == kpi)
            .unwrap_or_else(|| panic!("no objective measured by “{kpi}”"))
    };

    for kpi in ["Change success rate", "SLA attainment"] {
        let objective = find(kpi);
        assert!(objective.flags.is_empty(), "{kpi}: {:?}", objective.flags);
        let detail = objectives::detail(&db, objective.id, today).await.unwrap();
        assert_eq!(detail.measurements.len(), 12, "{kpi}");
    }

    let emergency = find("Emergency change ratio");
    assert_eq!(emergency.flags, vec![ObjectiveFlag::NotMet]);
    assert_eq!(emergency.frequency, Frequency::Monthly);

    let exercises = find("Continuity exercises per year");
    assert_eq!(exercises.flags, vec![ObjectiveFlag::NeverMeasured]);
    assert_eq!(exercises.frequency, Frequency::Yearly);
    assert!(exercises.needs_measurement());

    // Owners differ from the quality manager who set them.
    let owners: std::collections::BTreeSet<&str> =
        list.iter().map(|o| o.owner.name.as_str()).collect();
    assert!(owners.len() >= 3, "{owners:?}");

    conform::demo::seed(&db).await.unwrap();
    assert_eq!(objectives::summaries(&db, today).await.unwrap().len(), 4);
}
