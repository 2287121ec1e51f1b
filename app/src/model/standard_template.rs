//! Standard change templates: the catalogue of pre-authorised changes. A standard change names
//! its template and runs the template's plans, which is what makes skipping assessment and
//! the CAB safe.

use crate::error::FieldErrors;
use crate::model::text::bounded;
use serde::{Deserialize, Serialize};

pub const TEMPLATE_NAME_MAX: usize = 120;
const TEXT_MAX: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardTemplate {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub category: String,
    pub service_ids: Vec<i64>,
    pub implementation_plan: String,
    pub test_plan: String,
    pub backout_plan: String,
    /// Retired templates stay on the changes that used them but cannot be chosen again.
    pub active: bool,
    pub version: i32,
}

impl StandardTemplate {
    pub fn to_form(&self) -> TemplateForm {
        TemplateForm {
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            service_ids: self.service_ids.iter().map(|id| id.to_string()).collect(),
            implementation_plan: self.implementation_plan.clone(),
            test_plan: self.test_plan.clone(),
            backout_plan: self.backout_plan.clone(),
        }
    }
}

/// The template form as posted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub service_ids: Vec<String>,
    #[serde(default)]
    pub implementation_plan: String,
    #[serde(default)]
    pub test_plan: String,
    #[serde(default)]
    pub backout_plan: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDraft {
    pub name: String,
    pub description: String,
    pub category: String,
    pub service_ids: Vec<i64>,
    pub implementation_plan: String,
    pub test_plan: String,
    pub backout_plan: String,
}

impl TemplateForm {
    /// A template is pre-authorised only with all three plans written down.
    pub fn validate(&self) -> Result<TemplateDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = bounded(
            &mut errors,
            "name",
            "Name",
            &self.name,
            5,
            TEMPLATE_NAME_MAX,
        );
        let description = bounded(
            &mut errors,
            "description",
            "Description",
            &self.description,
            0,
            TEXT_MAX,
        );
        let category = bounded(&mut errors, "category", "Category", &self.category, 0, 60);
        let service_ids =
            crate::model::change_request::parse_ids(&mut errors, "service_ids", &self.service_ids);
        let implementation_plan = bounded(
            &mut errors,
            "implementation_plan",
            "Implementation plan",
            &self.implementation_plan,
            1,
            TEXT_MAX,
        );
        let test_plan = bounded(
            &mut errors,
            "test_plan",
            "Test plan",
            &self.test_plan,
            1,
            TEXT_MAX,
        );
        let backout_plan = bounded(
            &mut errors,
            "backout_plan",
            "Back-out plan",
            &self.backout_plan,
            1,
            TEXT_MAX,
        );
        errors.into_result(TemplateDraft {
            name,
            description,
            category,
            service_ids,
            implementation_plan,
            test_plan,
            backout_plan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> TemplateForm {
        TemplateForm {
            name: "Monthly OS patching".into(),
            category: "Infrastructure".into(),
            service_ids: vec!["3".into(), "3".into(), " ".into()],
            implementation_plan: "Patch one node at a time.".into(),
            test_plan: "Health checks green.".into(),
            backout_plan: "Roll back the snapshot.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_template_needs_a_name_and_all_three_plans() {
        let draft = form().validate().unwrap();
        assert_eq!(draft.service_ids, vec![3]);
        let errors = TemplateForm {
            name: "OS".into(),
            test_plan: "  ".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.get("name"),
            Some("Name must be at least 5 characters.")
        );
        assert_eq!(errors.get("test_plan"), Some("Test plan is required."));
        let errors = TemplateForm {
            service_ids: vec!["x".into()],
            ..form()
        }
        .validate()
        .unwrap_err();
        assert!(errors.get("service_ids").is_some());
    }

    #[test]
    fn the_form_round_trips() {
        let template = StandardTemplate {
            id: 1,
            name: "Monthly OS patching".into(),
            description: String::new(),
            category: "Infrastructure".into(),
            service_ids: vec![3],
            implementation_plan: "Patch one node at a time.".into(),
            test_plan: "Health checks green.".into(),
            backout_plan: "Roll back the snapshot.".into(),
            active: true,
            version: 1,
        };
        let draft = template.to_form().validate().unwrap();
        assert_eq!(draft.name, template.name);
        assert_eq!(draft.service_ids, template.service_ids);
    }
}
