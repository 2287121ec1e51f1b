//! Links between related changes (e.g. a rollout in waves, or a change and its follow-up).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChangeLinks {
    Table,
    ChangeId,
    RelatedId,
}

#[derive(DeriveIden)]
enum Changes {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChangeLinks::Table)
                    .col(
                        ColumnDef::new(ChangeLinks::ChangeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ChangeLinks::RelatedId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ChangeLinks::ChangeId)
                            .col(ChangeLinks::RelatedId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_links_change")
                            .from(ChangeLinks::Table, ChangeLinks::ChangeId)
                            .to(Changes::Table, Changes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_links_related")
                            .from(ChangeLinks::Table, ChangeLinks::RelatedId)
                            .to(Changes::Table, Changes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChangeLinks::Table).to_owned())
            .await
    }
}
