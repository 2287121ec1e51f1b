//! Incidents and problems name the configuration items they touch (clause 8.2.6 meets 8.6.1
//! and 8.6.3): one link per record and item, so an item's page lists the incidents and
//! problems that named it and a record shows the services its items reach.

use crate::columns::{created_at, foreign_key, id, index, reference, word};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RecordCis {
    Table,
    Id,
    RecordType,
    RecordId,
    CiId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConfigurationItems {
    Table,
    Id,
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
                    .table(RecordCis::Table)
                    .col(id(RecordCis::Id))
                    // "incident" or "problem": the record is found by its type and id.
                    .col(word(RecordCis::RecordType, 24))
                    .col(reference(RecordCis::RecordId))
                    .col(reference(RecordCis::CiId))
                    .col(reference(RecordCis::CreatedBy))
                    .col(created_at(RecordCis::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_record_cis_ci",
                        (RecordCis::Table, RecordCis::CiId),
                        (ConfigurationItems::Table, ConfigurationItems::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_record_cis_created_by",
                        (RecordCis::Table, RecordCis::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_record_cis",
            RecordCis::Table,
            vec![RecordCis::RecordType, RecordCis::RecordId, RecordCis::CiId],
            true,
        )
        .await?;
        // An item's page: the records that named it.
        index(
            manager,
            "ix_record_cis_ci",
            RecordCis::Table,
            vec![RecordCis::CiId, RecordCis::RecordType],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecordCis::Table).to_owned())
            .await
    }
}
