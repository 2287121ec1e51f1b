//! Demo nonconformities: six findings at different steps of the clause 10.1 path, walked by
//! the demo people through the real service (so each step's record and history are genuine).
//! One is overdue, one failed its first effectiveness check, one is closed.

use super::actor;
use app::error::AppError;
use app::model::controls::Controls;
use app::model::nonconformity::{NcForm, RootCauseMethod};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::service::nonconformities::{self, Raised, Step};
use chrono::{Duration, NaiveDate, Utc};

struct Finding {
    grade: &'static str,
    clause: &'static str,
    description: &'static str,
    evidence: &'static str,
    found_in: &'static str,
    /// How many days ago it was raised.
    age_days: i64,
    /// How far along the path it has come.
    reach: Reach,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Raised,
    Contained,
    ActionsPlanned,
    ActionsDone,
    /// Verified ineffective once, analysed again, new actions planned.
    FailedOnce,
    Closed,
}

/// The demo walks its findings under the default controls (a 30-day wait before the check).
const CONTROLS: Controls = Controls {
    nc_min_wait_days: 30,
};

const FINDINGS: [Finding; 6] = [
    Finding {
        grade: "minor",
        clause: "8.5.1",
        description: "Two emergency changes were implemented without a post-implementation review.",
        evidence: "CHG-00012 and CHG-00019 closed without a review record.",
        found_in: "audit",
        age_days: 30,
        reach: Reach::Raised,
    },
    Finding {
        grade: "minor",
        clause: "8.7.2",
        description: "The payroll continuity plan names a supplier contact who left a year ago.",
        evidence: "Plan v3, call tree, step 4.",
        found_in: "self_identified",
        age_days: 9,
        reach: Reach::Contained,
    },
    Finding {
        grade: "major",
        clause: "8.6.1",
        description:
            "Major incidents are not reviewed; no record of a review exists for the last three.",
        evidence: "Incidents of March, June and August without a review.",
        found_in: "complaint",
        age_days: 20,
        reach: Reach::ActionsPlanned,
    },
    Finding {
        grade: "minor",
        clause: "7.5",
        description: "The SMS scope document in use is not the approved version.",
        evidence: "Intranet copy dated 2025; approved version 2026-02.",
        found_in: "audit",
        age_days: 12,
        reach: Reach::ActionsDone,
    },
    Finding {
        grade: "minor",
        clause: "8.2.4",
        description: "Three live services are missing from the service catalogue.",
        evidence: "Licence server, VPN and print services are in use but not catalogued.",
        found_in: "incident",
        age_days: 75,
        reach: Reach::FailedOnce,
    },
    Finding {
        grade: "minor",
        clause: "9.2",
        description: "The internal audit programme did not cover clause 8.3 in the last cycle.",
        evidence: "Audit programme 2025: no audit of relationship and agreement.",
        found_in: "self_identified",
        age_days: 90,
        reach: Reach::Closed,
    },
];

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if nonconformities::count(db.reader()).await? > 0 {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(auditor), Some(quality), Some(dana), Some(rowan), Some(chris)) = (
        find("auditor@conform.demo"),
        find("quality@conform.demo"),
        find("service.owner@conform.demo"),
        find("continuity@conform.demo"),
        find("change.manager@conform.demo"),
    ) else {
        return Ok(0);
    };
    let owners = [&chris, &rowan, &dana, &quality, &dana, &rowan];
    let today = Utc::now().date_naive();
    let mut created = 0;
    for (finding, owner) in FINDINGS.iter().zip(owners) {
        walk(db, finding, owner, &auditor, &quality, today).await?;
        created += 1;
    }
    Ok(created)
}

/// Raises `finding` on its day and takes it as far as its `reach`, each step a few days on.
async fn walk(
    db: &Db,
    finding: &Finding,
    owner: &CurrentUser,
    auditor: &CurrentUser,
    quality: &CurrentUser,
    today: NaiveDate,
) -> Result<(), AppError> {
    let mut day = today - Duration::days(finding.age_days);
    let form = NcForm {
        grade: finding.grade.into(),
        clause: finding.clause.into(),
        description: finding.description.into(),
        evidence: finding.evidence.into(),
        found_in: finding.found_in.into(),
        owner_id: owner.id.to_string(),
        // The organisation's minimum wait (30 days by default) before effectiveness is judged.
        wait_days: String::new(),
    };
    let draft = form.validate().map_err(AppError::Validation)?;
    let Raised::Nonconformity(id) =
        nonconformities::raise(db, auditor, &actor(auditor), draft, day, &CONTROLS).await?
    else {
        return Ok(());
    };
    let mut version = nonconformities::get(db.reader(), id).await?.version;
    let step = |who: &CurrentUser, version: i32, step: Step, on: NaiveDate| {
        let who = who.clone();
        let db = db.clone();
        async move {
            nonconformities::record(&db, &who, &actor(&who), id, version, step, on, &CONTROLS)
                .await
                .map(|nc| nc.version)
        }
    };
    let reach = finding.reach;
    if reach == Reach::Raised {
        return Ok(());
    }
    day += Duration::days(2);
    version = step(
        owner,
        version,
        Step::Contain {
            correction: "Corrected where it was found; the record is now complete.".into(),
        },
        day,
    )
    .await?;
    if reach == Reach::Contained {
        return Ok(());
    }
    let analyse = |cause: &str| Step::AnalyseRootCause {
        root_cause: cause.into(),
        method: RootCauseMethod::FiveWhys,
        similar_notes: "Checked the other services and processes: no similar case found.".into(),
    };
    let mut rounds = if reach == Reach::FailedOnce { 2 } else { 1 };
    loop {
        day += Duration::days(3);
        version = step(
            owner,
            version,
            analyse("The procedure does not say who checks this, so nobody does."),
            day,
        )
        .await?;
        version = step(
            owner,
            version,
            Step::AddAction {
                text: "Name the role responsible in the procedure and add a monthly check".into(),
                owner_id: owner.id,
                // The last round's actions are still ahead; an earlier round's were due soon.
                due: day + Duration::days(if rounds > 1 { 10 } else { 60 }),
            },
            day,
        )
        .await?;
        version = step(owner, version, Step::PlanActions, day).await?;
        if reach == Reach::ActionsPlanned || (reach == Reach::FailedOnce && rounds == 1) {
            return Ok(());
        }
        let nc = nonconformities::get(db.reader(), id).await?;
        for action in nc.actions.iter().filter(|a| !a.done) {
            day += Duration::days(4);
            version = step(
                owner,
                version,
                Step::CompleteAction {
                    action_id: action.id,
                },
                day,
            )
            .await?;
        }
        version = step(
            owner,
            version,
            Step::CompleteActions { wait_days: None },
            day,
        )
        .await?;
        if reach == Reach::ActionsDone {
            return Ok(());
        }
        day += Duration::days(CONTROLS.nc_min_wait_days + 1);
        let effective = reach == Reach::Closed;
        version = step(auditor, version, Step::Verify { effective }, day).await?;
        if effective {
            step(quality, version, Step::Close, day + Duration::days(1)).await?;
            return Ok(());
        }
        rounds -= 1;
    }
}
