//! Each change keeps how many schedule conflicts it has, so a list or board page reads the
//! count with its rows instead of working out the conflicts of every row it shows. The
//! count is derived data: the server writes it with every change or window write and works
//! every count out afresh when it starts (`conflict_counts::reconcile_all`).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Changes {
    Table,
    ConflictCount,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Changes::Table)
                    .add_column(
                        ColumnDef::new(Changes::ConflictCount)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Changes::Table)
                    .drop_column(Changes::ConflictCount)
                    .to_owned(),
            )
            .await
    }
}
