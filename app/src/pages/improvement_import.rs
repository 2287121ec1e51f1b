//! `/improvements/import`: bring an existing register in from CSV (`components::csv_import`).

use crate::api::improvements::{import_register, preview_import};
use crate::components::csv_import::CsvImport;
use crate::model::csv_import::column_help;
use crate::model::register_import::RegisterColumn;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ImprovementImportPage() -> impl IntoView {
    let preview = Action::new(|csv: &String| preview_import(csv.clone()));
    let import = Action::new(|csv: &String| import_register(csv.clone()));
    let columns = column_help::<RegisterColumn>();
    let done = ("/improvements", "See the register");
    view! {
        <Title text="Import improvements"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/improvements">"Improvement register"</a>" / Import"</nav>
        <h1>"Import an improvement register"</h1>
        <p class="muted">"Choose a CSV file (an export of this register imports again) or paste its text. Conform checks every row and shows the result; nothing is written until you import, and the import creates every new row or none. Imported entries start as Identified and follow the lifecycle from there; priority is computed, so status and priority columns are not read."</p>
        <CsvImport preview import noun="entries" done
            columns/>
    }
}
