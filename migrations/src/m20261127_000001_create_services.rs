use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
    Name,
    NameKey,
    Owner,
    Criticality,
    Status,
    Description,
    Customers,
    ArchivedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Services::Table)
                    .col(
                        ColumnDef::new(Services::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Services::Name).string_len(80).not_null())
                    .col(
                        ColumnDef::new(Services::NameKey)
                            .string_len(80)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Services::Owner).string_len(80).not_null())
                    .col(
                        ColumnDef::new(Services::Criticality)
                            .small_integer()
                            .not_null()
                            .check(Expr::col(Services::Criticality).between(1, 4)),
                    )
                    .col(
                        ColumnDef::new(Services::Status)
                            .string_len(16)
                            .not_null()
                            .check(
                                Expr::col(Services::Status)
                                    .is_in(["pipeline", "live", "retiring", "retired"]),
                            ),
                    )
                    .col(
                        ColumnDef::new(Services::Description)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Services::Customers)
                            .text()
                            .not_null()
                            .default("[]"),
                    )
                    .col(
                        ColumnDef::new(Services::ArchivedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Services::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Services::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Services::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_services_archived_criticality")
                    .table(Services::Table)
                    .col(Services::ArchivedAt)
                    .col(Services::Criticality)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Services::Table).to_owned())
            .await
    }
}
