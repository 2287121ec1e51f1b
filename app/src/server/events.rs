//! The live channel: after a write commits, an event goes to every open board and meeting.
//! In one process a broadcast channel carries it; on PostgreSQL it goes through
//! LISTEN/NOTIFY first, so that every `conform` process on the database hears it.
//!
//! Each process numbers the events in the order it hears them and keeps the last
//! [`KEPT_EVENTS`] in memory (the journal): a browser that lost its connection says the last
//! number it saw (`Last-Event-ID`) and is sent what it missed. A number from another process
//! or from before a restart, or one older than the journal, gets a "resync" instead: the page
//! fetches itself again.

use crate::model::live::LiveEvent;
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::DatabaseConnection;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

const CHANNEL: &str = "conform_events";
/// How many events each process keeps for browsers that reconnect: at a busy CAB's pace
/// (a few events a second) well over the minute a laptop may be offline.
pub const KEPT_EVENTS: usize = 2048;
/// PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; larger events go without
/// their details (listeners fetch instead).
const NOTIFY_LIMIT: usize = 7900;

/// Where an event stands in this process's numbering: `<epoch>-<sequence>`, the epoch being
/// the process's start, so that numbers from another process or run are never mistaken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    epoch: u64,
    sequence: u64,
}

impl Position {
    /// Reads what a browser sent back; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (epoch, sequence) = text.trim().split_once('-')?;
        Some(Self {
            epoch: u64::from_str_radix(epoch, 16).ok()?,
            sequence: sequence.parse().ok()?,
        })
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:x}-{}", self.epoch, self.sequence)
    }
}

/// One event as this process's streams hear it.
#[derive(Debug, Clone)]
pub struct Stamped {
    pub position: Position,
    pub payload: Arc<str>,
    /// Carries change details: sent only to readers of changes.
    pub change_details: bool,
}

/// Where a (re)connecting stream starts.
#[derive(Debug)]
pub enum Start {
    /// It said nothing: it starts now, at this position.
    Now(Position),
    /// It said a position the journal still holds: these came after it.
    Replay(Vec<Stamped>),
    /// Its position is unknown here (another process, a restart, or too long ago): it must
    /// fetch everything again; events continue from this position.
    Resync(Position),
}

#[derive(Debug)]
struct Journal {
    epoch: u64,
    /// The sequence number of the last event heard (0: none yet).
    last: u64,
    kept: VecDeque<Stamped>,
}

impl Journal {
    fn position(&self) -> Position {
        Position {
            epoch: self.epoch,
            sequence: self.last,
        }
    }

    fn start_after(&self, seen: Option<Position>) -> Start {
        let Some(seen) = seen else {
            return Start::Now(self.position());
        };
        let oldest_kept = self.last + 1 - self.kept.len() as u64;
        // `seen` may be the last event dropped from the journal: all after it are kept.
        if seen.epoch != self.epoch || seen.sequence > self.last || seen.sequence + 1 < oldest_kept
        {
            return Start::Resync(self.position());
        }
        let missed = (self.last - seen.sequence) as usize;
        Start::Replay(
            self.kept
                .iter()
                .skip(self.kept.len() - missed)
                .cloned()
                .collect(),
        )
    }
}
/// A user's sessions ended (sign-out, disabled): their open streams check theirs at once.
const SESSIONS_CHANNEL: &str = "conform_sessions_ended";

#[derive(Clone, Debug)]
pub struct Events {
    local: broadcast::Sender<Stamped>,
    journal: Arc<Mutex<Journal>>,
    /// User ids whose sessions ended; never sent to browsers.
    sessions_ended: broadcast::Sender<i64>,
    postgres: Option<PgPool>,
    /// The LISTEN task: it holds a pooled connection for as long as it runs, so it is stopped
    /// before the pool is closed at shutdown (closing waits for every connection).
    listener: Option<tokio::task::AbortHandle>,
}

impl Events {
    /// In-process only (SQLite, tests).
    pub fn local() -> Self {
        let (local, _) = broadcast::channel(1024);
        let (sessions_ended, _) = broadcast::channel(256);
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos() as u64);
        Self {
            local,
            journal: Arc::new(Mutex::new(Journal {
                epoch,
                last: 0,
                kept: VecDeque::with_capacity(KEPT_EVENTS),
            })),
            sessions_ended,
            postgres: None,
            listener: None,
        }
    }

    /// Fans out through PostgreSQL when `conn` is PostgreSQL; starts the listener task.
    pub async fn for_database(conn: &DatabaseConnection) -> Result<Self, sea_orm::sqlx::Error> {
        let mut events = Self::local();
        if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
            let pool = conn.get_postgres_connection_pool().clone();
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen_all([CHANNEL, SESSIONS_CHANNEL]).await?;
            let heard = events.clone();
            let sessions_ended = events.sessions_ended.clone();
            let task = tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(notification) if notification.channel() == SESSIONS_CHANNEL => {
                            if let Ok(user_id) = notification.payload().parse() {
                                let _ = sessions_ended.send(user_id);
                            }
                        }
                        Ok(notification) => heard.hear(notification.payload()),
                        // The listener reconnects by itself on the next recv.
                        Err(err) => tracing::warn!(?err, "live event listener"),
                    }
                }
            });
            events.listener = Some(task.abort_handle());
            events.postgres = Some(pool);
        }
        Ok(events)
    }

    /// Stops listening to other processes (at shutdown, before the pool closes).
    pub fn stop_listening(&self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
    }

    pub fn publish(&self, event: &LiveEvent) {
        let Ok(mut payload) = serde_json::to_string(event) else {
            return;
        };
        if payload.len() >= NOTIFY_LIMIT {
            match serde_json::to_string(&event.clone().without_details()) {
                Ok(light) => payload = light,
                Err(_) => return,
            }
        }
        self.send(CHANNEL, payload);
    }

    /// Numbers an event this process heard, keeps it in the journal and hands it to every
    /// open stream. The lock is held while sending, so streams hear events in number order.
    fn hear(&self, payload: &str) {
        let Ok(event) = serde_json::from_str::<LiveEvent>(payload) else {
            tracing::warn!(payload, "an unreadable live event was dropped");
            return;
        };
        let mut journal = self
            .journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        journal.last += 1;
        let stamped = Stamped {
            position: journal.position(),
            payload: Arc::from(payload),
            change_details: event.carries_change_details(),
        };
        if journal.kept.len() == KEPT_EVENTS {
            journal.kept.pop_front();
        }
        journal.kept.push_back(stamped.clone());
        // Nobody listening is fine.
        let _ = self.local.send(stamped);
    }

    /// Tells every process that `user_id`'s sessions ended (after the commit): their live
    /// streams re-check their session and close, and their meeting presence ends.
    pub fn sessions_ended(&self, user_id: i64) {
        match &self.postgres {
            Some(_) => self.send(SESSIONS_CHANNEL, user_id.to_string()),
            None => {
                let _ = self.sessions_ended.send(user_id);
            }
        }
    }

    /// Hears `sessions_ended` (only user ids; browsers never see these).
    pub fn watch_sessions(&self) -> broadcast::Receiver<i64> {
        self.sessions_ended.subscribe()
    }

    /// Through PostgreSQL to every process when there is one, else to this process's streams.
    fn send(&self, channel: &'static str, payload: String) {
        match &self.postgres {
            Some(pool) => {
                let pool = pool.clone();
                tokio::spawn(async move {
                    let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(channel)
                        .bind(payload)
                        .execute(&pool)
                        .await;
                    if let Err(err) = sent {
                        tracing::warn!(?err, "could not publish a live event");
                    }
                });
            }
            None => self.hear(&payload),
        }
    }

    /// Every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Stamped> {
        self.local.subscribe()
    }

    /// Every event after `seen` (what a reconnecting browser saw last): those the journal
    /// holds, then every new one, with neither gaps nor repeats between the two.
    pub fn subscribe_after(&self, seen: Option<Position>) -> (Start, broadcast::Receiver<Stamped>) {
        let journal = self
            .journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (journal.start_after(seen), self.local.subscribe())
    }

    /// Whether `position` is one of this process's (this run's) numbers.
    pub fn numbered_here(&self, position: &Position) -> bool {
        self.journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .epoch
            == position.epoch
    }

    /// The position of the last event this process heard.
    pub fn position(&self) -> Position {
        self.journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .position()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(id: i64) -> LiveEvent {
        LiveEvent::MeetingUpdated {
            meeting_id: id,
            meeting: None,
        }
    }

    fn sequences(start: &Start) -> Vec<u64> {
        match start {
            Start::Replay(events) => events.iter().map(|e| e.position.sequence).collect(),
            other => panic!("expected a replay, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_reconnecting_stream_is_sent_what_it_missed_then_the_rest() {
        let events = Events::local();
        let (start, _) = events.subscribe_after(None);
        let Start::Now(joined) = start else {
            panic!("a new stream starts now")
        };
        for id in 1..=3 {
            events.publish(&changed(id));
        }
        let seen = Position {
            sequence: joined.sequence + 1,
            ..joined
        };
        let (start, mut rest) = events.subscribe_after(Some(seen));
        assert_eq!(sequences(&start), vec![2, 3]);
        events.publish(&changed(4));
        assert_eq!(rest.recv().await.unwrap().position.sequence, 4);
        // Caught up: nothing to replay.
        let (start, _) = events.subscribe_after(Some(events.position()));
        assert_eq!(sequences(&start), Vec::<u64>::new());
    }

    #[test]
    fn positions_read_back_and_foreign_ones_ask_for_a_resync() {
        let events = Events::local();
        events.publish(&changed(1));
        let here = events.position();
        assert_eq!(Position::parse(&here.to_string()), Some(here));
        for text in ["", "7", "x-1", "1-y", "-1"] {
            assert_eq!(Position::parse(text), None, "{text:?}");
        }
        // Another process, a restart, or a number from the future.
        let elsewhere = Position {
            epoch: here.epoch + 1,
            ..here
        };
        let ahead = Position {
            sequence: here.sequence + 5,
            ..here
        };
        for seen in [elsewhere, ahead] {
            assert!(matches!(events.subscribe_after(Some(seen)).0, Start::Resync(p) if p == here));
        }
    }

    #[test]
    fn the_journal_keeps_only_the_last_events() {
        let events = Events::local();
        for id in 0..(KEPT_EVENTS as i64 + 10) {
            events.publish(&changed(id));
        }
        let last = events.position();
        let at = |sequence| Position { sequence, ..last };
        // The last event dropped is still a position everything after which is kept.
        assert_eq!(
            sequences(&events.subscribe_after(Some(at(10))).0).len(),
            KEPT_EVENTS
        );
        assert!(matches!(
            events.subscribe_after(Some(at(9))).0,
            Start::Resync(_)
        ));
    }

    #[test]
    fn an_event_too_large_to_notify_goes_without_its_details() {
        use crate::model::change_request::ChangeCard;
        let events = Events::local();
        let mut rest = events.subscribe();
        let card = ChangeCard {
            title: "x".repeat(NOTIFY_LIMIT),
            ..ChangeCard::sample(1)
        };
        events.publish(&LiveEvent::ChangeUpdated {
            id: 1,
            version: 1,
            state: "submitted".into(),
            cards: vec![card],
        });
        let heard = rest.try_recv().unwrap();
        assert!(!heard.change_details);
        let event: LiveEvent = serde_json::from_str(&heard.payload).unwrap();
        assert!(!event.carries_change_details());
    }
}
