//! The audit trail (Admin, Auditor): every change to every record, filterable.

use crate::api::audit::{list_audit, list_audit_actors};
use crate::components::error_view::ErrorPanel;
use crate::components::history::ChangeList;
use crate::components::pager::Pager;
use crate::model::audit::AuditQueryParams;
use crate::model::listing::PageKey;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

const RECORD_TYPES: [(&str, &str); 3] = [
    ("service", "Service"),
    ("user", "User"),
    ("audit_trail", "Audit trail"),
];

#[component]
pub fn AuditTrailPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        query.with(|q| AuditQueryParams {
            user: q.get("user"),
            record_type: q.get("record_type"),
            record_id: q.get("record_id"),
            from: q.get("from"),
            to: q.get("to"),
            page: q.get("page"),
            after: q.get("after"),
            before: q.get("before"),
        })
    });
    let entries = Resource::new(move || params.get(), list_audit);
    let actors = Resource::new(|| (), |_| list_audit_actors());
    let current = params.get_untracked();
    let current = StoredValue::new(current);
    view! {
        <Title text="Audit trail"/>
        <h1>"Audit trail"</h1>
        <p class="muted">"Every change to every record: who, when, what, and the values before and after. Entries are hash-chained and cannot be altered."</p>
        <Form method="GET" action="/audit" attr:class="search-bar" attr:role="search">
            <Transition fallback=|| ()>
                {move || {
                    let selected = current.with_value(|c| c.user.clone().unwrap_or_default());
                    Suspend::new(async move {
                        let users = actors.await.unwrap_or_default();
                        view! {
                            <div class="field">
                                <label for="audit-user">"User"</label>
                                <select id="audit-user" name="user">
                                    <option value="">"Anyone"</option>
                                    {users.into_iter().map(|user| {
                                        let id = user.id.to_string();
                                        let is_selected = id == selected;
                                        view! { <option value=id selected=is_selected>{user.name}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                        }
                    })
                }}
            </Transition>
            <div class="field">
                <label for="audit-record-type">"Record type"</label>
                <select id="audit-record-type" name="record_type">
                    <option value="">"Any"</option>
                    {RECORD_TYPES.into_iter().map(|(value, label)| {
                        let selected = current.with_value(|c| c.record_type.as_deref() == Some(value));
                        view! { <option value=value selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-record-id">"Record id"</label>
                <input id="audit-record-id" name="record_id" value=current.with_value(|c| c.record_id.clone().unwrap_or_default()) size=8/>
            </div>
            <div class="field">
                <label for="audit-from">"From"</label>
                <input id="audit-from" type="date" name="from" value=current.with_value(|c| c.from.clone().unwrap_or_default())/>
            </div>
            <div class="field">
                <label for="audit-to">"To"</label>
                <input id="audit-to" type="date" name="to" value=current.with_value(|c| c.to.clone().unwrap_or_default())/>
            </div>
            <button type="submit" class="button secondary">"Filter"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the audit trail…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="empty-state"><p><strong>"No audit entries match these filters."</strong></p></div>
                    }.into_any(),
                    Ok(page) => {
                        let summary = format!("{} entries · page {} of {}", page.total, page.page, page.page_count());
                        let link = move |to_page: u64, key: Option<PageKey>| {
                            let p = params.get_untracked();
                            let mut parts = vec![format!("page={to_page}")];
                            parts.extend(key.map(|key| { let (name, id) = key.query_pair(); format!("{name}={id}") }));
                            for (key, value) in [("user", p.user), ("record_type", p.record_type), ("record_id", p.record_id), ("from", p.from), ("to", p.to)] {
                                if let Some(value) = value.filter(|v| !v.is_empty()) {
                                    parts.push(format!("{key}={}", crate::model::service::encode_component(&value)));
                                }
                            }
                            format!("/audit?{}", parts.join("&"))
                        };
                        let (first, last) = (page.items.first().map(|e| e.seq), page.items.last().map(|e| e.seq));
                        let previous = page.has_previous().then(|| link(page.page - 1, first.and_then(|seq| PageKey::previous(seq, page.page - 1))));
                        let next = page.has_next().then(|| link(page.page + 1, last.map(PageKey::After)));
                        view! {
                            <p class="result-summary" role="status">{summary}</p>
                            <div class="table-wrap">
                                <table class="data-table audit-table">
                                    <caption class="visually-hidden">"Audit entries"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"#"</th>
                                            <th scope="col">"When (UTC)"</th>
                                            <th scope="col">"Who"</th>
                                            <th scope="col">"Action"</th>
                                            <th scope="col">"Record"</th>
                                            <th scope="col">"What changed"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.items.into_iter().map(|entry| view! {
                                            <tr>
                                                <td>{entry.seq}</td>
                                                <td><time datetime=entry.occurred_at.to_rfc3339()>{entry.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string()}</time></td>
                                                <td>{entry.actor_name}</td>
                                                <td><code>{entry.action}</code></td>
                                                <td>{format!("{} {}", entry.record_type, entry.record_id.unwrap_or_default())}</td>
                                                <td>{entry.summary}<ChangeList changes=entry.changes/></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager previous next previous_label="← Newer" next_label="Older →"/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
