//! Incidents from monitoring (clause 8.6.1): what Prometheus Alertmanager posts to its webhook
//! receivers (payload version 4), the sources allowed to post, and the rules that turn an
//! alert's labels into a service and a priority. Pure: the service stores and applies them.

use crate::error::FieldErrors;
use crate::model::labelled::labelled_enum;
use crate::model::priority_matrix::{Impact, Urgency};
use crate::model::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most alerts one delivery may carry (Alertmanager's `max_alerts` is unlimited by
/// default; a group this large is a storm, and the sender is told to split it).
pub const MAX_ALERTS_PER_DELIVERY: usize = 1000;
/// The most rules a source keeps: enough for a service per team plus severities.
pub const MAX_RULES: usize = 20;
/// Alertmanager's fingerprints are 16 hex digits; other senders may use longer ids.
pub const FINGERPRINT_MAX: usize = 64;
const LABEL_MAX: usize = 200;
const LABELS_MAX: usize = 100;
const ANNOTATION_MAX: usize = 8000;
/// Title and description limits of an incident (`model::incident::IncidentForm`).
const TITLE_MAX: usize = 160;
const DESCRIPTION_MAX: usize = 8000;
const AFFECTED_MAX: usize = 200;

labelled_enum! {
    /// What kind of sender a source is; the webhook's path names it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum SourceKind {
        Alertmanager => ("alertmanager", "Prometheus Alertmanager"),
    }
}

labelled_enum! {
    /// An alert's status in a delivery.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum AlertStatus {
        Firing => ("firing", "Firing"),
        Resolved => ("resolved", "Resolved"),
    }
}

/// One delivery of Alertmanager's webhook receiver (`version: "4"`). Fields Conform does not
/// use (`groupKey`, `truncatedAlerts`, …) are accepted and ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerPayload {
    pub version: String,
    #[serde(default)]
    pub receiver: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub external_url: String,
    pub alerts: Vec<Alert>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub status: AlertStatus,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    pub starts_at: DateTime<Utc>,
    /// `0001-01-01T00:00:00Z` while firing.
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: String,
    pub fingerprint: String,
}

impl AlertmanagerPayload {
    /// Refuses what Conform cannot take as a whole, in words the sender's operator can act
    /// on. Nothing of a refused delivery is kept.
    pub fn check(&self) -> Result<(), String> {
        if self.version != "4" {
            return Err(format!(
                "Conform reads Alertmanager's webhook payload version 4; this one is version “{}”.",
                text::shorten(&self.version, 20)
            ));
        }
        if self.alerts.len() > MAX_ALERTS_PER_DELIVERY {
            return Err(format!(
                "A delivery carries at most {MAX_ALERTS_PER_DELIVERY} alerts (this one has {}): set max_alerts in the receiver.",
                self.alerts.len()
            ));
        }
        for (n, alert) in self.alerts.iter().enumerate() {
            alert.check().map_err(|e| format!("alerts[{n}]: {e}"))?;
        }
        Ok(())
    }
}

impl Alert {
    fn check(&self) -> Result<(), String> {
        let fingerprint = self.fingerprint.trim();
        if fingerprint.is_empty() || fingerprint.len() > FINGERPRINT_MAX {
            return Err(format!(
                "the fingerprint is required and at most {FINGERPRINT_MAX} characters."
            ));
        }
        if !fingerprint
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
        {
            return Err("the fingerprint holds letters, digits and - _ : . only.".into());
        }
        if self.labels.len() > LABELS_MAX || self.annotations.len() > LABELS_MAX {
            return Err(format!(
                "an alert carries at most {LABELS_MAX} labels and {LABELS_MAX} annotations."
            ));
        }
        for (name, value) in &self.labels {
            if name.chars().count() > LABEL_MAX || value.chars().count() > LABEL_MAX {
                return Err(format!(
                    "label “{}” is longer than {LABEL_MAX} characters.",
                    text::shorten(name, 40)
                ));
            }
        }
        if self
            .annotations
            .values()
            .any(|v| v.chars().count() > ANNOTATION_MAX)
        {
            return Err(format!(
                "an annotation is longer than {ANNOTATION_MAX} characters."
            ));
        }
        Ok(())
    }

    /// When the alert ended, if it has (Alertmanager sends year 1 while it fires).
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.ends_at
            .filter(|at| at.timestamp() > 0 && self.status == AlertStatus::Resolved)
    }

    /// The incident's title: the `summary` annotation, else the alert's name and instance.
    pub fn title(&self) -> String {
        let from_summary = self
            .annotations
            .get("summary")
            .map(|s| text::shorten(&one_line(s), TITLE_MAX))
            .filter(|s| s.chars().count() >= 3);
        from_summary.unwrap_or_else(|| {
            let name = self
                .labels
                .get("alertname")
                .map(|s| one_line(s))
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| format!("Alert {}", self.fingerprint.trim()));
            let title = match self.labels.get("instance") {
                Some(instance) if !instance.trim().is_empty() => {
                    format!("{name} on {}", one_line(instance))
                }
                _ => name,
            };
            text::shorten(&title, TITLE_MAX)
        })
    }

    /// What is affected: the instance, else the job.
    pub fn affected(&self) -> String {
        let value = self
            .labels
            .get("instance")
            .or_else(|| self.labels.get("job"))
            .map(|s| one_line(s))
            .unwrap_or_default();
        text::shorten(&value, AFFECTED_MAX)
    }

    /// The description: the `description` annotation, every label, and where the alert came
    /// from, so the resolver needs not open the monitoring tool to know what fired.
    pub fn description(&self, source_name: &str) -> String {
        let mut out = String::new();
        if let Some(description) = self.annotations.get("description") {
            out.push_str(&clean_block(description));
            out.push_str("\n\n");
        }
        out.push_str(&format!(
            "Alert {} from {source_name}, firing since {} UTC.\nLabels:\n",
            self.fingerprint.trim(),
            self.starts_at.format("%Y-%m-%d %H:%M")
        ));
        for (name, value) in &self.labels {
            out.push_str(&format!("  {}={}\n", one_line(name), one_line(value)));
        }
        if !self.generator_url.trim().is_empty() {
            out.push_str(&format!("Source: {}\n", one_line(&self.generator_url)));
        }
        let description: String = out.chars().take(DESCRIPTION_MAX).collect();
        description.trim().to_string()
    }
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn clean_block(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

/// A rule: when the alert's label `label` has `value` (`*`: any value), the incident goes to
/// the rule's service and/or gets its impact and urgency. Rules are read top to bottom; for
/// each of service, impact and urgency the first matching rule that names it wins, and the
/// source's defaults fill in the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeRule {
    pub label: String,
    pub value: String,
    pub service_id: Option<i64>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
}

impl IntakeRule {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        labels
            .get(&self.label)
            .is_some_and(|v| self.value == "*" || *v == self.value)
    }
}

/// Where an alert lands, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routing {
    pub service_id: i64,
    pub impact: Impact,
    pub urgency: Urgency,
    /// The rule (1-based) that chose the service, if one did.
    pub service_rule: Option<usize>,
}

/// The source's fallbacks, used where no rule says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteDefaults {
    pub service_id: i64,
    pub impact: Impact,
    pub urgency: Urgency,
}

pub fn route(
    defaults: RouteDefaults,
    rules: &[IntakeRule],
    labels: &BTreeMap<String, String>,
) -> Routing {
    let matching: Vec<(usize, &IntakeRule)> = rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| rule.matches(labels))
        .collect();
    let service = matching
        .iter()
        .find_map(|(n, rule)| rule.service_id.map(|id| (id, n + 1)));
    Routing {
        service_id: service.map_or(defaults.service_id, |(id, _)| id),
        impact: matching
            .iter()
            .find_map(|(_, rule)| rule.impact)
            .unwrap_or(defaults.impact),
        urgency: matching
            .iter()
            .find_map(|(_, rule)| rule.urgency)
            .unwrap_or(defaults.urgency),
        service_rule: service.map(|(_, n)| n),
    }
}

/// A source as its list and page show it. The token is never part of it: it is shown once,
/// when made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeSource {
    pub id: i64,
    pub name: String,
    pub kind: SourceKind,
    pub reporter_id: i64,
    pub reporter: String,
    pub service_id: i64,
    pub service: String,
    pub impact: Impact,
    pub urgency: Urgency,
    pub rules: Vec<IntakeRule>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub alerts_linked: u64,
    pub version: i32,
}

/// A secret made for a source: shown to its maker once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub source_id: i64,
    /// The source's name, which the receiver is named after.
    pub name: String,
    pub token: String,
    /// Conform's configured public URL (empty: the browser's origin is the one to use).
    pub base_url: String,
}

/// One rule row as the form posts it (a row left empty is no rule).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub label: String,
    pub value: String,
    pub service_id: String,
    pub impact: String,
    pub urgency: String,
}

/// A source as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceForm {
    pub name: String,
    pub reporter_id: String,
    pub service_id: String,
    pub impact: String,
    pub urgency: String,
    pub rules: Vec<RuleForm>,
}

/// A validated source; the service checks that the people and services exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDraft {
    pub name: String,
    pub reporter_id: i64,
    pub defaults: RouteDefaults,
    pub rules: Vec<IntakeRule>,
}

impl SourceForm {
    /// Errors on a rule row are keyed `rule_{row}` (label and value) and `rule_{row}_service`.
    pub fn validate(&self) -> Result<SourceDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = text::line(&mut errors, "name", "The name", &self.name, 3, 80);
        let reporter_id = positive_id(&self.reporter_id).unwrap_or_else(|| {
            errors.add("reporter_id", "Choose who the incidents are reported by.");
            0
        });
        let service_id = positive_id(&self.service_id).unwrap_or_else(|| {
            errors.add(
                "service_id",
                "Choose the service an alert goes to when no rule names one.",
            );
            0
        });
        let impact = Impact::parse(&self.impact);
        if impact.is_none() {
            errors.add(
                "impact",
                "Choose the impact an alert has when no rule says.",
            );
        }
        let urgency = Urgency::parse(&self.urgency);
        if urgency.is_none() {
            errors.add(
                "urgency",
                "Choose the urgency an alert has when no rule says.",
            );
        }
        let filled: Vec<(usize, &RuleForm)> = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .collect();
        if filled.len() > MAX_RULES {
            errors.add("rules", format!("Keep at most {MAX_RULES} rules."));
        }
        let mut rules = Vec::new();
        for (row, rule) in filled.into_iter().take(MAX_RULES) {
            if let Some(rule) = rule.validate(row, &mut errors) {
                rules.push(rule);
            }
        }
        match (impact, urgency) {
            (Some(impact), Some(urgency)) if errors.is_empty() => Ok(SourceDraft {
                name,
                reporter_id,
                defaults: RouteDefaults {
                    service_id,
                    impact,
                    urgency,
                },
                rules,
            }),
            _ => Err(errors),
        }
    }
}

impl RuleForm {
    fn is_empty(&self) -> bool {
        [
            &self.label,
            &self.value,
            &self.service_id,
            &self.impact,
            &self.urgency,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    fn validate(&self, row: usize, errors: &mut FieldErrors) -> Option<IntakeRule> {
        let field = format!("rule_{row}");
        let label = self.label.trim();
        let value = self.value.trim();
        let label_ok = !label.is_empty()
            && label.len() <= LABEL_MAX
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !label_ok {
            errors.add(
                &field,
                format!(
                    "Rule {}: name the label as Prometheus does (letters, digits, _).",
                    row + 1
                ),
            );
            return None;
        }
        if value.is_empty() || value.chars().count() > LABEL_MAX || value.contains(['\r', '\n']) {
            errors.add(
                &field,
                format!(
                    "Rule {}: give the label's value on one line (* for any value).",
                    row + 1
                ),
            );
            return None;
        }
        let service_id = if self.service_id.trim().is_empty() {
            None
        } else {
            let id = positive_id(&self.service_id);
            if id.is_none() {
                errors.add(
                    &format!("{field}_service"),
                    format!("Rule {}: choose a service from the catalogue.", row + 1),
                );
                return None;
            }
            id
        };
        let impact = optional(&self.impact, Impact::parse);
        let urgency = optional(&self.urgency, Urgency::parse);
        let (Ok(impact), Ok(urgency)) = (impact, urgency) else {
            errors.add(
                &field,
                format!(
                    "Rule {}: choose the impact and urgency from the lists.",
                    row + 1
                ),
            );
            return None;
        };
        if service_id.is_none() && impact.is_none() && urgency.is_none() {
            errors.add(
                &field,
                format!(
                    "Rule {}: say what it sets: a service, an impact or an urgency.",
                    row + 1
                ),
            );
            return None;
        }
        Some(IntakeRule {
            label: label.to_string(),
            value: value.to_string(),
            service_id,
            impact,
            urgency,
        })
    }
}

/// An empty choice is none; anything else must parse.
fn optional<T>(value: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, ()> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        parse(value).map(Some).ok_or(())
    }
}

fn positive_id(value: &str) -> Option<i64> {
    value.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

impl RuleForm {
    pub fn of(rule: &IntakeRule) -> Self {
        Self {
            label: rule.label.clone(),
            value: rule.value.clone(),
            service_id: rule.service_id.map(|id| id.to_string()).unwrap_or_default(),
            impact: rule.impact.map(|i| i.as_str().into()).unwrap_or_default(),
            urgency: rule.urgency.map(|u| u.as_str().into()).unwrap_or_default(),
        }
    }
}

impl SourceForm {
    pub fn of(source: &IntakeSource) -> Self {
        Self {
            name: source.name.clone(),
            reporter_id: source.reporter_id.to_string(),
            service_id: source.service_id.to_string(),
            impact: source.impact.as_str().into(),
            urgency: source.urgency.as_str().into(),
            rules: source.rules.iter().map(RuleForm::of).collect(),
        }
    }
}

/// What a source's form offers: the services, and the people incidents may be reported by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceChoices {
    pub services: Vec<crate::model::refs::ServiceRef>,
    pub people: Vec<crate::model::refs::PersonRef>,
}

/// What one delivery did, as the webhook answers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeOutcome {
    /// Incidents opened (references such as `INC-12`).
    pub opened: Vec<String>,
    /// Alerts already open as an incident: nothing new.
    pub unchanged: usize,
    /// Alerts whose change (resolved, firing again) was noted on their incident.
    pub noted: usize,
    /// Resolved alerts Conform never saw firing.
    pub ignored: usize,
}

/// The receiver to paste into `alertmanager.yml` for a source.
pub fn receiver_example(base_url: &str, source_name: &str, token: &str) -> String {
    let name: String = source_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "receivers:\n  - name: conform-{name}\n    webhook_configs:\n      - url: {}/intake/alertmanager\n        send_resolved: true\n        max_alerts: 100\n        http_config:\n          authorization:\n            type: Bearer\n            credentials: {token}\n",
        base_url.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A delivery as Alertmanager 0.27 sends it (from its webhook documentation).
    const SAMPLE: &str = r#"{
      "receiver": "conform",
      "status": "firing",
      "alerts": [
        {
          "status": "firing",
          "labels": {"alertname": "PortalDown", "instance": "portal-1:443", "job": "blackbox", "severity": "critical", "service": "portal"},
          "annotations": {"summary": "Customer portal is not answering", "description": "Probe failed for 5 minutes."},
          "startsAt": "2026-12-06T08:00:00.000Z",
          "endsAt": "0001-01-01T00:00:00Z",
          "generatorURL": "http://prometheus:9090/graph?g0.expr=probe_success%3D%3D0",
          "fingerprint": "c6a5d1e0f3b2a491"
        }
      ],
      "groupLabels": {"alertname": "PortalDown"},
      "commonLabels": {"alertname": "PortalDown"},
      "commonAnnotations": {},
      "externalURL": "http://alertmanager:9093",
      "version": "4",
      "groupKey": "{}:{alertname=\"PortalDown\"}",
      "truncatedAlerts": 0
    }"#;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const DEFAULTS: RouteDefaults = RouteDefaults {
        service_id: 1,
        impact: Impact::Medium,
        urgency: Urgency::Medium,
    };

    #[test]
    fn alertmanagers_payload_reads_and_passes() {
        let payload: AlertmanagerPayload = serde_json::from_str(SAMPLE).unwrap();
        assert_eq!(payload.check(), Ok(()));
        let alert = &payload.alerts[0];
        assert_eq!(alert.status, AlertStatus::Firing);
        assert_eq!(alert.ended_at(), None, "year 1 means still firing");
        assert_eq!(alert.title(), "Customer portal is not answering");
        assert_eq!(alert.affected(), "portal-1:443");
        let description = alert.description("Prometheus production");
        assert!(description.starts_with("Probe failed for 5 minutes."));
        assert!(description.contains("severity=critical"));
        assert!(description.contains("from Prometheus production"));
    }

    #[test]
    fn a_title_falls_back_to_the_alert_name_and_instance() {
        let mut payload: AlertmanagerPayload = serde_json::from_str(SAMPLE).unwrap();
        let alert = &mut payload.alerts[0];
        alert.annotations.clear();
        assert_eq!(alert.title(), "PortalDown on portal-1:443");
        alert.labels.clear();
        assert_eq!(alert.title(), "Alert c6a5d1e0f3b2a491");
        alert.annotations.insert("summary".into(), "x".repeat(500));
        assert_eq!(alert.title().chars().count(), TITLE_MAX);
    }

    #[test]
    fn a_delivery_that_cannot_be_taken_whole_is_refused_with_the_reason() {
        let mut payload: AlertmanagerPayload = serde_json::from_str(SAMPLE).unwrap();
        payload.version = "3".into();
        assert!(payload.check().unwrap_err().contains("version 4"));
        payload.version = "4".into();
        payload.alerts[0].fingerprint = "   ".into();
        assert!(payload
            .check()
            .unwrap_err()
            .starts_with("alerts[0]: the fingerprint"));
        payload.alerts[0].fingerprint = "a'; drop".into();
        assert!(payload.check().unwrap_err().contains("letters, digits"));
        payload.alerts[0].fingerprint = "abc".into();
        let alert = payload.alerts[0].clone();
        payload.alerts = vec![alert; MAX_ALERTS_PER_DELIVERY + 1];
        assert!(payload.check().unwrap_err().contains("max_alerts"));
    }

    #[test]
    fn a_resolved_alert_knows_when_it_ended() {
        let mut payload: AlertmanagerPayload = serde_json::from_str(SAMPLE).unwrap();
        let alert = &mut payload.alerts[0];
        alert.status = AlertStatus::Resolved;
        alert.ends_at = Some("2026-12-06T08:20:00Z".parse().unwrap());
        assert_eq!(alert.ended_at(), alert.ends_at);
    }

    #[test]
    fn the_first_rule_naming_each_part_wins_and_defaults_fill_the_rest() {
        let rules = vec![
            IntakeRule {
                label: "service".into(),
                value: "portal".into(),
                service_id: Some(7),
                impact: None,
                urgency: None,
            },
            IntakeRule {
                label: "severity".into(),
                value: "critical".into(),
                service_id: None,
                impact: Some(Impact::High),
                urgency: Some(Urgency::High),
            },
            IntakeRule {
                label: "service".into(),
                value: "*".into(),
                service_id: Some(9),
                impact: Some(Impact::Low),
                urgency: None,
            },
        ];
        let routed = route(
            DEFAULTS,
            &rules,
            &labels(&[("service", "portal"), ("severity", "critical")]),
        );
        assert_eq!(
            routed,
            Routing {
                service_id: 7,
                impact: Impact::High,
                urgency: Urgency::High,
                service_rule: Some(1)
            }
        );
        let routed = route(DEFAULTS, &rules, &labels(&[("service", "mail")]));
        assert_eq!(
            (
                routed.service_id,
                routed.impact,
                routed.urgency,
                routed.service_rule
            ),
            (9, Impact::Low, Urgency::Medium, Some(3)),
            "* matches any value"
        );
        let routed = route(DEFAULTS, &rules, &labels(&[("team", "ops")]));
        assert_eq!(
            (routed.service_id, routed.impact, routed.service_rule),
            (1, Impact::Medium, None)
        );
    }

    #[test]
    fn a_source_form_reports_each_row_by_number() {
        let form = SourceForm {
            name: "Prometheus production".into(),
            reporter_id: "3".into(),
            service_id: "1".into(),
            impact: "medium".into(),
            urgency: "low".into(),
            rules: vec![
                RuleForm {
                    label: "service".into(),
                    value: "portal".into(),
                    service_id: "2".into(),
                    ..Default::default()
                },
                RuleForm::default(),
                RuleForm {
                    label: "sever ity".into(),
                    value: "critical".into(),
                    impact: "high".into(),
                    ..Default::default()
                },
                RuleForm {
                    label: "team".into(),
                    value: "ops".into(),
                    ..Default::default()
                },
            ],
        };
        let errors = form.validate().unwrap_err();
        assert!(errors
            .get("rule_2")
            .unwrap()
            .starts_with("Rule 3: name the label"));
        assert!(errors.get("rule_3").unwrap().contains("say what it sets"));
        assert_eq!(errors.len(), 2, "{errors:?}");
        let mut fixed = form.clone();
        fixed.rules.truncate(2);
        let draft = fixed.validate().unwrap();
        assert_eq!(draft.rules.len(), 1, "the empty row is no rule");
        assert_eq!(draft.defaults.urgency, Urgency::Low);
    }

    #[test]
    fn a_source_form_needs_its_defaults() {
        let errors = SourceForm::default().validate().unwrap_err();
        for field in ["name", "reporter_id", "service_id", "impact", "urgency"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn the_receiver_example_carries_the_url_and_token() {
        let yaml = receiver_example("https://conform.example/", "Prometheus prod", "s3cret");
        assert!(yaml.contains("url: https://conform.example/intake/alertmanager"));
        assert!(yaml.contains("credentials: s3cret"));
        assert!(yaml.contains("name: conform-prometheus-prod"));
    }

    fn rule_strategy() -> impl Strategy<Value = IntakeRule> {
        (
            prop_oneof![Just("service"), Just("severity"), Just("team")],
            prop_oneof![Just("a"), Just("b"), Just("*")],
            proptest::option::of(1i64..5),
            proptest::option::of(prop_oneof![Just(Impact::High), Just(Impact::Low)]),
            proptest::option::of(prop_oneof![Just(Urgency::High), Just(Urgency::Low)]),
        )
            .prop_map(|(label, value, service_id, impact, urgency)| IntakeRule {
                label: label.into(),
                value: value.into(),
                service_id,
                impact,
                urgency,
            })
    }

    proptest! {
        /// Routing is what reading the rules top to bottom by hand gives: a matching rule's
        /// part is taken unless an earlier matching rule took it; no match changes nothing.
        #[test]
        fn routing_takes_each_part_from_the_first_matching_rule(
            rules in proptest::collection::vec(rule_strategy(), 0..8),
            service in prop_oneof![Just("a"), Just("b"), Just("c")],
            severity in prop_oneof![Just("a"), Just("b")],
        ) {
            let labels = labels(&[("service", service), ("severity", severity)]);
            let routed = route(DEFAULTS, &rules, &labels);
            let mut expected = (None, None, None);
            for rule in &rules {
                let value = labels.get(&rule.label);
                let hit = value.is_some_and(|v| rule.value == "*" || *v == rule.value);
                if !hit { continue; }
                expected.0 = expected.0.or(rule.service_id);
                expected.1 = expected.1.or(rule.impact);
                expected.2 = expected.2.or(rule.urgency);
            }
            prop_assert_eq!(routed.service_id, expected.0.unwrap_or(DEFAULTS.service_id));
            prop_assert_eq!(routed.impact, expected.1.unwrap_or(DEFAULTS.impact));
            prop_assert_eq!(routed.urgency, expected.2.unwrap_or(DEFAULTS.urgency));
        }
    }
}
