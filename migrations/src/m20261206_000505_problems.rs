//! Problems and known errors (clause 8.6.3): a problem raised from one or many incidents, its
//! root cause analysis and workaround (a known error once both are recorded), the change that
//! removes the cause, and the incidents it explains. An incident belongs to one problem at most.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Problems {
    Table,
    Id,
    Title,
    Description,
    ServiceId,
    State,
    OwnerId,
    RcaMethod,
    RootCause,
    Workaround,
    Resolution,
    ChangeId,
    CreatedBy,
    CreatedAt,
    KnownErrorAt,
    ResolvedAt,
    ClosedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ProblemIncidents {
    Table,
    Id,
    ProblemId,
    IncidentId,
    LinkedBy,
    LinkedAt,
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

#[derive(DeriveIden)]
enum Changes {
    Table,
    Id,
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
                    .table(Problems::Table)
                    .col(
                        ColumnDef::new(Problems::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Problems::Title).string_len(160).not_null())
                    .col(ColumnDef::new(Problems::Description).text().not_null())
                    .col(ColumnDef::new(Problems::ServiceId).big_integer().not_null())
                    .col(ColumnDef::new(Problems::State).string_len(16).not_null())
                    .col(ColumnDef::new(Problems::OwnerId).big_integer().null())
                    .col(ColumnDef::new(Problems::RcaMethod).string_len(24).null())
                    .col(ColumnDef::new(Problems::RootCause).text().null())
                    .col(ColumnDef::new(Problems::Workaround).text().null())
                    .col(ColumnDef::new(Problems::Resolution).text().null())
                    .col(ColumnDef::new(Problems::ChangeId).big_integer().null())
                    .col(ColumnDef::new(Problems::CreatedBy).big_integer().not_null())
                    .col(timestamp(Problems::CreatedAt, false))
                    .col(timestamp(Problems::KnownErrorAt, true))
                    .col(timestamp(Problems::ResolvedAt, true))
                    .col(timestamp(Problems::ClosedAt, true))
                    .col(timestamp(Problems::UpdatedAt, false))
                    .col(ColumnDef::new(Problems::Version).integer().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_problems_service",
                        (Problems::Table, Problems::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_problems_owner",
                        (Problems::Table, Problems::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_problems_created_by",
                        (Problems::Table, Problems::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_problems_change",
                        (Problems::Table, Problems::ChangeId),
                        (Changes::Table, Changes::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // The list and the known error search read by state, newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_problems_state")
                    .table(Problems::Table)
                    .col(Problems::State)
                    .col(Problems::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProblemIncidents::Table)
                    .col(
                        ColumnDef::new(ProblemIncidents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ProblemIncidents::ProblemId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProblemIncidents::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProblemIncidents::LinkedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(ProblemIncidents::LinkedAt, false))
                    .foreign_key(&mut foreign_key(
                        "fk_problem_incidents_problem",
                        (ProblemIncidents::Table, ProblemIncidents::ProblemId),
                        (Problems::Table, Problems::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_problem_incidents_incident",
                        (ProblemIncidents::Table, ProblemIncidents::IncidentId),
                        (Incidents::Table, Incidents::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_problem_incidents_linked_by",
                        (ProblemIncidents::Table, ProblemIncidents::LinkedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One problem explains an incident: two people linking it at once cannot both win.
        manager
            .create_index(
                Index::create()
                    .name("ux_problem_incidents_incident")
                    .table(ProblemIncidents::Table)
                    .col(ProblemIncidents::IncidentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_problem_incidents_problem")
                    .table(ProblemIncidents::Table)
                    .col(ProblemIncidents::ProblemId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProblemIncidents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Problems::Table).to_owned())
            .await
    }
}
