//! A major incident's post-incident review, kept on the incident: what happened, why, what
//! was learned, and who completed it. Its actions become improvement register entries (their
//! source reference names the incident), so they need no table here.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden, Clone, Copy)]
enum Incidents {
    Table,
    ReviewSummary,
    ReviewCause,
    ReviewLessons,
    ReviewedBy,
}

#[derive(DeriveIden)]
enum Improvements {
    Table,
    SourceRef,
}

const SOURCE_INDEX: &str = "idx_improvements_source_ref";

#[derive(DeriveMigrationName)]
pub struct Migration;

const TEXT_COLUMNS: [Incidents; 3] = [
    Incidents::ReviewSummary,
    Incidents::ReviewCause,
    Incidents::ReviewLessons,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in TEXT_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Incidents::Table)
                        .add_column(ColumnDef::new(column).text().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(ColumnDef::new(Incidents::ReviewedBy).big_integer().null())
                    .to_owned(),
            )
            .await?;
        // A record lists the register entries it sent (a review's actions) by source.
        manager
            .create_index(
                Index::create()
                    .name(SOURCE_INDEX)
                    .table(Improvements::Table)
                    .col(Improvements::SourceRef)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(SOURCE_INDEX).to_owned())
            .await?;
        for column in TEXT_COLUMNS.into_iter().chain([Incidents::ReviewedBy]) {
            manager
                .alter_table(
                    Table::alter()
                        .table(Incidents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
