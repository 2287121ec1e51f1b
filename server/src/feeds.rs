//! `GET /calendar/feed/{secret}.ics`: a person's change schedule as an RFC 5545 calendar that
//! Outlook, Google Calendar and Thunderbird can subscribe to. The secret in the URL is the
//! only credential (calendar apps cannot sign in), so it is revocable and stored hashed.

use app::model::calendar::{CalendarChange, CalendarWindow};
use app::model::change::ChangeState;
use app::model::change_request::reference;
use app::model::schedule::WindowKind;
use app::server::service::{feeds, schedule};
use app::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

/// How far back and ahead the feed reaches.
const PAST: Duration = Duration::days(30);
const AHEAD: Duration = Duration::days(365);

pub async fn change_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return (StatusCode::NOT_FOUND, "Calendar feeds end in .ics.").into_response();
    };
    let owner = match feeds::owner(&state.db, token).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return (
            StatusCode::NOT_FOUND,
            "This calendar link is not valid (any more). Create a new one on your account page.",
        )
            .into_response(),
        Err(error) => return failure(error),
    };
    let now = Utc::now();
    let (changes, windows) =
        match schedule::between(&state.db, now - PAST, now + AHEAD, chrono_tz::UTC).await {
            Ok(found) => found,
            Err(error) => return failure(error),
        };
    tracing::debug!(
        user = owner.id,
        changes = changes.len(),
        "calendar feed served"
    );
    let body = render(
        &changes,
        &windows,
        &base_url(state.public_url.as_deref(), &headers),
        now,
    );
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"conform-changes.ics\"",
            ),
        ],
        body,
    )
        .into_response()
}

fn failure(error: app::error::AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

/// Where links in the feed point: `CONFORM_PUBLIC_URL` when configured. Otherwise the host
/// the calendar app asked for, over plain HTTP: a proxy's `X-Forwarded-Proto` or
/// `X-Forwarded-Host` is never trusted for links (set the public URL instead).
pub fn base_url(public_url: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn status_of(state: ChangeState) -> EventStatus {
    match state {
        ChangeState::Authorised
        | ChangeState::Scheduled
        | ChangeState::Implementing
        | ChangeState::Implemented
        | ChangeState::Failed
        | ChangeState::BackedOut
        | ChangeState::Reviewed
        | ChangeState::Closed => EventStatus::Confirmed,
        _ => EventStatus::Tentative,
    }
}

/// A title or name on one line: every CR, LF or other control character becomes a space, so
/// no record text can end an iCalendar line (a bare CR included) and inject a property.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Free text for a DESCRIPTION: line breaks (CRLF, bare CR or LF) become LF, which the
/// calendar library escapes as `\n`; other control characters become spaces.
fn text_block(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' | '\n' => '\n',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// The calendar text. `changes` and `windows` carry UTC wall-clock times.
pub fn render(
    changes: &[CalendarChange],
    windows: &[CalendarWindow],
    base_url: &str,
    now: DateTime<Utc>,
) -> String {
    let mut calendar = Calendar::new();
    calendar
        .name("Conform change schedule")
        .description("Scheduled changes, freezes and maintenance windows")
        .ttl(&Duration::hours(1));
    for change in changes {
        let mut description = format!(
            "{} change, {}{}.\nServices: {}",
            change.change_type.label(),
            change.state.label(),
            change
                .risk
                .map(|r| format!(", {} risk", r.label()))
                .unwrap_or_default(),
            if change.services.is_empty() {
                "none named".to_string()
            } else {
                one_line(&change.services.join(", "))
            }
        );
        for conflict in &change.conflicts {
            description.push_str(&format!("\nConflict: {}", one_line(conflict)));
        }
        calendar.push(
            Event::new()
                .uid(&format!("change-{}@conform", change.id))
                .timestamp(now)
                .summary(&format!(
                    "{}{} {}",
                    if change.conflicts.is_empty() {
                        ""
                    } else {
                        "⚠ "
                    },
                    reference(change.id),
                    one_line(&change.title)
                ))
                .description(&text_block(&description))
                .starts(change.start.and_utc())
                .ends(change.end.and_utc())
                .status(status_of(change.state))
                .url(&format!("{base_url}/changes/{}", change.id))
                .done(),
        );
    }
    for window in windows {
        let label = match window.kind {
            WindowKind::Blackout => "Change freeze",
            WindowKind::Maintenance => "Maintenance window",
        };
        let scope = window
            .service
            .clone()
            .unwrap_or_else(|| "all services".into());
        calendar.push(
            Event::new()
                .uid(&format!("window-{}@conform", window.id))
                .timestamp(now)
                .summary(&format!(
                    "{label}: {} ({})",
                    one_line(&window.name),
                    one_line(&scope)
                ))
                .starts(window.start.and_utc())
                .ends(window.end.and_utc())
                .add_property("TRANSP", "TRANSPARENT")
                .done(),
        );
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::change::ChangeType;
    use chrono::{NaiveDateTime, TimeZone};
    use icalendar::{CalendarComponent, CalendarDateTime, DatePerhapsTime};

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn change() -> CalendarChange {
        CalendarChange {
            id: 42,
            title: "Patch the mail gateway; restart, then verify".into(),
            state: ChangeState::Scheduled,
            change_type: ChangeType::Normal,
            risk: None,
            services: vec!["Mail".into(), "ERP finance".into()],
            start: at("2026-12-01 21:00"),
            end: at("2026-12-01 22:30"),
            conflicts: vec!["CHG-00007 changes Mail at an overlapping time.".into()],
        }
    }

    #[test]
    fn the_feed_parses_with_a_real_parser_and_round_trips_times() {
        let window = CalendarWindow {
            id: 3,
            kind: WindowKind::Blackout,
            name: "Year-end freeze".into(),
            service: None,
            start: at("2026-12-20 00:00"),
            end: at("2027-01-04 00:00"),
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        let text = render(&[change()], &[window], "https://conform.example", now);
        assert!(text.contains("\r\n"), "RFC 5545 lines end in CRLF");
        assert!(
            text.lines().all(|l| l.len() <= 75 + 1),
            "long lines are folded"
        );

        let parsed: icalendar::Calendar = text.parse().expect("the feed parses");
        let events: Vec<&Event> = parsed
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 2);
        let first = events[0];
        assert_eq!(first.get_uid(), Some("change-42@conform"));
        assert_eq!(
            first.get_summary(),
            Some("⚠ CHG-00042 Patch the mail gateway; restart, then verify")
        );
        assert_eq!(
            first.get_start(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(
                Utc.with_ymd_and_hms(2026, 12, 1, 21, 0, 0).unwrap()
            )))
        );
        assert_eq!(
            first.get_end(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(
                Utc.with_ymd_and_hms(2026, 12, 1, 22, 30, 0).unwrap()
            )))
        );
        assert_eq!(first.get_status(), Some(EventStatus::Confirmed));
        assert_eq!(first.get_url(), Some("https://conform.example/changes/42"));
        assert!(first
            .get_description()
            .unwrap()
            .contains("Services: Mail, ERP finance"));
        assert!(first
            .get_description()
            .unwrap()
            .contains("Conflict: CHG-00007"));
        assert_eq!(events[1].get_uid(), Some("window-3@conform"));
        assert_eq!(
            events[1].get_summary(),
            Some("Change freeze: Year-end freeze (all services)")
        );
    }

    #[test]
    fn links_come_from_the_public_url_never_from_forwarded_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "conform.example:8443".parse().unwrap());
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        headers.insert("x-forwarded-host", "evil.example".parse().unwrap());
        assert_eq!(base_url(None, &headers), "http://conform.example:8443");
        assert_eq!(
            base_url(Some("https://conform.example.org"), &headers),
            "https://conform.example.org"
        );
        headers.insert(header::HOST, "evil.example/<script>".parse().unwrap());
        assert_eq!(base_url(None, &headers), "http://localhost");
    }

    #[test]
    fn a_bare_cr_or_lf_in_record_text_cannot_start_a_new_property() {
        let text = one_line("Patch\rATTENDEE:mailto:x@evil.example\nX: y");
        assert!(!text.contains('\r') && !text.contains('\n'), "{text:?}");
        assert_eq!(text_block("a\rb\r\nc\u{0}"), "a\nb\nc ");
    }
}
