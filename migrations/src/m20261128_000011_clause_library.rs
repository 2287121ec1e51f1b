//! The clause library (certification workspace): per clause of ISO/IEC 20000-1, Conform's
//! guidance, the documented information expected and the auditor's sampling hints.
//!
//! Only the table is created here. The content ships inside the binary and is written by
//! `clause_library::sync` at start-up, so a new library version needs no new migration.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ClauseLibrary {
    Table,
    Number,
    Title,
    Guidance,
    Documented,
    EvidenceHints,
    LibraryVersion,
}

fn text<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClauseLibrary::Table)
                    .col(
                        ColumnDef::new(ClauseLibrary::Number)
                            .string_len(16)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ClauseLibrary::Title)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(text(ClauseLibrary::Guidance))
                    // JSON arrays, read back through the shared model types.
                    .col(text(ClauseLibrary::Documented))
                    .col(text(ClauseLibrary::EvidenceHints))
                    .col(
                        ColumnDef::new(ClauseLibrary::LibraryVersion)
                            .integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ClauseLibrary::Table).to_owned())
            .await
    }
}
