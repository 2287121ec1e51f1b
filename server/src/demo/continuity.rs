//! Demo service continuity, written by the demo people through the real services (so every
//! record is valid and its history genuine):
//! - impact analyses for eight services, with dependencies between them and on suppliers; the
//!   customer portal needs ERP finance, which recovers later than the portal must (flagged),
//!   and the data warehouse's analysis raises its catalogue criticality from Medium to High;
//! - three plans: payroll (approved twice: version 2 supersedes version 1), customer portal
//!   (in review, with two reviewers' comments) and ERP finance (approved 14 months ago, so
//!   overdue for review, and its recovery takes longer than ERP's RTO);
//! - two exercises: a payroll tabletop that met the RTO and an ERP simulation that partly
//!   passed, one of whose findings is in the improvement register.

use super::actor;
use app::error::AppError;
use app::model::access::Role;
use app::model::bia::BiaForm;
use app::model::continuity_plan::{
    check_outcome, Communication, Contact, ExerciseKind, PlanAction, PlanContent, PlanVersion,
    Scenario, Section,
};
use app::model::recovery::RecoveryStep;
use app::model::user::{CurrentUser, NewUser};
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::entity::continuity_plan::Entity as Plans;
use app::server::entity::plan_version::{Column as VersionColumn, Entity as Versions};
use app::server::service::continuity_exercises::{self, PlannedExercise};
use app::server::service::continuity_plans::{self, NewPlan};
use app::server::service::{bia, catalogue, users};
use chrono::{Duration, Months, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashMap;

/// A second continuity manager: a plan version is approved by someone who did not write it,
/// and Rowan writes versions too. Not in `demo::DEMO_USERS`, which holds one user per role.
pub const DEPUTY_EMAIL: &str = "continuity.deputy@conform.demo";
const DEPUTY_NAME: &str = "Sam Standby";

/// One service's impact analysis: the grid row by row (financial, customer, regulatory,
/// reputational, safety; at 1 h, 4 h, 1 d, 3 d, 1 w), the objectives as typed, the services
/// it needs and its suppliers ("Name; recovery time", one per line).
struct DemoBia {
    service: &'static str,
    impacts: [[u8; 5]; 5],
    mtpd: &'static str,
    rto: &'static str,
    rpo: &'static str,
    depends_on: &'static [&'static str],
    suppliers: &'static str,
}

const BIAS: [DemoBia; 8] = [
    DemoBia {
        service: "Identity and access",
        impacts: [
            [1, 3, 4, 4, 4],
            [2, 4, 4, 4, 4],
            [0, 1, 2, 3, 3],
            [1, 2, 3, 4, 4],
            [0, 0, 1, 1, 1],
        ],
        mtpd: "4 h",
        rto: "1 h",
        rpo: "15 min",
        depends_on: &["Network and Wi-Fi"],
        suppliers: "Cloud identity provider; 1 h",
    },
    DemoBia {
        service: "Network and Wi-Fi",
        impacts: [
            [1, 2, 4, 4, 4],
            [1, 3, 4, 4, 4],
            [0, 0, 1, 2, 2],
            [0, 1, 2, 3, 3],
            [0, 1, 1, 2, 2],
        ],
        mtpd: "1 d",
        rto: "2 h",
        rpo: "0",
        depends_on: &[],
        suppliers: "Metro fibre carrier; 2 h",
    },
    DemoBia {
        service: "Customer portal",
        impacts: [
            [2, 4, 4, 4, 4],
            [3, 4, 4, 4, 4],
            [0, 1, 1, 2, 3],
            [1, 3, 4, 4, 4],
            [0, 0, 0, 0, 0],
        ],
        mtpd: "4 h",
        rto: "2 h",
        rpo: "15 min",
        // Orders go to ERP, which is back only after 8 hours: the analysis flags it.
        depends_on: &["Identity and access", "Network and Wi-Fi", "ERP finance"],
        suppliers: "Northwind Hosting; 2 h\nPayFast payment gateway; 1 h",
    },
    DemoBia {
        service: "Payroll",
        impacts: [
            [0, 1, 2, 3, 4],
            [0, 1, 4, 4, 4],
            [0, 1, 3, 4, 4],
            [0, 1, 2, 3, 4],
            [0, 0, 0, 0, 0],
        ],
        // Implies High; the catalogue's Critical stays (a BIA never lowers it).
        mtpd: "1 d",
        rto: "8 h",
        rpo: "1 h",
        depends_on: &["Identity and access", "ERP finance"],
        suppliers: "Paysphere payroll bureau; 4 h",
    },
    DemoBia {
        service: "ERP finance",
        impacts: [
            [1, 2, 4, 4, 4],
            [0, 1, 2, 3, 4],
            [0, 1, 2, 4, 4],
            [0, 0, 1, 2, 3],
            [0, 0, 0, 0, 0],
        ],
        mtpd: "1 d",
        rto: "8 h",
        rpo: "1 h",
        depends_on: &["Identity and access", "Network and Wi-Fi"],
        suppliers: "ERP vendor support; 4 h",
    },
    DemoBia {
        service: "E-mail and calendar",
        impacts: [
            [0, 1, 2, 3, 3],
            [1, 3, 4, 4, 4],
            [0, 0, 1, 2, 2],
            [1, 2, 3, 3, 4],
            [0, 0, 0, 0, 0],
        ],
        mtpd: "1 d",
        rto: "4 h",
        rpo: "1 h",
        depends_on: &["Identity and access", "Network and Wi-Fi"],
        // The filtering service promises a day: later than mail must be back (flagged).
        suppliers: "Cloud mail provider; 2 h\nMail filtering service; 1 d",
    },
    DemoBia {
        service: "Service desk",
        impacts: [
            [0, 1, 2, 3, 3],
            [1, 2, 4, 4, 4],
            [0, 0, 0, 1, 1],
            [1, 2, 3, 3, 4],
            [0, 1, 1, 2, 2],
        ],
        mtpd: "1 d",
        rto: "4 h",
        rpo: "1 h",
        depends_on: &["Identity and access", "E-mail and calendar"],
        suppliers: "Telephony provider; 4 h",
    },
    DemoBia {
        service: "Data warehouse",
        impacts: [
            [0, 0, 1, 2, 3],
            [0, 0, 0, 1, 1],
            [0, 1, 4, 4, 4],
            [0, 0, 1, 1, 2],
            [0, 0, 0, 0, 0],
        ],
        // Month-end regulatory reports are due within a day: more than the catalogue's
        // Medium, so saving this raises the service to High.
        mtpd: "1 d",
        rto: "1 d",
        rpo: "1 d",
        depends_on: &["ERP finance"],
        suppliers: "",
    },
];

/// The demo people the continuity data is written by.
struct Cast {
    rowan: CurrentUser,
    sam: CurrentUser,
    dana: CurrentUser,
    chris: CurrentUser,
    kim: CurrentUser,
    quinn: CurrentUser,
}

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if Plans::find().count(db.reader()).await? > 0 {
        return Ok(0);
    }
    let mut created = ensure_deputy(db).await?;
    let Some(cast) = cast(db).await? else {
        return Ok(created);
    };
    let services: HashMap<String, i64> = catalogue::names(db.reader())
        .await?
        .into_iter()
        .map(|(id, name)| (name, id))
        .collect();
    let id = |name: &str| services.get(name).copied();
    let (Some(payroll), Some(portal), Some(erp)) =
        (id("Payroll"), id("Customer portal"), id("ERP finance"))
    else {
        return Ok(created);
    };
    created += seed_bias(db, &cast.dana, &services).await?;
    let payroll_plan = seed_payroll_plan(db, &cast, payroll).await?;
    seed_portal_plan(db, &cast, portal).await?;
    let erp_plan = seed_erp_plan(db, &cast, erp).await?;
    seed_exercises(db, &cast, payroll_plan, erp_plan).await?;
    // Three plans, two review comments, two exercises and one register entry.
    Ok(created + 3 + 2 + 2 + 1)
}

/// Creates the second continuity manager unless an earlier seed did.
async fn ensure_deputy(db: &Db) -> Result<usize, AppError> {
    if users::find_by_email(db, DEPUTY_EMAIL).await?.is_some() {
        return Ok(0);
    }
    let deputy = NewUser {
        email: DEPUTY_EMAIL.into(),
        name: DEPUTY_NAME.into(),
        roles: vec![Role::ContinuityManager],
        password: super::people::DEMO_PASSWORD.into(),
    };
    users::create(db, &Actor::system("demo-seed"), deputy).await?;
    Ok(1)
}

async fn cast(db: &Db) -> Result<Option<Cast>, AppError> {
    let people = super::people::people(db).await?;
    let find = |email: &str| people.iter().find(|p| p.email == email).cloned();
    let (Some(rowan), Some(sam), Some(dana), Some(chris), Some(kim), Some(quinn)) = (
        find("continuity@conform.demo"),
        find(DEPUTY_EMAIL),
        find("service.owner@conform.demo"),
        find("change.manager@conform.demo"),
        find("cab.member@conform.demo"),
        find("quality@conform.demo"),
    ) else {
        return Ok(None);
    };
    Ok(Some(Cast {
        rowan,
        sam,
        dana,
        chris,
        kim,
        quinn,
    }))
}

/// The service owner saves each analysis that is not there yet.
async fn seed_bias(
    db: &Db,
    owner: &CurrentUser,
    services: &HashMap<String, i64>,
) -> Result<usize, AppError> {
    let mut created = 0;
    for demo in &BIAS {
        let Some(&service_id) = services.get(demo.service) else {
            continue;
        };
        if bia::get(db.reader(), service_id).await?.version > 0 {
            continue;
        }
        let form = BiaForm {
            impacts: demo
                .impacts
                .iter()
                .flatten()
                .map(|level| level.to_string())
                .collect(),
            mtpd: demo.mtpd.into(),
            rto: demo.rto.into(),
            rpo: demo.rpo.into(),
            depends_on: demo
                .depends_on
                .iter()
                .filter_map(|name| services.get(*name))
                .map(|id| id.to_string())
                .collect(),
            suppliers: demo.suppliers.into(),
        };
        bia::save(db, &actor(owner), owner.id, service_id, 0, form.validate()?).await?;
        created += 1;
    }
    Ok(created)
}

fn step(
    key: u32,
    title: &str,
    owner: &CurrentUser,
    minutes: u32,
    waits_for: &[u32],
) -> RecoveryStep {
    RecoveryStep {
        key,
        title: title.into(),
        owner_id: Some(owner.id),
        duration_minutes: minutes,
        waits_for: waits_for.to_vec(),
        depth: 0,
    }
}

/// A step shown indented under the one before it (the schedule ignores the indent).
fn sub_step(step: RecoveryStep) -> RecoveryStep {
    RecoveryStep { depth: 1, ..step }
}

fn contact(role: &str, person: &str, deputy: &str, phone: &str) -> Contact {
    Contact {
        role: role.into(),
        person: person.into(),
        deputy: deputy.into(),
        phone: phone.into(),
    }
}

fn scenario(name: &str, strategy: &str) -> Scenario {
    Scenario {
        name: name.into(),
        strategy: strategy.into(),
    }
}

fn message(audience: &str, message: &str, when: &str) -> Communication {
    Communication {
        audience: audience.into(),
        message: message.into(),
        when: when.into(),
    }
}

/// Starts a plan as `author`, fills its first draft and sends it to review.
async fn draft_for_review(
    db: &Db,
    author: &CurrentUser,
    plan: NewPlan,
    content: PlanContent,
) -> Result<(i64, PlanVersion), AppError> {
    let (plan_id, draft) = continuity_plans::create(db, author, &actor(author), plan).await?;
    let review = send_to_review(db, author, draft, content).await?;
    Ok((plan_id, review))
}

async fn send_to_review(
    db: &Db,
    author: &CurrentUser,
    draft: PlanVersion,
    content: PlanContent,
) -> Result<PlanVersion, AppError> {
    let saved =
        continuity_plans::save_draft(db, author, &actor(author), draft.id, draft.version, content)
            .await?;
    continuity_plans::transition_version(
        db,
        author,
        &actor(author),
        saved.id,
        saved.version,
        PlanAction::SendToReview,
    )
    .await
}

async fn approve(
    db: &Db,
    manager: &CurrentUser,
    version: PlanVersion,
) -> Result<PlanVersion, AppError> {
    continuity_plans::transition_version(
        db,
        manager,
        &actor(manager),
        version.id,
        version.version,
        PlanAction::Approve,
    )
    .await
}

fn payroll_content(cast: &Cast) -> PlanContent {
    let Cast {
        rowan,
        dana,
        kim,
        sam,
        ..
    } = cast;
    PlanContent {
        scope:
            "The monthly payroll run, payslips and the statutory submissions, when the payroll \
                application, its database or the head office is unavailable.\n\
                Out of scope: HR records (HR plan) and pensions administration (run by the bureau)."
                .into(),
        activation: "Invoke when payroll is unavailable for more than 1 hour within five working \
                     days of a pay date, for more than 4 hours at any other time, or when payroll \
                     data may be corrupted or exposed.\n\
                     Who may invoke: the continuity manager, the payroll service owner or, out of \
                     hours, the IT duty manager."
            .into(),
        call_tree: vec![
            contact(
                "Incident lead",
                "Rowan Resilience",
                "Sam Standby",
                "+44 20 7946 0101",
            ),
            contact(
                "Payroll service owner",
                "Ingrid Solberg",
                "Dana Whitfield",
                "+44 20 7946 0102",
            ),
            contact(
                "Database administrator",
                "Kim Board",
                "Chris Change",
                "+44 20 7946 0103",
            ),
            contact(
                "Payroll bureau account manager",
                "Lena Fischer (Paysphere)",
                "Paysphere duty desk",
                "+44 20 7946 0104",
            ),
        ],
        scenarios: vec![
            scenario(
                "Payroll database lost or corrupted",
                "Restore the last good backup on the standby server and replay the transaction \
                 logs (RPO 1 hour).",
            ),
            scenario(
                "Head office unavailable",
                "The payroll team works from the Leeds office; the application is hosted in the \
                 data centre and reached over the VPN.",
            ),
            scenario(
                "Payroll application down close to a pay date",
                "The bureau runs the payroll from last month's file plus the change report \
                 (manual fallback).",
            ),
        ],
        steps: vec![
            step(
                1,
                "Declare the incident and open the bridge",
                rowan,
                15,
                &[],
            ),
            step(
                2,
                "Assess the damage and choose the scenario",
                rowan,
                30,
                &[1],
            ),
            step(
                3,
                "Restore the payroll database on the standby server",
                kim,
                120,
                &[2],
            ),
            sub_step(step(
                4,
                "Point the payroll application at the standby database",
                kim,
                30,
                &[3],
            )),
            step(
                5,
                "Tell the bureau and agree the fallback cut-off",
                dana,
                20,
                &[2],
            ),
            step(6, "Brief staff and the service desk", sam, 15, &[2]),
            step(
                7,
                "Reconcile the last run against the bank file",
                dana,
                90,
                &[4],
            ),
            step(
                8,
                "Confirm payroll is back and stand down",
                rowan,
                15,
                &[5, 7],
            ),
        ],
        communications: vec![
            message(
                "All staff",
                "Payroll is delayed; when pay will arrive; no action needed.",
                "Within 2 hours of invoking",
            ),
            message(
                "HR and Finance",
                "Status, expected recovery, decisions needed.",
                "Every 2 hours",
            ),
            message(
                "Bank (payments bureau)",
                "Revised submission time.",
                "Before the payment cut-off",
            ),
        ],
        return_to_normal:
            "Run the next payroll on the primary server after a successful test run; \
                           switch back in a maintenance window through a normal change.\n\
                           Reconcile both systems, then hold a lessons-learned review within ten \
                           working days and put its findings in the improvement register."
                .into(),
        related_plans: "ERP finance continuity plan (general ledger postings)\n\
                        Identity and access recovery runbook\n\
                        Head office site plan"
            .into(),
    }
}

/// Payroll: version 1 by Dana, approved by Rowan; version 2 by Rowan (new bureau contact, a
/// test payslip batch before standing down), approved by Sam; version 1 is then superseded.
async fn seed_payroll_plan(db: &Db, cast: &Cast, payroll: i64) -> Result<i64, AppError> {
    let first = payroll_content(cast);
    let (plan_id, review) = draft_for_review(
        db,
        &cast.dana,
        NewPlan {
            title: "Payroll continuity plan".into(),
            owner_id: cast.dana.id,
            service_ids: vec![payroll],
            site: String::new(),
            review_months: 12,
        },
        first.clone(),
    )
    .await?;
    approve(db, &cast.rowan, review).await?;

    let mut second = first;
    second.call_tree[3] = contact(
        "Payroll bureau account manager",
        "Omar Haddad (Paysphere)",
        "Paysphere duty desk",
        "+44 20 7946 0114",
    );
    second.steps.insert(
        7,
        step(
            9,
            "Run a test payslip batch and check the totals",
            &cast.dana,
            45,
            &[4],
        ),
    );
    second.steps[8].waits_for = vec![5, 7, 9];
    let draft = continuity_plans::new_draft(db, &cast.rowan, &actor(&cast.rowan), plan_id).await?;
    let review = send_to_review(db, &cast.rowan, draft, second).await?;
    approve(db, &cast.sam, review).await?;
    Ok(plan_id)
}

/// Customer portal: written by Dana, in review with comments from Chris and Quinn.
async fn seed_portal_plan(db: &Db, cast: &Cast, portal: i64) -> Result<(), AppError> {
    let Cast {
        rowan,
        dana,
        kim,
        sam,
        chris,
        quinn,
    } = cast;
    let content = PlanContent {
        scope: "Customer ordering and order tracking on the customer portal, including sign-in \
                and card payments, when the primary data centre or the portal platform fails."
            .into(),
        activation: "Invoke when customers cannot sign in or place orders for more than 30 \
                     minutes, or when monitoring shows the primary data centre is lost.\n\
                     Who may invoke: the continuity manager or the platform engineer on call \
                     (who informs the continuity manager at once)."
            .into(),
        call_tree: vec![
            contact(
                "Incident lead",
                "Rowan Resilience",
                "Sam Standby",
                "+44 20 7946 0201",
            ),
            contact(
                "Portal service owner",
                "Marcus Oyelaran",
                "Dana Whitfield",
                "+44 20 7946 0202",
            ),
            contact(
                "Platform engineer on call",
                "Kim Board",
                "Chris Change",
                "+44 20 7946 0203",
            ),
            contact(
                "Hosting provider",
                "Northwind Hosting duty manager",
                "Northwind account manager",
                "+44 20 7946 0204",
            ),
            contact(
                "Payment gateway",
                "PayFast merchant support",
                "PayFast escalation desk",
                "+44 20 7946 0205",
            ),
        ],
        scenarios: vec![
            scenario(
                "Primary data centre lost",
                "Fail over to the second data centre: promote the standby database, start the \
                 application servers there and switch DNS and the load balancer.",
            ),
            scenario(
                "ERP finance unavailable",
                "Keep taking orders and queue them for ERP (store and forward); tell customers \
                 that confirmations are delayed.",
            ),
            scenario(
                "Payment gateway down",
                "Switch card payments off and offer pay-by-invoice to known customers.",
            ),
        ],
        steps: vec![
            step(
                1,
                "Declare the incident and open the bridge",
                rowan,
                10,
                &[],
            ),
            step(2, "Set the status page to “degraded”", sam, 5, &[1]),
            step(
                3,
                "Promote the standby database in the second data centre",
                kim,
                30,
                &[1],
            ),
            step(
                4,
                "Start the portal application servers in the second data centre",
                kim,
                20,
                &[1],
            ),
            step(
                5,
                "Switch DNS and the load balancer to the second data centre",
                chris,
                15,
                &[3, 4],
            ),
            step(
                6,
                "Smoke-test sign-in, ordering and payment",
                dana,
                20,
                &[5],
            ),
            step(7, "Queue orders for ERP until it is back", kim, 15, &[5]),
            step(
                8,
                "Announce recovery and close the bridge",
                rowan,
                10,
                &[6, 7],
            ),
        ],
        communications: vec![
            message(
                "Customers",
                "Status page: ordering is affected, what still works, next update time.",
                "Within 15 minutes, then every 30 minutes",
            ),
            message(
                "Sales and customer success",
                "What to tell customers who call; expected recovery.",
                "Within 30 minutes",
            ),
        ],
        return_to_normal: "Fail back to the primary data centre in the next maintenance window \
                           through a normal change, after the database has resynchronised.\n\
                           Release the queued orders to ERP and check every one arrived."
            .into(),
        related_plans: "ERP finance continuity plan\nIdentity and access recovery runbook".into(),
    };
    let (_, review) = draft_for_review(
        db,
        dana,
        NewPlan {
            title: "Customer portal continuity plan".into(),
            owner_id: dana.id,
            service_ids: vec![portal],
            site: String::new(),
            review_months: 12,
        },
        content,
    )
    .await?;
    continuity_plans::comment(
        db,
        chris,
        &actor(chris),
        review.id,
        Section::Steps,
        "Step 5 switches DNS as soon as the database is promoted; add a check that \
         replication had caught up, or we fail over to stale orders.",
    )
    .await?;
    continuity_plans::comment(
        db,
        quinn,
        &actor(quinn),
        review.id,
        Section::Communications,
        "Wholesale partners order through the API, not the portal pages: they need a direct \
         message, not only the status page.",
    )
    .await?;
    Ok(())
}

/// ERP finance: written by Rowan, approved by Sam 14 months ago (so its yearly review is
/// overdue); restoring the database takes so long that the recovery misses ERP's 8 h RTO.
async fn seed_erp_plan(db: &Db, cast: &Cast, erp: i64) -> Result<i64, AppError> {
    let Cast {
        rowan,
        dana,
        kim,
        chris,
        ..
    } = cast;
    let content = PlanContent {
        scope: "General ledger, accounts payable and receivable and the interfaces to the bank, \
                payroll and the data warehouse."
            .into(),
        activation: "Invoke when ERP is unavailable for more than 2 hours during a working day \
                     or at any time in the last three working days of a month.\n\
                     Who may invoke: the continuity manager or the finance director."
            .into(),
        call_tree: vec![
            contact(
                "Incident lead",
                "Rowan Resilience",
                "Sam Standby",
                "+44 20 7946 0301",
            ),
            contact(
                "ERP service owner",
                "Tomás Herrera",
                "Dana Whitfield",
                "+44 20 7946 0302",
            ),
            contact(
                "Infrastructure engineer",
                "Kim Board",
                "Chris Change",
                "+44 20 7946 0303",
            ),
            contact(
                "ERP vendor support",
                "Vendor priority-one line",
                "Vendor account manager",
                "+44 20 7946 0304",
            ),
        ],
        scenarios: vec![
            scenario(
                "ERP database corrupted",
                "Restore the nightly backup and apply the archived transaction logs up to the \
                 last good point.",
            ),
            scenario(
                "Application server lost",
                "Rebuild it from the gold image while the database is restored.",
            ),
        ],
        steps: vec![
            step(
                1,
                "Declare the incident and open the bridge",
                rowan,
                15,
                &[],
            ),
            step(2, "Engage ERP vendor support", dana, 60, &[1]),
            step(
                3,
                "Rebuild the application server from the gold image",
                kim,
                180,
                &[1],
            ),
            step(
                4,
                "Restore the ERP database from the nightly backup",
                kim,
                240,
                &[1],
            ),
            sub_step(step(
                5,
                "Apply the archived transaction logs",
                kim,
                120,
                &[4],
            )),
            step(
                6,
                "Reconnect the bank, payroll and data warehouse interfaces",
                chris,
                90,
                &[3, 5],
            ),
            step(7, "Finance key users test the ledger", dana, 120, &[6]),
            step(
                8,
                "Post the manual journals kept during the outage",
                dana,
                60,
                &[7],
            ),
            step(9, "Confirm ERP is back and stand down", rowan, 15, &[8]),
        ],
        communications: vec![
            message(
                "Finance and procurement",
                "ERP is down; keep manual journals on the outage form; next update time.",
                "Within 1 hour, then every 2 hours",
            ),
            message(
                "Suppliers awaiting payment",
                "Payment run delayed; new payment date.",
                "If the payment run is missed",
            ),
        ],
        return_to_normal: "Close the outage period in the ledger once the manual journals are \
                           posted; the finance controller signs off the reconciliation."
            .into(),
        related_plans: "Payroll continuity plan\nData warehouse reload procedure".into(),
    };
    let (plan_id, review) = draft_for_review(
        db,
        rowan,
        NewPlan {
            title: "ERP finance continuity plan".into(),
            owner_id: rowan.id,
            service_ids: vec![erp],
            site: String::new(),
            review_months: 12,
        },
        content,
    )
    .await?;
    let approved = approve(db, &cast.sam, review).await?;
    // The service stamps an approval with the current time, and a plan approved today is
    // not due for review for a year; the demo needs one whose yearly review has lapsed, so
    // this one approval is backdated. Approved versions are never edited otherwise.
    let long_ago = Utc::now()
        .checked_sub_months(Months::new(14))
        .unwrap_or_else(Utc::now);
    Versions::update_many()
        .col_expr(VersionColumn::ApprovedAt, Expr::value(long_ago))
        .filter(VersionColumn::Id.eq(approved.id))
        .exec(db.writer())
        .await?;
    Ok(plan_id)
}

/// A payroll tabletop that met the RTO and an ERP simulation that partly passed; Quinn puts
/// the simulation's first finding in the improvement register.
async fn seed_exercises(
    db: &Db,
    cast: &Cast,
    payroll_plan: i64,
    erp_plan: i64,
) -> Result<(), AppError> {
    let rowan = &cast.rowan;
    let today = Utc::now().date_naive();
    let tabletop = continuity_exercises::plan(
        db,
        rowan,
        &actor(rowan),
        payroll_plan,
        PlannedExercise {
            kind: ExerciseKind::Tabletop,
            planned_on: today - Duration::days(40),
            participants: "Payroll team, Paysphere account manager, database administrator, \
                           service desk lead"
                .into(),
            objectives: "Walk through the database-loss scenario two days before a pay date \
                         and check the bureau fallback cut-off."
                .into(),
        },
    )
    .await?;
    continuity_exercises::record_outcome(
        db,
        rowan,
        &actor(rowan),
        tabletop.id,
        tabletop.version,
        check_outcome("passed", "5 h 30 min", "")?,
    )
    .await?;

    let simulation = continuity_exercises::plan(
        db,
        rowan,
        &actor(rowan),
        erp_plan,
        PlannedExercise {
            kind: ExerciseKind::Simulation,
            planned_on: today - Duration::days(95),
            participants: "Infrastructure team, finance key users, ERP vendor support".into(),
            objectives: "Restore ERP from last night's backup in the test environment and \
                         time every step against the 8-hour RTO."
                .into(),
        },
    )
    .await?;
    let recorded = continuity_exercises::record_outcome(
        db,
        rowan,
        &actor(rowan),
        simulation.id,
        simulation.version,
        check_outcome(
            "partly",
            "10 h",
            "Restoring the nightly backup took 4 hours, not the 2 the plan assumed\n\
             The bank interface certificate was not in the recovery vault",
        )?,
    )
    .await?;
    let quinn = &cast.quinn;
    continuity_exercises::finding_to_register(
        db,
        quinn,
        &actor(quinn),
        recorded.id,
        recorded.version,
        0,
    )
    .await?;
    Ok(())
}
