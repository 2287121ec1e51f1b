//! Demo service requests: a catalogue of five request types on the two services under the
//! customer-facing agreement (two needing approval), and a month of requests walked through
//! the real lifecycle at their own past instants — most fulfilled in time, one late, one
//! waiting for approval, one with the requester, one being worked.

use super::actor;
use app::error::AppError;
use app::model::service_request::{FieldForm, RequestForm, RequestStepForm, RequestTypeForm};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::service::{catalogue, service_requests};
use chrono::{DateTime, Duration, Utc};

fn field(label: &str, kind: &str, required: bool, options: &str) -> FieldForm {
    FieldForm {
        label: label.into(),
        kind: kind.into(),
        required: if required {
            "yes".into()
        } else {
            String::new()
        },
        options: options.into(),
    }
}

/// The catalogue: (service, name, description, approval, own target in minutes, fields).
fn types(mail: i64, portal: i64) -> Vec<RequestTypeForm> {
    let form =
        |service: i64, name: &str, description: &str, approval: bool, minutes: &str, fields| {
            RequestTypeForm {
                service_id: service.to_string(),
                name: name.into(),
                description: description.into(),
                approval: if approval {
                    "yes".into()
                } else {
                    String::new()
                },
                fulfilment_minutes: minutes.into(),
                active: "yes".into(),
                fields,
            }
        };
    vec![
        form(mail, "Access to a shared mailbox", "Read or send-as access to a team mailbox. The mailbox's owner approves.", true, "", vec![
            field("Mailbox", "text", true, ""),
            field("Access", "choice", true, "Read | Send as | Full access"),
            field("Needed from", "date", false, ""),
        ]),
        form(mail, "New distribution list", "A mailing list for a team or a project.", false, "480", vec![
            field("List address", "text", true, ""),
            field("Members", "long_text", true, ""),
        ]),
        form(mail, "Restore a deleted message", "Messages deleted in the last 30 days can be restored.", false, "", vec![
            field("Mailbox", "text", true, ""),
            field("Deleted on", "date", true, ""),
            field("What to look for", "long_text", false, ""),
        ]),
        form(portal, "Partner account for the customer portal", "A login for a wholesale partner's staff. Account management approves each partner account.", true, "960", vec![
            field("Partner company", "text", true, ""),
            field("Contact e-mail", "text", true, ""),
            field("Role", "choice", true, "Viewer | Ordering | Administrator"),
        ]),
        form(portal, "Export of order history", "A CSV of a customer's orders for a date range.", false, "", vec![
            field("Customer number", "text", true, ""),
            field("From", "date", true, ""),
            field("To", "date", true, ""),
        ]),
    ]
}

/// One demo request and how far it got.
struct Case {
    type_index: usize,
    summary: &'static str,
    /// What was answered; `-14d` is a date that many days before today.
    answers: [&'static str; 3],
    /// Days before today, at 09:00 UTC plus this many hours.
    age_days: i64,
    hour: i64,
    /// Minutes after raising that each step was taken: approve, assign, fulfil (`None`:
    /// never got there).
    approve_after: Option<i64>,
    assign_after: Option<i64>,
    fulfil_after: Option<i64>,
    /// The requester was asked something (and answered this many minutes later).
    asked_for: Option<i64>,
}

const CASES: [Case; 8] = [
    Case {
        type_index: 0,
        summary: "Send as the sales mailbox",
        answers: ["sales@conform.demo", "Send as", ""],
        age_days: 26,
        hour: 1,
        approve_after: Some(45),
        assign_after: Some(60),
        fulfil_after: Some(240),
        asked_for: None,
    },
    Case {
        type_index: 1,
        summary: "List for the spring campaign team",
        answers: [
            "spring-campaign@conform.demo",
            "Robin Requester\nKim Board\nDana Whitfield",
            "",
        ],
        age_days: 21,
        hour: 2,
        approve_after: None,
        assign_after: Some(30),
        fulfil_after: Some(200),
        asked_for: None,
    },
    Case {
        type_index: 3,
        summary: "Partner account for Northwind Wholesale",
        answers: [
            "Northwind Wholesale",
            "orders@northwind.example",
            "Ordering",
        ],
        age_days: 18,
        hour: 0,
        approve_after: Some(120),
        assign_after: Some(150),
        fulfil_after: Some(1500),
        asked_for: Some(300),
    },
    Case {
        type_index: 2,
        summary: "Restore the signed contract e-mail",
        answers: [
            "robin@conform.demo",
            "-14d",
            "Contract from Fabrikam, signed PDF",
        ],
        age_days: 12,
        hour: 3,
        approve_after: None,
        assign_after: Some(20),
        fulfil_after: Some(90),
        asked_for: None,
    },
    Case {
        type_index: 4,
        summary: "Order history for customer 44127",
        answers: ["44127", "-120d", "-10d"],
        age_days: 9,
        hour: 1,
        approve_after: None,
        assign_after: Some(45),
        fulfil_after: Some(5000),
        asked_for: None,
    },
    Case {
        type_index: 0,
        summary: "Read access to the support mailbox",
        answers: ["support@conform.demo", "Read", ""],
        age_days: 3,
        hour: 2,
        approve_after: Some(60),
        assign_after: Some(90),
        fulfil_after: None,
        asked_for: Some(60),
    },
    Case {
        type_index: 3,
        summary: "Partner account for Contoso Retail",
        answers: ["Contoso Retail", "it@contoso.example", "Viewer"],
        age_days: 1,
        hour: 4,
        approve_after: None,
        assign_after: None,
        fulfil_after: None,
        asked_for: None,
    },
    Case {
        type_index: 1,
        summary: "List for the board pack reviewers",
        answers: ["board-pack@conform.demo", "Kim Board\nQuinn Quality", ""],
        age_days: 0,
        hour: 0,
        approve_after: None,
        assign_after: Some(10),
        fulfil_after: None,
        asked_for: None,
    },
];

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(sam), Some(dana), Some(jordan), Some(robin)) = (
        find("service.levels@conform.demo"),
        find("service.owner@conform.demo"),
        find("resolver@conform.demo"),
        find("requester@conform.demo"),
    ) else {
        return Ok(0);
    };
    if !service_requests::catalogue(db.reader(), &sam)
        .await?
        .types
        .is_empty()
    {
        return Ok(0);
    }
    let services = catalogue::active_refs(db.reader()).await?;
    let service = |name: &str| services.iter().find(|s| s.name == name).map(|s| s.id);
    let (Some(mail), Some(portal)) = (service("E-mail and calendar"), service("Customer portal"))
    else {
        return Ok(0);
    };
    let start = Utc::now() - Duration::days(40);
    let mut type_ids = Vec::new();
    for form in types(mail, portal) {
        type_ids.push(service_requests::create_type(db, &sam, &actor(&sam), &form, start).await?);
    }
    let today = Utc::now()
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let mut created = type_ids.len();
    for case in &CASES {
        let raised = today - Duration::days(case.age_days) + Duration::hours(case.hour);
        if raised > Utc::now() {
            continue;
        }
        walk(
            db,
            case,
            type_ids[case.type_index],
            raised,
            [&robin, &dana, &jordan],
        )
        .await?;
        created += 1;
    }
    // The change manager's own request, so someone who sees only their own has one.
    if let Some(casey) = find("change.manager@conform.demo") {
        let form = RequestForm {
            type_id: type_ids[1].to_string(),
            summary: "List for the CAB members".into(),
            answers: vec![
                "cab@conform.demo".into(),
                "Kim Board\nDana Whitfield".into(),
            ],
            ..Default::default()
        };
        service_requests::raise(db, &casey, &actor(&casey), &form, today - Duration::days(2))
            .await?;
        created += 1;
    }
    Ok(created)
}

/// A demo answer, with `-14d` written out as the date 14 days ago.
fn answer(text: &str) -> String {
    match text
        .strip_prefix('-')
        .and_then(|t| t.strip_suffix('d'))
        .and_then(|days| days.parse::<i64>().ok())
    {
        Some(days) => (Utc::now().date_naive() - Duration::days(days))
            .format("%Y-%m-%d")
            .to_string(),
        None => text.to_string(),
    }
}

async fn walk(
    db: &Db,
    case: &Case,
    type_id: i64,
    raised: DateTime<Utc>,
    [robin, dana, jordan]: [&CurrentUser; 3],
) -> Result<(), AppError> {
    let form = RequestForm {
        type_id: type_id.to_string(),
        summary: case.summary.into(),
        answers: case.answers.iter().map(|a| answer(a)).collect(),
        ..Default::default()
    };
    let id = service_requests::raise(db, robin, &actor(robin), &form, raised).await?;
    let now = Utc::now();
    let step = |who: &'static str, action: &str, note: &str, after: i64| {
        let form = RequestStepForm {
            action: action.into(),
            assignee_id: if action == "take" {
                jordan.id.to_string()
            } else {
                String::new()
            },
            note: note.into(),
        };
        (who, form, raised + Duration::minutes(after))
    };
    let mut steps = Vec::new();
    if let Some(after) = case.approve_after {
        steps.push(step("dana", "approve", "", after));
    }
    if let Some(after) = case.assign_after {
        steps.push(step("jordan", "take", "", after));
    }
    if let (Some(asked), Some(assigned)) = (case.asked_for, case.assign_after) {
        steps.push(step(
            "jordan",
            "pend",
            "Which team's cost centre should this be booked to?",
            assigned + 15,
        ));
        if case.fulfil_after.is_some() {
            steps.push(step(
                "robin",
                "resume",
                "Cost centre 4100 (Sales).",
                assigned + 15 + asked,
            ));
        }
    }
    if let Some(after) = case.fulfil_after {
        steps.push(step(
            "jordan",
            "fulfil",
            "Done and checked with the requester.",
            after,
        ));
        if after < 3000 {
            steps.push(step("robin", "close", "", after + 60));
        }
    }
    // Each step is taken at the version the previous one left.
    for (version, (who, form, at)) in (1..).zip(steps) {
        if at > now {
            break;
        }
        let user = match who {
            "dana" => dana,
            "robin" => robin,
            _ => jordan,
        };
        service_requests::take_step(db, user, &actor(user), id, version, &form, at).await?;
    }
    Ok(())
}
