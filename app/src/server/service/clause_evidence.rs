//! Live evidence per clause: where Conform itself holds the records an auditor asks for,
//! each clause counts them and names the records that make its evidence thin.
//!
//! Each domain is read once, with only the columns the rules need (never plan content or
//! change plans' text), then judged by the pure rules in `model::evidence`. The overview reads
//! every domain once and hands the result to each clause that uses it.

use crate::error::AppError;
use crate::model::change::{ChangeState, ChangeType};
use crate::model::change_request::reference as change_reference;
use crate::model::clauses::CLAUSES;
use crate::model::evidence::{
    change_gaps, document_review_overdue, nc_gaps, objective_gap, plan_gaps, service_gaps,
    ChangeEvidenceFacts, ChangeGap, ClauseEvidence, EvidenceSource, NcGap, ObjectiveGap,
    PlanEvidenceFacts, PlanGap, RecordRef, ServiceGap, ThinEvidence, DOCUMENT_REVIEW_RULE,
    IMPROVEMENT_OVERDUE_RULE,
};
use crate::model::improvement::ImprovementState;
use crate::model::nonconformity::{nc_reference, NcState};
use crate::model::register::improvement_reference;
use crate::model::service_report::{percent, ReportMonth, ServiceMonth};
use crate::server::db::Db;
use crate::server::entity::{
    cab_meeting, change, continuity_exercise, continuity_plan, improvement, nonconformity,
    objective, objective_measurement, plan_version, service, service_bia, sms_document,
    sms_document_version,
};
use crate::server::service::{agreements, catalogue, service_reports};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where a clause's live records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Domain {
    Services,
    Changes,
    /// 8.5.2 and 8.5.3: the changes that reached implementation, counted only.
    ChangeDelivery,
    Continuity,
    Nonconformities,
    Improvements,
    Objectives,
    DocumentControl,
    /// Extension point: internal audits (9.2) are being built; the lead wires them here.
    InternalAudits,
    /// Extension point: management reviews (9.3) are being built; the lead wires them here.
    ManagementReviews,
    /// 8.6.1: incidents against their targets, major incidents and their reviews.
    Incidents,
    /// 8.6.2: service requests, their approval and fulfilment against target.
    Requests,
    /// 8.6.3: problems and the known errors they became.
    Problems,
    /// 8.3.3: agreements in force, the services they cover, and those they do not.
    ServiceLevels,
    /// 8.7.1: continuity's evidence, plus last month's availability against the agreements.
    Availability,
    /// 9.4: last month's service reports and the targets they show missed.
    Reporting,
    /// 6.1: the SMS risk register, its treatment and reviews.
    Risks,
    /// 8.7.3: the information security risks in the register.
    SecurityRisks,
    /// 8.3.4: the supplier register, its contracts and performance reviews.
    Suppliers,
    /// 7.2: the competences the SMS needs and the evidence people hold.
    Competence,
    /// 7.3: awareness campaigns and who acknowledged them.
    Awareness,
    /// 8.2.5, 8.2.6: the CMDB — configuration items, their owners and relationships.
    Configuration,
    /// 4.1–4.4, 5.1–5.3, 6.3: the approved SMS profile, judged clause by clause.
    Profile(&'static str),
}

fn domain_of(number: &str) -> Option<Domain> {
    if let Some(clause) = crate::model::sms_profile::CLAUSES_ANSWERED
        .into_iter()
        .find(|c| *c == number)
    {
        return Some(Domain::Profile(clause));
    }
    Some(match number {
        "6.1" => Domain::Risks,
        "6.2" => Domain::Objectives,
        "8.7.3" => Domain::SecurityRisks,
        "7.5" => Domain::DocumentControl,
        "8.2.4" => Domain::Services,
        "8.5.1" => Domain::Changes,
        "8.5.2" | "8.5.3" => Domain::ChangeDelivery,
        "8.6.1" => Domain::Incidents,
        "8.6.2" => Domain::Requests,
        "8.6.3" => Domain::Problems,
        "8.3.3" => Domain::ServiceLevels,
        "8.3.4" => Domain::Suppliers,
        "7.2" => Domain::Competence,
        "7.3" => Domain::Awareness,
        "8.2.5" | "8.2.6" => Domain::Configuration,
        "8.7.1" => Domain::Availability,
        "8.7.2" => Domain::Continuity,
        "9.4" => Domain::Reporting,
        "9.2" => Domain::InternalAudits,
        "9.3" => Domain::ManagementReviews,
        "10.1" => Domain::Nonconformities,
        "10.2" => Domain::Improvements,
        _ => return None,
    })
}

type Found = (Vec<EvidenceSource>, Vec<ThinEvidence>);

/// What several clauses read, read once however many ask for it: last month of every
/// service, and the SMS profile's facts.
struct SharedReads {
    month: ReportMonth,
    services: Option<Vec<ServiceMonth>>,
    profile: Option<crate::model::sms_profile::ProfileFacts>,
}

impl SharedReads {
    /// The last month complete on `today`.
    fn before(today: NaiveDate) -> Self {
        Self {
            month: ReportMonth::of(midnight(today)).previous(),
            services: None,
            profile: None,
        }
    }

    async fn services<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        today: NaiveDate,
    ) -> Result<&[ServiceMonth], AppError> {
        if self.services.is_none() {
            let read =
                service_reports::month_of_every_service(conn, self.month, midnight(today)).await?;
            self.services = Some(read);
        }
        Ok(self.services.as_deref().unwrap_or_default())
    }

    async fn profile<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<&crate::model::sms_profile::ProfileFacts, AppError> {
        if self.profile.is_none() {
            self.profile = Some(crate::server::service::sms_profile::facts(conn).await?);
        }
        Ok(self.profile.get_or_insert_with(Default::default))
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

async fn domain_evidence<C: ConnectionTrait>(
    conn: &C,
    domain: Domain,
    today: NaiveDate,
    shared: &mut SharedReads,
) -> Result<Found, AppError> {
    match domain {
        Domain::ServiceLevels => service_levels(conn, today, shared).await,
        Domain::Availability => availability(conn, today, shared).await,
        Domain::Reporting => reporting(conn, today, shared).await,
        Domain::Services => services(conn).await,
        Domain::Changes => changes(conn, today).await,
        Domain::ChangeDelivery => change_delivery(conn).await,
        Domain::Continuity => continuity(conn, today).await,
        Domain::Nonconformities => nonconformities(conn, today).await,
        Domain::Improvements => improvements(conn, today).await,
        Domain::Objectives => objectives(conn, today).await,
        Domain::DocumentControl => document_control(conn, today).await,
        Domain::InternalAudits => internal_audits(conn, today).await,
        Domain::ManagementReviews => management_reviews(conn, today).await,
        Domain::Incidents => incidents(conn, today).await,
        Domain::Requests => requests(conn, today).await,
        Domain::Problems => problems(conn).await,
        Domain::Risks => risks(conn, today, false).await,
        Domain::SecurityRisks => risks(conn, today, true).await,
        Domain::Suppliers => suppliers(conn, today).await,
        Domain::Competence => competence(conn, today).await,
        Domain::Awareness => awareness(conn, today).await,
        Domain::Configuration => configuration(conn).await,
        Domain::Profile(clause) => Ok(crate::model::sms_profile::evidence(
            clause,
            shared.profile(conn).await?,
            today,
        )),
    }
}

/// The evidence Conform holds for one sub-clause. Unknown numbers are not found.
pub async fn for_clause(
    db: &Db,
    number: &str,
    today: NaiveDate,
) -> Result<ClauseEvidence, AppError> {
    let number = number.trim();
    if !CLAUSES.iter().any(|(n, _)| *n == number) {
        return Err(AppError::NotFound(format!("Clause {number}")));
    }
    let conn = db.reader();
    let mut evidence = ClauseEvidence::empty(number);
    if let Some(domain) = domain_of(number) {
        let mut last_month = SharedReads::before(today);
        let (sources, thin) = domain_evidence(conn, domain, today, &mut last_month).await?;
        evidence.sources = sources;
        evidence.thin = thin;
    }
    evidence.documents = approved_documents(conn)
        .await?
        .remove(number)
        .unwrap_or_default();
    Ok(evidence)
}

/// Every sub-clause in library order, each domain read once.
pub async fn overview(db: &Db, today: NaiveDate) -> Result<Vec<ClauseEvidence>, AppError> {
    let conn = db.reader();
    let mut found: HashMap<Domain, Found> = HashMap::new();
    let mut documents = approved_documents(conn).await?;
    let mut last_month = SharedReads::before(today);
    let mut out = Vec::with_capacity(CLAUSES.len());
    for (number, _) in CLAUSES {
        let mut evidence = ClauseEvidence::empty(number);
        if let Some(domain) = domain_of(number) {
            if let std::collections::hash_map::Entry::Vacant(slot) = found.entry(domain) {
                slot.insert(domain_evidence(conn, domain, today, &mut last_month).await?);
            }
            if let Some((sources, thin)) = found.get(&domain) {
                evidence.sources = sources.clone();
                evidence.thin = thin.clone();
            }
        }
        evidence.documents = documents.remove(*number).unwrap_or_default();
        out.push(evidence);
    }
    Ok(out)
}

/// The clause numbers for which Conform holds at least one live record or approved document
/// (the gap assessment treats them as evidenced by Conform itself). Cheap: COUNT queries.
pub async fn clauses_with_live_records(db: &Db) -> Result<BTreeSet<String>, AppError> {
    let conn = db.reader();
    let mut out = BTreeSet::new();
    let services = service::Entity::find()
        .filter(service::Column::ArchivedAt.is_null())
        .count(conn)
        .await?;
    mark(&mut out, services > 0, &["8.2.4"]);
    let changes = change::Entity::find()
        .filter(change::Column::State.ne(ChangeState::Draft.as_str()))
        .count(conn)
        .await?;
    let minutes = cab_meeting::Entity::find()
        .filter(cab_meeting::Column::MinutesPublished.is_not_null())
        .count(conn)
        .await?;
    mark(&mut out, changes + minutes > 0, &["8.5.1"]);
    let delivered = change::Entity::find()
        .filter(change::Column::State.is_in(delivered_states()))
        .count(conn)
        .await?;
    mark(&mut out, delivered > 0, &["8.5.2", "8.5.3"]);
    let approved_plans = plan_version::Entity::find()
        .filter(plan_version::Column::State.eq("approved"))
        .count(conn)
        .await?;
    mark(&mut out, approved_plans > 0, &["8.7.1", "8.7.2"]);
    let ncs = nonconformity::Entity::find().count(conn).await?;
    mark(&mut out, ncs > 0, &["10.1"]);
    let improvements = improvement::Entity::find().count(conn).await?;
    mark(&mut out, improvements > 0, &["10.2"]);
    let objectives = objective::Entity::find()
        .filter(objective::Column::Retired.eq(false))
        .count(conn)
        .await?;
    mark(&mut out, objectives > 0, &["6.2"]);
    // Whether any exist: one row read, not a hundred thousand counted.
    let incidents: Option<i64> = crate::server::entity::incident::Entity::find()
        .select_only()
        .column(crate::server::entity::incident::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, incidents.is_some(), &["8.6.1"]);
    let problems: Option<i64> = crate::server::entity::problem::Entity::find()
        .select_only()
        .column(crate::server::entity::problem::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, problems.is_some(), &["8.6.3"]);
    use crate::server::entity::sms_risk::{Column as RiskColumn, Entity as Risks};
    let risk: Option<i64> = Risks::find()
        .select_only()
        .column(RiskColumn::Id)
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, risk.is_some(), &["6.1"]);
    let security_risk: Option<i64> = Risks::find()
        .select_only()
        .column(RiskColumn::Id)
        .filter(RiskColumn::InformationSecurity.eq(true))
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, security_risk.is_some(), &["8.7.3"]);
    let supplier: Option<i64> = crate::server::entity::supplier::Entity::find()
        .select_only()
        .column(crate::server::entity::supplier::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, supplier.is_some(), &["8.3.4"]);
    let competence: Option<i64> = crate::server::entity::competence::Entity::find()
        .select_only()
        .column(crate::server::entity::competence::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, competence.is_some(), &["7.2"]);
    let campaign: Option<i64> = crate::server::entity::awareness_campaign::Entity::find()
        .select_only()
        .column(crate::server::entity::awareness_campaign::Column::Id)
        .filter(crate::server::entity::awareness_campaign::Column::LaunchedAt.is_not_null())
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, campaign.is_some(), &["7.3"]);
    let requests: Option<i64> = crate::server::entity::service_request::Entity::find()
        .select_only()
        .column(crate::server::entity::service_request::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, requests.is_some(), &["8.6.2"]);
    let agreements: Option<i64> = crate::server::entity::service_agreement::Entity::find()
        .select_only()
        .column(crate::server::entity::service_agreement::Column::Id)
        .filter(
            crate::server::entity::service_agreement::Column::State
                .eq(crate::model::agreement::AgreementState::Approved.as_str()),
        )
        .into_tuple()
        .one(conn)
        .await?;
    mark(&mut out, agreements.is_some(), &["8.3.3", "8.7.1", "9.4"]);
    mark(
        &mut out,
        crate::server::service::sms_profile::is_approved(conn).await?,
        &crate::model::sms_profile::CLAUSES_ANSWERED,
    );
    let documents = approved_documents(conn).await?;
    mark(&mut out, !documents.is_empty(), &["7.5"]);
    out.extend(documents.into_keys());
    Ok(out)
}

fn mark(out: &mut BTreeSet<String>, present: bool, clauses: &[&str]) {
    if present {
        out.extend(clauses.iter().map(|c| c.to_string()));
    }
}

fn source(label: &str, count: usize, href: &str) -> EvidenceSource {
    EvidenceSource {
        label: label.to_string(),
        count: count as u64,
        href: href.to_string(),
    }
}

fn record(label: String, href: String) -> RecordRef {
    RecordRef { label, href }
}

/// Groups offenders by rule, in the rules' own order, dropping rules nobody breaks.
fn thin_by_rule<G: Ord + Copy>(
    all: &[G],
    rule: impl Fn(G) -> &'static str,
    offenders: Vec<(G, RecordRef)>,
) -> Vec<ThinEvidence> {
    let mut by: BTreeMap<G, Vec<RecordRef>> = BTreeMap::new();
    for (gap, r) in offenders {
        by.entry(gap).or_default().push(r);
    }
    all.iter()
        .filter_map(|gap| ThinEvidence::of(rule(*gap), by.remove(gap).unwrap_or_default()))
        .collect()
}

/// "NC-00003 Backups not tested", shortened for a list.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(79).collect::<String>())
    } else {
        line.to_string()
    }
}

// ---- approved SMS documents, by the clauses they answer -------------------------------------

/// The approved (in force) version of each document that is not retired.
async fn approved_versions<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(i64, String, String, Option<NaiveDate>)>, AppError> {
    let versions: Vec<(i64, Option<NaiveDate>)> = sms_document_version::Entity::find()
        .select_only()
        .column(sms_document_version::Column::DocumentId)
        .column(sms_document_version::Column::NextReviewOn)
        .filter(sms_document_version::Column::State.eq("approved"))
        .into_tuple()
        .all(conn)
        .await?;
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let next_review: HashMap<i64, Option<NaiveDate>> = versions.into_iter().collect();
    let documents: Vec<(i64, String, String)> = sms_document::Entity::find()
        .select_only()
        .column(sms_document::Column::Id)
        .column(sms_document::Column::Title)
        .column(sms_document::Column::Clauses)
        .filter(sms_document::Column::Retired.eq(false))
        .filter(sms_document::Column::Id.is_in(next_review.keys().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut out: Vec<_> = documents
        .into_iter()
        .map(|(id, title, clauses)| {
            let due = next_review.get(&id).copied().flatten();
            (id, title, clauses, due)
        })
        .collect();
    out.sort_by_cached_key(|row| row.1.to_lowercase());
    Ok(out)
}

fn document_href(id: i64) -> String {
    format!("/compliance/documents/{id}")
}

/// Clause number → approved documents that say they answer it.
async fn approved_documents<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<String, Vec<RecordRef>>, AppError> {
    let mut out: BTreeMap<String, Vec<RecordRef>> = BTreeMap::new();
    for (id, title, clauses, _) in approved_versions(conn).await? {
        let clauses: Vec<String> = serde_json::from_str(&clauses).unwrap_or_default();
        for clause in clauses {
            out.entry(clause.trim().to_string())
                .or_default()
                .push(record(title.clone(), document_href(id)));
        }
    }
    Ok(out)
}

async fn document_control<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Found, AppError> {
    let approved = approved_versions(conn).await?;
    let overdue: Vec<RecordRef> = approved
        .iter()
        .filter(|(_, _, _, due)| document_review_overdue(*due, today))
        .map(|(id, title, _, _)| record(title.clone(), document_href(*id)))
        .collect();
    let sources = vec![source(
        "Approved SMS documents",
        approved.len(),
        "/compliance/documents",
    )];
    Ok((
        sources,
        ThinEvidence::of(DOCUMENT_REVIEW_RULE, overdue)
            .into_iter()
            .collect(),
    ))
}

// ---- 8.2.4 service catalogue ------------------------------------------------------------------

async fn services<C: ConnectionTrait>(conn: &C) -> Result<Found, AppError> {
    let rows: Vec<(i64, String, String, i16, String)> = service::Entity::find()
        .select_only()
        .column(service::Column::Id)
        .column(service::Column::Name)
        .column(service::Column::Owner)
        .column(service::Column::Criticality)
        .column(service::Column::Status)
        .filter(service::Column::ArchivedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    let with_bia: BTreeSet<i64> = service_bia::Entity::find()
        .select_only()
        .column(service_bia::Column::ServiceId)
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut offenders = Vec::new();
    let mut live = 0;
    for (id, name, owner, criticality, status) in &rows {
        let is_live = status == "live";
        live += usize::from(is_live);
        for gap in service_gaps(owner, is_live, *criticality >= 4, with_bia.contains(id)) {
            offenders.push((gap, record(name.clone(), format!("/services/{id}"))));
        }
    }
    let bias = rows.iter().filter(|r| with_bia.contains(&r.0)).count();
    let sources = vec![
        source("Services in the catalogue", rows.len(), "/services"),
        source("Live services", live, "/services"),
        source("Business impact analyses", bias, "/services"),
    ];
    Ok((
        sources,
        thin_by_rule(&ServiceGap::ALL, ServiceGap::rule, offenders),
    ))
}

// ---- 8.5 changes --------------------------------------------------------------------------------

fn delivered_states() -> Vec<&'static str> {
    [
        ChangeState::Implemented,
        ChangeState::Failed,
        ChangeState::BackedOut,
        ChangeState::Reviewed,
        ChangeState::Closed,
    ]
    .map(ChangeState::as_str)
    .to_vec()
}

type ChangeRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<DateTime<Utc>>,
    i32,
    i32,
);

async fn changes<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    // Presence of the long texts is computed in the database so they are never loaded.
    let rows: Vec<ChangeRow> = change::Entity::find()
        .select_only()
        .column(change::Column::Id)
        .column(change::Column::Title)
        .column(change::Column::ChangeType)
        .column(change::Column::State)
        .column(change::Column::AuthorisedBy)
        .column(change::Column::RiskLevel)
        .column(change::Column::PlannedEnd)
        .column_as(
            Expr::cust("CASE WHEN TRIM(backout_plan) = '' THEN 0 ELSE 1 END"),
            "has_backout",
        )
        .column_as(
            Expr::cust(
                "CASE WHEN review_outcome IS NULL OR TRIM(review_outcome) = '' THEN 0 ELSE 1 END",
            ),
            "has_review",
        )
        .filter(change::Column::State.ne(ChangeState::Draft.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut offenders = Vec::new();
    let (mut authorised, mut assessed, mut backout, mut reviewed) = (0, 0, 0, 0);
    for (id, title, kind, state, authoriser, risk, planned_end, has_backout, has_review) in &rows {
        let (Some(change_type), Some(state)) = (ChangeType::parse(kind), ChangeState::parse(state))
        else {
            continue;
        };
        let facts = ChangeEvidenceFacts {
            change_type,
            state,
            authoriser_recorded: authoriser.is_some(),
            risk_assessed: risk.is_some(),
            backout_plan: *has_backout != 0,
            reviewed: *has_review != 0,
            planned_end: planned_end.map(|at| at.date_naive()),
        };
        authorised += usize::from(facts.authoriser_recorded);
        assessed += usize::from(facts.risk_assessed);
        backout += usize::from(facts.backout_plan);
        reviewed += usize::from(facts.reviewed);
        for gap in change_gaps(&facts, today) {
            let label = format!("{} {}", change_reference(*id), short(title));
            offenders.push((gap, record(label, format!("/changes/{id}"))));
        }
    }
    let minutes = cab_meeting::Entity::find()
        .filter(cab_meeting::Column::MinutesPublished.is_not_null())
        .count(conn)
        .await?;
    let sources = vec![
        source("Changes submitted", rows.len(), "/changes"),
        source("Changes with a recorded authoriser", authorised, "/changes"),
        source("Changes with a risk assessment", assessed, "/changes"),
        source("Changes with a back-out plan", backout, "/changes"),
        source("Post-implementation reviews", reviewed, "/changes"),
        source("Published CAB minutes", minutes as usize, "/cab"),
    ];
    Ok((
        sources,
        thin_by_rule(&ChangeGap::ALL, ChangeGap::rule, offenders),
    ))
}

async fn change_delivery<C: ConnectionTrait>(conn: &C) -> Result<Found, AppError> {
    let delivered = change::Entity::find()
        .filter(change::Column::State.is_in(delivered_states()))
        .count(conn)
        .await?;
    Ok((
        vec![source(
            "Changes implemented",
            delivered as usize,
            "/changes",
        )],
        Vec::new(),
    ))
}

// ---- 8.7 continuity -------------------------------------------------------------------------

async fn continuity<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    let plans: Vec<(i64, String, i32, bool)> = continuity_plan::Entity::find()
        .select_only()
        .column(continuity_plan::Column::Id)
        .column(continuity_plan::Column::Title)
        .column(continuity_plan::Column::ReviewMonths)
        .column(continuity_plan::Column::Retired)
        .into_tuple()
        .all(conn)
        .await?;
    let approvals: Vec<(i64, Option<DateTime<Utc>>)> = plan_version::Entity::find()
        .select_only()
        .column(plan_version::Column::PlanId)
        .column(plan_version::Column::ApprovedAt)
        .filter(plan_version::Column::State.eq("approved"))
        .into_tuple()
        .all(conn)
        .await?;
    let mut approved_on: HashMap<i64, NaiveDate> = HashMap::new();
    for (plan, at) in approvals {
        if let Some(on) = at.map(|at| at.date_naive()) {
            let entry = approved_on.entry(plan).or_insert(on);
            *entry = Ord::max(*entry, on);
        }
    }
    // Only exercises that took place and have a result count as exercised.
    let exercises: Vec<(i64, NaiveDate)> = continuity_exercise::Entity::find()
        .select_only()
        .column(continuity_exercise::Column::PlanId)
        .column(continuity_exercise::Column::PlannedOn)
        .filter(continuity_exercise::Column::Result.is_not_null())
        .filter(continuity_exercise::Column::PlannedOn.lte(today))
        .into_tuple()
        .all(conn)
        .await?;
    let mut last_exercised: HashMap<i64, NaiveDate> = HashMap::new();
    for (plan, on) in &exercises {
        let entry = last_exercised.entry(*plan).or_insert(*on);
        *entry = Ord::max(*entry, *on);
    }
    let mut offenders = Vec::new();
    let mut in_force = 0;
    let mut sorted = plans;
    sorted.sort_by_cached_key(|row| row.1.to_lowercase());
    for (id, title, review_months, retired) in &sorted {
        let facts = PlanEvidenceFacts {
            approved_on: approved_on.get(id).copied(),
            review_months: *review_months,
            retired: *retired,
            last_exercised: last_exercised.get(id).copied(),
        };
        in_force += usize::from(!retired && facts.approved_on.is_some());
        for gap in plan_gaps(&facts, today) {
            offenders.push((
                gap,
                record(title.clone(), format!("/continuity/plans/{id}")),
            ));
        }
    }
    let sources = vec![
        source("Approved continuity plans", in_force, "/continuity"),
        source(
            "Exercises with a recorded result",
            exercises.len(),
            "/continuity",
        ),
    ];
    Ok((
        sources,
        thin_by_rule(&PlanGap::ALL, PlanGap::rule, offenders),
    ))
}

// ---- 10.1 nonconformities -------------------------------------------------------------------
/// A nonconformity as the evidence reads it: id, description, state, verifier, step due.
type NcRow = (i64, String, String, Option<i64>, Option<NaiveDate>);

async fn nonconformities<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Found, AppError> {
    let rows: Vec<NcRow> = nonconformity::Entity::find()
        .select_only()
        .column(nonconformity::Column::Id)
        .column(nonconformity::Column::Description)
        .column(nonconformity::Column::State)
        .column(nonconformity::Column::VerifiedBy)
        .column(nonconformity::Column::StepDue)
        .into_tuple()
        .all(conn)
        .await?;
    let mut offenders = Vec::new();
    let mut verified_closed = 0;
    for (id, description, state, verified_by, step_due) in &rows {
        let Some(state) = NcState::parse(state) else {
            continue;
        };
        verified_closed += usize::from(state == NcState::Closed && verified_by.is_some());
        for gap in nc_gaps(state, verified_by.is_some(), *step_due, today) {
            let label = format!("{} {}", nc_reference(*id), short(description));
            offenders.push((gap, record(label, format!("/nonconformities/{id}"))));
        }
    }
    let sources = vec![
        source("Nonconformities raised", rows.len(), "/nonconformities"),
        source(
            "Closed after a verified effectiveness check",
            verified_closed,
            "/nonconformities",
        ),
    ];
    Ok((sources, thin_by_rule(&NcGap::ALL, NcGap::rule, offenders)))
}

// ---- 10.2 improvements ------------------------------------------------------------------------

async fn improvements<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    let rows: Vec<(i64, String, String, Option<NaiveDate>)> = improvement::Entity::find()
        .select_only()
        .column(improvement::Column::Id)
        .column(improvement::Column::Title)
        .column(improvement::Column::State)
        .column(improvement::Column::TargetDate)
        .into_tuple()
        .all(conn)
        .await?;
    let mut overdue = Vec::new();
    let mut closed = 0;
    for (id, title, state, target) in &rows {
        let Some(state) = ImprovementState::parse_loose(state) else {
            continue;
        };
        closed += usize::from(state == ImprovementState::Closed);
        if state.is_open() && target.is_some_and(|due| due < today) {
            let label = format!("{} {}", improvement_reference(*id), short(title));
            overdue.push(record(label, format!("/improvements/{id}")));
        }
    }
    let sources = vec![
        source("Improvements in the register", rows.len(), "/improvements"),
        source("Closed with a verified outcome", closed, "/improvements"),
    ];
    Ok((
        sources,
        ThinEvidence::of(IMPROVEMENT_OVERDUE_RULE, overdue)
            .into_iter()
            .collect(),
    ))
}

// ---- 6.2 objectives ---------------------------------------------------------------------------

async fn objectives<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    let mut rows: Vec<(i64, String, String)> = objective::Entity::find()
        .select_only()
        .column(objective::Column::Id)
        .column(objective::Column::Title)
        .column(objective::Column::Frequency)
        .filter(objective::Column::Retired.eq(false))
        .into_tuple()
        .all(conn)
        .await?;
    rows.sort_by_cached_key(|row| row.1.to_lowercase());
    let measurements: Vec<(i64, NaiveDate)> = objective_measurement::Entity::find()
        .select_only()
        .column(objective_measurement::Column::ObjectiveId)
        .column(objective_measurement::Column::MeasuredOn)
        .into_tuple()
        .all(conn)
        .await?;
    let mut last: HashMap<i64, NaiveDate> = HashMap::new();
    for (objective, on) in &measurements {
        let entry = last.entry(*objective).or_insert(*on);
        *entry = Ord::max(*entry, *on);
    }
    let mut offenders = Vec::new();
    for (id, title, frequency) in &rows {
        if let Some(gap) = objective_gap(frequency, last.get(id).copied(), today) {
            offenders.push((
                gap,
                record(title.clone(), format!("/compliance/objectives/{id}")),
            ));
        }
    }
    let active: BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
    let measured = measurements
        .iter()
        .filter(|(objective, _)| active.contains(objective))
        .count();
    let sources = vec![
        source("Active objectives", rows.len(), "/compliance/objectives"),
        source("Measurements recorded", measured, "/compliance/objectives"),
    ];
    Ok((
        sources,
        thin_by_rule(&ObjectiveGap::ALL, ObjectiveGap::rule, offenders),
    ))
}

/// 9.2: audits completed in the last 12 months; thin when the current programme leaves
/// clauses uncovered (or there is no programme at all).
async fn internal_audits<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Found, AppError> {
    use crate::server::entity::internal_audit;
    use crate::server::service::internal_audits as audits;
    let since = today - chrono::Duration::days(365);
    let completed = internal_audit::Entity::find()
        .filter(internal_audit::Column::State.eq("completed"))
        .filter(internal_audit::Column::CompletedOn.gte(since))
        .filter(internal_audit::Column::CompletedOn.lte(today))
        .count(conn)
        .await? as usize;
    let (programme_source, uncovered) = match audits::current_programme(conn, today).await? {
        Some(programme) => (
            source("Audit programmes", 1, "/compliance/audits"),
            audits::programme(conn, programme.id).await?.gaps,
        ),
        None => (
            source("Audit programmes", 0, "/compliance/audits"),
            crate::model::internal_audit::TOP_CLAUSES
                .iter()
                .map(|c| c.to_string())
                .collect(),
        ),
    };
    let offenders = uncovered
        .into_iter()
        .map(|clause| {
            let href = if CLAUSES.iter().any(|(n, _)| *n == clause) {
                format!("/compliance/clauses/{clause}")
            } else {
                "/compliance/audits".to_string()
            };
            record(format!("Clause {clause}"), href)
        })
        .collect();
    Ok((
        vec![
            programme_source,
            source(
                "Audits completed in the last 12 months",
                completed,
                "/compliance/audits",
            ),
        ],
        ThinEvidence::of(
            "Clauses the current audit programme does not cover",
            offenders,
        )
        .into_iter()
        .collect(),
    ))
}

/// 9.3: reviews published in the last 12 months; thin when review actions are overdue.
async fn management_reviews<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Found, AppError> {
    use crate::server::entity::{management_review, review_action};
    use sea_orm::QueryOrder;
    let since = (today - chrono::Duration::days(365))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let published = management_review::Entity::find()
        .filter(management_review::Column::State.eq("published"))
        .filter(management_review::Column::PublishedAt.gte(since))
        .count(conn)
        .await? as usize;
    let overdue: Vec<RecordRef> = review_action::Entity::find()
        .filter(review_action::Column::DoneAt.is_null())
        .filter(review_action::Column::DueOn.lt(today))
        .order_by_asc(review_action::Column::DueOn)
        .order_by_asc(review_action::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|action| {
            record(
                format!("{} (due {})", action.text, action.due_on),
                format!("/compliance/reviews/{}", action.review_id),
            )
        })
        .collect();
    Ok((
        vec![source(
            "Management reviews published in the last 12 months",
            published,
            "/compliance/reviews",
        )],
        ThinEvidence::of("Management review actions overdue", overdue)
            .into_iter()
            .collect(),
    ))
}

// ---- 8.6.1 incidents and 8.6.3 problems ----------------------------------------------------------
// Counted in SQL and listed a page at a time: an organisation holds a hundred thousand incidents.

/// A rule's offenders: the first `LISTED` as records, and how many there are in all.
async fn offenders<E, C, F>(
    conn: &C,
    rule: &str,
    select: sea_orm::Select<E>,
    describe: F,
) -> Result<Option<ThinEvidence>, AppError>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
    F: Fn(E::Model) -> RecordRef,
{
    let total = select.clone().count(conn).await?;
    if total == 0 {
        return Ok(None);
    }
    let records = select
        .limit(crate::model::evidence::LISTED as u64)
        .all(conn)
        .await?
        .into_iter()
        .map(describe)
        .collect();
    Ok(Some(ThinEvidence {
        rule: rule.to_string(),
        records,
        total,
    }))
}

async fn incidents<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    use crate::model::incident::{reference, IncidentState};
    use crate::server::entity::incident::{Column, Entity as Incidents, Model};
    use sea_orm::QueryOrder;
    let finished = [
        IncidentState::Resolved.as_str(),
        IncidentState::Closed.as_str(),
    ];
    let recorded = Incidents::find().count(conn).await? as usize;
    let measured = Incidents::find()
        .filter(Column::State.is_in(finished))
        .filter(Column::ResolutionTargetMinutes.is_not_null());
    let in_time = measured
        .clone()
        .filter(
            Expr::col(Column::ResolutionUsedSeconds)
                .lte(Expr::col(Column::ResolutionTargetMinutes).mul(60)),
        )
        .count(conn)
        .await? as usize;
    let majors = Incidents::find()
        .filter(Column::Major.eq(true))
        .filter(Column::ReviewCompletedAt.is_not_null())
        .count(conn)
        .await? as usize;
    let label = |row: &Model| format!("{} {}", reference(row.id), short(&row.title));
    let now = today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let open: Vec<&str> = IncidentState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(IncidentState::as_str)
        .collect();
    let late = Incidents::find()
        .filter(Column::State.is_in(open))
        .filter(Column::ResolutionStoppedAt.is_null())
        .filter(Column::ResolutionDueAt.lt(now))
        .order_by_asc(Column::ResolutionDueAt)
        .order_by_asc(Column::Id);
    let unreviewed = Incidents::find()
        .filter(Column::Major.eq(true))
        .filter(Column::State.eq(IncidentState::Resolved.as_str()))
        .filter(Column::ReviewCompletedAt.is_null())
        .order_by_asc(Column::Id);
    let mut thin = Vec::new();
    thin.extend(
        offenders(
            conn,
            "Open incidents past their resolution target",
            late,
            |row| record(label(&row), format!("/incidents/{}", row.id)),
        )
        .await?,
    );
    thin.extend(
        offenders(
            conn,
            "Resolved major incidents awaiting their post-incident review",
            unreviewed,
            |row| record(label(&row), format!("/incidents/{}", row.id)),
        )
        .await?,
    );
    Ok((
        vec![
            source("Incidents recorded", recorded, "/incidents?state=all"),
            source(
                "Resolved within their resolution target",
                in_time,
                "/incidents?state=all",
            ),
            source(
                "Major incidents with a completed post-incident review",
                majors,
                "/incidents?state=all",
            ),
        ],
        thin,
    ))
}

async fn requests<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    use crate::model::service_request::{reference, RequestState};
    use crate::server::entity::service_request::{Column, Entity as Requests, Model};
    use sea_orm::QueryOrder;
    let recorded = Requests::find().count(conn).await? as usize;
    let measured = Requests::find()
        .filter(Column::FulfilledAt.is_not_null())
        .filter(Column::TargetMinutes.is_not_null());
    let in_time = measured
        .filter(Expr::col(Column::UsedSeconds).lte(Expr::col(Column::TargetMinutes).mul(60)))
        .count(conn)
        .await? as usize;
    let approved = Requests::find()
        .filter(Column::ApprovalRequired.eq(true))
        .filter(Column::ApproverId.is_not_null())
        .count(conn)
        .await? as usize;
    let label = |row: &Model| format!("{} {}", reference(row.id), short(&row.summary));
    let now = today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let open: Vec<&str> = RequestState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(RequestState::as_str)
        .collect();
    let late = Requests::find()
        .filter(Column::State.is_in(open))
        .filter(Column::StoppedAt.is_null())
        .filter(Column::DueAt.lt(now))
        .order_by_asc(Column::DueAt)
        .order_by_asc(Column::Id);
    // Waiting more than a week for an approver: the request is stuck, not being worked.
    let stuck = Requests::find()
        .filter(Column::State.eq(RequestState::AwaitingApproval.as_str()))
        .filter(Column::CreatedAt.lt(now - chrono::Duration::days(7)))
        .order_by_asc(Column::Id);
    let mut thin = Vec::new();
    thin.extend(
        offenders(
            conn,
            "Open requests past their fulfilment target",
            late,
            |row| record(label(&row), format!("/requests/{}", row.id)),
        )
        .await?,
    );
    thin.extend(
        offenders(
            conn,
            "Requests waiting more than a week for approval",
            stuck,
            |row| record(label(&row), format!("/requests/{}", row.id)),
        )
        .await?,
    );
    Ok((
        vec![
            source("Service requests recorded", recorded, "/requests?state=all"),
            source(
                "Fulfilled within their fulfilment target",
                in_time,
                "/requests?state=all",
            ),
            source(
                "Approved by someone other than the requester",
                approved,
                "/requests?state=all",
            ),
            source(
                "Request types in the catalogue",
                types_offered(conn).await?,
                "/requests/catalogue",
            ),
        ],
        thin,
    ))
}

async fn types_offered<C: ConnectionTrait>(conn: &C) -> Result<usize, AppError> {
    use crate::server::entity::request_type::{Column, Entity as RequestTypes};
    Ok(RequestTypes::find()
        .filter(Column::Active.eq(true))
        .count(conn)
        .await? as usize)
}

async fn problems<C: ConnectionTrait>(conn: &C) -> Result<Found, AppError> {
    use crate::model::problem::{reference, ProblemState};
    use crate::server::entity::problem::{Column, Entity as Problems, Model};
    use sea_orm::QueryOrder;
    let recorded = Problems::find().count(conn).await? as usize;
    let known = Problems::find()
        .filter(Column::State.eq(ProblemState::KnownError.as_str()))
        .count(conn)
        .await? as usize;
    let resolved = Problems::find()
        .filter(Column::ResolvedAt.is_not_null())
        .count(conn)
        .await? as usize;
    let label = |row: &Model| format!("{} {}", reference(row.id), short(&row.title));
    let unowned = Problems::find()
        .filter(Column::State.eq(ProblemState::New.as_str()))
        .order_by_asc(Column::Id);
    let no_change = Problems::find()
        .filter(Column::State.eq(ProblemState::KnownError.as_str()))
        .filter(Column::ChangeId.is_null())
        .order_by_asc(Column::Id);
    let mut thin = Vec::new();
    thin.extend(
        offenders(conn, "Problems nobody is analysing yet", unowned, |row| {
            record(label(&row), format!("/problems/{}", row.id))
        })
        .await?,
    );
    thin.extend(
        offenders(
            conn,
            "Known errors without a change raised to remove the cause",
            no_change,
            |row| record(label(&row), format!("/problems/{}", row.id)),
        )
        .await?,
    );
    Ok((
        vec![
            source("Problems recorded", recorded, "/problems?state=all"),
            source(
                "Known errors offered to incidents",
                known,
                "/problems?state=known_error",
            ),
            source("Problems resolved", resolved, "/problems?state=all"),
        ],
        thin,
    ))
}

// ---- 6.1, 8.7.3: the SMS risk register ------------------------------------------------

/// The live register (open and accepted; `security`: information security risks only):
/// how many, how many treated and accepted; thin where a review is overdue or a risk above
/// the appetite is still open.
async fn risks<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
    security: bool,
) -> Result<Found, AppError> {
    use crate::model::sms_risk::{reference, Rating, RiskState};
    use crate::server::entity::sms_risk::{Column, Entity as Risks, Model};
    use sea_orm::QueryOrder;
    let (matrix, _) = crate::server::service::sms_risks::matrix(conn).await?;
    let live = || {
        let query = Risks::find()
            .filter(Column::State.is_in([RiskState::Open.as_str(), RiskState::Accepted.as_str()]));
        if security {
            query.filter(Column::InformationSecurity.eq(true))
        } else {
            query
        }
    };
    let recorded = live().count(conn).await? as usize;
    let accepted = live()
        .filter(Column::State.eq(RiskState::Accepted.as_str()))
        .count(conn)
        .await? as usize;
    // Live risks with at least one recorded review, counted in the database.
    let reviewed = {
        use crate::server::entity::sms_risk_review::{Column as ReviewColumn, Entity as Reviews};
        let with_review = Reviews::find()
            .select_only()
            .column(ReviewColumn::RiskId)
            .distinct();
        live()
            .filter(Column::Id.in_subquery(sea_orm::QueryTrait::into_query(with_review)))
            .count(conn)
            .await? as usize
    };
    let label = |row: &Model| format!("{} {}", reference(row.id), short(&row.title));
    let overdue = live()
        .filter(Column::ReviewOn.lt(today))
        .order_by_asc(Column::ReviewOn);
    // Open above the appetite: cells the matrix rates above it, as one condition.
    let mut above = sea_orm::Condition::any().add(Expr::val(1).eq(0));
    for l in 1..=5u8 {
        for i in 1..=5u8 {
            if matrix.above_appetite(Rating {
                likelihood: l,
                impact: i,
            }) {
                above = above.add(
                    sea_orm::Condition::all()
                        .add(Column::ResidualLikelihood.eq(i16::from(l)))
                        .add(Column::ResidualImpact.eq(i16::from(i))),
                );
            }
        }
    }
    // Opportunities are not held to the appetite.
    let untreated = live()
        .filter(Column::Kind.eq(crate::model::sms_risk::RiskKind::Risk.as_str()))
        .filter(Column::State.eq(RiskState::Open.as_str()))
        .filter(above)
        .order_by_desc(Column::ResidualScore);
    let mut thin = Vec::new();
    thin.extend(
        offenders(conn, "Risks past their review date", overdue, |row| {
            record(label(&row), format!("/risks/{}", row.id))
        })
        .await?,
    );
    thin.extend(
        offenders(
            conn,
            "Risks above the appetite, neither reduced within it nor accepted",
            untreated,
            |row| record(label(&row), format!("/risks/{}", row.id)),
        )
        .await?,
    );
    let (what, href) = if security {
        (
            "Information security risks in the register",
            "/risks?security=yes",
        )
    } else {
        ("Risks and opportunities in the register", "/risks")
    };
    Ok((
        vec![
            source(what, recorded, href),
            source("Reviewed at least once", reviewed, href),
            source("Residual risk accepted", accepted, "/risks?state=accepted"),
        ],
        thin,
    ))
}

// ---- 8.3.4: the supplier register ---------------------------------------------------------

/// The active register: how many suppliers and how many were ever reviewed; thin where a
/// supplier was never reviewed, a review is overdue, a renewal decision is due, or an external
/// supplier has no contract in force.
async fn suppliers<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    use crate::server::service::suppliers as register;
    let (active, reviewed) = register::counts(conn).await?;
    let describe = |row: crate::server::entity::supplier::Model| {
        record(register::label(&row), format!("/suppliers/{}", row.id))
    };
    let mut thin = Vec::new();
    for (rule, select) in [
        ("Suppliers never reviewed", register::never_reviewed()),
        (
            "Supplier reviews past their date",
            register::reviews_overdue(today),
        ),
        (
            "External suppliers without a contract in force",
            register::external_without_contract(today),
        ),
        (
            "Contracts whose renewal decision is due",
            register::renewal_due(today),
        ),
    ] {
        thin.extend(offenders(conn, rule, select, describe).await?);
    }
    Ok((
        vec![
            source(
                "Active suppliers in the register",
                active as usize,
                "/suppliers",
            ),
            source("Reviewed at least once", reviewed as usize, "/suppliers"),
        ],
        thin,
    ))
}

// ---- 8.2.5, 8.2.6: the CMDB --------------------------------------------------------------

/// The items in use, how many have an owner, and the relationships recorded; thin where an
/// item in use has nobody answering for it.
async fn configuration<C: ConnectionTrait>(conn: &C) -> Result<Found, AppError> {
    use crate::server::service::cmdb;
    let (in_use, owned) = cmdb::counts(conn).await?;
    let relationships = cmdb::relationship_count(conn).await?;
    let thin = offenders(
        conn,
        "Configuration items in use without an owner",
        cmdb::unowned(),
        |row| {
            record(
                format!("{} {}", crate::model::cmdb::reference(row.id), row.name),
                format!("/cmdb/{}", row.id),
            )
        },
    )
    .await?;
    Ok((
        vec![
            source("Configuration items in use", in_use as usize, "/cmdb"),
            source("With an owner", owned as usize, "/cmdb"),
            source(
                "Relationships between them",
                relationships as usize,
                "/cmdb",
            ),
        ],
        thin.into_iter().collect(),
    ))
}

// ---- 7.2: competence ------------------------------------------------------------------------

/// The competences defined and the evidence held; thin where someone lacks a competence they
/// need (never held, expired or withdrawn) or a competence is held by nobody.
async fn competence<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    use crate::server::service::competences;
    let figures = competences::figures(conn, today).await?;
    let mut thin = Vec::new();
    thin.extend(
        offenders(
            conn,
            "People without a competence their role needs (never held, expired or withdrawn)",
            competences::people_with_gaps(today),
            |user| record(user.name, format!("/competences/people/{}", user.id)),
        )
        .await?,
    );
    thin.extend(
        offenders(
            conn,
            "Competences nobody holds",
            competences::unheld(today),
            |c| record(c.name, format!("/competences/{}", c.id)),
        )
        .await?,
    );
    Ok((
        vec![
            source(
                "Competences the SMS needs",
                figures.active as usize,
                "/competences",
            ),
            source(
                "Current evidence of competence",
                figures.evidence_current as usize,
                "/competences",
            ),
        ],
        thin,
    ))
}

// ---- 7.3: awareness ---------------------------------------------------------------------------

/// The campaigns launched and the acknowledgements they gathered; thin where a campaign
/// ended its due date below target, or a year went by without one (once there ever was one:
/// before that, the clause has no evidence at all, which says it louder).
async fn awareness<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<Found, AppError> {
    use crate::server::service::awareness;
    let figures = awareness::figures(conn, today).await?;
    let mut thin = Vec::new();
    thin.extend(
        offenders(
            conn,
            "Campaigns past their due date below their target completion",
            awareness::behind(today),
            |c| record(c.title, format!("/awareness/{}", c.id)),
        )
        .await?,
    );
    if figures.launched_ever > 0 && figures.launched_last_year == 0 {
        thin.push(ThinEvidence {
            rule: "No awareness campaign launched in the last twelve months".into(),
            records: vec![record("Awareness campaigns".into(), "/awareness".into())],
            total: 1,
        });
    }
    Ok((
        vec![
            source(
                "Campaigns launched in the last twelve months",
                figures.launched_last_year as usize,
                "/awareness",
            ),
            source(
                "Campaigns running now",
                figures.running as usize,
                "/awareness?status=running",
            ),
            source(
                "Acknowledgements in the last twelve months",
                figures.acknowledgements_last_year as usize,
                "/awareness",
            ),
        ],
        thin,
    ))
}

// ---- 8.3.3, 8.7.1, 9.4: agreements, availability and the monthly reports ----------------

async fn service_levels<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
    last_month: &mut SharedReads,
) -> Result<Found, AppError> {
    let in_force = agreements::in_force_by_service(conn, today).await?;
    let services = catalogue::active_refs(conn).await?;
    let mut agreements_in_force: BTreeMap<i64, &crate::model::agreement::AgreementTerms> =
        BTreeMap::new();
    for (id, terms) in in_force.values() {
        agreements_in_force.insert(*id, terms);
    }
    let uncovered: Vec<RecordRef> = services
        .iter()
        .filter(|s| !in_force.contains_key(&s.id))
        .map(|s| record(s.name.clone(), format!("/services/{}", s.id)))
        .collect();
    let review_due: Vec<RecordRef> = agreements_in_force
        .iter()
        .filter(|(_, terms)| terms.review_on < today)
        .map(|(id, terms)| {
            record(
                format!(
                    "{} {} (review was due {})",
                    agreements::reference(*id),
                    short(&terms.title),
                    terms.review_on
                ),
                format!("/service-levels/agreements/{id}"),
            )
        })
        .collect();
    let month = last_month.month;
    let reported = last_month
        .services(conn, today)
        .await?
        .iter()
        .filter(|s| s.agreement.is_some())
        .count();
    let covered = services.len() - uncovered.len();
    let mut thin = Vec::new();
    thin.extend(ThinEvidence::of(
        "Active services no agreement in force covers",
        uncovered,
    ));
    thin.extend(ThinEvidence::of(
        "Agreements in force past their review date",
        review_due,
    ));
    Ok((
        vec![
            source(
                "Agreements in force",
                agreements_in_force.len(),
                "/service-levels",
            ),
            source(
                "Services covered by an agreement in force",
                covered,
                "/service-levels",
            ),
            source(
                &format!(
                    "Services reported against their agreement for {}",
                    month.label()
                ),
                reported,
                "/service-levels/report",
            ),
        ],
        thin,
    ))
}

async fn availability<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
    last_month: &mut SharedReads,
) -> Result<Found, AppError> {
    let (mut sources, mut thin) = continuity(conn, today).await?;
    let month = last_month.month;
    let services = last_month.services(conn, today).await?;
    let measured = services
        .iter()
        .filter(|s| s.figures.availability_target.is_some())
        .count();
    let below: Vec<RecordRef> = services
        .iter()
        .filter(|s| s.figures.availability_met() == Some(false))
        .map(|s| {
            record(
                format!(
                    "{}: {} against {}",
                    s.service.name,
                    percent(s.figures.availability),
                    percent(s.figures.availability_target.unwrap_or_default())
                ),
                s.report_href(),
            )
        })
        .collect();
    sources.push(source(
        &format!(
            "Services measured against an availability target for {}",
            month.label()
        ),
        measured,
        "/service-levels/report",
    ));
    thin.extend(ThinEvidence::of(
        &format!("Availability below the agreed target in {}", month.label()),
        below,
    ));
    Ok((sources, thin))
}

async fn reporting<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
    last_month: &mut SharedReads,
) -> Result<Found, AppError> {
    let month = last_month.month;
    let services = last_month.services(conn, today).await?;
    let with_records = services
        .iter()
        .filter(|s| {
            let f = &s.figures;
            s.agreement.is_some() || f.incidents() + f.requests + f.changes > 0
        })
        .count();
    let in_time: u32 = services.iter().map(|s| s.figures.resolved_in_time).sum();
    let requests_in_time: u32 = services.iter().map(|s| s.figures.requests_in_time).sum();
    let late: Vec<RecordRef> = services
        .iter()
        .filter(|s| s.figures.resolved_late > 0)
        .map(|s| {
            let f = &s.figures;
            record(
                format!(
                    "{}: {} of {} incidents resolved late",
                    s.service.name,
                    f.resolved_late,
                    f.resolved_late + f.resolved_in_time
                ),
                s.report_href(),
            )
        })
        .collect();
    let failed: Vec<RecordRef> = services
        .iter()
        .filter(|s| s.figures.changes_failed > 0)
        .map(|s| {
            record(
                format!(
                    "{}: {} of {} changes failed or caused incidents",
                    s.service.name, s.figures.changes_failed, s.figures.changes
                ),
                s.report_href(),
            )
        })
        .collect();
    let mut thin = Vec::new();
    thin.extend(ThinEvidence::of(
        &format!("Resolution targets missed in {}", month.label()),
        late,
    ));
    thin.extend(ThinEvidence::of(
        &format!("Changes that failed in {}", month.label()),
        failed,
    ));
    Ok((
        vec![
            source(
                &format!("Services with a monthly report for {}", month.label()),
                with_records,
                "/service-levels/report",
            ),
            source(
                &format!("Incidents resolved within target in {}", month.label()),
                in_time as usize,
                "/incidents?state=all",
            ),
            source(
                &format!("Requests fulfilled within target in {}", month.label()),
                requests_in_time as usize,
                "/requests?state=all",
            ),
        ],
        thin,
    ))
}
