//! Service requests (clause 8.6.2): the catalogue of request types each service offers (the
//! fields asked, whether approval is needed, a fulfilment target of its own), the requests
//! raised from it with their answers, approval, fulfilment clock and timeline.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RequestTypes {
    Table,
    Id,
    ServiceId,
    Name,
    Description,
    ApprovalRequired,
    FulfilmentMinutes,
    Active,
    Fields,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ServiceRequests {
    Table,
    Id,
    TypeId,
    ServiceId,
    Summary,
    Answers,
    State,
    RequesterId,
    RaisedBy,
    ApprovalRequired,
    ApproverId,
    DecidedAt,
    AssigneeId,
    AgreementId,
    CalendarId,
    TargetMinutes,
    UsedSeconds,
    RunningSince,
    StoppedAt,
    WarningAt,
    DueAt,
    QueueDueAt,
    CreatedAt,
    FulfilledAt,
    ClosedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ServiceRequestEvents {
    Table,
    Id,
    RequestId,
    At,
    AuthorId,
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

fn id_column<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ServiceRequests as R;
        manager
            .create_table(
                Table::create()
                    .table(RequestTypes::Table)
                    .col(id_column(RequestTypes::Id))
                    .col(
                        ColumnDef::new(RequestTypes::ServiceId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RequestTypes::Name)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(ColumnDef::new(RequestTypes::Description).text().not_null())
                    .col(
                        ColumnDef::new(RequestTypes::ApprovalRequired)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RequestTypes::FulfilmentMinutes)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(RequestTypes::Active).boolean().not_null())
                    .col(ColumnDef::new(RequestTypes::Fields).text().not_null())
                    .col(
                        ColumnDef::new(RequestTypes::CreatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(RequestTypes::CreatedAt, false))
                    .col(timestamp(RequestTypes::UpdatedAt, false))
                    .col(ColumnDef::new(RequestTypes::Version).integer().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_request_types_service",
                        (RequestTypes::Table, RequestTypes::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_request_types_created_by",
                        (RequestTypes::Table, RequestTypes::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_request_types_service")
                    .table(RequestTypes::Table)
                    .col(RequestTypes::ServiceId)
                    .col(RequestTypes::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(id_column(R::Id))
                    .col(ColumnDef::new(R::TypeId).big_integer().not_null())
                    .col(ColumnDef::new(R::ServiceId).big_integer().not_null())
                    .col(ColumnDef::new(R::Summary).string_len(160).not_null())
                    .col(ColumnDef::new(R::Answers).text().not_null())
                    .col(ColumnDef::new(R::State).string_len(20).not_null())
                    .col(ColumnDef::new(R::RequesterId).big_integer().not_null())
                    .col(ColumnDef::new(R::RaisedBy).big_integer().not_null())
                    .col(ColumnDef::new(R::ApprovalRequired).boolean().not_null())
                    .col(ColumnDef::new(R::ApproverId).big_integer().null())
                    .col(timestamp(R::DecidedAt, true))
                    .col(ColumnDef::new(R::AssigneeId).big_integer().null())
                    .col(ColumnDef::new(R::AgreementId).big_integer().null())
                    .col(ColumnDef::new(R::CalendarId).big_integer().null())
                    .col(ColumnDef::new(R::TargetMinutes).integer().null())
                    .col(
                        ColumnDef::new(R::UsedSeconds)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(R::RunningSince, true))
                    .col(timestamp(R::StoppedAt, true))
                    .col(timestamp(R::WarningAt, true))
                    .col(timestamp(R::DueAt, true))
                    .col(timestamp(R::QueueDueAt, false))
                    .col(timestamp(R::CreatedAt, false))
                    .col(timestamp(R::FulfilledAt, true))
                    .col(timestamp(R::ClosedAt, true))
                    .col(timestamp(R::UpdatedAt, false))
                    .col(ColumnDef::new(R::Version).integer().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_service_requests_type",
                        (R::Table, R::TypeId),
                        (RequestTypes::Table, RequestTypes::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_requests_service",
                        (R::Table, R::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_requests_requester",
                        (R::Table, R::RequesterId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_requests_raised_by",
                        (R::Table, R::RaisedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_requests_approver",
                        (R::Table, R::ApproverId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_requests_assignee",
                        (R::Table, R::AssigneeId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // The queue walks its sort key (fulfilment due first) and stops after a page; a
        // requester's own requests and the state filters read their own indexes.
        for (name, columns) in [
            ("ix_service_requests_queue", vec![R::QueueDueAt, R::Id]),
            ("ix_service_requests_requester", vec![R::RequesterId, R::Id]),
            ("ix_service_requests_state", vec![R::State, R::Id]),
        ] {
            let mut index = Index::create();
            index.name(name).table(R::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ServiceRequestEvents::Table)
                    .col(id_column(ServiceRequestEvents::Id))
                    .col(
                        ColumnDef::new(ServiceRequestEvents::RequestId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(ServiceRequestEvents::At, false))
                    .col(
                        ColumnDef::new(ServiceRequestEvents::AuthorId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(ServiceRequestEvents::Body).text().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_service_request_events_request",
                        (ServiceRequestEvents::Table, ServiceRequestEvents::RequestId),
                        (R::Table, R::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_service_request_events_author",
                        (ServiceRequestEvents::Table, ServiceRequestEvents::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_request_events_request")
                    .table(ServiceRequestEvents::Table)
                    .col(ServiceRequestEvents::RequestId)
                    .col(ServiceRequestEvents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ServiceRequestEvents::Table.into_iden(),
            ServiceRequests::Table.into_iden(),
            RequestTypes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
