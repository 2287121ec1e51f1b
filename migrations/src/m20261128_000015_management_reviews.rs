//! Management reviews (clause 9.3): planned reviews of the SMS by top management, with the
//! inputs Conform gathers, the decisions taken and the actions agreed (tracked until done).
//!
//! `attendees` holds user ids as a JSON array. `inputs_snapshot` holds the gathered inputs as
//! JSON, frozen when the review is held and again when its minutes are published; after that
//! the review row is never written again (its actions still are: they are tracked to done).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ManagementReviews {
    Table,
    Id,
    Title,
    PlannedOn,
    PeriodStart,
    PeriodEnd,
    State,
    ChairId,
    Attendees,
    Guests,
    ContextChanges,
    CustomerFeedback,
    InputsSnapshot,
    Minutes,
    PublishedAt,
    PublishedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReviewDecisions {
    Table,
    Id,
    ReviewId,
    Text,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReviewActions {
    Table,
    Id,
    ReviewId,
    Text,
    OwnerId,
    DueOn,
    DoneAt,
    DoneNote,
    Version,
    CreatedAt,
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

fn date<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).date().not_null().to_owned()
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
                    .table(ManagementReviews::Table)
                    .col(id(ManagementReviews::Id))
                    .col(
                        ColumnDef::new(ManagementReviews::Title)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(date(ManagementReviews::PlannedOn))
                    .col(date(ManagementReviews::PeriodStart))
                    .col(date(ManagementReviews::PeriodEnd))
                    .col(
                        ColumnDef::new(ManagementReviews::State)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(reference(ManagementReviews::ChairId))
                    .col(text(ManagementReviews::Attendees))
                    .col(text(ManagementReviews::Guests))
                    .col(text(ManagementReviews::ContextChanges))
                    .col(text(ManagementReviews::CustomerFeedback))
                    .col(
                        ColumnDef::new(ManagementReviews::InputsSnapshot)
                            .text()
                            .null(),
                    )
                    .col(text(ManagementReviews::Minutes))
                    .col(
                        ColumnDef::new(ManagementReviews::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ManagementReviews::PublishedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ManagementReviews::Version)
                            .integer()
                            .not_null(),
                    )
                    .col(timestamp(ManagementReviews::CreatedAt))
                    .col(timestamp(ManagementReviews::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_management_reviews_chair",
                        (ManagementReviews::Table, ManagementReviews::ChairId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewDecisions::Table)
                    .col(id(ReviewDecisions::Id))
                    .col(reference(ReviewDecisions::ReviewId))
                    .col(text(ReviewDecisions::Text))
                    .col(timestamp(ReviewDecisions::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_review_decisions_review",
                        (ReviewDecisions::Table, ReviewDecisions::ReviewId),
                        (ManagementReviews::Table, ManagementReviews::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewActions::Table)
                    .col(id(ReviewActions::Id))
                    .col(reference(ReviewActions::ReviewId))
                    .col(text(ReviewActions::Text))
                    .col(reference(ReviewActions::OwnerId))
                    .col(date(ReviewActions::DueOn))
                    .col(
                        ColumnDef::new(ReviewActions::DoneAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(text(ReviewActions::DoneNote))
                    .col(ColumnDef::new(ReviewActions::Version).integer().not_null())
                    .col(timestamp(ReviewActions::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_review_actions_review",
                        (ReviewActions::Table, ReviewActions::ReviewId),
                        (ManagementReviews::Table, ManagementReviews::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_review_actions_owner",
                        (ReviewActions::Table, ReviewActions::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_review_actions_owner")
                    .table(ReviewActions::Table)
                    .col(ReviewActions::OwnerId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReviewActions::Table.into_iden(),
            ReviewDecisions::Table.into_iden(),
            ManagementReviews::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
