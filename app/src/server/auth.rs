//! What the session middleware learned about a request, and the cookie that carries a session.

use crate::model::user::CurrentUser;
use crate::server::service::identity::ClientInfo;
use crate::server::session::SessionPolicy;

/// Put into every request's extensions by the server's session middleware.
#[derive(Debug, Clone, Default)]
pub struct RequestAuth {
    pub user: Option<CurrentUser>,
    /// The session secret from the cookie, when it named a live session.
    pub token: Option<String>,
    pub client: ClientInfo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthSettings {
    pub session: SessionPolicy,
    /// Served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
}

impl AuthSettings {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-conform_session"
        } else {
            "conform_session"
        }
    }

    pub fn session_cookie(&self, token: &str) -> String {
        format!(
            "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            self.cookie_name(),
            token,
            self.session.absolute_lifetime.num_seconds(),
            if self.secure_cookies { "; Secure" } else { "" }
        )
    }

    pub fn expired_cookie(&self) -> String {
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            self.cookie_name(),
            if self.secure_cookies { "; Secure" } else { "" }
        )
    }

    /// The session secret in a `Cookie:` header, if any.
    pub fn token_from_cookie_header(&self, header: &str) -> Option<String> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie_name())
            .map(|(_, value)| value.trim().to_string())
            .filter(|value| !value.is_empty() && value.len() <= 128)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_lax_and_prefixed_over_https() {
        let plain = AuthSettings::default();
        assert!(plain
            .session_cookie("abc")
            .starts_with("conform_session=abc; Path=/; HttpOnly; SameSite=Lax"));
        assert!(!plain.session_cookie("abc").contains("Secure"));
        let secure = AuthSettings {
            secure_cookies: true,
            ..Default::default()
        };
        let cookie = secure.session_cookie("abc");
        assert!(cookie.starts_with("__Host-conform_session=abc;"));
        assert!(cookie.ends_with("; Secure"));
    }

    #[test]
    fn token_is_read_from_the_right_cookie() {
        let settings = AuthSettings::default();
        assert_eq!(
            settings.token_from_cookie_header("a=1; conform_session=xyz; b=2"),
            Some("xyz".into())
        );
        assert_eq!(
            settings.token_from_cookie_header("conform_sessionx=1"),
            None
        );
        assert_eq!(settings.token_from_cookie_header("conform_session="), None);
    }
}
