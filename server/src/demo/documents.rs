//! Demo document register and service management objectives, written by the demo people
//! through the real services (valid records, genuine audit history):
//! - ten SMS documents: most approved by the quality manager and written by someone else;
//!   "Context and interested parties" and "SLA template" are overdue for review, the
//!   service management plan is in review, the information security policy is a draft only,
//!   and the service management policy has version 1 superseded by an approved version 2.
//!   Clauses 6.1 and 7.2 deliberately have no document, so the gap analysis shows it;
//! - four objectives with a year of monthly figures: emergency changes miss their target on
//!   the latest value and continuity exercises were never measured.
//!
//! The services stamp approvals with the current time; the seed back-dates them afterwards
//! so the review cycles have something to show.

use super::actor;
use app::error::AppError;
use app::model::objective::{MeasurementForm, ObjectiveForm};
use app::model::sms_document::{next_review_on, DocAction, DocumentForm, DraftForm};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::objective::Entity as Objectives;
use app::server::entity::sms_document::Entity as Documents;
use app::server::entity::sms_document_version::{Column as VersionColumn, Entity as Versions};
use app::server::service::{catalogue, objectives, sms_documents};
use chrono::{Duration, Months, NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// Where a demo document stands.
#[derive(Clone, Copy)]
enum Stage {
    Draft,
    InReview,
    /// Approved this many months ago.
    Approved(u32),
    /// Version 1 approved `.0` months ago, version 2 (with `.1` as change summary) `.2` months ago.
    Revised(u32, &'static str, u32),
}

struct DemoDocument {
    title: &'static str,
    clauses: &'static [&'static str],
    /// Demo user e-mails.
    author: &'static str,
    owner: &'static str,
    review_months: i32,
    stage: Stage,
    content: &'static str,
}

const QUINN: &str = "quality@conform.demo";
const CHRIS: &str = "change.manager@conform.demo";
const DANA: &str = "service.owner@conform.demo";
const ROWAN: &str = "continuity@conform.demo";

const DOCUMENTS: &[DemoDocument] = &[
    DemoDocument {
        title: "Context and interested parties",
        clauses: &["4.1", "4.2"],
        author: DANA,
        owner: QUINN,
        review_months: 6,
        // A six-month cycle, approved eight months ago: overdue.
        stage: Stage::Approved(8),
        content: "# Context and interested parties\n\n\
## Issues that shape the SMS\n\n\
- **External:** customers expect self-service around the clock; two key suppliers are \
consolidating; data protection rules tighten for payroll data.\n\
- **Internal:** a small operations team, a legacy document store being retired, \
growing reliance on cloud identity.\n\n\
## Interested parties\n\n\
| Party | What they need from us |\n\
|---|---|\n\
| Staff | Working e-mail, identity and network every business day |\n\
| Retail and wholesale customers | A portal that takes orders reliably |\n\
| Finance and HR | Payroll and ERP on time, every month |\n\
| Suppliers | Clear contacts and predictable change windows |\n\
| Regulators | Accurate month-end reports |\n",
    },
    DemoDocument {
        title: "SMS scope statement",
        clauses: &["4.3"],
        author: DANA,
        owner: QUINN,
        review_months: 12,
        stage: Stage::Approved(3),
        content: "# SMS scope statement\n\n\
The service management system covers the IT services in the service catalogue that are \
live or in the pipeline, delivered from the head office and two regional offices to all \
staff and to our retail and wholesale customers.\n\n\
**Out of scope:** the retiring document management service after its switch-off date, and \
factory floor systems run by the engineering department.\n\n\
Suppliers inside the scope are controlled through the supplier register.\n",
    },
    DemoDocument {
        title: "Service management policy",
        clauses: &["5.2"],
        author: CHRIS,
        owner: QUINN,
        review_months: 12,
        stage: Stage::Revised(
            14,
            "Adds the commitment to measured objectives and names the objective owners.",
            2,
        ),
        content: "# Service management policy\n\n\
We run IT services so that the people who depend on them can plan their work around them.\n\n\
1. Services are agreed with customers and measured against what was agreed.\n\
2. Every change to a live service is assessed, approved and reviewed.\n\
3. We learn from incidents, audits and complaints and improve continually.\n\
4. Service management objectives are set each year, owned by a named person and \
measured monthly.\n\n\
Top management reviews this policy every year.\n",
    },
    DemoDocument {
        title: "Service management plan",
        clauses: &["6.3"],
        author: DANA,
        owner: QUINN,
        review_months: 12,
        stage: Stage::InReview,
        content: "# Service management plan\n\n\
## This year's priorities\n\n\
- Retire the legacy document store by the end of Q2.\n\
- Bring the emergency change ratio under 10 %.\n\
- Run two continuity exercises, one of them a live failover.\n\n\
## Resources\n\n\
Two operations engineers, the service desk team and the supplier managers.\n\n\
## How we know it works\n\n\
The objectives register is reviewed monthly and at each management review.\n",
    },
    DemoDocument {
        title: "Document control procedure",
        clauses: &["7.5"],
        author: ROWAN,
        owner: QUINN,
        review_months: 24,
        stage: Stage::Approved(5),
        content: "# Document control procedure\n\n\
- Every SMS document is registered in Conform with an owner, the clauses it answers and a \
review cycle.\n\
- Drafts are reviewed, then approved by the quality manager, who never approves a version \
they wrote.\n\
- Approved versions are never edited; a change starts a new draft and the old version is \
kept as superseded.\n\
- Superseded versions are retained for three years, then disposed of.\n",
    },
    DemoDocument {
        title: "Service catalogue description",
        clauses: &["8.2.4"],
        author: DANA,
        owner: DANA,
        review_months: 12,
        stage: Stage::Approved(4),
        content: "# Service catalogue description\n\n\
The catalogue in Conform lists every service with its owner, criticality, status and \
customers. A service owner keeps their entries current; the catalogue is checked at each \
quarterly service review.\n\n\
Statuses: *pipeline* (being designed), *live*, *retiring* (switch-off planned).\n",
    },
    DemoDocument {
        title: "SLA template",
        clauses: &["8.3.3"],
        author: DANA,
        owner: DANA,
        review_months: 12,
        // A yearly cycle, approved thirteen months ago: overdue.
        stage: Stage::Approved(13),
        content: "# Service level agreement — template\n\n\
| Section | What to fill in |\n\
|---|---|\n\
| Service | Name as in the catalogue |\n\
| Hours | Support and availability hours |\n\
| Targets | Availability %, response and resolution times per priority |\n\
| Reporting | Monthly report, who receives it |\n\
| Review | When the SLA is reviewed with the customer |\n\n\
Targets must be measurable from our own monitoring data.\n",
    },
    DemoDocument {
        title: "Change management policy",
        clauses: &["8.5.1"],
        author: CHRIS,
        owner: CHRIS,
        review_months: 12,
        stage: Stage::Approved(6),
        content: "# Change management policy\n\n\
- **Standard changes** are pre-approved, low risk and follow a documented model.\n\
- **Normal changes** are assessed and approved by the change advisory board.\n\
- **Emergency changes** are approved by the change manager and reviewed by the board at \
its next meeting.\n\n\
Changes with a potential major impact on customers or services go through the service \
design and transition process instead.\n",
    },
    DemoDocument {
        title: "Availability requirements and targets",
        clauses: &["8.7.1"],
        author: ROWAN,
        owner: DANA,
        review_months: 12,
        stage: Stage::Approved(2),
        content: "# Availability requirements and targets\n\n\
| Service | Target per month | Measured from |\n\
|---|---|---|\n\
| Customer portal | 99.9 % | External synthetic checks |\n\
| Identity and access | 99.9 % | Sign-in probe |\n\
| E-mail and calendar | 99.5 % | Provider status feed |\n\
| ERP finance | 99.5 % in business hours | Application monitoring |\n\n\
Planned maintenance inside agreed windows does not count as unavailability.\n",
    },
    DemoDocument {
        title: "Information security policy",
        clauses: &["8.7.3"],
        author: ROWAN,
        owner: QUINN,
        review_months: 12,
        stage: Stage::Draft,
        content: "# Information security policy (draft)\n\n\
- Access follows least privilege and is reviewed every quarter.\n\
- Multi-factor authentication for every remote and administrative sign-in.\n\
- Security incidents are handled by the incident process with a security lead.\n\n\
*To do: classification scheme and supplier security requirements.*\n",
    },
];

/// One objective: form fields, and a year of monthly figures (oldest first), if measured.
struct DemoObjective {
    title: &'static str,
    description: &'static str,
    owner: &'static str,
    service: Option<&'static str>,
    kpi_name: &'static str,
    unit: &'static str,
    baseline: &'static str,
    target: &'static str,
    direction: &'static str,
    frequency: &'static str,
    values: &'static [f64],
}

const OBJECTIVES: &[DemoObjective] = &[
    DemoObjective {
        title: "Changes succeed first time",
        description: "Changes implemented without rollback or a resulting incident.",
        owner: CHRIS,
        service: None,
        kpi_name: "Change success rate",
        unit: "%",
        baseline: "88",
        target: "95",
        direction: "higher",
        frequency: "monthly",
        values: &[
            89.0, 90.5, 91.0, 92.4, 93.0, 92.1, 94.0, 95.2, 95.8, 94.9, 96.1, 96.4,
        ],
    },
    DemoObjective {
        title: "Fewer emergency changes",
        description: "Share of changes raised as emergency; planning ahead keeps it low.",
        owner: CHRIS,
        service: None,
        kpi_name: "Emergency change ratio",
        unit: "%",
        baseline: "18",
        target: "10",
        direction: "lower",
        frequency: "monthly",
        // Improving, but last month's portal outage pushed it back up: not met.
        values: &[
            17.5, 16.0, 15.2, 14.0, 12.8, 11.5, 10.9, 9.6, 9.8, 9.1, 10.4, 12.5,
        ],
    },
    DemoObjective {
        title: "Customer portal meets its SLA",
        description: "Months in which every SLA target of the customer portal was met.",
        owner: DANA,
        service: Some("Customer portal"),
        kpi_name: "SLA attainment",
        unit: "%",
        baseline: "97.5",
        target: "99",
        direction: "higher",
        frequency: "monthly",
        values: &[
            97.8, 98.1, 98.6, 99.0, 99.2, 98.9, 99.3, 99.4, 99.1, 99.5, 99.6, 99.4,
        ],
    },
    DemoObjective {
        title: "Continuity plans are exercised",
        description: "Continuity exercises run per year across the critical services.",
        owner: ROWAN,
        service: None,
        kpi_name: "Continuity exercises per year",
        unit: "",
        baseline: "1",
        target: "2",
        direction: "higher",
        frequency: "yearly",
        // Never measured: the first count is due at year end.
        values: &[],
    },
];

fn months_ago(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(months))
        .unwrap_or(today)
}

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(quinn), Some(chris), Some(dana), Some(rowan)) =
        (find(QUINN), find(CHRIS), find(DANA), find(ROWAN))
    else {
        return Ok(0);
    };
    let cast = [quinn, chris, dana, rowan];
    let person = |email: &str| cast.iter().find(|p| p.email == email);
    let mut created = 0;
    if Documents::find().count(db.reader()).await? == 0 {
        for demo in DOCUMENTS {
            let (Some(author), Some(owner)) = (person(demo.author), person(demo.owner)) else {
                continue;
            };
            seed_document(db, demo, author, owner.id, &cast[0]).await?;
            created += 1;
        }
    }
    if Objectives::find().count(db.reader()).await? == 0 {
        created += seed_objectives(db, &cast[0], &person).await?;
    }
    Ok(created)
}

async fn seed_document(
    db: &Db,
    demo: &DemoDocument,
    author: &CurrentUser,
    owner_id: i64,
    quinn: &CurrentUser,
) -> Result<(), AppError> {
    let today = Utc::now().date_naive();
    let document = DocumentForm {
        title: demo.title.into(),
        clauses: demo.clauses.iter().map(|c| c.to_string()).collect(),
        owner_id,
        review_months: demo.review_months,
    };
    let draft = DraftForm {
        content: demo.content.into(),
        link: String::new(),
        change_summary: "First issue.".into(),
    };
    let id = sms_documents::create(db, author, &actor(author), document, draft).await?;
    if matches!(demo.stage, Stage::Draft) {
        return Ok(());
    }
    let first = latest_version(db, id, today).await?;
    let sent = sms_documents::transition_version(
        db,
        author,
        &actor(author),
        first.0,
        first.1,
        DocAction::SendToReview,
        today,
    )
    .await?;
    let approve = |version_id: i64, version: i32, months: u32| async move {
        let on = months_ago(today, months);
        sms_documents::transition_version(
            db,
            quinn,
            &actor(quinn),
            version_id,
            version,
            DocAction::Approve,
            on,
        )
        .await?;
        back_date(db, version_id, on, demo.review_months).await
    };
    match demo.stage {
        Stage::Draft | Stage::InReview => {}
        Stage::Approved(months) => approve(sent.id, sent.version, months).await?,
        Stage::Revised(first_months, summary, second_months) => {
            approve(sent.id, sent.version, first_months).await?;
            let next = sms_documents::new_draft(db, author, &actor(author), id).await?;
            let detail = sms_documents::detail(db.reader(), id, today).await?;
            let content = format!(
                "{}\nObjective owners: change success and emergency changes — change manager; \
SLA attainment — service owner; continuity exercises — continuity manager.\n",
                next.content
            );
            let saved = sms_documents::save_draft(
                db,
                author,
                &actor(author),
                next.id,
                next.version,
                detail.summary.version,
                DocumentForm {
                    title: demo.title.into(),
                    clauses: demo.clauses.iter().map(|c| c.to_string()).collect(),
                    owner_id,
                    review_months: demo.review_months,
                },
                DraftForm {
                    content,
                    link: String::new(),
                    change_summary: summary.into(),
                },
            )
            .await?;
            let sent = sms_documents::transition_version(
                db,
                author,
                &actor(author),
                saved.id,
                saved.version,
                DocAction::SendToReview,
                today,
            )
            .await?;
            approve(sent.id, sent.version, second_months).await?;
        }
    }
    Ok(())
}

/// The newest version's id and optimistic version.
async fn latest_version(
    db: &Db,
    document_id: i64,
    today: NaiveDate,
) -> Result<(i64, i32), AppError> {
    let detail = sms_documents::detail(db.reader(), document_id, today).await?;
    detail
        .latest()
        .map(|v| (v.id, v.version))
        .ok_or_else(|| AppError::NotFound("The demo document's first version".into()))
}

/// Moves an approval (stamped "now" by the service) back to `on`, with the review date that
/// follows from it, so the register has a history to show.
async fn back_date(
    db: &Db,
    version_id: i64,
    on: NaiveDate,
    review_months: i32,
) -> Result<(), AppError> {
    let at = on
        .and_hms_opt(10, 0, 0)
        .map(|t| Utc.from_utc_datetime(&t))
        .unwrap_or_else(Utc::now);
    let txn = db.begin_write().await?;
    Versions::update_many()
        .col_expr(VersionColumn::ApprovedAt, Expr::value(at))
        .col_expr(
            VersionColumn::NextReviewOn,
            Expr::value(next_review_on(on, review_months)),
        )
        .col_expr(VersionColumn::UpdatedAt, Expr::value(at))
        .filter(VersionColumn::Id.eq(version_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

async fn seed_objectives<'a>(
    db: &Db,
    quinn: &CurrentUser,
    person: &impl Fn(&str) -> Option<&'a CurrentUser>,
) -> Result<usize, AppError> {
    let today = Utc::now().date_naive();
    let services: std::collections::HashMap<String, i64> = catalogue::names(db.reader())
        .await?
        .into_iter()
        .map(|(id, name)| (name, id))
        .collect();
    let mut created = 0;
    for demo in OBJECTIVES {
        let Some(owner) = person(demo.owner) else {
            continue;
        };
        let form = ObjectiveForm {
            title: demo.title.into(),
            description: demo.description.into(),
            owner_id: owner.id,
            service_id: demo.service.and_then(|s| services.get(s).copied()),
            kpi_name: demo.kpi_name.into(),
            unit: demo.unit.into(),
            baseline: demo.baseline.into(),
            target: demo.target.into(),
            direction: demo.direction.into(),
            frequency: demo.frequency.into(),
        };
        // Objectives are the quality manager's to set; their owners record the figures.
        let id = objectives::create(db, &actor(quinn), form).await?;
        created += 1;
        let count = demo.values.len() as u32;
        for (i, value) in demo.values.iter().enumerate() {
            // Oldest first, one a month; the latest a few days ago, so none is overdue.
            let back = count - 1 - i as u32;
            let on = months_ago(today, back) - Duration::days(3);
            let form = MeasurementForm {
                measured_on: on.format("%Y-%m-%d").to_string(),
                value: value.to_string(),
                note: String::new(),
            };
            objectives::record_measurement(db, owner, &actor(owner), id, form, today).await?;
        }
    }
    Ok(created)
}
