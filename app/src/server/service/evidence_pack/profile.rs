//! The SMS profile in the pack: the version in force on the as-of date (the latest approved
//! by then), as one page the clause pages of 4.1–4.4, 5.1–5.3 and 6.3 link to.

use super::archive::PackArchive;
use super::html::page;
use super::records::name;
use crate::error::AppError;
use crate::model::sms_profile::{processes, IssueKind, ProfileContent, CLAUSES_ANSWERED};
use crate::server::db::Db;
use crate::server::entity::sms_profile_version::{Column, Entity as Versions};
use crate::server::failure::internal;
use crate::server::render::escape;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::io::{Seek, Write};

pub const PATH: &str = "sms-profile.html";

/// Writes the profile page; answers its title, or `None` when nothing was approved by then.
pub async fn write_profile<W: Write + Seek>(
    db: &Db,
    archive: &mut PackArchive<W>,
    names: &HashMap<i64, String>,
    as_of: NaiveDate,
    day: &str,
) -> Result<Option<String>, AppError> {
    let end_of_day = as_of
        .succ_opt()
        .unwrap_or(as_of)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let Some(version) = Versions::find()
        .filter(Column::ApprovedAt.lt(end_of_day))
        .order_by_desc(Column::ApprovedAt)
        .one(db.reader())
        .await?
    else {
        return Ok(None);
    };
    let content: ProfileContent = serde_json::from_str(&version.content).map_err(internal)?;
    let services: HashMap<i64, String> =
        crate::server::service::catalogue::names_of(db.reader(), content.service_ids.clone())
            .await?;
    let person = |id: Option<i64>| match id {
        Some(_) => escape(&name(names, id)),
        None => "<em>Nobody named</em>".to_string(),
    };
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "<p><em>None recorded.</em></p>".to_string()
        } else {
            format!("<ul>{}</ul>", items.concat())
        }
    };
    let issues = |kind: IssueKind| {
        list(
            content
                .issues
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| format!("<li>{}</li>", escape(&i.text)))
                .collect(),
        )
    };
    let mut body = format!(
        "<table><tbody>\
         <tr><th scope=\"row\">Version</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Approved by</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Approved on</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Next review</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Clauses</th><td>{}</td></tr>\
         </tbody></table>",
        version.number,
        escape(&name(names, version.approved_by)),
        version
            .approved_at
            .map(|at| at.date_naive().to_string())
            .unwrap_or_default(),
        version
            .next_review_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        CLAUSES_ANSWERED.join(", "),
    );
    body.push_str(&format!(
        "<h2>Context (4.1)</h2><h3>Internal issues</h3>{}<h3>External issues</h3>{}",
        issues(IssueKind::Internal),
        issues(IssueKind::External)
    ));
    body.push_str("<h2>Interested parties (4.2)</h2>");
    body.push_str(&if content.parties.is_empty() {
        "<p><em>None recorded.</em></p>".to_string()
    } else {
        format!(
            "<table><thead><tr><th scope=\"col\">Party</th><th scope=\"col\">Requirements</th></tr></thead><tbody>{}</tbody></table>",
            content
                .parties
                .iter()
                .map(|p| format!("<tr><td>{}</td><td>{}</td></tr>", escape(&p.name), escape(&p.requirements)))
                .collect::<String>()
        )
    });
    let mut scoped: Vec<&String> = content
        .service_ids
        .iter()
        .filter_map(|id| services.get(id))
        .collect();
    scoped.sort();
    body.push_str(&format!(
        "<h2>Scope of the SMS (4.3)</h2><p style=\"white-space: pre-wrap\">{}</p><h3>Services in scope</h3>{}\
         <h3>Locations</h3>{}<h3>Organisational units</h3>{}<h3>Exclusions</h3>{}",
        escape(&content.scope),
        list(
            scoped
                .iter()
                .map(|s| format!("<li>{}</li>", escape(s)))
                .collect()
        ),
        list(
            content
                .locations
                .iter()
                .map(|s| format!("<li>{}</li>", escape(s)))
                .collect()
        ),
        list(
            content
                .units
                .iter()
                .map(|s| format!("<li>{}</li>", escape(s)))
                .collect()
        ),
        list(
            content
                .exclusions
                .iter()
                .map(|e| format!("<li>{} — {}</li>", escape(&e.what), escape(&e.reason)))
                .collect()
        ),
    ));
    body.push_str(&format!(
        "<h2>Service management policy (5.2)</h2><p style=\"white-space: pre-wrap\">{}</p>",
        escape(&content.policy)
    ));
    body.push_str(&format!(
        "<h2>SMS roles (5.1, 5.3)</h2><table><tbody>\
         <tr><th scope=\"row\">Top management</th><td>{}</td></tr>\
         <tr><th scope=\"row\">SMS owner</th><td>{}</td></tr>{}</tbody></table>",
        person(content.top_management_id),
        person(content.sms_owner_id),
        processes()
            .map(|(clause, title)| format!(
                "<tr><th scope=\"row\">Owner of {clause} {}</th><td>{}</td></tr>",
                escape(title),
                person(content.owner_of(clause))
            ))
            .collect::<String>()
    ));
    let title = format!("SMS profile (version {})", version.number);
    archive
        .add(PATH, page(&title, 0, day, &body).as_bytes())
        .map_err(internal)?;
    Ok(Some(title))
}
