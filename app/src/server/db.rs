//! Connecting to SQLite (default) or PostgreSQL, and the write path.
//!
//! SQLite allows one writer at a time. Rather than letting concurrent write transactions
//! collide ("database is locked"), all writes go through a dedicated single-connection pool
//! and so queue in-process; reads use their own pool and never wait for writers (WAL).
//! On PostgreSQL both handles share one pool. The health check has a connection of its own
//! (both backends), so a flood of requests queued for the pools never delays the answer a
//! load balancer waits for.

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    TransactionTrait,
};
use std::time::Duration;

const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
    health: DatabaseConnection,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        if url.starts_with("sqlite:") {
            let read = Database::connect(sqlite_options(url, 8)).await?;
            let write = Database::connect(sqlite_options(url, 1)).await?;
            let health = Database::connect(sqlite_options(url, 1)).await?;
            Ok(Self {
                read,
                write,
                health,
            })
        } else {
            let pool = Database::connect(postgres_options(url, 16)).await?;
            Ok(Self {
                read: pool.clone(),
                write: pool,
                health: Database::connect(postgres_options(url, 1)).await?,
            })
        }
    }

    /// For reads: never blocks on writers.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.read
    }

    /// The connection writes and migrations go through.
    pub fn writer(&self) -> &DatabaseConnection {
        &self.write
    }

    /// Starts the one transaction a mutation (record + audit entry) runs in.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.write.begin().await
    }

    pub fn backend(&self) -> DbBackend {
        self.read.get_database_backend()
    }

    /// Brings the query planner's statistics up to date. SQLite keeps none until asked, and
    /// without them it reads a filter's index and sorts every match (the default incident
    /// queue at 100,000 incidents: 58 ms) where walking the sort's index and stopping after a
    /// page costs 0.2 ms. `PRAGMA optimize` analyses only tables that changed a lot, with a
    /// bounded sample. PostgreSQL's autovacuum keeps its own statistics.
    pub async fn refresh_statistics(&self) -> Result<(), DbErr> {
        if self.backend() == DbBackend::Sqlite {
            use sea_orm::ConnectionTrait;
            // 0x10000: every table, not only those this connection queried; 0x02: analyse.
            self.write
                .execute_unprepared("PRAGMA optimize=0x10002")
                .await?;
        }
        Ok(())
    }

    /// A trivial round trip for the health check, on its own connection.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.health.ping().await
    }

    pub async fn close(self) -> Result<(), DbErr> {
        let separate_writer = self.backend() == DbBackend::Sqlite;
        self.read.close().await?;
        self.health.close().await?;
        if separate_writer {
            self.write.close().await?;
        }
        Ok(())
    }
}

fn postgres_options(url: &str, connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    options
}

fn sqlite_options(url: &str, connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts: SqliteConnectOptions| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
    options
}

/// `select` locked for the transaction on PostgreSQL (SQLite has one writer at a time), so
/// what a write checks cannot change before it lands.
pub fn locked<E: sea_orm::EntityTrait, C: sea_orm::ConnectionTrait>(
    conn: &C,
    select: sea_orm::Select<E>,
) -> sea_orm::Select<E> {
    use sea_orm::QuerySelect;
    if conn.get_database_backend() == DbBackend::Postgres {
        select.lock_exclusive()
    } else {
        select
    }
}
