//! Change requests, their services and implementers, and blackout/maintenance windows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Changes {
    Table,
    Id,
    Title,
    Description,
    Reason,
    ChangeType,
    Category,
    State,
    RequesterId,
    OwnerId,
    PlannedStart,
    PlannedEnd,
    ExpectsOutage,
    OutageMinutes,
    ImplementationPlan,
    TestPlan,
    BackoutPlan,
    CommunicationPlan,
    ConfigurationItems,
    RiskAnswers,
    RiskScore,
    RiskLevel,
    ConflictOverride,
    ReviewOutcome,
    ReviewIncidents,
    ReviewLessons,
    AuthorisedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ChangeServices {
    Table,
    ChangeId,
    ServiceId,
}

#[derive(DeriveIden)]
enum ChangeImplementers {
    Table,
    ChangeId,
    UserId,
}

#[derive(DeriveIden)]
enum ScheduleWindows {
    Table,
    Id,
    Kind,
    Name,
    ServiceId,
    StartsAt,
    EndsAt,
    Version,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(
                        ColumnDef::new(Changes::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Changes::Title).string_len(120).not_null())
                    .col(
                        ColumnDef::new(Changes::Description)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Changes::Reason)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Changes::ChangeType)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Changes::Category)
                            .string_len(60)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Changes::State).string_len(32).not_null())
                    .col(
                        ColumnDef::new(Changes::RequesterId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Changes::OwnerId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Changes::PlannedStart)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Changes::PlannedEnd)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Changes::ExpectsOutage)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Changes::OutageMinutes)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Changes::ImplementationPlan)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Changes::TestPlan)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Changes::BackoutPlan)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Changes::CommunicationPlan)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Changes::ConfigurationItems)
                            .text()
                            .not_null()
                            .default("[]"),
                    )
                    .col(ColumnDef::new(Changes::RiskAnswers).text().null())
                    .col(ColumnDef::new(Changes::RiskScore).integer().null())
                    .col(ColumnDef::new(Changes::RiskLevel).string_len(16).null())
                    .col(ColumnDef::new(Changes::ConflictOverride).text().null())
                    .col(ColumnDef::new(Changes::ReviewOutcome).text().null())
                    .col(ColumnDef::new(Changes::ReviewIncidents).integer().null())
                    .col(ColumnDef::new(Changes::ReviewLessons).text().null())
                    .col(ColumnDef::new(Changes::AuthorisedBy).big_integer().null())
                    .col(
                        ColumnDef::new(Changes::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Changes::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Changes::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_changes_requester")
                            .from(Changes::Table, Changes::RequesterId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_changes_owner")
                            .from(Changes::Table, Changes::OwnerId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_changes_state", Changes::State),
            ("idx_changes_planned_start", Changes::PlannedStart),
            ("idx_changes_owner", Changes::OwnerId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Changes::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ChangeServices::Table)
                    .col(
                        ColumnDef::new(ChangeServices::ChangeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ChangeServices::ServiceId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ChangeServices::ChangeId)
                            .col(ChangeServices::ServiceId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_services_change")
                            .from(ChangeServices::Table, ChangeServices::ChangeId)
                            .to(Changes::Table, Changes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_services_service")
                            .from(ChangeServices::Table, ChangeServices::ServiceId)
                            .to(Services::Table, Services::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_services_service")
                    .table(ChangeServices::Table)
                    .col(ChangeServices::ServiceId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ChangeImplementers::Table)
                    .col(
                        ColumnDef::new(ChangeImplementers::ChangeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ChangeImplementers::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ChangeImplementers::ChangeId)
                            .col(ChangeImplementers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_implementers_change")
                            .from(ChangeImplementers::Table, ChangeImplementers::ChangeId)
                            .to(Changes::Table, Changes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_implementers_user")
                            .from(ChangeImplementers::Table, ChangeImplementers::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ScheduleWindows::Table)
                    .col(
                        ColumnDef::new(ScheduleWindows::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ScheduleWindows::Kind)
                            .string_len(16)
                            .not_null()
                            .check(
                                Expr::col(ScheduleWindows::Kind).is_in(["blackout", "maintenance"]),
                            ),
                    )
                    .col(
                        ColumnDef::new(ScheduleWindows::Name)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ScheduleWindows::ServiceId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ScheduleWindows::StartsAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ScheduleWindows::EndsAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ScheduleWindows::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(ScheduleWindows::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_windows_service")
                            .from(ScheduleWindows::Table, ScheduleWindows::ServiceId)
                            .to(Services::Table, Services::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ScheduleWindows::Table.into_iden(),
            ChangeImplementers::Table.into_iden(),
            ChangeServices::Table.into_iden(),
            Changes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
