//! Incidents (clause 8.6.1) with their two target clocks, and each incident's timeline (work
//! notes and steps).
//!
//! A clock is stored as `model::target_clock::TargetClock` keeps it (target, service seconds
//! used, running since, stopped at) plus the warning and due instants worked out when it last
//! moved, so that the queue sorts and filters by them in SQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Incidents {
    Table,
    Id,
    Title,
    Description,
    ServiceId,
    Impact,
    Urgency,
    Priority,
    PriorityRule,
    Category,
    Affected,
    ReporterId,
    AssigneeId,
    State,
    PendingReason,
    ResolutionCode,
    Resolution,
    Major,
    ReviewCompletedAt,
    ServiceAffecting,
    StartedAt,
    AgreementId,
    CalendarId,
    ResponseTargetMinutes,
    ResponseUsedSeconds,
    ResponseRunningSince,
    ResponseStoppedAt,
    ResponseWarningAt,
    ResponseDueAt,
    ResolutionTargetMinutes,
    ResolutionUsedSeconds,
    ResolutionRunningSince,
    ResolutionStoppedAt,
    ResolutionWarningAt,
    ResolutionDueAt,
    ResolvedAt,
    ClosedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IncidentEvents {
    Table,
    Id,
    IncidentId,
    At,
    AuthorId,
    Kind,
    Body,
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

fn timestamp<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn maybe_timestamp<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
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

fn index(name: &str, columns: &[Incidents]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Incidents::Table);
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incidents::Table)
                    .col(
                        ColumnDef::new(Incidents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(short(Incidents::Title, 160))
                    .col(ColumnDef::new(Incidents::Description).text().not_null())
                    .col(
                        ColumnDef::new(Incidents::ServiceId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(short(Incidents::Impact, 16))
                    .col(short(Incidents::Urgency, 16))
                    .col(short(Incidents::Priority, 8))
                    .col(ColumnDef::new(Incidents::PriorityRule).text().not_null())
                    .col(short(Incidents::Category, 60))
                    .col(short(Incidents::Affected, 200))
                    .col(
                        ColumnDef::new(Incidents::ReporterId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Incidents::AssigneeId).big_integer().null())
                    .col(short(Incidents::State, 16))
                    .col(
                        ColumnDef::new(Incidents::PendingReason)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incidents::ResolutionCode)
                            .string_len(24)
                            .null(),
                    )
                    .col(ColumnDef::new(Incidents::Resolution).text().null())
                    .col(
                        ColumnDef::new(Incidents::Major)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(maybe_timestamp(Incidents::ReviewCompletedAt))
                    .col(
                        ColumnDef::new(Incidents::ServiceAffecting)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(timestamp(Incidents::StartedAt))
                    .col(ColumnDef::new(Incidents::AgreementId).big_integer().null())
                    .col(ColumnDef::new(Incidents::CalendarId).big_integer().null())
                    .col(
                        ColumnDef::new(Incidents::ResponseTargetMinutes)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incidents::ResponseUsedSeconds)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(maybe_timestamp(Incidents::ResponseRunningSince))
                    .col(maybe_timestamp(Incidents::ResponseStoppedAt))
                    .col(maybe_timestamp(Incidents::ResponseWarningAt))
                    .col(maybe_timestamp(Incidents::ResponseDueAt))
                    .col(
                        ColumnDef::new(Incidents::ResolutionTargetMinutes)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Incidents::ResolutionUsedSeconds)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(maybe_timestamp(Incidents::ResolutionRunningSince))
                    .col(maybe_timestamp(Incidents::ResolutionStoppedAt))
                    .col(maybe_timestamp(Incidents::ResolutionWarningAt))
                    .col(maybe_timestamp(Incidents::ResolutionDueAt))
                    .col(maybe_timestamp(Incidents::ResolvedAt))
                    .col(maybe_timestamp(Incidents::ClosedAt))
                    .col(ColumnDef::new(Incidents::Version).integer().not_null())
                    .col(timestamp(Incidents::CreatedAt))
                    .col(timestamp(Incidents::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_incidents_service",
                        (Incidents::Table, Incidents::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_incidents_reporter",
                        (Incidents::Table, Incidents::ReporterId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_incidents_assignee",
                        (Incidents::Table, Incidents::AssigneeId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // The queue's filters and sorts: by state, by assignee's open work, by service, by
        // the due time of resolution, newest first.
        for statement in [
            index("ix_incidents_state", &[Incidents::State, Incidents::Id]),
            index(
                "ix_incidents_assignee",
                &[Incidents::AssigneeId, Incidents::State],
            ),
            index(
                "ix_incidents_service",
                &[Incidents::ServiceId, Incidents::CreatedAt],
            ),
            index(
                "ix_incidents_resolution_due",
                &[Incidents::ResolutionDueAt, Incidents::Id],
            ),
            index(
                "ix_incidents_created",
                &[Incidents::CreatedAt, Incidents::Id],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(IncidentEvents::Table)
                    .col(
                        ColumnDef::new(IncidentEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(IncidentEvents::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(IncidentEvents::At))
                    .col(
                        ColumnDef::new(IncidentEvents::AuthorId)
                            .big_integer()
                            .null(),
                    )
                    .col(short(IncidentEvents::Kind, 24))
                    .col(ColumnDef::new(IncidentEvents::Body).text().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_incident_events_incident",
                        (IncidentEvents::Table, IncidentEvents::IncidentId),
                        (Incidents::Table, Incidents::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_incident_events_incident")
                    .table(IncidentEvents::Table)
                    .col(IncidentEvents::IncidentId)
                    .col(IncidentEvents::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncidentEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Incidents::Table).to_owned())
            .await
    }
}
