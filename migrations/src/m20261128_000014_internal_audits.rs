//! Internal audits (clause 9.2): a programme per audit cycle, the audits planned in it (clauses
//! in scope, auditors, auditees), each audit's checklist built from the clause library, and its
//! graded findings, which point at the nonconformity or register entry they raised.
//!
//! `clauses`, `auditor_ids` and `auditee_ids` hold JSON arrays (clause numbers, user ids).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditProgrammes {
    Table,
    Id,
    Title,
    CycleStart,
    CycleEnd,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InternalAudits {
    Table,
    Id,
    ProgrammeId,
    Title,
    Clauses,
    Area,
    PlannedOn,
    State,
    LeadAuditorId,
    AuditorIds,
    AuditeeIds,
    Scope,
    Criteria,
    Conclusion,
    CompletedOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditChecklistItems {
    Table,
    Id,
    AuditId,
    Position,
    Clause,
    Prompt,
    Result,
    Notes,
    SampledRecords,
}

#[derive(DeriveIden)]
enum AuditFindings {
    Table,
    Id,
    AuditId,
    Clause,
    Grade,
    Statement,
    Evidence,
    NonconformityId,
    ImprovementId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Nonconformities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Improvements {
    Table,
    Id,
}

fn id<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn timestamp<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn text<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

fn int<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).integer().not_null().to_owned()
}

fn reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

fn optional_reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().null().to_owned()
}

fn short<T: IntoIden>(column: T, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).not_null().to_owned()
}

fn date<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).date().not_null().to_owned()
}

fn foreign_key(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditProgrammes::Table)
                    .col(id(AuditProgrammes::Id))
                    .col(short(AuditProgrammes::Title, 160))
                    .col(date(AuditProgrammes::CycleStart))
                    .col(date(AuditProgrammes::CycleEnd))
                    .col(int(AuditProgrammes::Version))
                    .col(reference(AuditProgrammes::CreatedBy))
                    .col(timestamp(AuditProgrammes::CreatedAt))
                    .col(timestamp(AuditProgrammes::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_audit_programmes_created_by",
                        (AuditProgrammes::Table, AuditProgrammes::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InternalAudits::Table)
                    .col(id(InternalAudits::Id))
                    .col(reference(InternalAudits::ProgrammeId))
                    .col(short(InternalAudits::Title, 160))
                    .col(text(InternalAudits::Clauses))
                    .col(text(InternalAudits::Area))
                    .col(date(InternalAudits::PlannedOn))
                    .col(short(InternalAudits::State, 16))
                    .col(reference(InternalAudits::LeadAuditorId))
                    .col(text(InternalAudits::AuditorIds))
                    .col(text(InternalAudits::AuditeeIds))
                    .col(text(InternalAudits::Scope))
                    .col(text(InternalAudits::Criteria))
                    .col(text(InternalAudits::Conclusion))
                    .col(ColumnDef::new(InternalAudits::CompletedOn).date().null())
                    .col(int(InternalAudits::Version))
                    .col(timestamp(InternalAudits::CreatedAt))
                    .col(timestamp(InternalAudits::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_internal_audits_programme",
                        (InternalAudits::Table, InternalAudits::ProgrammeId),
                        (AuditProgrammes::Table, AuditProgrammes::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_internal_audits_lead_auditor",
                        (InternalAudits::Table, InternalAudits::LeadAuditorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_internal_audits_programme")
                    .table(InternalAudits::Table)
                    .col(InternalAudits::ProgrammeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditChecklistItems::Table)
                    .col(id(AuditChecklistItems::Id))
                    .col(reference(AuditChecklistItems::AuditId))
                    .col(int(AuditChecklistItems::Position))
                    .col(short(AuditChecklistItems::Clause, 16))
                    .col(text(AuditChecklistItems::Prompt))
                    .col(short(AuditChecklistItems::Result, 16))
                    .col(text(AuditChecklistItems::Notes))
                    .col(text(AuditChecklistItems::SampledRecords))
                    .foreign_key(&mut foreign_key(
                        "fk_audit_checklist_items_audit",
                        (AuditChecklistItems::Table, AuditChecklistItems::AuditId),
                        (InternalAudits::Table, InternalAudits::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_checklist_items_audit")
                    .table(AuditChecklistItems::Table)
                    .col(AuditChecklistItems::AuditId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditFindings::Table)
                    .col(id(AuditFindings::Id))
                    .col(reference(AuditFindings::AuditId))
                    .col(short(AuditFindings::Clause, 16))
                    .col(short(AuditFindings::Grade, 16))
                    .col(text(AuditFindings::Statement))
                    .col(text(AuditFindings::Evidence))
                    .col(optional_reference(AuditFindings::NonconformityId))
                    .col(optional_reference(AuditFindings::ImprovementId))
                    .col(reference(AuditFindings::CreatedBy))
                    .col(timestamp(AuditFindings::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_audit_findings_audit",
                        (AuditFindings::Table, AuditFindings::AuditId),
                        (InternalAudits::Table, InternalAudits::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_audit_findings_nonconformity",
                        (AuditFindings::Table, AuditFindings::NonconformityId),
                        (Nonconformities::Table, Nonconformities::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_audit_findings_improvement",
                        (AuditFindings::Table, AuditFindings::ImprovementId),
                        (Improvements::Table, Improvements::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_audit_findings_created_by",
                        (AuditFindings::Table, AuditFindings::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_findings_audit")
                    .table(AuditFindings::Table)
                    .col(AuditFindings::AuditId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditFindings::Table.into_iden(),
            AuditChecklistItems::Table.into_iden(),
            InternalAudits::Table.into_iden(),
            AuditProgrammes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
