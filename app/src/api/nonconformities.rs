//! Server functions of nonconformities (clause 10.1). Reading needs `ImprovementRead`; raising
//! a finding needs `FindingRaise` (auditors record findings too); each step is decided by the
//! clause 10.1 rules (owner works it, someone else verifies, a quality manager closes).

use crate::error::AppError;
use crate::model::listing::Page;
use crate::model::nonconformity::{NcForm, Nonconformity};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::Permission,
    crate::model::access::RecordType,
    crate::server::service::nonconformities::{self, Raised, Step},
};

/// One page of nonconformities (open first, newest first), with the caller's own date
/// (steps are overdue by it).
#[server(endpoint = "nonconformities/list")]
pub async fn list_nonconformities(
    #[server(default)] page: Option<u64>,
) -> Result<(Page<Nonconformity>, chrono::NaiveDate), AppError> {
    let caller = require(Permission::ImprovementRead).await?;
    let items = nonconformities::page(&caller.db, page.unwrap_or(1)).await?;
    Ok((
        items,
        crate::server::service::schedule::local_today(&caller.user.time_zone),
    ))
}

#[server(endpoint = "nonconformities/get")]
pub async fn get_nonconformity(id: i64) -> Result<Nonconformity, AppError> {
    let caller = require(Permission::ImprovementRead).await?;
    nonconformities::get(caller.db.reader(), id).await
}

/// Raises a finding; observations and opportunities become register entries. Goes to the
/// record that was created.
#[server(endpoint = "nonconformities/raise")]
pub async fn raise_nonconformity(form: NcForm) -> Result<(), AppError> {
    let caller = require(Permission::FindingRaise).await?;
    let draft = form.validate()?;
    let raised = nonconformities::raise(
        &caller.db,
        &caller.user,
        &caller.actor(),
        draft,
        crate::server::service::schedule::local_today(&caller.user.time_zone),
        &super::guard::state()?.controls,
    )
    .await?;
    match raised {
        Raised::Nonconformity(id) => leptos_axum::redirect(&format!("/nonconformities/{id}")),
        Raised::Improvement(id) => leptos_axum::redirect(&format!("/improvements/{id}")),
    }
    Ok(())
}

/// One step: `step` is `contain` (with `text`), `root_cause` (with `text`, `method`,
/// `similar`), `add_action` (with `text`, `owner_id`, `due`), `plan`, `action_done` (with
/// `action_id`), `to_register` (with `action_id`), `actions_done` (with `wait_days`), `effective`, `not_effective` or `close`.
#[server(endpoint = "nonconformities/step")]
pub async fn nonconformity_step(
    id: i64,
    version: i32,
    step: String,
    #[server(default)] text: Option<String>,
    #[server(default)] method: Option<String>,
    #[server(default)] similar: Option<String>,
    #[server(default)] owner_id: Option<String>,
    #[server(default)] due: Option<String>,
    #[server(default)] action_id: Option<i64>,
    #[server(default)] wait_days: Option<String>,
) -> Result<Nonconformity, AppError> {
    use crate::model::nonconformity::RootCauseMethod;
    let caller = require(Permission::FindingRaise).await?;
    let today = crate::server::service::schedule::local_today(&caller.user.time_zone);
    let text = text.unwrap_or_default();
    let step = match step.as_str() {
        "contain" => Step::Contain { correction: text },
        "root_cause" => Step::AnalyseRootCause {
            root_cause: text,
            method: match method.as_deref() {
                Some("five_whys") => RootCauseMethod::FiveWhys,
                Some("cause_categories") => RootCauseMethod::CauseCategories,
                _ => {
                    return Err(AppError::single_field(
                        "method",
                        "Choose how the root cause was found.",
                    ))
                }
            },
            similar_notes: similar.unwrap_or_default(),
        },
        "add_action" => {
            let mut errors = crate::error::FieldErrors::new();
            let owner = owner_id
                .as_deref()
                .unwrap_or_default()
                .trim()
                .parse::<i64>()
                .ok();
            if owner.is_none() {
                errors.add("action_owner", "Choose the action's owner.");
            }
            let due_on = crate::model::typed::date(due.as_deref().unwrap_or_default())
                .map_err(|refusal| {
                    errors.add(
                        "action_due",
                        refusal.message("Enter the due date as YYYY-MM-DD."),
                    )
                })
                .ok();
            match (owner, due_on) {
                (Some(owner_id), Some(due)) => Step::AddAction {
                    text,
                    owner_id,
                    due,
                },
                _ => return Err(errors.into()),
            }
        }
        "plan" => Step::PlanActions,
        "action_done" => Step::CompleteAction {
            action_id: action_id.ok_or_else(|| AppError::BadRequest("Which action?".into()))?,
        },
        "to_register" => Step::ActionToRegister {
            action_id: action_id.ok_or_else(|| AppError::BadRequest("Which action?".into()))?,
        },
        "actions_done" => Step::CompleteActions {
            wait_days: match wait_days.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(value) => Some(
                    value
                        .parse::<i64>()
                        .ok()
                        .filter(|d| (0..=365).contains(d))
                        .ok_or_else(|| {
                            AppError::single_field(
                                "wait_days",
                                "Enter a waiting period from 0 to 365 days.",
                            )
                        })?,
                ),
            },
        },
        "effective" => Step::Verify { effective: true },
        "not_effective" => Step::Verify { effective: false },
        "close" => Step::Close,
        other => {
            return Err(AppError::BadRequest(format!(
                "“{other}” is not a step of a nonconformity."
            )))
        }
    };
    let result = nonconformities::record(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        step,
        today,
        &super::guard::state()?.controls,
    )
    .await;
    caller
        .counted(RecordType::Nonconformity, Some(id), result)
        .await
}
