//! The queue's sort key as a column of its own: when the resolution is due, or the far future
//! for an incident whose clock does not run. Indexed with the id, so the default queue walks
//! the index in order and stops after a page, instead of sorting every open incident by an
//! expression (COALESCE) no index can serve.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::ChronoDateTimeUtc;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    ResolutionDueAt,
    QueueDueAt,
}

/// "Not due": later than any due instant a clock gives (the application writes the same).
fn far_future() -> Result<ChronoDateTimeUtc, DbErr> {
    "9999-12-31T00:00:00Z"
        .parse()
        .map_err(|e| DbErr::Custom(format!("far future: {e}")))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(
                        ColumnDef::new(Incidents::QueueDueAt)
                            .timestamp_with_time_zone()
                            .not_null()
                            .default(far_future()?),
                    )
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        let due = Query::update()
            .table(Incidents::Table)
            .value(Incidents::QueueDueAt, Expr::col(Incidents::ResolutionDueAt))
            .and_where(Expr::col(Incidents::ResolutionDueAt).is_not_null())
            .to_owned();
        connection.execute(&due).await?;
        let not_due = Query::update()
            .table(Incidents::Table)
            .value(Incidents::QueueDueAt, far_future()?)
            .and_where(Expr::col(Incidents::ResolutionDueAt).is_null())
            .to_owned();
        connection.execute(&not_due).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_incidents_queue_due")
                    .table(Incidents::Table)
                    .col(Incidents::QueueDueAt)
                    .col(Incidents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_incidents_queue_due")
                    .table(Incidents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .drop_column(Incidents::QueueDueAt)
                    .to_owned(),
            )
            .await
    }
}
