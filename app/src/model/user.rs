//! People who use Conform, their roles, and the forms that manage them.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::text::bounded;
use serde::{Deserialize, Serialize};

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const EMAIL_MAX: usize = 254;
pub const USER_NAME_MAX: usize = 80;
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// The signed-in person, as every page and server function sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub time_zone: String,
}

impl CurrentUser {
    pub fn may(&self, permission: crate::model::access::Permission) -> bool {
        crate::model::access::may(&self.roles, permission)
    }

    /// Initials for the avatar in the top bar.
    pub fn initials(&self) -> String {
        self.name
            .split_whitespace()
            .filter_map(|part| part.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase()
    }
}

/// A user as the admin pages list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub time_zone: String,
    pub disabled: bool,
    pub version: i32,
}

/// Lower-cases and trims an e-mail address; checks its shape.
pub fn normalise_email(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let email = value.trim().to_lowercase();
    let valid_shape = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email.matches('@').count() == 1
        }
        None => false,
    };
    if email.is_empty() {
        errors.add(field, "E-mail address is required.");
    } else if email.chars().count() > EMAIL_MAX {
        errors.add(
            field,
            format!("E-mail address must be at most {EMAIL_MAX} characters."),
        );
    } else if !valid_shape {
        errors.add(field, "Enter an e-mail address like name@example.org.");
    }
    email
}

/// Checks a new password: 8 to 128 characters, used exactly as typed (never truncated).
pub fn check_password(errors: &mut FieldErrors, field: &str, password: &str) {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        errors.add(
            field,
            format!("Password must be at least {PASSWORD_MIN} characters."),
        );
    } else if length > PASSWORD_MAX {
        errors.add(
            field,
            format!("Password must be at most {PASSWORD_MAX} characters."),
        );
    } else if password.trim().is_empty() {
        errors.add(field, "Password cannot be only spaces.");
    }
}

/// Checks the shape of an IANA time zone name; the server also checks it is a known zone.
pub fn check_time_zone_shape(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let zone = value.trim().to_string();
    let valid = !zone.is_empty()
        && zone.len() <= 64
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    if !valid {
        errors.add(field, "Choose a time zone such as Europe/Berlin or UTC.");
    }
    zone
}

fn parse_roles(errors: &mut FieldErrors, field: &str, values: &[String]) -> Vec<Role> {
    let mut roles = Vec::new();
    for value in values.iter().filter(|v| !v.trim().is_empty()) {
        match Role::parse_loose(value) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => errors.add(field, format!("“{value}” is not a role.")),
        }
    }
    roles.sort();
    roles
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    /// Where to go after signing in (a path inside Conform).
    #[serde(default)]
    pub next: String,
}

/// A path inside Conform to return to after sign-in; anything else becomes `/`.
pub fn safe_next(next: &str) -> String {
    let next = next.trim();
    let inside = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 512;
    if inside && !next.starts_with("/login") {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserForm {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub password: String,
}

impl NewUserForm {
    pub fn validate(&self) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = normalise_email(&mut errors, "email", &self.email);
        let name = bounded(&mut errors, "name", "Name", &self.name, 2, USER_NAME_MAX);
        let roles = parse_roles(&mut errors, "roles", &self.roles);
        check_password(&mut errors, "password", &self.password);
        errors.into_result(NewUser {
            email,
            name,
            roles,
            password: self.password.clone(),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRolesForm {
    #[serde(default)]
    pub roles: Vec<String>,
}

impl UserRolesForm {
    pub fn validate(&self) -> Result<Vec<Role>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let roles = parse_roles(&mut errors, "roles", &self.roles);
        errors.into_result(roles)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

impl PasswordChangeForm {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.current_password.is_empty() {
            errors.add("current_password", "Enter your current password.");
        }
        check_password(&mut errors, "new_password", &self.new_password);
        if self.new_password != self.confirm_password {
            errors.add("confirm_password", "The two new passwords differ.");
        }
        errors.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            normalise_email(&mut errors, "email", "  Dana@Example.ORG "),
            "dana@example.org"
        );
        assert!(errors.is_empty());
        for bad in [
            "",
            "dana",
            "dana@",
            "@example.org",
            "da na@example.org",
            "a@b@c.org",
            "dana@example",
        ] {
            let mut errors = FieldErrors::new();
            normalise_email(&mut errors, "email", bad);
            assert!(errors.get("email").is_some(), "{bad:?} accepted");
        }
    }

    #[test]
    fn password_length_rules_count_characters_and_never_truncate() {
        let check = |p: &str| {
            let mut errors = FieldErrors::new();
            check_password(&mut errors, "password", p);
            errors.get("password").map(str::to_string)
        };
        assert!(check("short").is_some());
        assert!(check("        ").is_some());
        assert_eq!(check(&"x".repeat(8)), None);
        assert_eq!(check(&"é".repeat(64)), None, "64 characters are fine");
        assert_eq!(check(&"x".repeat(128)), None);
        assert!(check(&"x".repeat(129)).is_some());
    }

    #[test]
    fn next_stays_inside_conform() {
        assert_eq!(safe_next("/services?q=a"), "/services?q=a");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/login"), "/");
        assert_eq!(safe_next(""), "/");
    }

    #[test]
    fn new_user_form_reports_every_problem() {
        let form = NewUserForm {
            email: "nope".into(),
            name: "".into(),
            roles: vec!["admin".into(), "wizard".into()],
            password: "123".into(),
        };
        let errors = form.validate().unwrap_err();
        for field in ["email", "name", "roles", "password"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn roles_are_deduplicated_and_sorted() {
        let form = UserRolesForm {
            roles: vec!["auditor".into(), "Admin".into(), "admin".into(), "".into()],
        };
        assert_eq!(form.validate().unwrap(), vec![Role::Admin, Role::Auditor]);
    }

    #[test]
    fn password_change_must_confirm() {
        let form = PasswordChangeForm {
            current_password: "old-password".into(),
            new_password: "new-password-1".into(),
            confirm_password: "new-password-2".into(),
        };
        assert_eq!(
            form.validate().unwrap_err().get("confirm_password"),
            Some("The two new passwords differ.")
        );
    }

    #[test]
    fn initials_come_from_the_name() {
        let user = CurrentUser {
            id: 1,
            email: "a@b.org".into(),
            name: "dana whitfield".into(),
            roles: vec![],
            time_zone: "UTC".into(),
        };
        assert_eq!(user.initials(), "DW");
    }
}
