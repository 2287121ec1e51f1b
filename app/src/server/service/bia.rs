//! Business impact analyses: one per service, saved whole (versioned and audited), with the
//! services it depends on and their own recovery time objectives. A saved analysis that shows
//! the service is more critical than the catalogue says raises the catalogue's criticality,
//! which change risk then weighs.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::audit::diff;
use crate::model::bia::{raised_criticality, Bia, BiaDraft, ImpactGrid, Objectives, Supplier};
use crate::model::recovery::minutes_text;
use crate::model::service::Criticality;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
use crate::server::entity::service_bia::{self as bia_entity, Entity as Bias};
use crate::server::versioned::{self, check_version};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    UpdateMany,
};
use std::collections::HashMap;

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredSupplier {
    name: String,
    rto_minutes: Option<u32>,
    /// The register entry (lines saved before the register have one from its migration).
    #[serde(default)]
    supplier_id: Option<i64>,
}

fn view_of(
    service_id: i64,
    service_name: String,
    row: Option<&bia_entity::Model>,
    names: &HashMap<i64, String>,
    rtos: &HashMap<i64, u32>,
    updated_by: Option<String>,
) -> Bia {
    let Some(row) = row else {
        return Bia {
            service_id,
            service_name,
            impacts: ImpactGrid::empty(),
            objectives: None,
            depends_on: Vec::new(),
            suppliers: Vec::new(),
            version: 0,
            updated_by: None,
        };
    };
    let depends_on: Vec<i64> = serde_json::from_str(&row.depends_on).unwrap_or_default();
    let suppliers: Vec<StoredSupplier> = serde_json::from_str(&row.suppliers).unwrap_or_default();
    Bia {
        service_id,
        service_name,
        impacts: serde_json::from_str(&row.impacts).unwrap_or_else(|_| ImpactGrid::empty()),
        objectives: Some(Objectives {
            mtpd: row.mtpd.max(0) as u32,
            rto: row.rto.max(0) as u32,
            rpo: row.rpo.max(0) as u32,
        }),
        depends_on: depends_on
            .into_iter()
            .filter_map(|id| Some((id, names.get(&id)?.clone(), rtos.get(&id).copied())))
            .collect(),
        suppliers: suppliers
            .into_iter()
            .map(|s| Supplier {
                name: s.name,
                rto_minutes: s.rto_minutes,
                supplier_id: s.supplier_id,
            })
            .collect(),
        version: row.version,
        updated_by,
    }
}

/// The BIA of `service_id` (an empty one when none was saved yet).
pub async fn get<C: ConnectionTrait>(conn: &C, service_id: i64) -> Result<Bia, AppError> {
    let service = Services::find_by_id(service_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That service".into()))?;
    let row = Bias::find_by_id(service_id).one(conn).await?;
    // Names and recovery times of the services this one depends on, not of every service.
    let depends_on: Vec<i64> = row
        .as_ref()
        .map(|r| serde_json::from_str(&r.depends_on).unwrap_or_default())
        .unwrap_or_default();
    let names =
        crate::server::service::catalogue::names_of(conn, depends_on.iter().copied()).await?;
    let rtos: HashMap<i64, u32> = Bias::find()
        .select_only()
        .columns([bia_entity::Column::ServiceId, bia_entity::Column::Rto])
        .filter(bia_entity::Column::ServiceId.is_in(depends_on))
        .into_tuple::<(i64, i32)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(service, rto)| (service, rto.max(0) as u32))
        .collect();
    let updated_by = match &row {
        Some(r) => crate::server::service::users::people(conn, &[r.updated_by])
            .await?
            .remove(&r.updated_by)
            .map(|p| p.name),
        None => None,
    };
    let mut bia = view_of(
        service_id,
        service.name,
        row.as_ref(),
        &names,
        &rtos,
        updated_by,
    );
    // A supplier renamed in the register is shown (and saved again) by its new name.
    let ids: Vec<i64> = bia.suppliers.iter().filter_map(|s| s.supplier_id).collect();
    let current = crate::server::service::suppliers::names_of(conn, &ids).await?;
    for supplier in &mut bia.suppliers {
        if let Some(name) = supplier.supplier_id.and_then(|id| current.get(&id)) {
            supplier.name = name.clone();
        }
    }
    Ok(bia)
}

fn audit_view(bia: &Bia) -> serde_json::Value {
    serde_json::json!({
        "mtpd": bia.objectives.map(|o| crate::model::recovery::minutes_text(o.mtpd)),
        "rto": bia.objectives.map(|o| crate::model::recovery::minutes_text(o.rto)),
        "rpo": bia.objectives.map(|o| crate::model::recovery::minutes_text(o.rpo)),
        "impacts": bia.impacts.0.iter().map(|row| row.iter().map(|l| l.0.to_string()).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>(),
        "depends_on": bia.depends_on.iter().map(|(_, name, _)| name.clone()).collect::<Vec<_>>(),
        "suppliers": bia.suppliers.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
    })
}

/// Each supplier line as its entry in the supplier register (found by name in any case, and
/// shown with the register's spelling). A name the register lacks is refused: the analysis
/// depends on suppliers someone manages and reviews, not on free text.
async fn registered_suppliers<C: ConnectionTrait>(
    conn: &C,
    lines: &[Supplier],
) -> Result<Vec<StoredSupplier>, AppError> {
    let names: Vec<String> = lines.iter().map(|s| s.name.clone()).collect();
    let found = crate::server::service::suppliers::find_by_names(conn, &names).await?;
    let mut missing = Vec::new();
    let mut stored = Vec::new();
    for line in lines {
        match found.get(&line.name.trim().to_lowercase()) {
            Some((id, name)) => stored.push(StoredSupplier {
                name: name.clone(),
                rto_minutes: line.rto_minutes,
                supplier_id: Some(*id),
            }),
            None => missing.push(line.name.trim().to_string()),
        }
    }
    if !missing.is_empty() {
        return Err(AppError::single_field(
            "suppliers",
            format!(
                "Not in the supplier register (or retired): {}. Add them to the register first, then name them here.",
                missing.join(", ")
            ),
        ));
    }
    Ok(stored)
}

/// Saves the whole analysis against `version` (0 for the first save), audited.
pub async fn save(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    service_id: i64,
    version: i32,
    draft: BiaDraft,
) -> Result<Bia, AppError> {
    let txn = db.begin_write().await?;
    let before = get(&txn, service_id).await?;
    check_version::<Bias>(version, before.version)?;
    if draft.depends_on.contains(&service_id) {
        return Err(AppError::single_field(
            "depends_on",
            "A service cannot depend on itself.",
        ));
    }
    if !draft.depends_on.is_empty() {
        let known = Services::find()
            .filter(ServiceColumn::Id.is_in(draft.depends_on.clone()))
            .all(&txn)
            .await?
            .len();
        if known != draft.depends_on.len() {
            let mut errors = FieldErrors::new();
            errors.add("depends_on", "Choose the services from the catalogue.");
            return Err(errors.into());
        }
    }
    let suppliers = registered_suppliers(&txn, &draft.suppliers).await?;
    crate::server::service::suppliers::set_dependencies(
        &txn,
        service_id,
        &suppliers
            .iter()
            .filter_map(|s| Some((s.supplier_id?, s.rto_minutes)))
            .collect::<Vec<_>>(),
    )
    .await?;
    if version == 0 {
        bia_entity::ActiveModel {
            service_id: Set(service_id),
            impacts: Set(json(&draft.impacts)),
            mtpd: Set(draft.objectives.mtpd as i32),
            rto: Set(draft.objectives.rto as i32),
            rpo: Set(draft.objectives.rpo as i32),
            depends_on: Set(json(&draft.depends_on)),
            suppliers: Set(json(&suppliers)),
            version: Set(1),
            updated_by: Set(user_id),
            updated_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
    } else {
        // Only the version read above is replaced (PostgreSQL reads committed data, so a
        // concurrent save is caught here rather than silently overwritten).
        versioned::update(&txn, service_id, version, |update: UpdateMany<Bias>| {
            update
                .col_expr(
                    bia_entity::Column::Impacts,
                    Expr::value(json(&draft.impacts)),
                )
                .col_expr(
                    bia_entity::Column::Mtpd,
                    Expr::value(draft.objectives.mtpd as i32),
                )
                .col_expr(
                    bia_entity::Column::Rto,
                    Expr::value(draft.objectives.rto as i32),
                )
                .col_expr(
                    bia_entity::Column::Rpo,
                    Expr::value(draft.objectives.rpo as i32),
                )
                .col_expr(
                    bia_entity::Column::DependsOn,
                    Expr::value(json(&draft.depends_on)),
                )
                .col_expr(bia_entity::Column::Suppliers, Expr::value(json(&suppliers)))
                .col_expr(bia_entity::Column::UpdatedBy, Expr::value(user_id))
        })
        .await?;
    }
    let after = get(&txn, service_id).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "bia_saved",
            RecordType::Service,
            Some(service_id.to_string()),
            format!("Business impact analysis of {} saved", after.service_name),
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    if !raise_criticality(&txn, actor, service_id, draft.objectives.mtpd).await? {
        // Dropping the transaction rolls the analysis back too, so `version` is still current.
        return Err(AppError::Conflict {
            message: "The service's catalogue entry changed while this impact analysis was saved; nothing was saved. Save it again.".into(),
            current_version: version,
        });
    }
    txn.commit().await?;
    Ok(after)
}

/// Raises the catalogue's criticality of `service_id` when an MTPD of `mtpd` implies more
/// (never lowers it), audited on the service. The service's version is bumped so that a
/// catalogue edit started before the raise is refused instead of quietly undoing it. False
/// when the catalogue entry changed between reading and raising it (possible on PostgreSQL):
/// the audit would then name the wrong "from".
async fn raise_criticality<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    service_id: i64,
    mtpd: u32,
) -> Result<bool, AppError> {
    let service = Services::find_by_id(service_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That service".into()))?;
    // The migration constrains the rank, so the fallback (the catalogue's own) is never used.
    let current = Criticality::from_rank(service.criticality).unwrap_or(Criticality::Medium);
    let Some(raised) = raised_criticality(current, mtpd) else {
        return Ok(true);
    };
    let raise = versioned::update(
        txn,
        service_id,
        service.version,
        |update: UpdateMany<Services>| {
            update.col_expr(ServiceColumn::Criticality, Expr::value(raised.rank()))
        },
    )
    .await;
    match raise {
        Ok(()) => {}
        // The caller answers for the analysis, whose version the client holds.
        Err(AppError::Conflict { .. }) => return Ok(false),
        Err(error) => return Err(error),
    }
    audit::append(
        txn,
        actor,
        Event::new(
            "service_criticality_raised",
            RecordType::Service,
            Some(service_id.to_string()),
            format!(
                "Criticality of {} raised from {} to {} by its impact analysis: MTPD {}",
                service.name,
                current.label(),
                raised.label(),
                minutes_text(mtpd)
            ),
        )
        .with_changes(diff(
            Some(&serde_json::json!({ "criticality": current.label() })),
            Some(&serde_json::json!({ "criticality": raised.label() })),
        )),
    )
    .await?;
    Ok(true)
}

/// The stored JSON columns (Conform's own types, so serialising cannot fail in practice).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}
