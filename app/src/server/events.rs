//! The live channel: after a write commits, an event goes to every open board and meeting.
//! In one process a broadcast channel carries it; on PostgreSQL it goes through
//! LISTEN/NOTIFY first, so that every `conform` process on the database hears it.

use crate::model::live::LiveEvent;
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast;

const CHANNEL: &str = "conform_events";

#[derive(Clone, Debug)]
pub struct Events {
    local: broadcast::Sender<String>,
    postgres: Option<PgPool>,
}

impl Events {
    /// In-process only (SQLite, tests).
    pub fn local() -> Self {
        let (local, _) = broadcast::channel(1024);
        Self {
            local,
            postgres: None,
        }
    }

    /// Fans out through PostgreSQL when `conn` is PostgreSQL; starts the listener task.
    pub async fn for_database(conn: &DatabaseConnection) -> Result<Self, sea_orm::sqlx::Error> {
        let mut events = Self::local();
        if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
            let pool = conn.get_postgres_connection_pool().clone();
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            let local = events.local.clone();
            tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(notification) => {
                            let _ = local.send(notification.payload().to_string());
                        }
                        // The listener reconnects by itself on the next recv.
                        Err(err) => tracing::warn!(?err, "live event listener"),
                    }
                }
            });
            events.postgres = Some(pool);
        }
        Ok(events)
    }

    pub fn publish(&self, event: &LiveEvent) {
        let Ok(payload) = serde_json::to_string(event) else {
            return;
        };
        match &self.postgres {
            Some(pool) => {
                let pool = pool.clone();
                tokio::spawn(async move {
                    let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANNEL)
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
