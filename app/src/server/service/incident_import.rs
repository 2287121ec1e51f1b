//! Importing incidents from another tool (`model::incident_import`): every row is read and
//! checked against the catalogue, the people in Conform and the incidents imported before;
//! the import then creates every new incident in one transaction, or none when any row has an
//! error. Each incident is measured against the agreement that was in force when it was
//! opened, so imported history counts in the service reports as it happened.

use crate::error::AppError;
use crate::model::access::RecordType;
use crate::model::agreement::{AgreementTerms, PriorityTarget};
use crate::model::csv_import::{ImportColumn as _, ImportPreview, PreviewRow, RowFate};
use crate::model::incident::{reference, IncidentState, TimelineKind};
use crate::model::incident_import::{ImportRow, ImportedIncident, IncidentColumn as Column};
use crate::model::priority_matrix::ServiceLevelSettings;
use crate::model::service_hours::ServiceHours;
use crate::model::target_clock::TargetClock;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::incident::{self as row_entity, Entity as Incidents};
use crate::server::service::csv_import::{CsvFile, CsvRow, Directory};
use crate::server::service::incidents::{add_event, clock_values, new_row, Clocks, Opening};
use crate::server::service::{agreements, schedule, service_levels};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use std::collections::HashMap;

/// The columns the preview shows for each row.
const SHOWN: [Column; 5] = [
    Column::Reference,
    Column::Title,
    Column::Service,
    Column::State,
    Column::Opened,
];

/// The preview, and the incidents the rows to create become.
pub struct Plan {
    pub preview: ImportPreview,
    incidents: Vec<ImportedIncident>,
}

/// Reads the file and decides every row's fate; writes nothing. Times without an offset are
/// read in `user`'s time zone.
pub async fn plan<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Plan, AppError> {
    let mut preview = ImportPreview {
        shown: SHOWN.map(|c| c.header().to_string()).to_vec(),
        ..Default::default()
    };
    let mut incidents = Vec::new();
    let Some(file) = CsvFile::<Column>::read(text, &mut preview) else {
        return Ok(Plan { preview, incidents });
    };
    let directory = Directory::load(conn).await?;
    let imported_before = imported_before(conn, &file.column(Column::Reference)).await?;
    let to_utc = |local| schedule::local_to_utc(local, &user.time_zone);
    // Where each reference first appears in the file, to catch a row given twice.
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for row in file.rows() {
        let fate = match row.unreadable() {
            Some(problem) => RowFate::Invalid(vec![problem]),
            None => {
                let external = row.cell(Column::Reference);
                let key = external.to_lowercase();
                if let Some(id) = imported_before.get(&external) {
                    RowFate::Present(reference(*id))
                } else if let Some(line) = first_line.get(&key).filter(|_| !key.is_empty()) {
                    RowFate::Invalid(vec![format!(
                        "Reference: {external} is on line {line} already."
                    )])
                } else {
                    first_line.insert(key, row.line);
                    match checked(&directory, &row, &to_utc, now) {
                        Ok(incident) => {
                            incidents.push(incident);
                            RowFate::Create
                        }
                        Err(problems) => RowFate::Invalid(problems),
                    }
                }
            }
        };
        preview.rows.push(PreviewRow {
            line: row.line,
            cells: SHOWN.map(|c| row.cell(c)).to_vec(),
            fate,
        });
    }
    Ok(Plan { preview, incidents })
}

/// The row's people and service looked up, then the model's rules.
fn checked(
    directory: &Directory,
    row: &CsvRow<'_, Column>,
    to_utc: &dyn Fn(chrono::NaiveDateTime) -> Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<ImportedIncident, Vec<String>> {
    let mut problems = Vec::new();
    let mut look_up = |column: Column, found: &dyn Fn(&str, &str) -> Result<i64, String>| {
        let value = row.cell(column);
        if value.is_empty() {
            if column.required() {
                problems.push(format!("{}: required.", column.header()));
            }
            return None;
        }
        found(column.header(), &value)
            .map_err(|problem| problems.push(problem))
            .ok()
    };
    let service_id = look_up(Column::Service, &|c, v| directory.service(c, v));
    let reporter_id = look_up(Column::Reporter, &|c, v| directory.person(c, v));
    let assignee_id = look_up(Column::Assignee, &|c, v| directory.person(c, v));
    let cells = ImportRow {
        reference: row.cell(Column::Reference),
        title: row.cell(Column::Title),
        description: row.cell(Column::Description),
        service_id,
        impact: row.cell(Column::Impact),
        urgency: row.cell(Column::Urgency),
        category: row.cell(Column::Category),
        affected: row.cell(Column::Affected),
        reporter_id,
        assignee_id,
        state: row.cell(Column::State),
        opened: row.cell(Column::Opened),
        responded: row.cell(Column::Responded),
        resolved: row.cell(Column::Resolved),
        resolution_code: row.cell(Column::ResolutionCode),
        resolution: row.cell(Column::Resolution),
        service_affecting: row.cell(Column::ServiceAffecting),
    };
    match cells.validate(to_utc, now) {
        Ok(incident) if problems.is_empty() => Ok(incident),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            Err(problems)
        }
    }
}

/// Incidents imported before under the file's references, with their ids.
async fn imported_before<C: ConnectionTrait>(
    conn: &C,
    references: &[String],
) -> Result<HashMap<String, i64>, AppError> {
    let wanted: Vec<String> = references
        .iter()
        .filter(|r| !r.is_empty())
        .cloned()
        .collect();
    let mut found = HashMap::new();
    for chunk in wanted.chunks(500) {
        let rows: Vec<(i64, Option<String>)> = Incidents::find()
            .select_only()
            .columns([row_entity::Column::Id, row_entity::Column::ImportedRef])
            .filter(row_entity::Column::ImportedRef.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(
            rows.into_iter()
                .filter_map(|(id, external)| Some((external?, id))),
        );
    }
    Ok(found)
}

/// Checks the file again inside one transaction and creates every new incident, or none.
/// Returns the ids created, in the file's order.
pub async fn import(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let txn = db.begin_write().await?;
    let Plan { preview, incidents } = plan(&txn, user, text, now).await?;
    if !preview.can_import() {
        return Err(AppError::BadRequest(format!(
            "Nothing was imported. {}",
            preview.summary()
        )));
    }
    let settings = service_levels::settings(&txn).await?;
    let mut agreements = AgreementsInForce::default();
    let mut created = Vec::with_capacity(incidents.len());
    for incident in &incidents {
        created.push(insert(&txn, user, actor, &settings, &mut agreements, incident, now).await?);
    }
    txn.commit().await?;
    Ok(created)
}

/// An agreement in force: its id, its terms and the service hours its clocks run on.
type InForce = (i64, AgreementTerms, ServiceHours);

/// The agreement in force per service and day, read once however many rows share them.
#[derive(Default)]
struct AgreementsInForce(HashMap<(i64, NaiveDate), Option<InForce>>);

impl AgreementsInForce {
    async fn on<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        service_id: i64,
        day: NaiveDate,
    ) -> Result<Option<InForce>, AppError> {
        if let Some(known) = self.0.get(&(service_id, day)) {
            return Ok(known.clone());
        }
        let found = agreements::in_force(conn, service_id, day).await?;
        self.0.insert((service_id, day), found.clone());
        Ok(found)
    }
}

/// Writes one imported incident: the row in its state, both clocks measured from the file's
/// times, the timeline (raised, and resolved when it was) and the audit entry.
async fn insert<C: ConnectionTrait>(
    txn: &C,
    user: &CurrentUser,
    actor: &Actor,
    settings: &ServiceLevelSettings,
    agreements_in_force: &mut AgreementsInForce,
    incident: &ImportedIncident,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let priority = settings.matrix.priority(incident.impact, incident.urgency);
    let rule = settings.matrix.rule(incident.impact, incident.urgency);
    let in_force = agreements_in_force
        .on(txn, incident.service_id, incident.opened_at.date_naive())
        .await?;
    let (agreement_id, calendar_id, target) = match &in_force {
        Some((id, terms, _)) => (Some(*id), Some(terms.calendar_id), terms.target(priority)),
        None => (None, None, None),
    };
    let hours = in_force.as_ref().map_or_else(
        || ServiceHours::always("UTC"),
        |(_, _, hours)| hours.clone(),
    );
    let clocks = measured(incident, target, &hours, now);
    let opening = Opening {
        title: incident.title.clone(),
        description: incident.description.clone(),
        service_id: incident.service_id,
        impact: incident.impact,
        urgency: incident.urgency,
        category: incident.category.clone(),
        affected: incident.affected.clone(),
        reporter_id: incident.reporter_id,
        started_at: incident.opened_at,
        service_affecting: incident.service_affecting,
        author_id: Some(user.id),
        raised_note: String::new(),
    };
    let mut active = new_row(
        &opening,
        (priority, rule),
        (agreement_id, calendar_id),
        incident.opened_at,
    );
    active.updated_at = Set(now);
    active.assignee_id = Set(incident.assignee_id);
    active.state = Set(incident.state.as_str().into());
    active.imported_ref = Set(Some(incident.reference.clone()));
    if let Some((code, text)) = &incident.resolution {
        active.resolution_code = Set(Some(code.as_str().into()));
        active.resolution = Set(Some(text.clone()));
        active.resolved_at = Set(incident.resolved_at);
    }
    if incident.state == IncidentState::Closed {
        // When the other tool closed it is not in the file: no later than its import.
        active.closed_at = Set(Some(now));
    }
    for (column, value) in clock_values(&clocks, &hours, now) {
        active.set(column, value);
    }
    let id = active.insert(txn).await?.id;
    let measured_against = agreement_id
        .map(|a| format!("measured against {}", agreements::reference(a)))
        .unwrap_or_else(|| "no agreement covered the service: no targets".into());
    let unknown_response = if incident.responded_at.is_none()
        && incident.state != IncidentState::New
    {
        "; the file gives no response time, so the response clock ran until the resolution or the import"
    } else {
        ""
    };
    add_event(
        txn,
        id,
        incident.opened_at,
        Some(user.id),
        TimelineKind::Raised,
        format!(
            "Imported by {} from another tool, where it was {}: raised as {} ({measured_against}{unknown_response}). Pauses in the other tool are not known.",
            user.name,
            incident.reference,
            priority.label()
        ),
    )
    .await?;
    if let (Some(at), Some((code, text))) = (incident.resolved_at, &incident.resolution) {
        add_event(
            txn,
            id,
            at,
            incident.assignee_id,
            TimelineKind::Step,
            format!("Resolved in the other tool ({}): {text}", code.label()),
        )
        .await?;
    }
    audit::record(
        txn,
        actor,
        RecordType::Incident,
        id,
        "incident_imported",
        format!(
            "{} “{}” imported from {} ({}, {})",
            reference(id),
            incident.title,
            incident.reference,
            priority.label(),
            incident.state.label()
        ),
    )
    .await?;
    Ok(id)
}

/// Both clocks as the file's times give them: started when the incident was opened; the
/// response clock stopped at the response (or, when the file has none, at the resolution
/// or, for an incident someone is working on, at the import); the resolution clock stopped at
/// the resolution. Pauses in the other tool are not known, so none are counted.
fn measured(
    incident: &ImportedIncident,
    target: Option<PriorityTarget>,
    hours: &ServiceHours,
    now: DateTime<Utc>,
) -> Clocks {
    let zone = service_levels::zone_of(hours);
    let clock = |minutes: u32, stop: Option<DateTime<Utc>>| {
        let mut clock = TargetClock::start(minutes, incident.opened_at);
        if let Some(at) = stop {
            clock.stop(hours, &zone, at);
        }
        clock
    };
    let response_stop = incident
        .responded_at
        .or(incident.resolved_at)
        .or((incident.state != IncidentState::New).then_some(now));
    Clocks {
        response: target.map(|t| clock(t.response_minutes, response_stop)),
        resolution: target.map(|t| clock(t.resolution_minutes, incident.resolved_at)),
    }
}
