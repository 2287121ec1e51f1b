//! The supplier register (clause 8.3.4): suppliers with the services they support, their
//! contracts (agreed targets, renewal notice) and performance reviews, and the suppliers each
//! service's business impact analysis depends on. Every free-text supplier an analysis named
//! becomes a register entry, due for its first review, and the analysis keeps its text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use std::collections::HashMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Suppliers {
    Table,
    Id,
    Name,
    NameKey,
    Kind,
    Status,
    Provides,
    OwnerId,
    ContactName,
    ContactEmail,
    ContactPhone,
    ReviewEveryMonths,
    NextReviewOn,
    LastReviewedOn,
    LastOutcome,
    RetiredReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum SupplierServices {
    Table,
    Id,
    SupplierId,
    ServiceId,
}

#[derive(DeriveIden)]
enum SupplierContracts {
    Table,
    Id,
    SupplierId,
    Reference,
    StartsOn,
    EndsOn,
    NoticeDays,
    NoticeOn,
    Superseded,
    Value,
    Targets,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SupplierReviews {
    Table,
    Id,
    SupplierId,
    ReviewedOn,
    ReviewedBy,
    Outcome,
    Findings,
    Actions,
    NextReviewOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SupplierDependencies {
    Table,
    Id,
    ServiceId,
    SupplierId,
    RtoMinutes,
}

#[derive(DeriveIden)]
enum ServiceBias {
    Table,
    ServiceId,
    Suppliers,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Roles,
    DisabledAt,
}

#[derive(DeriveIden)]
enum Services {
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

fn reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

fn text<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

fn word<T: IntoIden>(column: T, length: u32) -> ColumnDef {
    ColumnDef::new(column)
        .string_len(length)
        .not_null()
        .to_owned()
}

fn created_at<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
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

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    columns: Vec<impl IntoIden + 'static>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Suppliers::Table)
                    .col(id(Suppliers::Id))
                    .col(word(Suppliers::Name, 120))
                    .col(word(Suppliers::NameKey, 120))
                    .col(word(Suppliers::Kind, 16))
                    .col(word(Suppliers::Status, 16))
                    .col(text(Suppliers::Provides))
                    .col(reference(Suppliers::OwnerId))
                    .col(word(Suppliers::ContactName, 120))
                    .col(word(Suppliers::ContactEmail, 254))
                    .col(word(Suppliers::ContactPhone, 40))
                    .col(
                        ColumnDef::new(Suppliers::ReviewEveryMonths)
                            .small_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Suppliers::NextReviewOn).date().not_null())
                    .col(ColumnDef::new(Suppliers::LastReviewedOn).date().null())
                    .col(ColumnDef::new(Suppliers::LastOutcome).string_len(16).null())
                    .col(ColumnDef::new(Suppliers::RetiredReason).text().null())
                    .col(reference(Suppliers::CreatedBy))
                    .col(created_at(Suppliers::CreatedAt))
                    .col(created_at(Suppliers::UpdatedAt))
                    .col(ColumnDef::new(Suppliers::Version).integer().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_suppliers_owner",
                        (Suppliers::Table, Suppliers::OwnerId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_suppliers_created_by",
                        (Suppliers::Table, Suppliers::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One entry per supplier, whatever the case it is typed in: a BIA line finds it.
        index(
            manager,
            "ux_suppliers_name_key",
            Suppliers::Table,
            vec![Suppliers::NameKey],
            true,
        )
        .await?;
        index(
            manager,
            "ix_suppliers_status_review",
            Suppliers::Table,
            vec![Suppliers::Status, Suppliers::NextReviewOn, Suppliers::Id],
            false,
        )
        .await?;
        index(
            manager,
            "ix_suppliers_owner",
            Suppliers::Table,
            vec![Suppliers::OwnerId],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupplierServices::Table)
                    .col(id(SupplierServices::Id))
                    .col(reference(SupplierServices::SupplierId))
                    .col(reference(SupplierServices::ServiceId))
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_services_supplier",
                        (SupplierServices::Table, SupplierServices::SupplierId),
                        (Suppliers::Table, Suppliers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_services_service",
                        (SupplierServices::Table, SupplierServices::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_supplier_services",
            SupplierServices::Table,
            vec![SupplierServices::SupplierId, SupplierServices::ServiceId],
            true,
        )
        .await?;
        index(
            manager,
            "ix_supplier_services_service",
            SupplierServices::Table,
            vec![SupplierServices::ServiceId],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupplierContracts::Table)
                    .col(id(SupplierContracts::Id))
                    .col(reference(SupplierContracts::SupplierId))
                    .col(word(SupplierContracts::Reference, 60))
                    .col(
                        ColumnDef::new(SupplierContracts::StartsOn)
                            .date()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SupplierContracts::EndsOn).date().null())
                    .col(
                        ColumnDef::new(SupplierContracts::NoticeDays)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SupplierContracts::NoticeOn).date().null())
                    .col(
                        ColumnDef::new(SupplierContracts::Superseded)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(word(SupplierContracts::Value, 60))
                    .col(text(SupplierContracts::Targets))
                    .col(reference(SupplierContracts::CreatedBy))
                    .col(created_at(SupplierContracts::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_contracts_supplier",
                        (SupplierContracts::Table, SupplierContracts::SupplierId),
                        (Suppliers::Table, Suppliers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_contracts_created_by",
                        (SupplierContracts::Table, SupplierContracts::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_supplier_contracts_supplier",
            SupplierContracts::Table,
            vec![SupplierContracts::SupplierId, SupplierContracts::EndsOn],
            false,
        )
        .await?;
        // The renewal reminders: contracts whose notice has started.
        index(
            manager,
            "ix_supplier_contracts_notice",
            SupplierContracts::Table,
            vec![SupplierContracts::NoticeOn],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupplierReviews::Table)
                    .col(id(SupplierReviews::Id))
                    .col(reference(SupplierReviews::SupplierId))
                    .col(
                        ColumnDef::new(SupplierReviews::ReviewedOn)
                            .date()
                            .not_null(),
                    )
                    .col(reference(SupplierReviews::ReviewedBy))
                    .col(word(SupplierReviews::Outcome, 16))
                    .col(text(SupplierReviews::Findings))
                    .col(text(SupplierReviews::Actions))
                    .col(
                        ColumnDef::new(SupplierReviews::NextReviewOn)
                            .date()
                            .not_null(),
                    )
                    .col(created_at(SupplierReviews::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_reviews_supplier",
                        (SupplierReviews::Table, SupplierReviews::SupplierId),
                        (Suppliers::Table, Suppliers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_reviews_by",
                        (SupplierReviews::Table, SupplierReviews::ReviewedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_supplier_reviews_supplier",
            SupplierReviews::Table,
            vec![SupplierReviews::SupplierId, SupplierReviews::ReviewedOn],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupplierDependencies::Table)
                    .col(id(SupplierDependencies::Id))
                    .col(reference(SupplierDependencies::ServiceId))
                    .col(reference(SupplierDependencies::SupplierId))
                    .col(
                        ColumnDef::new(SupplierDependencies::RtoMinutes)
                            .integer()
                            .null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_dependencies_service",
                        (SupplierDependencies::Table, SupplierDependencies::ServiceId),
                        (Services::Table, Services::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_supplier_dependencies_supplier",
                        (
                            SupplierDependencies::Table,
                            SupplierDependencies::SupplierId,
                        ),
                        (Suppliers::Table, Suppliers::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_supplier_dependencies",
            SupplierDependencies::Table,
            vec![
                SupplierDependencies::ServiceId,
                SupplierDependencies::SupplierId,
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_supplier_dependencies_supplier",
            SupplierDependencies::Table,
            vec![SupplierDependencies::SupplierId],
            false,
        )
        .await?;

        register_bia_suppliers(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SupplierDependencies::Table.into_iden(),
            SupplierReviews::Table.into_iden(),
            SupplierContracts::Table.into_iden(),
            SupplierServices::Table.into_iden(),
            Suppliers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The roles that keep suppliers, in the order a migrated entry's manager is chosen.
const KEEPERS: [&str; 3] = ["service_owner", "service_level_manager", "quality_manager"];

/// Enabled users who keep suppliers (the roles of `SupplierManage`), by id.
async fn keepers<C: ConnectionTrait>(db: &C) -> Result<Vec<(i64, Vec<String>)>, DbErr> {
    let select = Query::select()
        .columns([Users::Id, Users::Roles])
        .from(Users::Table)
        .and_where(Expr::col(Users::DisabledAt).is_null())
        .order_by(Users::Id, Order::Asc)
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&select).await? {
        let id: i64 = row.try_get("", "id")?;
        let roles: String = row.try_get("", "roles")?;
        let roles: Vec<String> = serde_json::from_str(&roles).unwrap_or_default();
        if roles.iter().any(|r| KEEPERS.contains(&r.as_str())) {
            out.push((id, roles));
        }
    }
    Ok(out)
}

/// Who manages a migrated entry: whoever saved the analysis when they keep suppliers,
/// otherwise the first service level manager, quality manager or service owner (an admin
/// who saved an analysis does not keep suppliers, and could not be reminded).
fn manager_for(saved_by: i64, keepers: &[(i64, Vec<String>)]) -> i64 {
    if keepers.iter().any(|(id, _)| *id == saved_by) {
        return saved_by;
    }
    for role in ["service_level_manager", "quality_manager", "service_owner"] {
        if let Some((id, _)) = keepers
            .iter()
            .find(|(_, roles)| roles.iter().any(|r| r == role))
        {
            return *id;
        }
    }
    saved_by
}

/// Each distinct supplier name the analyses hold (in any case) becomes one register entry,
/// managed by whoever saved the first analysis naming it (or another keeper) and due for its
/// first review within a month; each analysis line keeps its text and gains the entry's id,
/// and becomes a dependency row.
async fn register_bia_suppliers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let keepers = keepers(db).await?;
    let select = Query::select()
        .columns([
            ServiceBias::ServiceId,
            ServiceBias::Suppliers,
            ServiceBias::UpdatedBy,
        ])
        .from(ServiceBias::Table)
        .order_by(ServiceBias::ServiceId, Order::Asc)
        .to_owned();
    let rows = db.query_all(&select).await?;
    let now = chrono::Utc::now();
    let first_review = now.date_naive() + chrono::Duration::days(30);
    let mut registered: HashMap<String, i64> = HashMap::new();
    for row in rows {
        let service_id: i64 = row.try_get("", "service_id")?;
        let updated_by: i64 = row.try_get("", "updated_by")?;
        let owner = manager_for(updated_by, &keepers);
        let stored: String = row.try_get("", "suppliers")?;
        let Ok(mut lines) = serde_json::from_str::<Vec<serde_json::Value>>(&stored) else {
            continue;
        };
        let mut depends: HashMap<i64, Option<i64>> = HashMap::new();
        for line in lines.iter_mut() {
            let Some(name) = line
                .get("name")
                .and_then(|n| n.as_str())
                .map(|n| n.trim().chars().take(120).collect::<String>())
                .filter(|n| !n.is_empty())
            else {
                continue;
            };
            let key = name.to_lowercase();
            let supplier_id = match registered.get(&key) {
                Some(id) => *id,
                None => {
                    let insert = Query::insert()
                        .into_table(Suppliers::Table)
                        .columns([
                            Suppliers::Name,
                            Suppliers::NameKey,
                            Suppliers::Kind,
                            Suppliers::Status,
                            Suppliers::Provides,
                            Suppliers::OwnerId,
                            Suppliers::ContactName,
                            Suppliers::ContactEmail,
                            Suppliers::ContactPhone,
                            Suppliers::ReviewEveryMonths,
                            Suppliers::NextReviewOn,
                            Suppliers::CreatedBy,
                            Suppliers::CreatedAt,
                            Suppliers::UpdatedAt,
                            Suppliers::Version,
                        ])
                        .values([
                            name.clone().into(),
                            key.clone().into(),
                            "external".into(),
                            "active".into(),
                            "Named as a dependency in a business impact analysis.".into(),
                            owner.into(),
                            "".into(),
                            "".into(),
                            "".into(),
                            12i16.into(),
                            first_review.into(),
                            updated_by.into(),
                            now.into(),
                            now.into(),
                            1i32.into(),
                        ])
                        .map_err(|e| DbErr::Custom(e.to_string()))?
                        .to_owned();
                    db.execute(&insert).await?;
                    let find = Query::select()
                        .column(Suppliers::Id)
                        .from(Suppliers::Table)
                        .and_where(Expr::col(Suppliers::NameKey).eq(key.clone()))
                        .to_owned();
                    let id: i64 = db
                        .query_one(&find)
                        .await?
                        .ok_or_else(|| DbErr::Custom(format!("supplier {name} not stored")))?
                        .try_get("", "id")?;
                    registered.insert(key, id);
                    id
                }
            };
            if let Some(object) = line.as_object_mut() {
                object.insert("supplier_id".into(), supplier_id.into());
            }
            let rto = line.get("rto_minutes").and_then(|r| r.as_i64());
            depends.entry(supplier_id).or_insert(rto);
        }
        let rewritten = serde_json::to_string(&lines).map_err(|e| DbErr::Custom(e.to_string()))?;
        let update = Query::update()
            .table(ServiceBias::Table)
            .value(ServiceBias::Suppliers, rewritten)
            .and_where(Expr::col(ServiceBias::ServiceId).eq(service_id))
            .to_owned();
        db.execute(&update).await?;
        for (supplier_id, rto) in depends {
            let insert = Query::insert()
                .into_table(SupplierDependencies::Table)
                .columns([
                    SupplierDependencies::ServiceId,
                    SupplierDependencies::SupplierId,
                    SupplierDependencies::RtoMinutes,
                ])
                .values([
                    service_id.into(),
                    supplier_id.into(),
                    rto.map(|r| r as i32).into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .to_owned();
            db.execute(&insert).await?;
        }
    }
    Ok(())
}
