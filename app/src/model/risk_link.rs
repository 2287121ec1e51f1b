//! Changes and continuity plans name the SMS risks they address (clause 6.1: the actions that
//! address risks are built into the SMS's processes). A risk's record lists what addresses
//! it; a change or plan lists the risks it addresses and suggests the live risks of its own
//! services. One link per row, so naming or removing one never overwrites another.

use crate::error::FieldErrors;
use crate::model::labelled::labelled_enum;
use crate::model::risk::RiskLevel;
use crate::model::sms_risk::{Rating, RiskKind, RiskState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// The kind of record that addresses a risk.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum AddressedBy {
        Change => ("change", "Change"),
        ContinuityPlan => ("continuity_plan", "Continuity plan"),
    }
}

impl AddressedBy {
    pub fn href(self, id: i64) -> String {
        match self {
            AddressedBy::Change => format!("/changes/{id}"),
            AddressedBy::ContinuityPlan => format!("/continuity/plans/{id}"),
        }
    }

    pub fn reference(self, id: i64) -> String {
        match self {
            AddressedBy::Change => crate::model::change_request::reference(id),
            AddressedBy::ContinuityPlan => format!("Plan {id}"),
        }
    }
}

/// A change or plan that addresses a risk, as the risk's record lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressor {
    pub kind: AddressedBy,
    pub id: i64,
    pub title: String,
    pub linked_by: String,
    pub linked_at: DateTime<Utc>,
}

/// A risk as a change or plan lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedRisk {
    pub id: i64,
    pub reference: String,
    pub kind: RiskKind,
    pub title: String,
    pub state: RiskState,
    pub residual: Rating,
    pub level: RiskLevel,
}

/// The risk section of a change or plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskLinks {
    /// The risks it names, worst residual first.
    pub linked: Vec<LinkedRisk>,
    /// Live risks of its services it does not name yet, worst first (at most
    /// [`MAX_SUGGESTIONS`]).
    pub suggested: Vec<LinkedRisk>,
    /// Whether the reader may name and remove risks here.
    pub may_link: bool,
}

pub const MAX_SUGGESTIONS: u64 = 20;
/// A change or plan names at most this many risks: more would say nothing to the CAB.
pub const MAX_LINKS: u64 = 30;

/// Naming (or removing) a risk, as the section's forms send it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskLinkForm {
    pub addressed_by: String,
    pub record_id: String,
    /// "RSK-12" or "12".
    pub risk: String,
}

/// A checked link request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskLinkRequest {
    pub addressed_by: AddressedBy,
    pub record_id: i64,
    pub risk_id: i64,
}

/// The risk id in "RSK-12", "rsk 12" or "12".
pub fn parse_risk_reference(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = match text.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("rsk") => {
            text[3..].trim_start_matches(['-', ' '])
        }
        _ => text,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

impl RiskLinkForm {
    pub fn validate(&self) -> Result<RiskLinkRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let addressed_by = AddressedBy::parse(self.addressed_by.trim());
        if addressed_by.is_none() {
            errors.add("addressed_by", "Name a change or a continuity plan.");
        }
        let record_id = self
            .record_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0);
        if record_id.is_none() {
            errors.add("record_id", "Name the change or plan by its number.");
        }
        let risk_id = parse_risk_reference(&self.risk);
        if risk_id.is_none() {
            errors.add(
                "risk",
                "Give the risk's reference as the register shows it, e.g. RSK-12.",
            );
        }
        match (addressed_by, record_id, risk_id) {
            (Some(addressed_by), Some(record_id), Some(risk_id)) => Ok(RiskLinkRequest {
                addressed_by,
                record_id,
                risk_id,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form(addressed_by: &str, record_id: &str, risk: &str) -> RiskLinkForm {
        RiskLinkForm {
            addressed_by: addressed_by.into(),
            record_id: record_id.into(),
            risk: risk.into(),
        }
    }

    #[test]
    fn a_risk_is_named_by_its_reference_or_number() {
        for text in ["RSK-12", "rsk-12", " RSK 12 ", "12", "Rsk12"] {
            assert_eq!(parse_risk_reference(text), Some(12), "{text}");
        }
        for text in [
            "",
            "RSK-",
            "RSK--",
            "RSK-0",
            "0",
            "-3",
            "RSK-1x",
            "CHG-00012",
            "12.5",
            "ü",
        ] {
            assert_eq!(parse_risk_reference(text), None, "{text}");
        }
        assert_eq!(parse_risk_reference("99999999999999999999"), None);
    }

    #[test]
    fn a_link_names_its_record_kind_number_and_risk() {
        let request = form("continuity_plan", " 7 ", "RSK-3").validate().unwrap();
        assert_eq!(
            request,
            RiskLinkRequest {
                addressed_by: AddressedBy::ContinuityPlan,
                record_id: 7,
                risk_id: 3
            }
        );
        let errors = form("incident", "x", "three").validate().unwrap_err();
        for field in ["addressed_by", "record_id", "risk"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert!(form("change", "0", "1").validate().is_err());
    }

    #[test]
    fn each_kind_links_to_its_own_page() {
        assert_eq!(AddressedBy::Change.href(4), "/changes/4");
        assert_eq!(AddressedBy::Change.reference(4), "CHG-00004");
        assert_eq!(AddressedBy::ContinuityPlan.href(9), "/continuity/plans/9");
    }

    proptest! {
        #[test]
        fn every_reference_reads_back_its_id(id in 1i64..i64::MAX) {
            prop_assert_eq!(parse_risk_reference(&crate::model::sms_risk::reference(id)), Some(id));
            prop_assert_eq!(parse_risk_reference(&id.to_string()), Some(id));
        }

        #[test]
        fn no_text_panics(text in ".{0,40}") {
            let _ = parse_risk_reference(&text);
        }
    }
}
