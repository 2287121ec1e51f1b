//! The improvement register (entries, their KPIs and measured values), nonconformities and
//! their corrective actions (ISO/IEC 20000-1 clause 10).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Improvements {
    Table,
    Id,
    Title,
    Description,
    Source,
    SourceRef,
    ServiceIds,
    Clauses,
    ExpectedBenefit,
    BenefitScore,
    Effort,
    OwnerId,
    ApproverId,
    TargetDate,
    State,
    Outcome,
    VerifierId,
    ClosureCode,
    ClosedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImprovementKpis {
    Table,
    Id,
    ImprovementId,
    Name,
    Unit,
    Baseline,
    Target,
    Direction,
}

#[derive(DeriveIden)]
enum KpiMeasurements {
    Table,
    Id,
    KpiId,
    MeasuredOn,
    Value,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Nonconformities {
    Table,
    Id,
    Grade,
    Clause,
    Description,
    Evidence,
    FoundIn,
    RaisedBy,
    OwnerId,
    State,
    Correction,
    RootCause,
    RootCauseMethod,
    SimilarChecked,
    SimilarNotes,
    VerifyFrom,
    VerificationFailures,
    VerifiedBy,
    StepDue,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CorrectiveActions {
    Table,
    Id,
    NonconformityId,
    Text,
    OwnerId,
    DueOn,
    DoneAt,
    ImprovementId,
    Version,
}

#[derive(DeriveIden)]
enum Users {
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

fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn timestamp<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Improvements::Table)
                    .col(id(Improvements::Id))
                    .col(
                        ColumnDef::new(Improvements::Title)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Improvements::Description).text().not_null())
                    .col(
                        ColumnDef::new(Improvements::Source)
                            .string_len(40)
                            .not_null(),
                    )
                    // Where the trigger lives in Conform, e.g. `nonconformity:3`, `change:12`.
                    .col(
                        ColumnDef::new(Improvements::SourceRef)
                            .string_len(60)
                            .null(),
                    )
                    .col(ColumnDef::new(Improvements::ServiceIds).text().not_null())
                    .col(ColumnDef::new(Improvements::Clauses).text().not_null())
                    .col(
                        ColumnDef::new(Improvements::ExpectedBenefit)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Improvements::BenefitScore)
                            .small_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Improvements::Effort).string_len(4).null())
                    .col(
                        ColumnDef::new(Improvements::OwnerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Improvements::ApproverId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Improvements::TargetDate).date().null())
                    .col(
                        ColumnDef::new(Improvements::State)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Improvements::Outcome).text().not_null())
                    .col(
                        ColumnDef::new(Improvements::VerifierId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Improvements::ClosureCode)
                            .string_len(20)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Improvements::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Improvements::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp(Improvements::CreatedAt))
                    .col(timestamp(Improvements::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_improvements_owner",
                        (Improvements::Table, Improvements::OwnerId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_improvements_state", Improvements::State),
            ("idx_improvements_owner", Improvements::OwnerId),
            ("idx_improvements_target_date", Improvements::TargetDate),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Improvements::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ImprovementKpis::Table)
                    .col(id(ImprovementKpis::Id))
                    .col(
                        ColumnDef::new(ImprovementKpis::ImprovementId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ImprovementKpis::Name)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ImprovementKpis::Unit)
                            .string_len(30)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ImprovementKpis::Baseline)
                            .double()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ImprovementKpis::Target).double().not_null())
                    .col(
                        ColumnDef::new(ImprovementKpis::Direction)
                            .string_len(10)
                            .not_null(),
                    )
                    .foreign_key(&mut cascade(
                        "fk_kpis_improvement",
                        (ImprovementKpis::Table, ImprovementKpis::ImprovementId),
                        (Improvements::Table, Improvements::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KpiMeasurements::Table)
                    .col(id(KpiMeasurements::Id))
                    .col(
                        ColumnDef::new(KpiMeasurements::KpiId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KpiMeasurements::MeasuredOn)
                            .date()
                            .not_null(),
                    )
                    .col(ColumnDef::new(KpiMeasurements::Value).double().not_null())
                    .col(
                        ColumnDef::new(KpiMeasurements::RecordedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(KpiMeasurements::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_measurements_kpi",
                        (KpiMeasurements::Table, KpiMeasurements::KpiId),
                        (ImprovementKpis::Table, ImprovementKpis::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Nonconformities::Table)
                    .col(id(Nonconformities::Id))
                    .col(
                        ColumnDef::new(Nonconformities::Grade)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::Clause)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::Description)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Nonconformities::Evidence).text().not_null())
                    .col(
                        ColumnDef::new(Nonconformities::FoundIn)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::RaisedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::OwnerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::State)
                            .string_len(30)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::Correction)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Nonconformities::RootCause).text().not_null())
                    .col(
                        ColumnDef::new(Nonconformities::RootCauseMethod)
                            .string_len(20)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::SimilarChecked)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::SimilarNotes)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Nonconformities::VerifyFrom).date().null())
                    .col(
                        ColumnDef::new(Nonconformities::VerificationFailures)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Nonconformities::VerifiedBy)
                            .big_integer()
                            .null(),
                    )
                    // When the current step is due (overdue steps show on the dashboard).
                    .col(ColumnDef::new(Nonconformities::StepDue).date().null())
                    .col(
                        ColumnDef::new(Nonconformities::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp(Nonconformities::CreatedAt))
                    .col(timestamp(Nonconformities::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_nonconformities_owner",
                        (Nonconformities::Table, Nonconformities::OwnerId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CorrectiveActions::Table)
                    .col(id(CorrectiveActions::Id))
                    .col(
                        ColumnDef::new(CorrectiveActions::NonconformityId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CorrectiveActions::Text).text().not_null())
                    .col(
                        ColumnDef::new(CorrectiveActions::OwnerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CorrectiveActions::DueOn).date().not_null())
                    .col(
                        ColumnDef::new(CorrectiveActions::DoneAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CorrectiveActions::ImprovementId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CorrectiveActions::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .foreign_key(&mut cascade(
                        "fk_corrective_actions_nc",
                        (CorrectiveActions::Table, CorrectiveActions::NonconformityId),
                        (Nonconformities::Table, Nonconformities::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CorrectiveActions::Table.into_iden(),
            Nonconformities::Table.into_iden(),
            KpiMeasurements::Table.into_iden(),
            ImprovementKpis::Table.into_iden(),
            Improvements::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
