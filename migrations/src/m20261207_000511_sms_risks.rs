//! The SMS risk register (clauses 6.1 and 8.7.3): risks and opportunities with their owner
//! (and everyone who owned them before), information security flags, inherent and residual
//! ratings, treatment, acceptance and review date; the services each concerns; the reviews
//! recorded on it; and the organisation's likelihood × impact matrix with its appetite.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmsRisks {
    Table,
    Id,
    Kind,
    Title,
    Description,
    OwnerId,
    FormerOwnerIds,
    InformationSecurity,
    Confidentiality,
    Integrity,
    Availability,
    InherentLikelihood,
    InherentImpact,
    InherentScore,
    Treatment,
    TreatmentPlan,
    ResidualLikelihood,
    ResidualImpact,
    ResidualScore,
    State,
    ReviewOn,
    AcceptedBy,
    AcceptedAt,
    ClosedReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum SmsRiskServices {
    Table,
    Id,
    RiskId,
    ServiceId,
}

#[derive(DeriveIden)]
enum SmsRiskReviews {
    Table,
    Id,
    RiskId,
    ReviewedBy,
    ReviewedAt,
    Note,
    NextReviewOn,
}

#[derive(DeriveIden)]
enum SmsRiskSettings {
    Table,
    Id,
    Matrix,
    Version,
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

fn timestamp<T: IntoIden>(column: T, nullable: bool) -> ColumnDef {
    let mut column = ColumnDef::new(column);
    column.timestamp_with_time_zone();
    if nullable {
        column.null();
    } else {
        column.not_null();
    }
    column.to_owned()
}

fn id<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn step<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).small_integer().not_null().to_owned()
}

fn flag<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
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
                    .table(SmsRisks::Table)
                    .col(id(SmsRisks::Id))
                    .col(ColumnDef::new(SmsRisks::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(SmsRisks::Title).string_len(160).not_null())
                    .col(ColumnDef::new(SmsRisks::Description).text().not_null())
                    .col(ColumnDef::new(SmsRisks::OwnerId).big_integer().not_null())
                    .col(ColumnDef::new(SmsRisks::FormerOwnerIds).text().not_null())
                    .col(flag(SmsRisks::InformationSecurity))
                    .col(flag(SmsRisks::Confidentiality))
                    .col(flag(SmsRisks::Integrity))
                    .col(flag(SmsRisks::Availability))
                    .col(step(SmsRisks::InherentLikelihood))
                    .col(step(SmsRisks::InherentImpact))
                    .col(step(SmsRisks::InherentScore))
                    .col(
                        ColumnDef::new(SmsRisks::Treatment)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SmsRisks::TreatmentPlan).text().not_null())
                    .col(step(SmsRisks::ResidualLikelihood))
                    .col(step(SmsRisks::ResidualImpact))
                    .col(step(SmsRisks::ResidualScore))
                    .col(ColumnDef::new(SmsRisks::State).string_len(16).not_null())
                    .col(ColumnDef::new(SmsRisks::ReviewOn).date().not_null())
                    .col(ColumnDef::new(SmsRisks::AcceptedBy).big_integer().null())
                    .col(timestamp(SmsRisks::AcceptedAt, true))
                    .col(ColumnDef::new(SmsRisks::ClosedReason).text().null())
                    .col(ColumnDef::new(SmsRisks::CreatedBy).big_integer().not_null())
                    .col(timestamp(SmsRisks::CreatedAt, false))
                    .col(timestamp(SmsRisks::UpdatedAt, false))
                    .col(ColumnDef::new(SmsRisks::Version).integer().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_sms_risks_owner",
                        (SmsRisks::Table, SmsRisks::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_risks_accepted_by",
                        (SmsRisks::Table, SmsRisks::AcceptedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_risks_created_by",
                        (SmsRisks::Table, SmsRisks::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // The register's default order (worst residual first) and the review reminders.
        for (name, columns) in [
            (
                "ix_sms_risks_state_score",
                vec![SmsRisks::State, SmsRisks::ResidualScore, SmsRisks::Id],
            ),
            (
                "ix_sms_risks_state_review",
                vec![SmsRisks::State, SmsRisks::ReviewOn],
            ),
            ("ix_sms_risks_owner", vec![SmsRisks::OwnerId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(SmsRisks::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SmsRiskServices::Table)
                    .col(id(SmsRiskServices::Id))
                    .col(
                        ColumnDef::new(SmsRiskServices::RiskId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SmsRiskServices::ServiceId)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_sms_risk_services_risk",
                        (SmsRiskServices::Table, SmsRiskServices::RiskId),
                        (SmsRisks::Table, SmsRisks::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_risk_services_service",
                        (SmsRiskServices::Table, SmsRiskServices::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sms_risk_services")
                    .table(SmsRiskServices::Table)
                    .col(SmsRiskServices::RiskId)
                    .col(SmsRiskServices::ServiceId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sms_risk_services_service")
                    .table(SmsRiskServices::Table)
                    .col(SmsRiskServices::ServiceId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmsRiskReviews::Table)
                    .col(id(SmsRiskReviews::Id))
                    .col(
                        ColumnDef::new(SmsRiskReviews::RiskId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SmsRiskReviews::ReviewedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(SmsRiskReviews::ReviewedAt, false))
                    .col(ColumnDef::new(SmsRiskReviews::Note).text().not_null())
                    .col(
                        ColumnDef::new(SmsRiskReviews::NextReviewOn)
                            .date()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_sms_risk_reviews_risk",
                        (SmsRiskReviews::Table, SmsRiskReviews::RiskId),
                        (SmsRisks::Table, SmsRisks::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_risk_reviews_by",
                        (SmsRiskReviews::Table, SmsRiskReviews::ReviewedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sms_risk_reviews_risk")
                    .table(SmsRiskReviews::Table)
                    .col(SmsRiskReviews::RiskId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmsRiskSettings::Table)
                    .col(
                        ColumnDef::new(SmsRiskSettings::Id)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(SmsRiskSettings::Matrix).text().not_null())
                    .col(
                        ColumnDef::new(SmsRiskSettings::Version)
                            .integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // One row, the default matrix (score bands 1–4 low, 5–9 medium, 10–16 high, 20–25
        // very high) with a medium appetite, until a quality manager sets their own.
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(SmsRiskSettings::Table)
                    .columns([
                        SmsRiskSettings::Id,
                        SmsRiskSettings::Matrix,
                        SmsRiskSettings::Version,
                    ])
                    .values_panic([1.into(), "".into(), 1.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SmsRiskSettings::Table.into_iden(),
            SmsRiskReviews::Table.into_iden(),
            SmsRiskServices::Table.into_iden(),
            SmsRisks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
