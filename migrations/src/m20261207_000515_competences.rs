//! Competence (clause 7.2): the competences the SMS needs, the roles and named people who need
//! each, and every person's evidence (training, certificates, assessed experience) with its
//! expiry and, when found wanting, its withdrawal.

use crate::columns::{created_at, foreign_key, id, index, reference, text, word};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Competences {
    Table,
    Id,
    Name,
    NameKey,
    Description,
    ServiceId,
    ValidityMonths,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum CompetenceRoles {
    Table,
    Id,
    CompetenceId,
    Role,
}

#[derive(DeriveIden)]
enum CompetencePeople {
    Table,
    Id,
    CompetenceId,
    UserId,
}

#[derive(DeriveIden)]
enum CompetenceEvidence {
    Table,
    Id,
    CompetenceId,
    UserId,
    Kind,
    Evidence,
    AchievedOn,
    ExpiresOn,
    RecordedBy,
    RecordedAt,
    WithdrawnAt,
    WithdrawnBy,
    WithdrawalReason,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Competences::Table)
                    .col(id(Competences::Id))
                    .col(word(Competences::Name, 120))
                    .col(word(Competences::NameKey, 120))
                    .col(text(Competences::Description))
                    .col(ColumnDef::new(Competences::ServiceId).big_integer().null())
                    .col(
                        ColumnDef::new(Competences::ValidityMonths)
                            .small_integer()
                            .null(),
                    )
                    .col(word(Competences::Status, 16))
                    .col(reference(Competences::CreatedBy))
                    .col(created_at(Competences::CreatedAt))
                    .col(created_at(Competences::UpdatedAt))
                    .col(ColumnDef::new(Competences::Version).integer().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_competences_service",
                        (Competences::Table, Competences::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_competences_created_by",
                        (Competences::Table, Competences::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_competences_name_key",
            Competences::Table,
            vec![Competences::NameKey],
            true,
        )
        .await?;
        index(
            manager,
            "ix_competences_status_name",
            Competences::Table,
            vec![Competences::Status, Competences::Name],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CompetenceRoles::Table)
                    .col(id(CompetenceRoles::Id))
                    .col(reference(CompetenceRoles::CompetenceId))
                    .col(word(CompetenceRoles::Role, 32))
                    .foreign_key(&mut foreign_key(
                        "fk_competence_roles_competence",
                        (CompetenceRoles::Table, CompetenceRoles::CompetenceId),
                        (Competences::Table, Competences::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_competence_roles",
            CompetenceRoles::Table,
            vec![CompetenceRoles::CompetenceId, CompetenceRoles::Role],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CompetencePeople::Table)
                    .col(id(CompetencePeople::Id))
                    .col(reference(CompetencePeople::CompetenceId))
                    .col(reference(CompetencePeople::UserId))
                    .foreign_key(&mut foreign_key(
                        "fk_competence_people_competence",
                        (CompetencePeople::Table, CompetencePeople::CompetenceId),
                        (Competences::Table, Competences::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_competence_people_user",
                        (CompetencePeople::Table, CompetencePeople::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_competence_people",
            CompetencePeople::Table,
            vec![CompetencePeople::CompetenceId, CompetencePeople::UserId],
            true,
        )
        .await?;
        index(
            manager,
            "ix_competence_people_user",
            CompetencePeople::Table,
            vec![CompetencePeople::UserId],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CompetenceEvidence::Table)
                    .col(id(CompetenceEvidence::Id))
                    .col(reference(CompetenceEvidence::CompetenceId))
                    .col(reference(CompetenceEvidence::UserId))
                    .col(word(CompetenceEvidence::Kind, 16))
                    .col(text(CompetenceEvidence::Evidence))
                    .col(
                        ColumnDef::new(CompetenceEvidence::AchievedOn)
                            .date()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CompetenceEvidence::ExpiresOn).date().null())
                    .col(reference(CompetenceEvidence::RecordedBy))
                    .col(created_at(CompetenceEvidence::RecordedAt))
                    .col(
                        ColumnDef::new(CompetenceEvidence::WithdrawnAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CompetenceEvidence::WithdrawnBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CompetenceEvidence::WithdrawalReason)
                            .text()
                            .null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_competence_evidence_competence",
                        (CompetenceEvidence::Table, CompetenceEvidence::CompetenceId),
                        (Competences::Table, Competences::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_competence_evidence_user",
                        (CompetenceEvidence::Table, CompetenceEvidence::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_competence_evidence_recorded_by",
                        (CompetenceEvidence::Table, CompetenceEvidence::RecordedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_competence_evidence_withdrawn_by",
                        (CompetenceEvidence::Table, CompetenceEvidence::WithdrawnBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // A person's evidence for one competence, and the register's expiries.
        index(
            manager,
            "ix_competence_evidence_user",
            CompetenceEvidence::Table,
            vec![CompetenceEvidence::UserId, CompetenceEvidence::CompetenceId],
            false,
        )
        .await?;
        index(
            manager,
            "ix_competence_evidence_expiry",
            CompetenceEvidence::Table,
            vec![
                CompetenceEvidence::CompetenceId,
                CompetenceEvidence::ExpiresOn,
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CompetenceEvidence::Table.into_iden(),
            CompetencePeople::Table.into_iden(),
            CompetenceRoles::Table.into_iden(),
            Competences::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
