//! Demo improvement register: forty entries across every state and source, walked through
//! the real lifecycle by the demo people (so the history is genuine), half of them with a KPI
//! and a few months of measured values; some past their target date.

use app::error::AppError;
use app::model::improvement::{
    ClosureCode, Direction, Effort, ImprovementAction, ImprovementState, Kpi, Measurement, Source,
};
use app::model::register::ImprovementDraft;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::register::{self, TransitionInput};
use chrono::{Duration, Utc};

const TITLES: [&str; 10] = [
    "Automate the monthly patch compliance report",
    "Cut repeat incidents on the customer portal",
    "Shorten the time to restore e-mail",
    "Publish the service catalogue to all staff",
    "Add a knowledge article for every top-ten incident",
    "Review supplier SLAs before renewal",
    "Exercise the payroll failover twice a year",
    "Reduce emergency changes",
    "Measure customer satisfaction after each request",
    "Train service desk staff on problem records",
];

/// The moves that bring a new entry to `target`.
fn path(target: ImprovementState) -> &'static [ImprovementAction] {
    use ImprovementAction as A;
    match target {
        ImprovementState::Identified => &[],
        ImprovementState::Evaluated => &[A::Evaluate],
        ImprovementState::Approved => &[A::Evaluate, A::Approve],
        ImprovementState::Rejected => &[A::Evaluate, A::Reject],
        ImprovementState::Deferred => &[A::Evaluate, A::Defer],
        ImprovementState::InProgress => &[A::Evaluate, A::Approve, A::Start],
        ImprovementState::Implemented => &[A::Evaluate, A::Approve, A::Start, A::Implement],
        ImprovementState::Verified => &[A::Evaluate, A::Approve, A::Start, A::Implement, A::Verify],
        ImprovementState::Closed => &[
            A::Evaluate,
            A::Approve,
            A::Start,
            A::Implement,
            A::Verify,
            A::Close,
        ],
    }
}

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if register::count(db).await? > 0 {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(quality), Some(dana), Some(rowan), Some(chris), Some(kim)) = (
        find("quality@conform.demo"),
        find("service.owner@conform.demo"),
        find("continuity@conform.demo"),
        find("change.manager@conform.demo"),
        find("cab.member@conform.demo"),
    ) else {
        return Ok(0);
    };
    let owners = [&dana, &rowan, &chris, &kim];
    let today = Utc::now().date_naive();
    for i in 0..40usize {
        let owner = owners[i % owners.len()];
        let source = Source::ALL[i % Source::ALL.len()];
        let target = ImprovementState::ALL[(i * 4) % ImprovementState::ALL.len()];
        let draft = ImprovementDraft {
            title: format!("{} ({})", TITLES[i % TITLES.len()], i / TITLES.len() + 1),
            description: "Raised from the demo data to show the register at work.".into(),
            source,
            source_ref: None,
            service_ids: Vec::new(),
            clauses: vec![if source == Source::ContinuityExercise {
                "8.7.2"
            } else {
                "10.2"
            }
            .into()],
            expected_benefit: "Fewer interruptions for customers and less rework for staff.".into(),
            benefit_score: Some(1 + (i % 5) as u8),
            effort: Some(Effort::ALL[i % 4]),
            owner_id: owner.id,
            approver_id: None,
            // Some are past their target date (overdue while open).
            target_date: Some(today + Duration::days(i as i64 * 9 - 120)),
        };
        let actor = Actor::user(owner.id, owner.name.clone(), None);
        let mut entry = register::create(db, &actor, draft).await?;
        if i % 2 == 0 {
            let (baseline, goal) = (40.0 + i as f64, 25.0);
            entry = register::add_kpi(
                db,
                owner,
                &actor,
                entry.id,
                entry.version,
                Kpi {
                    name: "Incidents a month".into(),
                    unit: "incidents".into(),
                    baseline,
                    target: goal,
                    direction: Direction::LowerIsBetter,
                },
            )
            .await?;
            let kpi_id = entry.kpis[0].id;
            for month in 0..(i % 5 + 1) {
                let on = today - Duration::days(30 * (5 - month as i64));
                let value = baseline - (month as f64) * (baseline - goal + 2.0) / 4.0;
                entry = register::add_measurement(
                    db,
                    owner,
                    &actor,
                    entry.id,
                    entry.version,
                    kpi_id,
                    Measurement { on, value },
                )
                .await?;
            }
        }
        for action in path(target) {
            let who = match action {
                ImprovementAction::Evaluate
                | ImprovementAction::Start
                | ImprovementAction::Implement => owner,
                _ => &quality,
            };
            let input = TransitionInput {
                outcome: if *action == ImprovementAction::Verify {
                    "Measured after three months: the target was reached.".into()
                } else {
                    String::new()
                },
                closure_code: (*action == ImprovementAction::Close).then_some(
                    [
                        ClosureCode::Achieved,
                        ClosureCode::PartlyAchieved,
                        ClosureCode::NotAchieved,
                    ][i % 3],
                ),
            };
            entry = register::transition(
                db,
                who,
                &Actor::user(who.id, who.name.clone(), None),
                entry.id,
                entry.version,
                *action,
                input,
            )
            .await?;
        }
    }
    Ok(40)
}
