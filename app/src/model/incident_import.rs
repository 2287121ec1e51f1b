//! Importing incidents from another tool (`model::csv_import`), so an organisation moving to
//! Conform keeps its history and its open work: the file's columns, and the rules a row must
//! meet. History is not replayed step by step: a row arrives in the state the other tool
//! gives, with its clocks measured from the times the file gives.

use crate::model::csv_import::{yes_no, ImportColumn};
use crate::model::incident::{validate_resolution, IncidentState, ResolutionCode};
use crate::model::priority_matrix::{Impact, Urgency};
use crate::model::text;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IncidentColumn {
    Reference,
    Title,
    Description,
    Service,
    Impact,
    Urgency,
    Category,
    Affected,
    Reporter,
    Assignee,
    State,
    Opened,
    Responded,
    Resolved,
    ResolutionCode,
    Resolution,
    ServiceAffecting,
}

impl ImportColumn for IncidentColumn {
    const ALL: &'static [IncidentColumn] = &[
        IncidentColumn::Reference,
        IncidentColumn::Title,
        IncidentColumn::Description,
        IncidentColumn::Service,
        IncidentColumn::Impact,
        IncidentColumn::Urgency,
        IncidentColumn::Category,
        IncidentColumn::Affected,
        IncidentColumn::Reporter,
        IncidentColumn::Assignee,
        IncidentColumn::State,
        IncidentColumn::Opened,
        IncidentColumn::Responded,
        IncidentColumn::Resolved,
        IncidentColumn::ResolutionCode,
        IncidentColumn::Resolution,
        IncidentColumn::ServiceAffecting,
    ];

    fn header(self) -> &'static str {
        match self {
            IncidentColumn::Reference => "Reference",
            IncidentColumn::Title => "Title",
            IncidentColumn::Description => "Description",
            IncidentColumn::Service => "Service",
            IncidentColumn::Impact => "Impact",
            IncidentColumn::Urgency => "Urgency",
            IncidentColumn::Category => "Category",
            IncidentColumn::Affected => "Affected",
            IncidentColumn::Reporter => "Reporter",
            IncidentColumn::Assignee => "Assignee",
            IncidentColumn::State => "Status",
            IncidentColumn::Opened => "Opened",
            IncidentColumn::Responded => "Responded",
            IncidentColumn::Resolved => "Resolved",
            IncidentColumn::ResolutionCode => "Resolution code",
            IncidentColumn::Resolution => "Resolution",
            IncidentColumn::ServiceAffecting => "Service affecting",
        }
    }

    fn help(self) -> &'static str {
        match self {
            IncidentColumn::Reference => "Required: the incident's number in the other tool (INC0012345, #812 …). A number imported before is skipped, so the same file can be imported again.",
            IncidentColumn::Title => "Required, 3–160 characters.",
            IncidentColumn::Description => "Optional.",
            IncidentColumn::Service => "Required: the service's name in the catalogue.",
            IncidentColumn::Impact => "Required: High, Medium or Low (1, 2, 3 and “1 - High” are read too). With the urgency it gives the priority from the organisation's matrix.",
            IncidentColumn::Urgency => "Required: High, Medium or Low (1, 2, 3 and “1 - High” are read too).",
            IncidentColumn::Category => "Optional, up to 60 characters.",
            IncidentColumn::Affected => "Optional: what is affected (a server, an application, a site).",
            IncidentColumn::Reporter => "Required: the reporter's e-mail address or full name, someone in Conform.",
            IncidentColumn::Assignee => "Required for Assigned and In progress: e-mail address or full name.",
            IncidentColumn::State => "Optional (New when empty): New, Assigned, In progress, Resolved or Closed. Pending is not imported (when the wait began is not known): import it as In progress.",
            IncidentColumn::Opened => "Required: when it was reported, as 2026-11-02 09:15 in your time zone, or with an offset (2026-11-02T09:15:00Z). It counts in the service report of that month.",
            IncidentColumn::Responded => "Optional: when someone first responded. Without it the response clock runs to the resolution (or to the import for open incidents).",
            IncidentColumn::Resolved => "Required for Resolved and Closed: when it was resolved.",
            IncidentColumn::ResolutionCode => "Required for Resolved and Closed: Fixed, Workaround applied, Known error workaround applied, Change backed out, No fault found, Duplicate of another incident, or Advice given (no fault).",
            IncidentColumn::Resolution => "Required for Resolved and Closed: what was done, 10–4,000 characters.",
            IncidentColumn::ServiceAffecting => "Optional: yes when the service was down (the outage counts against availability).",
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            IncidentColumn::Reference
                | IncidentColumn::Title
                | IncidentColumn::Service
                | IncidentColumn::Impact
                | IncidentColumn::Urgency
                | IncidentColumn::Reporter
                | IncidentColumn::Opened
        )
    }

    /// What ServiceNow, Jira Service Management, GLPI and Conform's own export call them.
    fn alias(lowercase: &str) -> Option<IncidentColumn> {
        Some(match lowercase {
            "number" | "id" | "key" | "issue key" | "external reference" => {
                IncidentColumn::Reference
            }
            "short description" | "summary" | "subject" | "name" => IncidentColumn::Title,
            "business service" | "affected service" => IncidentColumn::Service,
            "configuration item" | "affected ci" => IncidentColumn::Affected,
            "caller" | "reported by" | "opened by" | "requester" | "reporter email" => {
                IncidentColumn::Reporter
            }
            "assigned to" | "assignee email" | "technician" => IncidentColumn::Assignee,
            "state" | "incident state" => IncidentColumn::State,
            "opened at" | "created" | "reported" | "reported (utc)" | "opening date" => {
                IncidentColumn::Opened
            }
            "responded at" | "first response" => IncidentColumn::Responded,
            "resolved at" | "resolution date" | "solve date" => IncidentColumn::Resolved,
            "close code" | "resolution type" => IncidentColumn::ResolutionCode,
            "close notes" | "resolution notes" | "solution" => IncidentColumn::Resolution,
            "outage" | "service outage" => IncidentColumn::ServiceAffecting,
            _ => return None,
        })
    }
}

/// A time as the file writes it: exact when it carries an offset, else in the importer's
/// time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTime {
    Exact(DateTime<Utc>),
    Local(NaiveDateTime),
}

/// "2026-11-02 09:15", "2026-11-02T09:15:30", "2026-11-02T09:15:00Z", "2026-11-02" (midnight).
pub fn parse_time(value: &str) -> Option<FileTime> {
    let value = value.trim();
    if let Ok(exact) = DateTime::parse_from_rfc3339(value) {
        return Some(FileTime::Exact(exact.with_timezone(&Utc)));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(value, format) {
            return Some(FileTime::Local(local));
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(FileTime::Local)
}

/// "High", "high", "1", "1 - High" → High (the scale every tool writes).
fn level<T: Copy>(value: &str, [high, medium, low]: [T; 3]) -> Option<T> {
    let value = value.trim().to_lowercase();
    let word = value
        .split(" - ")
        .last()
        .unwrap_or_default()
        .trim()
        .split(" — ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    match (value.as_str(), word.as_str()) {
        (_, "high") | ("1", _) => Some(high),
        (_, "medium") | (_, "moderate") | ("2", _) => Some(medium),
        (_, "low") | ("3", _) => Some(low),
        _ => None,
    }
}

pub fn parse_impact(value: &str) -> Option<Impact> {
    level(value, [Impact::High, Impact::Medium, Impact::Low])
}

pub fn parse_urgency(value: &str) -> Option<Urgency> {
    level(value, [Urgency::High, Urgency::Medium, Urgency::Low])
}

/// A state by its code or label, or the names other tools give it.
pub fn parse_state(value: &str) -> Result<IncidentState, String> {
    let wanted = value.trim().to_lowercase();
    if wanted.is_empty() {
        return Ok(IncidentState::New);
    }
    if let Some(state) = IncidentState::ALL
        .into_iter()
        .find(|s| s.as_str() == wanted || s.label().to_lowercase() == wanted)
    {
        return Ok(state);
    }
    Ok(match wanted.as_str() {
        "open" | "active" | "work in progress" | "processing (assigned)" => {
            IncidentState::InProgress
        }
        "solved" => IncidentState::Resolved,
        "done" => IncidentState::Closed,
        "on hold" | "waiting" | "processing (planned)" => IncidentState::Pending,
        "canceled" | "cancelled" => {
            return Err(
                "Status: cancelled incidents are not imported (they were never incidents of the service)."
                    .into(),
            )
        }
        _ => {
            return Err(format!(
                "Status: “{}” is not New, Assigned, In progress, Resolved or Closed.",
                value.trim()
            ))
        }
    })
}

/// A resolution code by its code or label, or ServiceNow's close codes.
pub fn parse_resolution_code(value: &str) -> Option<ResolutionCode> {
    let wanted = value.trim().to_lowercase();
    ResolutionCode::ALL
        .into_iter()
        .find(|c| c.as_str() == wanted || c.label().to_lowercase() == wanted)
        .or(match wanted.as_str() {
            "solved (permanently)" | "solved permanently" | "resolved" => {
                Some(ResolutionCode::Fixed)
            }
            "solved (work around)" | "workaround" | "work around" => {
                Some(ResolutionCode::Workaround)
            }
            "not solved (not reproducible)" | "not reproducible" => {
                Some(ResolutionCode::NoFaultFound)
            }
            "duplicate" => Some(ResolutionCode::Duplicate),
            "closed/resolved by caller" | "user error" | "advice given" => {
                Some(ResolutionCode::UserError)
            }
            _ => None,
        })
}

/// One row's cells, with the people and service already looked up (`None`: not given).
#[derive(Debug, Clone, Default)]
pub struct ImportRow {
    pub reference: String,
    pub title: String,
    pub description: String,
    pub service_id: Option<i64>,
    pub impact: String,
    pub urgency: String,
    pub category: String,
    pub affected: String,
    pub reporter_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub state: String,
    pub opened: String,
    pub responded: String,
    pub resolved: String,
    pub resolution_code: String,
    pub resolution: String,
    pub service_affecting: String,
}

/// A row that passed every rule: what the import writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedIncident {
    pub reference: String,
    pub title: String,
    pub description: String,
    pub service_id: i64,
    pub impact: Impact,
    pub urgency: Urgency,
    pub category: String,
    pub affected: String,
    pub reporter_id: i64,
    pub assignee_id: Option<i64>,
    pub state: IncidentState,
    pub opened_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<(ResolutionCode, String)>,
    pub service_affecting: bool,
}

impl ImportRow {
    /// Every rule a row must meet. `to_utc` reads a time without an offset in the importer's
    /// time zone (`None`: it does not exist there, in a DST gap). People and the service are
    /// looked up by the caller, who reports what it could not find; a missing one here only
    /// stops the row.
    pub fn validate(
        &self,
        to_utc: impl Fn(NaiveDateTime) -> Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<ImportedIncident, Vec<String>> {
        let mut problems = Vec::new();
        let mut field_errors = crate::error::FieldErrors::new();
        let reference = text::line(
            &mut field_errors,
            "Reference",
            "The reference",
            &self.reference,
            1,
            60,
        );
        let title = text::line(&mut field_errors, "Title", "The title", &self.title, 3, 160);
        let description = text::bounded(
            &mut field_errors,
            "Description",
            "The description",
            &self.description,
            0,
            8000,
        );
        let category = text::line(
            &mut field_errors,
            "Category",
            "The category",
            &self.category,
            0,
            60,
        );
        let affected = text::line(
            &mut field_errors,
            "Affected",
            "What is affected",
            &self.affected,
            0,
            200,
        );
        for (column, message) in field_errors.0 {
            problems.push(format!("{column}: {message}"));
        }
        let impact = parse_impact(&self.impact);
        if impact.is_none() {
            problems.push(format!(
                "Impact: write High, Medium or Low, not “{}”.",
                self.impact.trim()
            ));
        }
        let urgency = parse_urgency(&self.urgency);
        if urgency.is_none() {
            problems.push(format!(
                "Urgency: write High, Medium or Low, not “{}”.",
                self.urgency.trim()
            ));
        }
        let service_affecting = yes_no("Service affecting", &self.service_affecting)
            .map_err(|p| problems.push(p))
            .unwrap_or(false);
        let state = parse_state(&self.state).map_err(|p| problems.push(p)).ok();
        if state == Some(IncidentState::Pending) {
            problems.push("Status: Pending is not imported, because when the wait began is not known; import it as In progress and set it pending in Conform.".into());
        }

        let mut time = |column: &str, value: &str, required: bool| -> Option<DateTime<Utc>> {
            if value.trim().is_empty() {
                if required {
                    problems.push(format!("{column}: required."));
                }
                return None;
            }
            let at = match parse_time(value) {
                Some(FileTime::Exact(at)) => Some(at),
                Some(FileTime::Local(local)) => {
                    let at = to_utc(local);
                    if at.is_none() {
                        problems.push(format!(
                            "{column}: {} does not exist in your time zone (the clocks moved).",
                            value.trim()
                        ));
                        return None;
                    }
                    at
                }
                None => {
                    problems.push(format!(
                        "{column}: write the time as 2026-11-02 09:15, not “{}”.",
                        value.trim()
                    ));
                    return None;
                }
            };
            if at.is_some_and(|at| at > now) {
                problems.push(format!("{column}: {} is in the future.", value.trim()));
                return None;
            }
            at
        };
        let opened_at = time("Opened", &self.opened, true);
        let responded_at = time("Responded", &self.responded, false);
        let finished = state.is_some_and(|s| !s.is_open());
        let resolved_at = time("Resolved", &self.resolved, finished);

        if let (Some(opened), Some(responded)) = (opened_at, responded_at) {
            if responded < opened {
                problems.push("Responded: the response is before the incident was opened.".into());
            }
        }
        if let (Some(opened), Some(resolved)) = (opened_at, resolved_at) {
            if resolved < opened {
                problems.push("Resolved: the resolution is before the incident was opened.".into());
            }
        }
        if let (Some(responded), Some(resolved)) = (responded_at, resolved_at) {
            if resolved < responded {
                problems.push("Responded: the response is after the resolution.".into());
            }
        }

        let resolution = if finished {
            match validate_resolution(
                parse_resolution_code(&self.resolution_code)
                    .map(|c| c.as_str())
                    .unwrap_or(""),
                &self.resolution,
            ) {
                Ok(resolution) => Some(resolution),
                Err(errors) => {
                    for (field, message) in errors.0 {
                        problems.push(if field == "resolution_code" {
                            format!(
                                "Resolution code: {}",
                                if self.resolution_code.trim().is_empty() {
                                    "required for a resolved incident.".to_string()
                                } else {
                                    format!("“{}” is not a resolution code Conform knows (see the columns).", self.resolution_code.trim())
                                }
                            )
                        } else {
                            format!("Resolution: {message}")
                        });
                    }
                    None
                }
            }
        } else {
            if state.is_some()
                && [&self.resolved, &self.resolution_code, &self.resolution]
                    .iter()
                    .any(|v| !v.trim().is_empty())
            {
                problems.push(
                    "Resolved: an open incident has no resolution; give its status as Resolved or Closed, or clear the resolution."
                        .into(),
                );
            }
            None
        };
        if matches!(
            state,
            Some(IncidentState::Assigned | IncidentState::InProgress)
        ) && self.assignee_id.is_none()
        {
            problems.push("Assignee: required for an incident someone is working on.".into());
        }
        if state == Some(IncidentState::New) && self.assignee_id.is_some() {
            problems.push("Status: an incident with an assignee is Assigned, not New.".into());
        }

        match (
            self.service_id,
            self.reporter_id,
            impact,
            urgency,
            state,
            opened_at,
        ) {
            (
                Some(service_id),
                Some(reporter_id),
                Some(impact),
                Some(urgency),
                Some(state),
                Some(opened_at),
            ) if problems.is_empty() => Ok(ImportedIncident {
                reference,
                title,
                description,
                service_id,
                impact,
                urgency,
                category,
                affected,
                reporter_id,
                assignee_id: self.assignee_id,
                state,
                opened_at,
                responded_at,
                resolved_at,
                resolution,
                service_affecting,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
    }

    fn utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
        Some(Utc.from_utc_datetime(&local))
    }

    fn closed_row() -> ImportRow {
        ImportRow {
            reference: "INC0010001".into(),
            title: "Mail delayed for the finance team".into(),
            service_id: Some(1),
            impact: "2 - Medium".into(),
            urgency: "High".into(),
            reporter_id: Some(7),
            assignee_id: Some(8),
            state: "Closed".into(),
            opened: "2026-10-05 08:30".into(),
            responded: "2026-10-05T08:40:00Z".into(),
            resolved: "2026-10-05 11:00".into(),
            resolution_code: "Solved (Permanently)".into(),
            resolution: "Restarted the queue and cleared the backlog.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn other_tools_headers_are_understood() {
        assert_eq!(
            IncidentColumn::from_header("Number"),
            Some(IncidentColumn::Reference)
        );
        assert_eq!(
            IncidentColumn::from_header("Short description"),
            Some(IncidentColumn::Title)
        );
        assert_eq!(
            IncidentColumn::from_header("Reported (UTC)"),
            Some(IncidentColumn::Opened)
        );
        assert_eq!(
            IncidentColumn::from_header("State"),
            Some(IncidentColumn::State)
        );
        assert_eq!(IncidentColumn::from_header("Priority"), None);
    }

    #[test]
    fn a_closed_incident_from_another_tool_is_read_whole() {
        let imported = closed_row().validate(utc, now()).unwrap();
        assert_eq!(imported.impact, Impact::Medium);
        assert_eq!(imported.urgency, Urgency::High);
        assert_eq!(imported.state, IncidentState::Closed);
        assert_eq!(
            imported.opened_at,
            Utc.with_ymd_and_hms(2026, 10, 5, 8, 30, 0).unwrap()
        );
        assert_eq!(
            imported.responded_at,
            Some(Utc.with_ymd_and_hms(2026, 10, 5, 8, 40, 0).unwrap())
        );
        assert_eq!(
            imported.resolution.unwrap().0,
            ResolutionCode::Fixed,
            "ServiceNow's close code"
        );
    }

    #[test]
    fn times_must_follow_each_other_and_not_lie_ahead() {
        let mut row = closed_row();
        row.resolved = "2026-10-04 11:00".into();
        row.responded = "2027-01-01 00:00".into();
        let problems = row.validate(utc, now()).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("Responded: 2027-01-01 00:00 is in the future")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("Resolved: the resolution is before")),
            "{problems:?}"
        );

        let mut row = closed_row();
        row.opened = "yesterday".into();
        let problems = row.validate(utc, now()).unwrap_err();
        assert_eq!(
            problems,
            vec!["Opened: write the time as 2026-11-02 09:15, not “yesterday”."]
        );
    }

    #[test]
    fn a_time_the_clocks_skipped_is_refused() {
        let problems = closed_row().validate(|_| None, now()).unwrap_err();
        assert!(
            problems[0].contains("does not exist in your time zone"),
            "{problems:?}"
        );
    }

    #[test]
    fn states_ask_for_what_they_imply() {
        let mut resolved = closed_row();
        resolved.state = "resolved".into();
        resolved.resolution_code = String::new();
        resolved.resolution = "short".into();
        let problems = resolved.validate(utc, now()).unwrap_err();
        assert!(
            problems.contains(&"Resolution code: required for a resolved incident.".into()),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.starts_with("Resolution: ")),
            "{problems:?}"
        );

        let mut open = closed_row();
        open.state = "In progress".into();
        let problems = open.validate(utc, now()).unwrap_err();
        assert!(
            problems[0].starts_with("Resolved: an open incident has no resolution"),
            "{problems:?}"
        );

        let mut working = closed_row();
        working.state = "Work in progress".into();
        working.assignee_id = None;
        working.resolved.clear();
        working.resolution.clear();
        working.resolution_code.clear();
        assert_eq!(
            working.validate(utc, now()).unwrap_err(),
            vec!["Assignee: required for an incident someone is working on."]
        );
        working.assignee_id = Some(8);
        let imported = working.validate(utc, now()).unwrap();
        assert_eq!(imported.state, IncidentState::InProgress);
        assert_eq!(imported.resolution, None);

        let mut waiting = working.clone();
        waiting.state = "On hold".into();
        assert!(waiting.validate(utc, now()).unwrap_err()[0]
            .starts_with("Status: Pending is not imported"));
        waiting.state = "Canceled".into();
        assert!(waiting.validate(utc, now()).unwrap_err()[0]
            .contains("cancelled incidents are not imported"));

        let mut new = working;
        new.state = String::new();
        assert_eq!(
            new.validate(utc, now()).unwrap_err(),
            vec!["Status: an incident with an assignee is Assigned, not New."]
        );
        new.assignee_id = None;
        assert_eq!(new.validate(utc, now()).unwrap().state, IncidentState::New);
    }

    #[test]
    fn levels_are_read_in_every_common_spelling() {
        for (value, expected) in [
            ("High", Some(Impact::High)),
            ("1", Some(Impact::High)),
            ("1 - High", Some(Impact::High)),
            ("2 - Medium", Some(Impact::Medium)),
            ("moderate", Some(Impact::Medium)),
            ("Low — one user or a workaround exists", Some(Impact::Low)),
            ("3", Some(Impact::Low)),
            ("4", None),
            ("urgent", None),
        ] {
            assert_eq!(parse_impact(value), expected, "{value}");
        }
    }

    #[test]
    fn every_missing_required_cell_is_named() {
        let problems = ImportRow::default().validate(utc, now()).unwrap_err();
        for column in ["Reference", "Title", "Impact", "Urgency", "Opened"] {
            assert!(
                problems.iter().any(|p| p.starts_with(column)),
                "{column}: {problems:?}"
            );
        }
    }
}
