//! `/cmdb/import`: load configuration items and their relationships from CSV — a CMDB
//! export from another tool, or Conform's own (`components::csv_import`).

use crate::api::cmdb::{import_cis, preview_ci_import};
use crate::components::csv_import::CsvImport;
use crate::model::cmdb_import::CiColumn;
use crate::model::csv_import::column_help;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CiImportPage() -> impl IntoView {
    let preview = Action::new(|csv: &String| preview_ci_import(csv.clone()));
    let import = Action::new(|csv: &String| import_cis(csv.clone()));
    let columns = column_help::<CiColumn>();
    let done = ("/cmdb", "See the configuration items");
    view! {
        <Title text="Import configuration items"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/cmdb">"Configuration items"</a>" / Import"</nav>
        <h1>"Import configuration items"</h1>
        <p class="muted">"Choose a CSV file — an export of another CMDB, or of this one — or paste its text. Conform checks every row and every relationship (\"Relies on\": items of the file or already in the CMDB) and shows the result; nothing is written until you import, and the import creates every new item and relationship or none. Items the CMDB already has, by name, are left as they are."</p>
        <CsvImport preview import noun="items" done columns/>
    }
}
