//! Standard change templates (the pre-authorised catalogue) and the template a change follows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StandardTemplates {
    Table,
    Id,
    Name,
    NameKey,
    Description,
    Category,
    ServiceIds,
    ImplementationPlan,
    TestPlan,
    BackoutPlan,
    Active,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Changes {
    Table,
    TemplateId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StandardTemplates::Table)
                    .col(
                        ColumnDef::new(StandardTemplates::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::Name)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::NameKey)
                            .string_len(120)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::Description)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::Category)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::ServiceIds)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::ImplementationPlan)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::TestPlan)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::BackoutPlan)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StandardTemplates::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // SQLite cannot add a foreign key to an existing table; the service checks the id.
        manager
            .alter_table(
                Table::alter()
                    .table(Changes::Table)
                    .add_column(ColumnDef::new(Changes::TemplateId).big_integer().null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Changes::Table)
                    .drop_column(Changes::TemplateId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(StandardTemplates::Table).to_owned())
            .await
    }
}
