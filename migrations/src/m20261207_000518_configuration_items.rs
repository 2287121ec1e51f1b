//! The CMDB (clauses 8.2.5 and 8.2.6): configuration items with their kind, owner, status and
//! the attributes of their kind, the services each directly serves, and the relationships
//! between them ("runs on", "depends on", "connects to") that impact analysis follows.

use crate::columns::{created_at, foreign_key, id, index, reference, text, word};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConfigurationItems {
    Table,
    Id,
    Name,
    NameKey,
    Kind,
    Status,
    OwnerId,
    SupplierId,
    Description,
    Attributes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum CiServices {
    Table,
    Id,
    CiId,
    ServiceId,
}

#[derive(DeriveIden)]
enum CiRelationships {
    Table,
    Id,
    SourceId,
    TargetId,
    Kind,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Suppliers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConfigurationItems::Table)
                    .col(id(ConfigurationItems::Id))
                    .col(word(ConfigurationItems::Name, 160))
                    .col(word(ConfigurationItems::NameKey, 160))
                    .col(word(ConfigurationItems::Kind, 24))
                    .col(word(ConfigurationItems::Status, 16))
                    .col(
                        ColumnDef::new(ConfigurationItems::OwnerId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ConfigurationItems::SupplierId)
                            .big_integer()
                            .null(),
                    )
                    .col(text(ConfigurationItems::Description))
                    .col(text(ConfigurationItems::Attributes))
                    .col(reference(ConfigurationItems::CreatedBy))
                    .col(created_at(ConfigurationItems::CreatedAt))
                    .col(created_at(ConfigurationItems::UpdatedAt))
                    .col(
                        ColumnDef::new(ConfigurationItems::Version)
                            .integer()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_configuration_items_owner",
                        (ConfigurationItems::Table, ConfigurationItems::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_configuration_items_supplier",
                        (ConfigurationItems::Table, ConfigurationItems::SupplierId),
                        (Suppliers::Table, Suppliers::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_configuration_items_created_by",
                        (ConfigurationItems::Table, ConfigurationItems::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One item per name in any case: a change or an import names items by name.
        index(
            manager,
            "ux_configuration_items_name",
            ConfigurationItems::Table,
            vec![ConfigurationItems::NameKey],
            true,
        )
        .await?;
        index(
            manager,
            "ix_configuration_items_kind",
            ConfigurationItems::Table,
            vec![ConfigurationItems::Kind, ConfigurationItems::NameKey],
            false,
        )
        .await?;
        index(
            manager,
            "ix_configuration_items_owner",
            ConfigurationItems::Table,
            vec![ConfigurationItems::OwnerId],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CiServices::Table)
                    .col(id(CiServices::Id))
                    .col(reference(CiServices::CiId))
                    .col(reference(CiServices::ServiceId))
                    .foreign_key(&mut foreign_key(
                        "fk_ci_services_ci",
                        (CiServices::Table, CiServices::CiId),
                        (ConfigurationItems::Table, ConfigurationItems::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_ci_services_service",
                        (CiServices::Table, CiServices::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_ci_services",
            CiServices::Table,
            vec![CiServices::CiId, CiServices::ServiceId],
            true,
        )
        .await?;
        // A service's items (the service page, the impact of a change).
        index(
            manager,
            "ix_ci_services_service",
            CiServices::Table,
            vec![CiServices::ServiceId],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CiRelationships::Table)
                    .col(id(CiRelationships::Id))
                    .col(reference(CiRelationships::SourceId))
                    .col(reference(CiRelationships::TargetId))
                    .col(word(CiRelationships::Kind, 16))
                    .col(reference(CiRelationships::CreatedBy))
                    .col(created_at(CiRelationships::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_ci_relationships_source",
                        (CiRelationships::Table, CiRelationships::SourceId),
                        (ConfigurationItems::Table, ConfigurationItems::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_ci_relationships_target",
                        (CiRelationships::Table, CiRelationships::TargetId),
                        (ConfigurationItems::Table, ConfigurationItems::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_ci_relationships_created_by",
                        (CiRelationships::Table, CiRelationships::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // Each way an item relies on another once; what relies on an item (impact analysis
        // walks from the failed item up to its dependents).
        index(
            manager,
            "ux_ci_relationships",
            CiRelationships::Table,
            vec![
                CiRelationships::SourceId,
                CiRelationships::TargetId,
                CiRelationships::Kind,
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_ci_relationships_target",
            CiRelationships::Table,
            vec![CiRelationships::TargetId, CiRelationships::SourceId],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CiRelationships::Table.into_iden(),
            CiServices::Table.into_iden(),
            ConfigurationItems::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
