//! Gap assessments (certification workspace): a campaign rates every sub-clause of the clause
//! library; each rating may carry notes, an owner, evidence links and the improvement action
//! raised for the gap. Ratings and evidence go with their assessment.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GapAssessments {
    Table,
    Id,
    Title,
    State,
    OpenedBy,
    OpenedAt,
    ClosedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GapRatings {
    Table,
    Id,
    AssessmentId,
    Clause,
    /// A maturity code, `not_applicable`, or NULL while not rated yet.
    Rating,
    Justification,
    Notes,
    OwnerId,
    ImprovementId,
    Version,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GapEvidence {
    Table,
    Id,
    RatingId,
    Kind,
    Target,
    Label,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
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

fn reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
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
                    .table(GapAssessments::Table)
                    .col(id(GapAssessments::Id))
                    .col(
                        ColumnDef::new(GapAssessments::Title)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GapAssessments::State)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(reference(GapAssessments::OpenedBy))
                    .col(timestamp(GapAssessments::OpenedAt))
                    .col(
                        ColumnDef::new(GapAssessments::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(GapAssessments::Version).integer().not_null())
                    .col(timestamp(GapAssessments::CreatedAt))
                    .col(timestamp(GapAssessments::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_gap_assessments_opened_by",
                        (GapAssessments::Table, GapAssessments::OpenedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GapRatings::Table)
                    .col(id(GapRatings::Id))
                    .col(reference(GapRatings::AssessmentId))
                    .col(ColumnDef::new(GapRatings::Clause).string_len(16).not_null())
                    .col(ColumnDef::new(GapRatings::Rating).string_len(16).null())
                    .col(text(GapRatings::Justification))
                    .col(text(GapRatings::Notes))
                    .col(ColumnDef::new(GapRatings::OwnerId).big_integer().null())
                    .col(
                        ColumnDef::new(GapRatings::ImprovementId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(GapRatings::Version).integer().not_null())
                    .col(ColumnDef::new(GapRatings::UpdatedBy).big_integer().null())
                    .col(timestamp(GapRatings::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_gap_ratings_assessment",
                        (GapRatings::Table, GapRatings::AssessmentId),
                        (GapAssessments::Table, GapAssessments::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_gap_ratings_owner",
                        (GapRatings::Table, GapRatings::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_gap_ratings_improvement",
                        (GapRatings::Table, GapRatings::ImprovementId),
                        (Improvements::Table, Improvements::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_gap_ratings_assessment_clause")
                    .table(GapRatings::Table)
                    .col(GapRatings::AssessmentId)
                    .col(GapRatings::Clause)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GapEvidence::Table)
                    .col(id(GapEvidence::Id))
                    .col(reference(GapEvidence::RatingId))
                    .col(ColumnDef::new(GapEvidence::Kind).string_len(16).not_null())
                    .col(text(GapEvidence::Target))
                    .col(text(GapEvidence::Label))
                    .col(reference(GapEvidence::CreatedBy))
                    .col(timestamp(GapEvidence::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_gap_evidence_rating",
                        (GapEvidence::Table, GapEvidence::RatingId),
                        (GapRatings::Table, GapRatings::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_gap_evidence_created_by",
                        (GapEvidence::Table, GapEvidence::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_gap_evidence_rating")
                    .table(GapEvidence::Table)
                    .col(GapEvidence::RatingId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GapEvidence::Table.into_iden(),
            GapRatings::Table.into_iden(),
            GapAssessments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
