//! Indexes for the lookups pages make by a parent record or a due date, so a page reads the
//! rows it shows instead of scanning a table: an objective's latest measurement, a
//! nonconformity's actions and audit finding, and the overdue nonconformities.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ObjectiveMeasurements {
    Table,
    ObjectiveId,
    MeasuredOn,
    Id,
}

#[derive(DeriveIden)]
enum CorrectiveActions {
    Table,
    NonconformityId,
}

#[derive(DeriveIden)]
enum AuditFindings {
    Table,
    NonconformityId,
}

#[derive(DeriveIden)]
enum Nonconformities {
    Table,
    State,
    StepDue,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each index: its name, its table and its columns in order.
fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    vec![
        (
            "idx_objective_measurements_latest",
            ObjectiveMeasurements::Table.into_iden(),
            vec![
                ObjectiveMeasurements::ObjectiveId.into_iden(),
                ObjectiveMeasurements::MeasuredOn.into_iden(),
                ObjectiveMeasurements::Id.into_iden(),
            ],
        ),
        (
            "idx_corrective_actions_nonconformity",
            CorrectiveActions::Table.into_iden(),
            vec![CorrectiveActions::NonconformityId.into_iden()],
        ),
        (
            "idx_audit_findings_nonconformity",
            AuditFindings::Table.into_iden(),
            vec![AuditFindings::NonconformityId.into_iden()],
        ),
        (
            "idx_nonconformities_state_due",
            Nonconformities::Table.into_iden(),
            vec![
                Nonconformities::State.into_iden(),
                Nonconformities::StepDue.into_iden(),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in indexes() {
            let mut index = Index::create();
            index.name(name).table(table).if_not_exists();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
