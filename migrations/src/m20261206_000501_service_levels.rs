//! Service levels (clause 8.3.3): service-hours calendars, the organisation's priority matrix
//! and reopen period (one settings row), and service level agreements with the services they
//! cover.
//!
//! A calendar's weekly hours and holidays are JSON (`[{"start":540,"end":1020}, null, …]`,
//! `[{"date":"2027-12-25","name":"…"}]`), as are an agreement's targets per priority; the
//! model validates them and nothing queries inside them. An approved agreement is never
//! written again: a revision is a new row (`revises_id`) that retires it when approved.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServiceCalendars {
    Table,
    Id,
    Name,
    TimeZone,
    Week,
    Holidays,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceLevelSettings {
    Table,
    Id,
    PriorityMatrix,
    ReopenDays,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceAgreements {
    Table,
    Id,
    Title,
    Customer,
    CalendarId,
    StartsOn,
    EndsOn,
    ReviewOn,
    Targets,
    AvailabilityPercent,
    FulfilmentMinutes,
    State,
    Revision,
    RevisesId,
    AuthorId,
    ContributorIds,
    ApprovedBy,
    ApprovedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceAgreementServices {
    Table,
    AgreementId,
    ServiceId,
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

fn id<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn timestamp<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn text<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

fn int<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).integer().not_null().to_owned()
}

fn reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
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

/// The usual ITIL matrix, rows impact high → low, columns urgency high → low.
const DEFAULT_MATRIX: &str = "p1,p2,p3;p2,p3,p4;p3,p4,p5";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServiceCalendars::Table)
                    .col(id(ServiceCalendars::Id))
                    .col(
                        ColumnDef::new(ServiceCalendars::Name)
                            .string_len(80)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ServiceCalendars::TimeZone)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(text(ServiceCalendars::Week))
                    .col(text(ServiceCalendars::Holidays))
                    .col(int(ServiceCalendars::Version))
                    .col(timestamp(ServiceCalendars::CreatedAt))
                    .col(timestamp(ServiceCalendars::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_service_calendars_name")
                    .table(ServiceCalendars::Table)
                    .col(ServiceCalendars::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceLevelSettings::Table)
                    .col(
                        ColumnDef::new(ServiceLevelSettings::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(text(ServiceLevelSettings::PriorityMatrix))
                    .col(int(ServiceLevelSettings::ReopenDays))
                    .col(int(ServiceLevelSettings::Version))
                    .col(timestamp(ServiceLevelSettings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let settings = Query::insert()
            .into_table(ServiceLevelSettings::Table)
            .columns([
                ServiceLevelSettings::Id,
                ServiceLevelSettings::PriorityMatrix,
                ServiceLevelSettings::ReopenDays,
                ServiceLevelSettings::Version,
                ServiceLevelSettings::UpdatedAt,
            ])
            .values_panic([
                1.into(),
                DEFAULT_MATRIX.into(),
                10.into(),
                1.into(),
                Expr::current_timestamp(),
            ])
            .to_owned();
        manager.exec_stmt(settings).await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceAgreements::Table)
                    .col(id(ServiceAgreements::Id))
                    .col(
                        ColumnDef::new(ServiceAgreements::Title)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ServiceAgreements::Customer)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(reference(ServiceAgreements::CalendarId))
                    .col(
                        ColumnDef::new(ServiceAgreements::StartsOn)
                            .date()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ServiceAgreements::EndsOn).date().null())
                    .col(
                        ColumnDef::new(ServiceAgreements::ReviewOn)
                            .date()
                            .not_null(),
                    )
                    .col(text(ServiceAgreements::Targets))
                    .col(
                        ColumnDef::new(ServiceAgreements::AvailabilityPercent)
                            .double()
                            .not_null(),
                    )
                    .col(int(ServiceAgreements::FulfilmentMinutes))
                    .col(
                        ColumnDef::new(ServiceAgreements::State)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(int(ServiceAgreements::Revision))
                    .col(
                        ColumnDef::new(ServiceAgreements::RevisesId)
                            .big_integer()
                            .null(),
                    )
                    .col(reference(ServiceAgreements::AuthorId))
                    .col(text(ServiceAgreements::ContributorIds))
                    .col(
                        ColumnDef::new(ServiceAgreements::ApprovedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ServiceAgreements::ApprovedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(int(ServiceAgreements::Version))
                    .col(timestamp(ServiceAgreements::CreatedAt))
                    .col(timestamp(ServiceAgreements::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_service_agreements_calendar",
                        (ServiceAgreements::Table, ServiceAgreements::CalendarId),
                        (ServiceCalendars::Table, ServiceCalendars::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_agreements_author",
                        (ServiceAgreements::Table, ServiceAgreements::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_agreements_state")
                    .table(ServiceAgreements::Table)
                    .col(ServiceAgreements::State)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceAgreementServices::Table)
                    .col(reference(ServiceAgreementServices::AgreementId))
                    .col(reference(ServiceAgreementServices::ServiceId))
                    .primary_key(
                        Index::create()
                            .col(ServiceAgreementServices::AgreementId)
                            .col(ServiceAgreementServices::ServiceId),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_service_agreement_services_agreement",
                        (
                            ServiceAgreementServices::Table,
                            ServiceAgreementServices::AgreementId,
                        ),
                        (ServiceAgreements::Table, ServiceAgreements::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_agreement_services_service",
                        (
                            ServiceAgreementServices::Table,
                            ServiceAgreementServices::ServiceId,
                        ),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_agreement_services_service")
                    .table(ServiceAgreementServices::Table)
                    .col(ServiceAgreementServices::ServiceId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ServiceAgreementServices::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ServiceAgreements::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ServiceLevelSettings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ServiceCalendars::Table).to_owned())
            .await?;
        Ok(())
    }
}
