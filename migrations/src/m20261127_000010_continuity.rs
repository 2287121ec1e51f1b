//! Service continuity (clause 8.7.2): a business impact analysis per service, continuity
//! plans with their versions (content kept as structured JSON, an approved version never
//! changes), reviewers' comments per section, and exercises.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServiceBias {
    Table,
    ServiceId,
    Impacts,
    Mtpd,
    Rto,
    Rpo,
    DependsOn,
    Suppliers,
    Version,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContinuityPlans {
    Table,
    Id,
    Title,
    OwnerId,
    ServiceIds,
    Site,
    ReviewMonths,
    Retired,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanVersions {
    Table,
    Id,
    PlanId,
    Number,
    State,
    Content,
    AuthorId,
    ApprovedBy,
    ApprovedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanComments {
    Table,
    Id,
    PlanVersionId,
    Section,
    AuthorId,
    Text,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ContinuityExercises {
    Table,
    Id,
    PlanId,
    Kind,
    PlannedOn,
    Participants,
    Objectives,
    Result,
    ActualMinutes,
    Findings,
    RecordedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
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
                    .table(ServiceBias::Table)
                    .col(
                        ColumnDef::new(ServiceBias::ServiceId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(text(ServiceBias::Impacts))
                    .col(int(ServiceBias::Mtpd))
                    .col(int(ServiceBias::Rto))
                    .col(int(ServiceBias::Rpo))
                    .col(text(ServiceBias::DependsOn))
                    .col(text(ServiceBias::Suppliers))
                    .col(int(ServiceBias::Version))
                    .col(reference(ServiceBias::UpdatedBy))
                    .col(timestamp(ServiceBias::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_service_bias_service",
                        (ServiceBias::Table, ServiceBias::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContinuityPlans::Table)
                    .col(id(ContinuityPlans::Id))
                    .col(
                        ColumnDef::new(ContinuityPlans::Title)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(reference(ContinuityPlans::OwnerId))
                    .col(text(ContinuityPlans::ServiceIds))
                    .col(text(ContinuityPlans::Site))
                    .col(int(ContinuityPlans::ReviewMonths))
                    .col(
                        ColumnDef::new(ContinuityPlans::Retired)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(int(ContinuityPlans::Version))
                    .col(timestamp(ContinuityPlans::CreatedAt))
                    .col(timestamp(ContinuityPlans::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_continuity_plans_owner",
                        (ContinuityPlans::Table, ContinuityPlans::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanVersions::Table)
                    .col(id(PlanVersions::Id))
                    .col(reference(PlanVersions::PlanId))
                    .col(int(PlanVersions::Number))
                    .col(
                        ColumnDef::new(PlanVersions::State)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(text(PlanVersions::Content))
                    .col(reference(PlanVersions::AuthorId))
                    .col(
                        ColumnDef::new(PlanVersions::ApprovedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PlanVersions::ApprovedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(int(PlanVersions::Version))
                    .col(timestamp(PlanVersions::CreatedAt))
                    .col(timestamp(PlanVersions::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_plan_versions_plan",
                        (PlanVersions::Table, PlanVersions::PlanId),
                        (ContinuityPlans::Table, ContinuityPlans::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_versions_plan_number")
                    .table(PlanVersions::Table)
                    .col(PlanVersions::PlanId)
                    .col(PlanVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanComments::Table)
                    .col(id(PlanComments::Id))
                    .col(reference(PlanComments::PlanVersionId))
                    .col(
                        ColumnDef::new(PlanComments::Section)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(reference(PlanComments::AuthorId))
                    .col(text(PlanComments::Text))
                    .col(timestamp(PlanComments::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_plan_comments_version",
                        (PlanComments::Table, PlanComments::PlanVersionId),
                        (PlanVersions::Table, PlanVersions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContinuityExercises::Table)
                    .col(id(ContinuityExercises::Id))
                    .col(reference(ContinuityExercises::PlanId))
                    .col(
                        ColumnDef::new(ContinuityExercises::Kind)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContinuityExercises::PlannedOn)
                            .date()
                            .not_null(),
                    )
                    .col(text(ContinuityExercises::Participants))
                    .col(text(ContinuityExercises::Objectives))
                    .col(
                        ColumnDef::new(ContinuityExercises::Result)
                            .string_len(20)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ContinuityExercises::ActualMinutes)
                            .integer()
                            .null(),
                    )
                    .col(text(ContinuityExercises::Findings))
                    .col(
                        ColumnDef::new(ContinuityExercises::RecordedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(int(ContinuityExercises::Version))
                    .col(timestamp(ContinuityExercises::CreatedAt))
                    .col(timestamp(ContinuityExercises::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_continuity_exercises_plan",
                        (ContinuityExercises::Table, ContinuityExercises::PlanId),
                        (ContinuityPlans::Table, ContinuityPlans::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ContinuityExercises::Table.into_iden(),
            PlanComments::Table.into_iden(),
            PlanVersions::Table.into_iden(),
            ContinuityPlans::Table.into_iden(),
            ServiceBias::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
