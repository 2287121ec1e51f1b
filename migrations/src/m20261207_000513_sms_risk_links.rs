//! The changes and continuity plans that address an SMS risk (one row per link, so naming or
//! removing one never overwrites another), why an accepted risk was accepted, who recorded
//! or rated each risk (not independent of its acceptance), and a looser risk matrix proposed
//! by one quality manager waiting for another.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmsRisks {
    Table,
    Id,
    AcceptedReason,
    RaterIds,
}

#[derive(DeriveIden)]
enum SmsRiskLinks {
    Table,
    Id,
    RiskId,
    AddressedBy,
    RecordId,
    LinkedBy,
    LinkedAt,
}

#[derive(DeriveIden)]
enum SmsRiskSettings {
    Table,
    ProposedMatrix,
    ProposedBy,
    ProposedAt,
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
            .alter_table(
                Table::alter()
                    .table(SmsRisks::Table)
                    .add_column(ColumnDef::new(SmsRisks::AcceptedReason).text().null())
                    .to_owned(),
            )
            .await?;
        // Who recorded or rated each risk: they are not independent of its acceptance. Risks
        // recorded before count their recorder.
        manager
            .alter_table(
                Table::alter()
                    .table(SmsRisks::Table)
                    .add_column(
                        ColumnDef::new(SmsRisks::RaterIds)
                            .text()
                            .not_null()
                            .default("[]"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE sms_risks SET rater_ids = '[' || CAST(created_by AS TEXT) || ']'",
            )
            .await?;
        for column in [
            ColumnDef::new(SmsRiskSettings::ProposedMatrix)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(SmsRiskSettings::ProposedBy)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(SmsRiskSettings::ProposedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            // One column per statement: SQLite alters one at a time.
            manager
                .alter_table(
                    Table::alter()
                        .table(SmsRiskSettings::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SmsRiskLinks::Table)
                    .col(
                        ColumnDef::new(SmsRiskLinks::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SmsRiskLinks::RiskId)
                            .big_integer()
                            .not_null(),
                    )
                    // "change" or "continuity_plan".
                    .col(
                        ColumnDef::new(SmsRiskLinks::AddressedBy)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SmsRiskLinks::RecordId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SmsRiskLinks::LinkedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SmsRiskLinks::LinkedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sms_risk_links_risk")
                            .from(SmsRiskLinks::Table, SmsRiskLinks::RiskId)
                            .to(SmsRisks::Table, SmsRisks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sms_risk_links_by")
                            .from(SmsRiskLinks::Table, SmsRiskLinks::LinkedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sms_risk_links")
                    .table(SmsRiskLinks::Table)
                    .col(SmsRiskLinks::RiskId)
                    .col(SmsRiskLinks::AddressedBy)
                    .col(SmsRiskLinks::RecordId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The change or plan page asks "which risks does this address?".
        manager
            .create_index(
                Index::create()
                    .name("ix_sms_risk_links_record")
                    .table(SmsRiskLinks::Table)
                    .col(SmsRiskLinks::AddressedBy)
                    .col(SmsRiskLinks::RecordId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SmsRiskLinks::Table).to_owned())
            .await?;
        for column in [
            SmsRiskSettings::ProposedMatrix,
            SmsRiskSettings::ProposedBy,
            SmsRiskSettings::ProposedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SmsRiskSettings::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SmsRisks::Table)
                    .drop_column(SmsRisks::RaterIds)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SmsRisks::Table)
                    .drop_column(SmsRisks::AcceptedReason)
                    .to_owned(),
            )
            .await
    }
}
