//! Competence gates: what a competence's gap does when someone acts without it — casting a
//! CAB vote, owning a continuity plan: nothing, a warning on record, or a refusal.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Competences {
    Table,
    CabVoteGate,
    PlanOwnerGate,
}

fn gate(column: Competences) -> ColumnDef {
    ColumnDef::new(column)
        .string_len(8)
        .not_null()
        .default("off")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [Competences::CabVoteGate, Competences::PlanOwnerGate] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Competences::Table)
                        .add_column(gate(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Competences::CabVoteGate, Competences::PlanOwnerGate] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Competences::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
