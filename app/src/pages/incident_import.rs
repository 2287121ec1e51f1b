//! `/incidents/import`: bring incidents in from another tool as CSV (`components::csv_import`),
//! history and open work alike.

use crate::api::incidents::{import_incidents, preview_incident_import};
use crate::components::csv_import::CsvImport;
use crate::model::csv_import::column_help;
use crate::model::incident_import::IncidentColumn;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IncidentImportPage() -> impl IntoView {
    let preview = Action::new(|csv: &String| preview_incident_import(csv.clone()));
    let import = Action::new(|csv: &String| import_incidents(csv.clone()));
    let columns = column_help::<IncidentColumn>();
    let done = ("/incidents", "See the queue");
    view! {
        <Title text="Import incidents"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / Import"</nav>
        <h1>"Import incidents from another tool"</h1>
        <p class="muted">"Choose a CSV export of the other tool (ServiceNow, Jira Service Management and GLPI column names are understood) or paste its text. Conform checks every row and shows the result; nothing is written until you import, and the import creates every new incident or none. Each incident keeps its state, its times and its number in the other tool (a number imported before is skipped), and is measured against the agreement in force when it was opened, so its month's service report counts it. The priority comes from impact and urgency through the organisation's matrix."</p>
        <CsvImport preview import noun="incidents" done
            columns/>
    }
}
