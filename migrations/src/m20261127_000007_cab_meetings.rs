//! Change advisory boards, their meetings (agenda, votes, decisions, attendance, minutes),
//! the actions agreed in them, and the in-app notifications that call people in.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CabBoards {
    Table,
    Id,
    Name,
    NameKey,
    Kind,
    ChairId,
    Quorum,
    Recurrence,
    TimeZone,
    Criteria,
    Members,
    Active,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CabMeetings {
    Table,
    Id,
    BoardId,
    Title,
    ScheduledAt,
    Emergency,
    State,
    CurrentItemId,
    ItemStartedAt,
    StartedAt,
    EndedAt,
    MinutesDraft,
    MinutesPublished,
    PublishedAt,
    PublishedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CabAgendaItems {
    Table,
    Id,
    MeetingId,
    ChangeId,
    Position,
    TimeBoxMinutes,
    Notes,
    Decision,
    DecisionText,
    DecidedBy,
    DecidedAt,
    SpentSeconds,
}

#[derive(DeriveIden)]
enum CabVotes {
    Table,
    Id,
    ItemId,
    MemberId,
    VoterId,
    Vote,
    Comment,
    CastAt,
}

#[derive(DeriveIden)]
enum CabAttendance {
    Table,
    MeetingId,
    UserId,
    FirstSeen,
    LastSeen,
    Connections,
}

#[derive(DeriveIden)]
enum CabActions {
    Table,
    Id,
    MeetingId,
    ItemId,
    ChangeId,
    Text,
    OwnerId,
    DueOn,
    DoneAt,
    Version,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Text,
    Link,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Changes {
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

fn fk(
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CabBoards::Table)
                    .col(id(CabBoards::Id))
                    .col(ColumnDef::new(CabBoards::Name).string_len(80).not_null())
                    .col(
                        ColumnDef::new(CabBoards::NameKey)
                            .string_len(80)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(CabBoards::Kind).string_len(10).not_null())
                    .col(ColumnDef::new(CabBoards::ChairId).big_integer().not_null())
                    .col(ColumnDef::new(CabBoards::Quorum).string_len(20).not_null())
                    // JSON: weekday, time, interval and anchor date; NULL: ad hoc only.
                    .col(ColumnDef::new(CabBoards::Recurrence).text().null())
                    .col(
                        ColumnDef::new(CabBoards::TimeZone)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CabBoards::Criteria).text().not_null())
                    .col(ColumnDef::new(CabBoards::Members).text().not_null())
                    .col(
                        ColumnDef::new(CabBoards::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(CabBoards::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(CabBoards::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabBoards::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_cab_boards_chair",
                        (CabBoards::Table, CabBoards::ChairId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CabMeetings::Table)
                    .col(id(CabMeetings::Id))
                    .col(
                        ColumnDef::new(CabMeetings::BoardId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::Title)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::ScheduledAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CabMeetings::Emergency).boolean().not_null())
                    .col(ColumnDef::new(CabMeetings::State).string_len(20).not_null())
                    .col(
                        ColumnDef::new(CabMeetings::CurrentItemId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::ItemStartedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::StartedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::EndedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(CabMeetings::MinutesDraft).text().null())
                    .col(ColumnDef::new(CabMeetings::MinutesPublished).text().null())
                    .col(
                        ColumnDef::new(CabMeetings::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::PublishedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabMeetings::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_cab_meetings_board",
                        (CabMeetings::Table, CabMeetings::BoardId),
                        (CabBoards::Table, CabBoards::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cab_meetings_board_scheduled")
                    .table(CabMeetings::Table)
                    .col(CabMeetings::BoardId)
                    .col(CabMeetings::ScheduledAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CabAgendaItems::Table)
                    .col(id(CabAgendaItems::Id))
                    .col(
                        ColumnDef::new(CabAgendaItems::MeetingId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAgendaItems::ChangeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAgendaItems::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAgendaItems::TimeBoxMinutes)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CabAgendaItems::Notes).text().not_null())
                    .col(
                        ColumnDef::new(CabAgendaItems::Decision)
                            .string_len(40)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabAgendaItems::DecisionText)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAgendaItems::DecidedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabAgendaItems::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabAgendaItems::SpentSeconds)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(&mut fk(
                        "fk_cab_items_meeting",
                        (CabAgendaItems::Table, CabAgendaItems::MeetingId),
                        (CabMeetings::Table, CabMeetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_cab_items_change",
                        (CabAgendaItems::Table, CabAgendaItems::ChangeId),
                        (Changes::Table, Changes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cab_items_meeting_change")
                    .table(CabAgendaItems::Table)
                    .col(CabAgendaItems::MeetingId)
                    .col(CabAgendaItems::ChangeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cab_items_change")
                    .table(CabAgendaItems::Table)
                    .col(CabAgendaItems::ChangeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CabVotes::Table)
                    .col(id(CabVotes::Id))
                    .col(ColumnDef::new(CabVotes::ItemId).big_integer().not_null())
                    .col(ColumnDef::new(CabVotes::MemberId).big_integer().not_null())
                    .col(ColumnDef::new(CabVotes::VoterId).big_integer().not_null())
                    .col(ColumnDef::new(CabVotes::Vote).string_len(30).not_null())
                    .col(ColumnDef::new(CabVotes::Comment).text().not_null())
                    .col(
                        ColumnDef::new(CabVotes::CastAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_cab_votes_item",
                        (CabVotes::Table, CabVotes::ItemId),
                        (CabAgendaItems::Table, CabAgendaItems::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cab_votes_item_member")
                    .table(CabVotes::Table)
                    .col(CabVotes::ItemId)
                    .col(CabVotes::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CabAttendance::Table)
                    .col(
                        ColumnDef::new(CabAttendance::MeetingId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAttendance::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAttendance::FirstSeen)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAttendance::LastSeen)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CabAttendance::Connections)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(CabAttendance::MeetingId)
                            .col(CabAttendance::UserId),
                    )
                    .foreign_key(&mut fk(
                        "fk_cab_attendance_meeting",
                        (CabAttendance::Table, CabAttendance::MeetingId),
                        (CabMeetings::Table, CabMeetings::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CabActions::Table)
                    .col(id(CabActions::Id))
                    .col(
                        ColumnDef::new(CabActions::MeetingId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CabActions::ItemId).big_integer().null())
                    .col(ColumnDef::new(CabActions::ChangeId).big_integer().null())
                    .col(ColumnDef::new(CabActions::Text).text().not_null())
                    .col(ColumnDef::new(CabActions::OwnerId).big_integer().not_null())
                    .col(ColumnDef::new(CabActions::DueOn).date().not_null())
                    .col(
                        ColumnDef::new(CabActions::DoneAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CabActions::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(CabActions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_cab_actions_meeting",
                        (CabActions::Table, CabActions::MeetingId),
                        (CabMeetings::Table, CabMeetings::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cab_actions_owner")
                    .table(CabActions::Table)
                    .col(CabActions::OwnerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(id(Notifications::Id))
                    .col(
                        ColumnDef::new(Notifications::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notifications::Text).text().not_null())
                    .col(
                        ColumnDef::new(Notifications::Link)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Notifications::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Notifications::ReadAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_notifications_user",
                        (Notifications::Table, Notifications::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_user")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            CabActions::Table.into_iden(),
            CabAttendance::Table.into_iden(),
            CabVotes::Table.into_iden(),
            CabAgendaItems::Table.into_iden(),
            CabMeetings::Table.into_iden(),
            CabBoards::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
