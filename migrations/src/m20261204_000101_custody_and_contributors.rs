//! Who has held a record, so segregation of duties survives hand-overs: an improvement keeps
//! its former owners and who named its approver; document and plan versions keep everyone who
//! saved part of them (the author is not the only writer of a version).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Improvements {
    Table,
    FormerOwnerIds,
    ApproverNamedBy,
}

#[derive(DeriveIden)]
enum SmsDocumentVersions {
    Table,
    ContributorIds,
}

#[derive(DeriveIden)]
enum PlanVersions {
    Table,
    ContributorIds,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A JSON array of user ids, empty to start with.
fn id_list(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .text()
        .not_null()
        .default("[]")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Improvements::Table)
                    .add_column(id_list(Improvements::FormerOwnerIds))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Improvements::Table)
                    .add_column(
                        ColumnDef::new(Improvements::ApproverNamedBy)
                            .big_integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SmsDocumentVersions::Table)
                    .add_column(id_list(SmsDocumentVersions::ContributorIds))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PlanVersions::Table)
                    .add_column(id_list(PlanVersions::ContributorIds))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (
                Improvements::Table.into_iden(),
                Improvements::FormerOwnerIds.into_iden(),
            ),
            (
                Improvements::Table.into_iden(),
                Improvements::ApproverNamedBy.into_iden(),
            ),
            (
                SmsDocumentVersions::Table.into_iden(),
                SmsDocumentVersions::ContributorIds.into_iden(),
            ),
            (
                PlanVersions::Table.into_iden(),
                PlanVersions::ContributorIds.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
