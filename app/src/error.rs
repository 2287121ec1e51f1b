//! The one error type that crosses the wire. The UI renders each variant helpfully;
//! database text never ends up in here (internal errors carry only a correlation id).

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::collections::BTreeMap;

/// Validation messages keyed by form field name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        // The first problem found for a field is the one worth telling.
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(value)` when no field has an error.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    #[error("{0} was not found.")]
    NotFound(String),
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// One message for every failed sign-in, so it never reveals whether an account exists.
    #[error("The e-mail address or password is not right.")]
    SignInFailed,
    /// Throttled: a lockout after failed sign-ins (minutes), or a flood (try again in a moment).
    #[error("{}", rate_limit_message(*retry_after_seconds))]
    RateLimited { retry_after_seconds: i64 },
    #[error("You are not allowed to {0}.")]
    Forbidden(String),
    /// A rule of the record refuses this person this action (segregation of duties, owner
    /// only …), in the rule's own words.
    #[error("{0}")]
    Refused(String),
    /// Someone else saved the record first; nothing was overwritten.
    #[error("{message}")]
    Conflict {
        message: String,
        current_version: i32,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("Something went wrong on the server. Reference: {correlation_id}")]
    Internal { correlation_id: String },
    #[error("Could not talk to the server: {0}")]
    Transport(String),
}

fn rate_limit_message(retry_after_seconds: i64) -> String {
    if retry_after_seconds <= 5 {
        "Too many sign-in attempts, try again in a moment.".to_string()
    } else {
        format!(
            "Too many failed attempts. Try again in {} minute(s).",
            (retry_after_seconds + 59) / 60
        )
    }
}

impl AppError {
    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Validation(errors) => Some(errors),
            _ => None,
        }
    }

    pub fn single_field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Validation(errors)
    }

    /// HTTP status that matches this error, for pages rendered on the server.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation(_) | AppError::BadRequest(_) => 400,
            AppError::Unauthenticated | AppError::SignInFailed => 401,
            AppError::RateLimited { .. } => 429,
            AppError::Forbidden(_) | AppError::Refused(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict { .. } => 409,
            AppError::Internal { .. } | AppError::Transport(_) => 500,
        }
    }
}

impl From<crate::model::actor::Refusal> for AppError {
    fn from(refusal: crate::model::actor::Refusal) -> Self {
        AppError::Refused(refusal.0)
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => {
                AppError::BadRequest(message)
            }
            ServerFnErrorErr::MissingArg(arg) => {
                AppError::BadRequest(format!("missing argument {arg}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_message_per_field_wins() {
        let mut errors = FieldErrors::new();
        errors.add("name", "Name is required.");
        errors.add("name", "Name is too long.");
        assert_eq!(errors.get("name"), Some("Name is required."));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn errors_round_trip_through_json() {
        let error = AppError::Conflict {
            message: "changed".into(),
            current_version: 3,
        };
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
    }

    #[test]
    fn status_codes_match_meaning() {
        assert_eq!(AppError::NotFound("Service 4".into()).status_code(), 404);
        assert_eq!(
            AppError::Conflict {
                message: String::new(),
                current_version: 1
            }
            .status_code(),
            409
        );
    }
}
