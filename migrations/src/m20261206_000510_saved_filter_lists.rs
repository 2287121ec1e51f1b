//! Saved filters for every queue, not only the change list: each filter names its list, and
//! a name is unique per person and list (a person may keep "Mine" for incidents and for
//! requests). Filters saved before are the change list's.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SavedFilters {
    Table,
    UserId,
    List,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SavedFilters::Table)
                    .add_column(
                        ColumnDef::new(SavedFilters::List)
                            .string_len(20)
                            .not_null()
                            .default("changes"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_saved_filters_user_name")
                    .table(SavedFilters::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_saved_filters_user_list_name")
                    .table(SavedFilters::Table)
                    .col(SavedFilters::UserId)
                    .col(SavedFilters::List)
                    .col(SavedFilters::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_saved_filters_user_list_name")
                    .table(SavedFilters::Table)
                    .to_owned(),
            )
            .await?;
        // Only the change list's filters fit the old shape.
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(SavedFilters::Table)
                    .and_where(Expr::col(SavedFilters::List).ne("changes"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_saved_filters_user_name")
                    .table(SavedFilters::Table)
                    .col(SavedFilters::UserId)
                    .col(SavedFilters::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SavedFilters::Table)
                    .drop_column(SavedFilters::List)
                    .to_owned(),
            )
            .await
    }
}
