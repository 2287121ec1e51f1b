//! The SMS profile (clauses 4.1–4.4, 5.1–5.3, 6.3): context, interested parties, scope,
//! policy and SMS roles, kept in numbered versions that are approved like documents. A
//! version's content is one JSON document: it is always read and written whole.

use crate::columns::{created_at, foreign_key, id, index, reference, text, word};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmsProfileVersions {
    Table,
    Id,
    Number,
    State,
    Content,
    AuthorId,
    Contributors,
    ApprovedBy,
    ApprovedAt,
    NextReviewOn,
    CreatedAt,
    UpdatedAt,
    Version,
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
                    .table(SmsProfileVersions::Table)
                    .col(id(SmsProfileVersions::Id))
                    .col(
                        ColumnDef::new(SmsProfileVersions::Number)
                            .integer()
                            .not_null(),
                    )
                    .col(word(SmsProfileVersions::State, 16))
                    .col(text(SmsProfileVersions::Content))
                    .col(reference(SmsProfileVersions::AuthorId))
                    .col(text(SmsProfileVersions::Contributors))
                    .col(
                        ColumnDef::new(SmsProfileVersions::ApprovedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SmsProfileVersions::ApprovedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SmsProfileVersions::NextReviewOn)
                            .date()
                            .null(),
                    )
                    .col(created_at(SmsProfileVersions::CreatedAt))
                    .col(created_at(SmsProfileVersions::UpdatedAt))
                    .col(
                        ColumnDef::new(SmsProfileVersions::Version)
                            .integer()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_sms_profile_versions_author",
                        (SmsProfileVersions::Table, SmsProfileVersions::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_profile_versions_approved_by",
                        (SmsProfileVersions::Table, SmsProfileVersions::ApprovedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // Versions are numbered one after another and a revision starts only from the latest:
        // two people starting one at once both take the same number, and one of them loses.
        index(
            manager,
            "ux_sms_profile_versions_number",
            SmsProfileVersions::Table,
            vec![SmsProfileVersions::Number],
            true,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SmsProfileVersions::Table).to_owned())
            .await
    }
}
