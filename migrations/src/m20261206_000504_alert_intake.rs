//! Monitoring intake (clause 8.6.1): sources that may post alerts (each with a secret token
//! stored only as its SHA-256, revocable), the rules that map an alert's labels to a service
//! and a priority, and the link from an alert's fingerprint to the incident it opened, so a
//! repeated delivery of the same alert adds nothing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IntakeSources {
    Table,
    Id,
    Name,
    Kind,
    TokenHash,
    ReporterId,
    ServiceId,
    Impact,
    Urgency,
    Rules,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
    Version,
}

#[derive(DeriveIden)]
enum AlertLinks {
    Table,
    Id,
    SourceId,
    Fingerprint,
    IncidentId,
    Firing,
    FirstReceivedAt,
    LastReceivedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
}

fn id<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

fn timestamp<T: IntoIden>(column: T, nullable: bool) -> ColumnDef {
    let mut column = ColumnDef::new(column);
    column.timestamp_with_time_zone();
    if nullable {
        column.null();
    } else {
        column.not_null();
    }
    column.to_owned()
}

fn short<T: IntoIden>(column: T, length: u32) -> ColumnDef {
    ColumnDef::new(column)
        .string_len(length)
        .not_null()
        .to_owned()
}

fn foreign_key(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IntakeSources::Table)
                    .col(id(IntakeSources::Id))
                    .col(short(IntakeSources::Name, 80).unique_key().to_owned())
                    .col(short(IntakeSources::Kind, 24))
                    .col(short(IntakeSources::TokenHash, 64).unique_key().to_owned())
                    .col(reference(IntakeSources::ReporterId))
                    .col(reference(IntakeSources::ServiceId))
                    .col(short(IntakeSources::Impact, 16))
                    .col(short(IntakeSources::Urgency, 16))
                    .col(ColumnDef::new(IntakeSources::Rules).text().not_null())
                    .col(reference(IntakeSources::CreatedBy))
                    .col(timestamp(IntakeSources::CreatedAt, false))
                    .col(timestamp(IntakeSources::LastUsedAt, true))
                    .col(timestamp(IntakeSources::RevokedAt, true))
                    .col(ColumnDef::new(IntakeSources::Version).integer().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_intake_sources_reporter",
                        (IntakeSources::Table, IntakeSources::ReporterId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_intake_sources_service",
                        (IntakeSources::Table, IntakeSources::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AlertLinks::Table)
                    .col(id(AlertLinks::Id))
                    .col(reference(AlertLinks::SourceId))
                    .col(short(AlertLinks::Fingerprint, 64))
                    .col(reference(AlertLinks::IncidentId))
                    .col(ColumnDef::new(AlertLinks::Firing).boolean().not_null())
                    .col(timestamp(AlertLinks::FirstReceivedAt, false))
                    .col(timestamp(AlertLinks::LastReceivedAt, false))
                    .foreign_key(&mut foreign_key(
                        "fk_alert_links_source",
                        (AlertLinks::Table, AlertLinks::SourceId),
                        (IntakeSources::Table, IntakeSources::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_alert_links_incident",
                        (AlertLinks::Table, AlertLinks::IncidentId),
                        (Incidents::Table, Incidents::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One incident per alert and source: the dedupe a repeated delivery relies on, also
        // when two deliveries race.
        manager
            .create_index(
                Index::create()
                    .name("ux_alert_links_fingerprint")
                    .table(AlertLinks::Table)
                    .col(AlertLinks::SourceId)
                    .col(AlertLinks::Fingerprint)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_alert_links_incident")
                    .table(AlertLinks::Table)
                    .col(AlertLinks::IncidentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AlertLinks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(IntakeSources::Table).to_owned())
            .await
    }
}
