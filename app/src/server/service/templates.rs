//! The catalogue of standard change templates, kept by change managers (the API checks).
//! Writes are versioned and audited; retiring a template keeps it on past changes.

use crate::error::AppError;
use crate::model::access::RecordType;
use crate::model::audit::diff;
use crate::model::change::ChangeType;
use crate::model::change_request::ChangeDraft;
use crate::model::standard_template::{StandardTemplate, TemplateDraft};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::service::Entity as Services;
use crate::server::entity::standard_template::{
    self as template_entity, Column, Entity as Templates,
};
use crate::server::versioned;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, UpdateMany,
};

fn view(row: template_entity::Model) -> StandardTemplate {
    StandardTemplate {
        id: row.id,
        service_ids: serde_json::from_str(&row.service_ids).unwrap_or_default(),
        name: row.name,
        description: row.description,
        category: row.category,
        implementation_plan: row.implementation_plan,
        test_plan: row.test_plan,
        backout_plan: row.backout_plan,
        active: row.active,
        version: row.version,
    }
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Every template, active first, by name.
pub async fn list(db: &Db) -> Result<Vec<StandardTemplate>, AppError> {
    Ok(Templates::find()
        .order_by_desc(Column::Active)
        .order_by_asc(Column::NameKey)
        .all(db.reader())
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// The active templates' ids and names, by name (for the change form's picker).
pub async fn active_names<C: ConnectionTrait>(conn: &C) -> Result<Vec<(i64, String)>, AppError> {
    Ok(Templates::find()
        .select_only()
        .columns([Column::Id, Column::Name])
        .filter(Column::Active.eq(true))
        .order_by_asc(Column::NameKey)
        .into_tuple()
        .all(conn)
        .await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<StandardTemplate, AppError> {
    Templates::find_by_id(id)
        .one(conn)
        .await?
        .map(view)
        .ok_or_else(|| AppError::NotFound("That standard change template".into()))
}

async fn check<C: ConnectionTrait>(
    conn: &C,
    draft: &TemplateDraft,
    id: Option<i64>,
) -> Result<(), AppError> {
    let mut taken = Templates::find().filter(Column::NameKey.eq(name_key(&draft.name)));
    if let Some(id) = id {
        taken = taken.filter(Column::Id.ne(id));
    }
    if taken.count(conn).await? > 0 {
        return Err(AppError::single_field(
            "name",
            "A template with this name exists already.",
        ));
    }
    if !draft.service_ids.is_empty() {
        let found = Services::find()
            .filter(crate::server::entity::service::Column::Id.is_in(draft.service_ids.clone()))
            .count(conn)
            .await?;
        if found != draft.service_ids.len() as u64 {
            return Err(AppError::single_field(
                "service_ids",
                "One of the chosen services does not exist.",
            ));
        }
    }
    Ok(())
}

fn audit_view(template: &StandardTemplate) -> serde_json::Value {
    serde_json::json!({
        "name": template.name,
        "category": template.category,
        "service_ids": template.service_ids,
        "implementation_plan": template.implementation_plan,
        "test_plan": template.test_plan,
        "backout_plan": template.backout_plan,
        "active": template.active,
    })
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    draft: TemplateDraft,
) -> Result<StandardTemplate, AppError> {
    let txn = db.begin_write().await?;
    check(&txn, &draft, None).await?;
    let now = Utc::now();
    let row = template_entity::ActiveModel {
        name_key: Set(name_key(&draft.name)),
        name: Set(draft.name),
        description: Set(draft.description),
        category: Set(draft.category),
        service_ids: Set(serde_json::to_string(&draft.service_ids).unwrap_or_else(|_| "[]".into())),
        implementation_plan: Set(draft.implementation_plan),
        test_plan: Set(draft.test_plan),
        backout_plan: Set(draft.backout_plan),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = view(row);
    audit::append(
        &txn,
        actor,
        Event::new(
            "standard_template_created",
            RecordType::StandardTemplate,
            Some(created.id.to_string()),
            format!("Standard change template “{}” created", created.name),
        )
        .with_changes(diff(None, Some(&audit_view(&created)))),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Changes a template (content and whether it may still be chosen) if `version` is current.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    draft: TemplateDraft,
    active: bool,
) -> Result<StandardTemplate, AppError> {
    let txn = db.begin_write().await?;
    let before = get(&txn, id).await?;
    check(&txn, &draft, Some(id)).await?;
    let service_ids = serde_json::to_string(&draft.service_ids).unwrap_or_else(|_| "[]".into());
    versioned::update(&txn, id, version, |update: UpdateMany<Templates>| {
        update
            .col_expr(Column::NameKey, Expr::value(name_key(&draft.name)))
            .col_expr(Column::Name, Expr::value(draft.name))
            .col_expr(Column::Description, Expr::value(draft.description))
            .col_expr(Column::Category, Expr::value(draft.category))
            .col_expr(Column::ServiceIds, Expr::value(service_ids))
            .col_expr(
                Column::ImplementationPlan,
                Expr::value(draft.implementation_plan),
            )
            .col_expr(Column::TestPlan, Expr::value(draft.test_plan))
            .col_expr(Column::BackoutPlan, Expr::value(draft.backout_plan))
            .col_expr(Column::Active, Expr::value(active))
    })
    .await?;
    let after = get(&txn, id).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "standard_template_updated",
            RecordType::StandardTemplate,
            Some(id.to_string()),
            format!("Standard change template “{}” updated", after.name),
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// A standard change runs its template's plans: they are what was pre-authorised. Retired
/// templates cannot be chosen, but a change keeps the one it already had (`keep`).
pub(crate) async fn apply_template<C: ConnectionTrait>(
    conn: &C,
    draft: &mut ChangeDraft,
    keep: Option<i64>,
) -> Result<(), AppError> {
    if draft.change_type != ChangeType::Standard {
        draft.template_id = None;
        return Ok(());
    }
    let Some(template_id) = draft.template_id else {
        return Err(AppError::single_field(
            "template_id",
            "Choose the standard change template this change follows.",
        ));
    };
    let template = match crate::server::service::templates::get(conn, template_id).await {
        Ok(template) => template,
        Err(AppError::NotFound(_)) => {
            return Err(AppError::single_field(
                "template_id",
                "That template does not exist.",
            ))
        }
        Err(other) => return Err(other),
    };
    if !template.active && keep != Some(template_id) {
        return Err(AppError::single_field(
            "template_id",
            format!("“{}” is retired; choose an active template.", template.name),
        ));
    }
    draft.implementation_plan = template.implementation_plan;
    draft.test_plan = template.test_plan;
    draft.backout_plan = template.backout_plan;
    if draft.category.is_empty() {
        draft.category = template.category;
    }
    // Pre-authorised means pre-authorised for these services only.
    if draft.service_ids.is_empty() {
        draft.service_ids = template.service_ids;
    } else if let Some(outside) = draft
        .service_ids
        .iter()
        .find(|id| !template.service_ids.contains(id))
    {
        let name = crate::server::service::catalogue::names_of(conn, [*outside])
            .await?
            .remove(outside)
            .unwrap_or_else(|| format!("service {outside}"));
        return Err(AppError::Refused(format!(
            "“{}” is pre-authorised only for its own services; {name} is not one of them. Raise a normal change instead.",
            template.name
        )));
    }
    if draft.service_ids.is_empty() {
        return Err(AppError::Refused(format!(
            "“{}” names no service, so it pre-authorises nothing; raise a normal change instead.",
            template.name
        )));
    }
    Ok(())
}
