//! The controlled document register (clause 7.5, the documents clauses 4–10 expect) and the
//! service management objectives (clause 6.2) with their measurements.
//!
//! A document keeps every version; an approved version is never written again, the next
//! approval supersedes it. `clauses` holds the sub-clause numbers as a JSON array.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmsDocuments {
    Table,
    Id,
    Title,
    Clauses,
    OwnerId,
    ReviewMonths,
    Retired,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SmsDocumentVersions {
    Table,
    Id,
    DocumentId,
    Number,
    State,
    Content,
    Link,
    ChangeSummary,
    AuthorId,
    ApprovedBy,
    ApprovedAt,
    NextReviewOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Objectives {
    Table,
    Id,
    Title,
    Description,
    OwnerId,
    ServiceId,
    KpiName,
    Unit,
    Baseline,
    Target,
    Direction,
    Frequency,
    Retired,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ObjectiveMeasurements {
    Table,
    Id,
    ObjectiveId,
    MeasuredOn,
    Value,
    Note,
    RecordedBy,
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

fn int<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).integer().not_null().to_owned()
}

fn reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
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
                    .table(SmsDocuments::Table)
                    .col(id(SmsDocuments::Id))
                    .col(
                        ColumnDef::new(SmsDocuments::Title)
                            .string_len(160)
                            .not_null(),
                    )
                    .col(text(SmsDocuments::Clauses))
                    .col(reference(SmsDocuments::OwnerId))
                    .col(int(SmsDocuments::ReviewMonths))
                    .col(flag(SmsDocuments::Retired))
                    .col(int(SmsDocuments::Version))
                    .col(timestamp(SmsDocuments::CreatedAt))
                    .col(timestamp(SmsDocuments::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_documents_owner",
                        (SmsDocuments::Table, SmsDocuments::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmsDocumentVersions::Table)
                    .col(id(SmsDocumentVersions::Id))
                    .col(reference(SmsDocumentVersions::DocumentId))
                    .col(int(SmsDocumentVersions::Number))
                    .col(
                        ColumnDef::new(SmsDocumentVersions::State)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(text(SmsDocumentVersions::Content))
                    .col(ColumnDef::new(SmsDocumentVersions::Link).text().null())
                    .col(text(SmsDocumentVersions::ChangeSummary))
                    .col(reference(SmsDocumentVersions::AuthorId))
                    .col(
                        ColumnDef::new(SmsDocumentVersions::ApprovedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SmsDocumentVersions::ApprovedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SmsDocumentVersions::NextReviewOn)
                            .date()
                            .null(),
                    )
                    .col(int(SmsDocumentVersions::Version))
                    .col(timestamp(SmsDocumentVersions::CreatedAt))
                    .col(timestamp(SmsDocumentVersions::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_document_versions_document",
                        (SmsDocumentVersions::Table, SmsDocumentVersions::DocumentId),
                        (SmsDocuments::Table, SmsDocuments::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_sms_document_versions_author",
                        (SmsDocumentVersions::Table, SmsDocumentVersions::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sms_document_versions_number")
                    .table(SmsDocumentVersions::Table)
                    .col(SmsDocumentVersions::DocumentId)
                    .col(SmsDocumentVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Objectives::Table)
                    .col(id(Objectives::Id))
                    .col(ColumnDef::new(Objectives::Title).string_len(160).not_null())
                    .col(text(Objectives::Description))
                    .col(reference(Objectives::OwnerId))
                    .col(ColumnDef::new(Objectives::ServiceId).big_integer().null())
                    .col(text(Objectives::KpiName))
                    .col(text(Objectives::Unit))
                    .col(ColumnDef::new(Objectives::Baseline).double().not_null())
                    .col(ColumnDef::new(Objectives::Target).double().not_null())
                    .col(
                        ColumnDef::new(Objectives::Direction)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Objectives::Frequency)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(flag(Objectives::Retired))
                    .col(int(Objectives::Version))
                    .col(timestamp(Objectives::CreatedAt))
                    .col(timestamp(Objectives::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_objectives_owner",
                        (Objectives::Table, Objectives::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ObjectiveMeasurements::Table)
                    .col(id(ObjectiveMeasurements::Id))
                    .col(reference(ObjectiveMeasurements::ObjectiveId))
                    .col(
                        ColumnDef::new(ObjectiveMeasurements::MeasuredOn)
                            .date()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ObjectiveMeasurements::Value)
                            .double()
                            .not_null(),
                    )
                    .col(text(ObjectiveMeasurements::Note))
                    .col(reference(ObjectiveMeasurements::RecordedBy))
                    .col(timestamp(ObjectiveMeasurements::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_objective_measurements_objective",
                        (
                            ObjectiveMeasurements::Table,
                            ObjectiveMeasurements::ObjectiveId,
                        ),
                        (Objectives::Table, Objectives::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ObjectiveMeasurements::Table.into_iden(),
            Objectives::Table.into_iden(),
            SmsDocumentVersions::Table.into_iden(),
            SmsDocuments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
