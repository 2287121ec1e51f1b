//! Awareness (clause 7.3): campaigns asking an audience to read a document from the register,
//! the audience as chosen (roles and named people), and one assignment per person from launch
//! with their acknowledgement.

use crate::columns::{created_at, foreign_key, id, index, reference, text, word};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AwarenessCampaigns {
    Table,
    Id,
    Title,
    Message,
    DocumentId,
    DocumentVersionId,
    DueOn,
    TargetPercent,
    Status,
    CreatedBy,
    CreatedAt,
    LaunchedBy,
    LaunchedAt,
    ClosedBy,
    ClosedAt,
    ClosedAssigned,
    ClosedAcknowledged,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum AwarenessRoles {
    Table,
    Id,
    CampaignId,
    Role,
}

#[derive(DeriveIden)]
enum AwarenessPeople {
    Table,
    Id,
    CampaignId,
    UserId,
}

#[derive(DeriveIden)]
enum AwarenessAssignments {
    Table,
    Id,
    CampaignId,
    UserId,
    AssignedAt,
    AcknowledgedAt,
    AcknowledgedOn,
    AcknowledgedDueOn,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SmsDocuments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SmsDocumentVersions {
    Table,
    Id,
}

fn optional_user(column: AwarenessCampaigns) -> ColumnDef {
    ColumnDef::new(column).big_integer().null().to_owned()
}

fn optional_time(column: AwarenessCampaigns) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut campaigns = Table::create();
        campaigns
            .table(AwarenessCampaigns::Table)
            .col(id(AwarenessCampaigns::Id))
            .col(word(AwarenessCampaigns::Title, 160))
            .col(text(AwarenessCampaigns::Message))
            .col(reference(AwarenessCampaigns::DocumentId))
            .col(
                ColumnDef::new(AwarenessCampaigns::DocumentVersionId)
                    .big_integer()
                    .null(),
            )
            .col(ColumnDef::new(AwarenessCampaigns::DueOn).date().not_null())
            .col(
                ColumnDef::new(AwarenessCampaigns::TargetPercent)
                    .small_integer()
                    .not_null(),
            )
            .col(word(AwarenessCampaigns::Status, 16))
            .col(reference(AwarenessCampaigns::CreatedBy))
            .col(created_at(AwarenessCampaigns::CreatedAt))
            .col(optional_user(AwarenessCampaigns::LaunchedBy))
            .col(optional_time(AwarenessCampaigns::LaunchedAt))
            .col(optional_user(AwarenessCampaigns::ClosedBy))
            .col(optional_time(AwarenessCampaigns::ClosedAt))
            .col(
                ColumnDef::new(AwarenessCampaigns::ClosedAssigned)
                    .integer()
                    .null(),
            )
            .col(
                ColumnDef::new(AwarenessCampaigns::ClosedAcknowledged)
                    .integer()
                    .null(),
            )
            .col(created_at(AwarenessCampaigns::UpdatedAt))
            .col(
                ColumnDef::new(AwarenessCampaigns::Version)
                    .integer()
                    .not_null(),
            )
            .foreign_key(&mut foreign_key(
                "fk_awareness_campaigns_document",
                (AwarenessCampaigns::Table, AwarenessCampaigns::DocumentId),
                (SmsDocuments::Table, SmsDocuments::Id),
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut foreign_key(
                "fk_awareness_campaigns_document_version",
                (
                    AwarenessCampaigns::Table,
                    AwarenessCampaigns::DocumentVersionId,
                ),
                (SmsDocumentVersions::Table, SmsDocumentVersions::Id),
                ForeignKeyAction::Restrict,
            ));
        for (name, column) in [
            (
                "fk_awareness_campaigns_created_by",
                AwarenessCampaigns::CreatedBy,
            ),
            (
                "fk_awareness_campaigns_launched_by",
                AwarenessCampaigns::LaunchedBy,
            ),
            (
                "fk_awareness_campaigns_closed_by",
                AwarenessCampaigns::ClosedBy,
            ),
        ] {
            campaigns.foreign_key(&mut foreign_key(
                name,
                (AwarenessCampaigns::Table, column),
                (Users::Table, Users::Id),
                ForeignKeyAction::Restrict,
            ));
        }
        manager.create_table(campaigns.to_owned()).await?;
        // The list pages by due date; clause 7.3 reads campaigns by status and due date.
        index(
            manager,
            "ix_awareness_campaigns_due",
            AwarenessCampaigns::Table,
            vec![AwarenessCampaigns::DueOn, AwarenessCampaigns::Id],
            false,
        )
        .await?;
        index(
            manager,
            "ix_awareness_campaigns_status_due",
            AwarenessCampaigns::Table,
            vec![AwarenessCampaigns::Status, AwarenessCampaigns::DueOn],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AwarenessRoles::Table)
                    .col(id(AwarenessRoles::Id))
                    .col(reference(AwarenessRoles::CampaignId))
                    .col(word(AwarenessRoles::Role, 32))
                    .foreign_key(&mut foreign_key(
                        "fk_awareness_roles_campaign",
                        (AwarenessRoles::Table, AwarenessRoles::CampaignId),
                        (AwarenessCampaigns::Table, AwarenessCampaigns::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_awareness_roles",
            AwarenessRoles::Table,
            vec![AwarenessRoles::CampaignId, AwarenessRoles::Role],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AwarenessPeople::Table)
                    .col(id(AwarenessPeople::Id))
                    .col(reference(AwarenessPeople::CampaignId))
                    .col(reference(AwarenessPeople::UserId))
                    .foreign_key(&mut foreign_key(
                        "fk_awareness_people_campaign",
                        (AwarenessPeople::Table, AwarenessPeople::CampaignId),
                        (AwarenessCampaigns::Table, AwarenessCampaigns::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_awareness_people_user",
                        (AwarenessPeople::Table, AwarenessPeople::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_awareness_people",
            AwarenessPeople::Table,
            vec![AwarenessPeople::CampaignId, AwarenessPeople::UserId],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AwarenessAssignments::Table)
                    .col(id(AwarenessAssignments::Id))
                    .col(reference(AwarenessAssignments::CampaignId))
                    .col(reference(AwarenessAssignments::UserId))
                    .col(created_at(AwarenessAssignments::AssignedAt))
                    .col(
                        ColumnDef::new(AwarenessAssignments::AcknowledgedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AwarenessAssignments::AcknowledgedOn)
                            .date()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AwarenessAssignments::AcknowledgedDueOn)
                            .date()
                            .null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_awareness_assignments_campaign",
                        (
                            AwarenessAssignments::Table,
                            AwarenessAssignments::CampaignId,
                        ),
                        (AwarenessCampaigns::Table, AwarenessCampaigns::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_awareness_assignments_user",
                        (AwarenessAssignments::Table, AwarenessAssignments::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One assignment per person and campaign; a person's own (the dashboard).
        index(
            manager,
            "ux_awareness_assignments",
            AwarenessAssignments::Table,
            vec![
                AwarenessAssignments::CampaignId,
                AwarenessAssignments::UserId,
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_awareness_assignments_user",
            AwarenessAssignments::Table,
            vec![
                AwarenessAssignments::UserId,
                AwarenessAssignments::AcknowledgedAt,
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AwarenessAssignments::Table.into_iden(),
            AwarenessPeople::Table.into_iden(),
            AwarenessRoles::Table.into_iden(),
            AwarenessCampaigns::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
