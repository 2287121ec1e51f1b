//! Per-user calendar feed tokens (stored as hashes) and saved change-list filters.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum SavedFilters {
    Table,
    Id,
    UserId,
    Name,
    Query,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarFeeds::Table)
                    .col(
                        ColumnDef::new(CalendarFeeds::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    // One live feed per person: a new link replaces (revokes) the old one.
                    .col(
                        ColumnDef::new(CalendarFeeds::UserId)
                            .big_integer()
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(CalendarFeeds::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(CalendarFeeds::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CalendarFeeds::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_feeds_user")
                            .from(CalendarFeeds::Table, CalendarFeeds::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SavedFilters::Table)
                    .col(
                        ColumnDef::new(SavedFilters::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SavedFilters::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SavedFilters::Name).string_len(60).not_null())
                    .col(
                        ColumnDef::new(SavedFilters::Query)
                            .string_len(600)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SavedFilters::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_saved_filters_user")
                            .from(SavedFilters::Table, SavedFilters::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SavedFilters::Table.into_iden(),
            CalendarFeeds::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
