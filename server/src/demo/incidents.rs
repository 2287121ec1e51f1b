//! Demo service levels and incidents: office hours and a 24×7 calendar, an approved agreement
//! for the customer-facing services (written by the service level manager, approved by the
//! quality manager) and one in review, and a month of incidents walked through the real
//! lifecycle at their own past instants — most resolved in time, some late, a few open (one
//! breached), a major incident with its communications and post-incident review, and two
//! problems found from the incidents (one a known error).

use super::actor;
use app::error::AppError;
use app::model::agreement::{AgreementAction, AgreementForm};
use app::model::change_request::reference as change_reference;
use app::model::incident::{
    CauseForm, IncidentForm, ReviewActionForm, ReviewForm, StepForm, TimelineKind,
};
use app::model::refs::ServiceRef;
use app::model::service_hours::ServiceHoursForm;
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::service::{agreements, catalogue, incident_causes, incidents, service_levels};
use chrono::{DateTime, Duration, Timelike, Utc};

/// One demo incident: what it is, when, and how far it got.
struct Case {
    title: &'static str,
    service: &'static str,
    impact: &'static str,
    urgency: &'static str,
    category: &'static str,
    /// Days before today it was reported (at 09:00 UTC plus `hour` hours).
    age_days: i64,
    hour: i64,
    /// Minutes of work until it was resolved; `None`: still open.
    resolved_after: Option<i64>,
    /// Waited for a supplier for this many minutes on the way.
    pending_minutes: i64,
}

const CASES: [Case; 14] = [
    Case {
        title: "Portal login fails for wholesale partners",
        service: "Customer portal",
        impact: "high",
        urgency: "high",
        category: "Access",
        age_days: 27,
        hour: 1,
        resolved_after: Some(150),
        pending_minutes: 0,
    },
    Case {
        title: "Shared calendar not syncing on phones",
        service: "E-mail and calendar",
        impact: "medium",
        urgency: "medium",
        category: "Mobile",
        age_days: 25,
        hour: 3,
        resolved_after: Some(600),
        pending_minutes: 0,
    },
    Case {
        title: "Order history page times out",
        service: "Customer portal",
        impact: "medium",
        urgency: "high",
        category: "Performance",
        age_days: 23,
        hour: 0,
        resolved_after: Some(300),
        pending_minutes: 60,
    },
    Case {
        title: "Mailbox full warnings for finance team",
        service: "E-mail and calendar",
        impact: "low",
        urgency: "medium",
        category: "Storage",
        age_days: 21,
        hour: 5,
        resolved_after: Some(90),
        pending_minutes: 0,
    },
    Case {
        title: "Payment provider callback errors",
        service: "Customer portal",
        impact: "high",
        urgency: "medium",
        category: "Integration",
        age_days: 18,
        hour: 2,
        resolved_after: Some(900),
        pending_minutes: 240,
    },
    Case {
        title: "Distribution list missing new starters",
        service: "E-mail and calendar",
        impact: "low",
        urgency: "low",
        category: "Directory",
        age_days: 16,
        hour: 4,
        resolved_after: Some(120),
        pending_minutes: 0,
    },
    Case {
        title: "Product images not loading",
        service: "Customer portal",
        impact: "medium",
        urgency: "medium",
        category: "Content",
        age_days: 14,
        hour: 1,
        resolved_after: Some(200),
        pending_minutes: 0,
    },
    Case {
        title: "Meeting room bookings double-booked",
        service: "E-mail and calendar",
        impact: "medium",
        urgency: "low",
        category: "Calendar",
        age_days: 11,
        hour: 6,
        resolved_after: Some(1500),
        pending_minutes: 0,
    },
    Case {
        title: "Checkout button unresponsive on tablets",
        service: "Customer portal",
        impact: "high",
        urgency: "high",
        category: "Front end",
        age_days: 8,
        hour: 2,
        resolved_after: Some(180),
        pending_minutes: 0,
    },
    Case {
        title: "Out-of-office replies sent twice",
        service: "E-mail and calendar",
        impact: "low",
        urgency: "low",
        category: "Mail flow",
        age_days: 6,
        hour: 3,
        resolved_after: Some(240),
        pending_minutes: 0,
    },
    Case {
        title: "Partner API returns stale stock levels",
        service: "Customer portal",
        impact: "medium",
        urgency: "high",
        category: "Integration",
        age_days: 3,
        hour: 1,
        resolved_after: None,
        pending_minutes: 120,
    },
    Case {
        title: "Calendar invitations arrive late",
        service: "E-mail and calendar",
        impact: "medium",
        urgency: "medium",
        category: "Mail flow",
        age_days: 2,
        hour: 2,
        resolved_after: None,
        pending_minutes: 0,
    },
    Case {
        title: "Search returns no results for accented names",
        service: "Customer portal",
        impact: "low",
        urgency: "medium",
        category: "Search",
        age_days: 1,
        hour: 4,
        resolved_after: None,
        pending_minutes: 0,
    },
    Case {
        title: "Spam filter quarantines supplier invoices",
        service: "E-mail and calendar",
        impact: "medium",
        urgency: "medium",
        category: "Mail flow",
        age_days: 0,
        hour: 0,
        resolved_after: None,
        pending_minutes: 0,
    },
];

/// Creates the demo service levels and incidents unless service hours already exist.
pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if !service_levels::calendars(db.reader()).await?.is_empty() {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(sam), Some(quality), Some(jordan), Some(robin)) = (
        find("service.levels@conform.demo"),
        find("quality@conform.demo"),
        find("resolver@conform.demo"),
        find("requester@conform.demo"),
    ) else {
        return Ok(0);
    };
    let services = catalogue::active_refs(db.reader()).await?;
    let service = |name: &str| services.iter().find(|s| s.name == name).map(|s| s.id);
    let (Some(mail), Some(portal)) = (service("E-mail and calendar"), service("Customer portal"))
    else {
        return Ok(0);
    };
    let mut created = 0;
    let office = calendar(db, &sam, "London office hours", ["08:00-18:00"; 5], 0).await?;
    let always = calendar(db, &sam, "Around the clock", ["00:00-24:00"; 5], 2).await?;
    created += 2;
    let today = Utc::now().date_naive();
    let approved = agreement(
        db,
        &sam,
        "Customer-facing services",
        "Retail and wholesale customers",
        &[portal, mail],
        always,
        today - Duration::days(120),
    )
    .await?;
    for action in [AgreementAction::SendToReview] {
        agreements::transition(db, &sam, &actor(&sam), approved, 1, action).await?;
    }
    agreements::transition(
        db,
        &quality,
        &actor(&quality),
        approved,
        2,
        AgreementAction::Approve,
    )
    .await?;
    created += 1;
    let others: Vec<ServiceRef> = services
        .iter()
        .filter(|s| s.id != portal && s.id != mail)
        .take(2)
        .cloned()
        .collect();
    if !others.is_empty() {
        let ids: Vec<i64> = others.iter().map(|s| s.id).collect();
        let draft = agreement(
            db,
            &sam,
            "Internal business services",
            "Finance and human resources",
            &ids,
            office,
            today,
        )
        .await?;
        agreements::transition(
            db,
            &sam,
            &actor(&sam),
            draft,
            1,
            AgreementAction::SendToReview,
        )
        .await?;
        created += 1;
    }

    let ids = [("Customer portal", portal), ("E-mail and calendar", mail)];
    let service_id = |name: &str| ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id);
    for case in &CASES {
        let Some(service) = service_id(case.service) else {
            continue;
        };
        walk(db, case, service, &robin, &sam, &jordan).await?;
        created += 1;
    }
    major(db, portal, &robin, &sam, &jordan).await?;
    monitoring(db, &sam, portal, mail).await?;
    created += problems(db, &jordan, portal, mail).await?;
    Ok(created + 2)
}

/// The incident with this demo title.
async fn incident_titled(db: &Db, title: &str) -> Result<Option<i64>, AppError> {
    use app::server::entity::incident::{Column, Entity as Incidents};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(Incidents::find()
        .filter(Column::Title.eq(title))
        .one(db.reader())
        .await?
        .map(|i| i.id))
}

/// Two problems: the mail relay's queue, a known error with its workaround (offered to
/// whoever reports mail arriving late), found from the late invitations and the monitoring
/// alert; and the partner integration's stale data, still being analysed.
async fn problems(
    db: &Db,
    jordan: &CurrentUser,
    portal: i64,
    mail: i64,
) -> Result<usize, AppError> {
    use app::model::problem::{AnalysisForm, ProblemForm, ProblemStepForm};
    use app::server::service::problems;
    let now = Utc::now();
    let refs = |titles: &[Option<i64>]| {
        titles
            .iter()
            .flatten()
            .map(|id| format!("INC-{id}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let relay = [
        incident_titled(db, "Calendar invitations arrive late").await?,
        incident_titled(db, "Outbound mail queue on mx-2 is growing").await?,
    ];
    let form = ProblemForm {
        title: "Outbound mail relay queue backs up under load".into(),
        description: "Mail and invitations arrive late whenever the newsletter goes out; monitoring sees the queue on mx-2 grow.".into(),
        service_id: mail.to_string(),
        incidents: refs(&relay),
    };
    let id = problems::create(db, jordan, &actor(jordan), &form, now - Duration::hours(1)).await?;
    let analyse = ProblemStepForm {
        action: "analyse".into(),
        owner_id: jordan.id.to_string(),
        ..Default::default()
    };
    problems::take_step(db, jordan, &actor(jordan), id, 1, &analyse, now).await?;
    let analysis = AnalysisForm {
        rca_method: "five_whys".into(),
        root_cause: "The relay mx-2 allows 20 connections to the upstream provider; the weekly newsletter fills them and ordinary mail waits behind it.".into(),
        workaround: "Pause the newsletter job on mx-2 (systemctl stop newsletter-sender) and flush the queue (postqueue -f); ordinary mail drains within 15 minutes. Restart the job after hours.".into(),
    };
    problems::save_analysis(db, jordan, &actor(jordan), id, 2, &analysis).await?;
    let known = ProblemStepForm {
        action: "known_error".into(),
        ..Default::default()
    };
    problems::take_step(db, jordan, &actor(jordan), id, 3, &known, now).await?;

    let partner = [
        incident_titled(db, "Payment provider callback errors").await?,
        incident_titled(db, "Partner API returns stale stock levels").await?,
    ];
    let form = ProblemForm {
        title: "Partner integrations return stale or failed data".into(),
        description:
            "Callbacks fail and stock levels lag behind; both go through the integration gateway."
                .into(),
        service_id: portal.to_string(),
        incidents: refs(&partner),
    };
    let id = problems::create(db, jordan, &actor(jordan), &form, now).await?;
    problems::take_step(db, jordan, &actor(jordan), id, 1, &analyse, now).await?;
    Ok(2)
}

/// Prometheus production as a monitoring source, and the alert it sent an hour ago about
/// the mail queue (still firing). Its token is not kept anywhere: a service level manager
/// makes a new one on the source's page to connect a real Alertmanager.
async fn monitoring(db: &Db, sam: &CurrentUser, portal: i64, mail: i64) -> Result<(), AppError> {
    use app::model::alert_intake::{RuleForm, SourceForm};
    use app::server::service::alert_intake;
    let form = SourceForm {
        name: "Prometheus production".into(),
        reporter_id: sam.id.to_string(),
        service_id: mail.to_string(),
        impact: "medium".into(),
        urgency: "medium".into(),
        rules: vec![
            RuleForm {
                label: "service".into(),
                value: "portal".into(),
                service_id: portal.to_string(),
                ..Default::default()
            },
            RuleForm {
                label: "severity".into(),
                value: "critical".into(),
                impact: "high".into(),
                urgency: "high".into(),
                ..Default::default()
            },
        ],
    };
    let now = Utc::now();
    let issued =
        alert_intake::create(db, sam, &actor(sam), &form, now - Duration::days(20)).await?;
    let started = (now - Duration::hours(1)).to_rfc3339();
    let delivery = serde_json::json!({
        "version": "4",
        "status": "firing",
        "receiver": "conform-prometheus-production",
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": "MailQueueGrowing", "instance": "mx-2:9154", "job": "postfix", "severity": "warning"},
            "annotations": {
                "summary": "Outbound mail queue on mx-2 is growing",
                "description": "More than 500 messages have waited over 10 minutes for delivery."
            },
            "startsAt": started,
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph?g0.expr=postfix_queue_length%3E500",
            "fingerprint": "4f1c2d9e8a7b6c50"
        }]
    });
    alert_intake::receive(
        db,
        &issued.token,
        delivery.to_string().as_bytes(),
        now - Duration::minutes(58),
    )
    .await?;
    Ok(())
}

async fn calendar(
    db: &Db,
    author: &CurrentUser,
    name: &str,
    weekdays: [&str; 5],
    weekend_days: usize,
) -> Result<i64, AppError> {
    let mut form = ServiceHoursForm {
        name: name.into(),
        time_zone: "Europe/London".into(),
        ..Default::default()
    };
    for (day, hours) in weekdays.iter().enumerate() {
        form.days[day] = hours.to_string();
    }
    for day in 5..5 + weekend_days {
        form.days[day] = weekdays[0].to_string();
    }
    let year = Utc::now().date_naive().format("%Y");
    form.holidays = format!("{year}-12-25 Christmas Day\n{year}-12-26 Boxing Day");
    service_levels::create_calendar(db, &actor(author), &form).await
}

async fn agreement(
    db: &Db,
    author: &CurrentUser,
    title: &str,
    customer: &str,
    services: &[i64],
    calendar_id: i64,
    starts_on: chrono::NaiveDate,
) -> Result<i64, AppError> {
    let form = AgreementForm {
        title: title.into(),
        customer: customer.into(),
        service_ids: services.iter().map(i64::to_string).collect(),
        calendar_id: calendar_id.to_string(),
        starts_on: starts_on.to_string(),
        ends_on: String::new(),
        review_on: (starts_on + Duration::days(365)).to_string(),
        response: ["15", "30", "60", "240", "480"].map(String::from),
        resolution: ["240", "480", "1440", "2880", "4800"].map(String::from),
        availability: "99.5".into(),
        fulfilment: "2400".into(),
    };
    agreements::create(db, author, &actor(author), &form).await
}

fn step(action: &str) -> StepForm {
    StepForm {
        action: action.into(),
        ..Default::default()
    }
}

/// Reports `case` on its day and takes it as far as it got, each step at its own instant.
async fn walk(
    db: &Db,
    case: &Case,
    service: i64,
    robin: &CurrentUser,
    sam: &CurrentUser,
    jordan: &CurrentUser,
) -> Result<(), AppError> {
    let now = Utc::now();
    let day = (now - Duration::days(case.age_days))
        .with_hour(9)
        .and_then(|t| t.with_minute(0))
        .unwrap_or(now);
    let mut at: DateTime<Utc> = Ord::min(
        day + Duration::hours(case.hour),
        now - Duration::minutes(30),
    );
    let form = IncidentForm {
        title: case.title.into(),
        description: format!(
            "{} — reported by a user through the service desk.",
            case.title
        ),
        service_id: service.to_string(),
        impact: case.impact.into(),
        urgency: case.urgency.into(),
        category: case.category.into(),
        ..Default::default()
    };
    let id = incidents::raise(db, robin, &actor(robin), &form, at).await?;
    let mut version = 1;
    if case.title == CAUSED_BY_PORTAL_UPGRADE {
        if let Some(change) = portal_upgrade(db).await? {
            let form = CauseForm {
                change: change_reference(change),
            };
            let when = at + Duration::minutes(5);
            incident_causes::set_cause(db, jordan, &actor(jordan), id, version, &form, when)
                .await?;
            version += 1;
        }
    }
    if case.age_days == 0 {
        return Ok(());
    }
    let mut take = |who: &CurrentUser, form: StepForm, when: DateTime<Utc>| {
        let (who, this) = (who.clone(), version);
        version += 1;
        async move { incidents::take_step(db, &who, &actor(&who), id, this, &form, when).await }
    };
    at += Duration::minutes(12);
    let assign = StepForm {
        assignee_id: jordan.id.to_string(),
        ..step("assign")
    };
    take(sam, assign, at).await?;
    at += Duration::minutes(8);
    take(jordan, step("start"), at).await?;
    if case.pending_minutes > 0 {
        at += Duration::minutes(20);
        take(jordan, step("wait_supplier"), at).await?;
        at += Duration::minutes(case.pending_minutes);
        if case.resolved_after.is_none() {
            return Ok(());
        }
        take(jordan, step("resume"), at).await?;
    }
    let Some(minutes) = case.resolved_after else {
        return Ok(());
    };
    at += Duration::minutes(minutes);
    if at > now {
        return Ok(());
    }
    let resolve = StepForm {
        resolution_code: "fixed".into(),
        resolution: format!(
            "Found and fixed the cause of: {}.",
            case.title.to_lowercase()
        ),
        ..step("resolve")
    };
    take(jordan, resolve, at).await?;
    let closed_at = at + Duration::hours(20);
    if closed_at < now {
        take(robin, step("close"), closed_at).await?;
    }
    Ok(())
}

/// The demo incident the desk links to the portal framework upgrade that caused it.
const CAUSED_BY_PORTAL_UPGRADE: &str = "Product images not loading";

/// A carried-out upgrade of the customer portal framework, the first planned.
async fn portal_upgrade(db: &Db) -> Result<Option<i64>, AppError> {
    use app::model::change::ChangeState;
    use app::server::entity::change::{Column, Entity as Changes};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let carried_out: Vec<&str> = ChangeState::ALL
        .into_iter()
        .filter(|s| s.was_carried_out())
        .map(|s| s.as_str())
        .collect();
    Ok(Changes::find()
        .filter(Column::Title.starts_with("Upgrade the customer portal framework"))
        .filter(Column::State.is_in(carried_out))
        .order_by_asc(Column::PlannedStart)
        .one(db.reader())
        .await?
        .map(|c| c.id))
}

/// The major incident of the month: the portal down for everyone, communications every half
/// hour, resolved, reviewed with two actions for the register, closed.
async fn major(
    db: &Db,
    portal: i64,
    robin: &CurrentUser,
    sam: &CurrentUser,
    jordan: &CurrentUser,
) -> Result<(), AppError> {
    let start = (Utc::now() - Duration::days(12))
        .with_hour(10)
        .and_then(|t| t.with_minute(5))
        .unwrap_or_else(Utc::now);
    let form = IncidentForm {
        title: "Customer portal down for all customers".into(),
        description: "The portal answers 503 to every request since a database failover.".into(),
        service_id: portal.to_string(),
        impact: "high".into(),
        urgency: "high".into(),
        category: "Availability".into(),
        affected: "Portal database cluster".into(),
        service_affecting: true,
        ..Default::default()
    };
    let id = incidents::raise(db, robin, &actor(robin), &form, start).await?;
    incidents::set_major(
        db,
        sam,
        &actor(sam),
        id,
        1,
        true,
        start + Duration::minutes(5),
    )
    .await?;
    let assign = StepForm {
        assignee_id: jordan.id.to_string(),
        ..step("assign")
    };
    incidents::take_step(
        db,
        sam,
        &actor(sam),
        id,
        2,
        &assign,
        start + Duration::minutes(6),
    )
    .await?;
    incidents::take_step(
        db,
        jordan,
        &actor(jordan),
        id,
        3,
        &step("start"),
        start + Duration::minutes(8),
    )
    .await?;
    for (minutes, text) in [
        (15, "Status page: the customer portal is unavailable; we are working on it. Next update 10:50."),
        (45, "Status page: cause found in the database failover; restoring service. Next update 11:20."),
    ] {
        incidents::add_note(db, sam, &actor(sam), id, TimelineKind::Communication, text, start + Duration::minutes(minutes)).await?;
    }
    let resolve = StepForm {
        resolution_code: "fixed".into(),
        resolution: "Promoted the healthy replica and repointed the portal's connection pool."
            .into(),
        ..step("resolve")
    };
    incidents::take_step(
        db,
        jordan,
        &actor(jordan),
        id,
        4,
        &resolve,
        start + Duration::minutes(95),
    )
    .await?;
    incidents::add_note(
        db,
        sam,
        &actor(sam),
        id,
        TimelineKind::Communication,
        "Status page: service restored at 11:40. A review will follow.",
        start + Duration::minutes(100),
    )
    .await?;
    let due = (Utc::now() + Duration::days(30)).date_naive().to_string();
    let review = ReviewForm {
        summary: "The portal was unavailable for 95 minutes after an automatic database failover left the connection pool pointing at the failed node.".into(),
        cause: "The connection pool resolved the database address once at start-up and never again.".into(),
        lessons: "Failover was tested for the database but never end to end with the portal.".into(),
        actions: vec![
            ReviewActionForm {
                text: "Make the portal's connection pool follow the database's service address".into(),
                owner_id: jordan.id.to_string(),
                due: due.clone(),
            },
            ReviewActionForm {
                text: "Add an end-to-end failover test to the continuity exercises".into(),
                owner_id: sam.id.to_string(),
                due,
            },
        ],
    };
    incidents::complete_review(
        db,
        sam,
        &actor(sam),
        id,
        5,
        &review,
        start + Duration::days(2),
    )
    .await?;
    incidents::take_step(
        db,
        sam,
        &actor(sam),
        id,
        6,
        &step("close"),
        start + Duration::days(2) + Duration::hours(1),
    )
    .await?;
    Ok(())
}
