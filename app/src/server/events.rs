//! The live channel: after a write commits, an event goes to every open board and meeting.
//! In one process a broadcast channel carries it; on PostgreSQL it goes through
//! LISTEN/NOTIFY first, so that every `conform` process on the database hears it.

use crate::model::live::LiveEvent;
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast;

const CHANNEL: &str = "conform_events";
/// A user's sessions ended (sign-out, disabled): their open streams check theirs at once.
const SESSIONS_CHANNEL: &str = "conform_sessions_ended";

#[derive(Clone, Debug)]
pub struct Events {
    local: broadcast::Sender<String>,
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
        Self {
            local,
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
            let local = events.local.clone();
            let sessions_ended = events.sessions_ended.clone();
            let task = tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(notification) if notification.channel() == SESSIONS_CHANNEL => {
                            if let Ok(user_id) = notification.payload().parse() {
                                let _ = sessions_ended.send(user_id);
                            }
                        }
                        Ok(notification) => {
                            let _ = local.send(notification.payload().to_string());
                        }
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
        let Ok(payload) = serde_json::to_string(event) else {
            return;
        };
        self.send(CHANNEL, payload);
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
            None => {
                // Nobody listening is fine.
                let _ = self.local.send(payload);
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.local.subscribe()
    }
}
