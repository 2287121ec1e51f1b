//! Users, sessions, sign-in throttling and the append-only, hash-chained audit trail.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Roles,
    TimeZone,
    DisabledAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    ClientIp,
    UserAgent,
}

#[derive(DeriveIden)]
enum AuthThrottle {
    Table,
    Key,
    Failures,
    WindowStartedAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    OccurredAt,
    ActorId,
    ActorName,
    Action,
    RecordType,
    RecordId,
    Summary,
    Changes,
    ClientIp,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(
                        ColumnDef::new(Users::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Users::Email)
                            .string_len(254)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Users::Name).string_len(80).not_null())
                    .col(ColumnDef::new(Users::PasswordHash).text().not_null())
                    .col(ColumnDef::new(Users::Roles).text().not_null().default("[]"))
                    .col(
                        ColumnDef::new(Users::TimeZone)
                            .string_len(64)
                            .not_null()
                            .default("UTC"),
                    )
                    .col(
                        ColumnDef::new(Users::DisabledAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Users::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Users::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Users::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(
                        ColumnDef::new(Sessions::IdHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Sessions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Sessions::LastSeenAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Sessions::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Sessions::ClientIp).string_len(64).null())
                    .col(ColumnDef::new(Sessions::UserAgent).string_len(256).null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthThrottle::Table)
                    .col(
                        ColumnDef::new(AuthThrottle::Key)
                            .string_len(320)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuthThrottle::Failures).integer().not_null())
                    .col(
                        ColumnDef::new(AuthThrottle::WindowStartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuthThrottle::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(
                        ColumnDef::new(AuditLog::Seq)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuditLog::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::ActorId).big_integer().null())
                    .col(
                        ColumnDef::new(AuditLog::ActorName)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::Action).string_len(64).not_null())
                    .col(
                        ColumnDef::new(AuditLog::RecordType)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::RecordId).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::Summary).text().not_null())
                    .col(ColumnDef::new(AuditLog::Changes).text().not_null())
                    .col(ColumnDef::new(AuditLog::ClientIp).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::PrevHash).string_len(64).not_null())
                    .col(ColumnDef::new(AuditLog::Hash).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_audit_record",
                vec![AuditLog::RecordType, AuditLog::RecordId],
            ),
            ("idx_audit_actor", vec![AuditLog::ActorId]),
            ("idx_audit_time", vec![AuditLog::OccurredAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditLog::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(
                        ColumnDef::new(AuditHead::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuditHead::Seq).big_integer().not_null())
                    .col(ColumnDef::new(AuditHead::Hash).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditHead::Table)
                    .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                    .values_panic([1.into(), 0i64.into(), GENESIS_HASH.into()])
                    .to_owned(),
            )
            .await?;

        // The database itself refuses to change or remove audit entries.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for (name, event) in [
                    ("audit_log_no_update", "UPDATE"),
                    ("audit_log_no_delete", "DELETE"),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} BEFORE {event} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
                    ))
                    .await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();",
                )
                .await?;
            }
            other => return Err(DbErr::Migration(format!("unsupported database {other:?}"))),
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
                .await?;
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()")
                .await?;
        }
        for table in [
            AuditHead::Table.into_iden(),
            AuditLog::Table.into_iden(),
            AuthThrottle::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
