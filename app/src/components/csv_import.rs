//! An import page's working parts, for every CSV import: choose or paste a file, see the
//! preview of every row (and every row's errors) before anything is written, then import all
//! or nothing.

use crate::components::error_view::ErrorPanel;
use crate::error::AppError;
use crate::model::csv_import::{ImportPreview, RowFate};
use leptos::prelude::*;

/// Reads the chosen file into `text`, refusing one too big to import.
fn read_chosen_file(
    event: &leptos::web_sys::Event,
    text: RwSignal<String>,
    problem: RwSignal<Option<String>>,
    then: impl Fn(String) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use crate::model::csv_import::IMPORT_MAX_BYTES;
        use wasm_bindgen::JsCast;
        let file = event
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let Some(file) = file else {
            return;
        };
        if file.size() > IMPORT_MAX_BYTES as f64 {
            problem.set(Some(format!(
                "“{}” is {} KB; the most Conform imports at once is {} KB. Split it.",
                file.name(),
                (file.size() / 1000.0).round(),
                IMPORT_MAX_BYTES / 1000
            )));
            return;
        }
        problem.set(None);
        let reading = wasm_bindgen_futures::JsFuture::from(file.text());
        leptos::task::spawn_local(async move {
            match reading.await.ok().and_then(|value| value.as_string()) {
                Some(content) => {
                    text.set(content.clone());
                    then(content);
                }
                None => problem.set(Some("The file could not be read as text.".into())),
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, text, problem, then);
    }
}

/// The server functions an import page calls: the preview (writes nothing) and the import
/// (returns the references created).
pub type PreviewAction = Action<String, Result<ImportPreview, AppError>>;
pub type ImportAction = Action<String, Result<Vec<String>, AppError>>;

/// The form, the progress, the result and the preview. `noun` names what the rows become
/// ("entries", "incidents"); `done` links to where they are listed.
#[component]
pub fn CsvImport(
    preview: PreviewAction,
    import: ImportAction,
    noun: &'static str,
    done: (&'static str, &'static str),
    columns: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let run_preview = move |csv: String| {
        import.value().set(None);
        preview.dispatch(csv);
    };
    let (done_href, done_label) = done;
    view! {
        <div class="form import-form">
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" accept=".csv,text/csv"
                    on:change=move |ev| read_chosen_file(&ev, text, problem, run_preview)/>
            </div>
            <div class="field">
                <label for="import-text">"Or paste the CSV"</label>
                <textarea id="import-text" rows=8 spellcheck="false" aria-describedby="import-problem"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <p class="field-error" id="import-problem" aria-live="polite">{move || problem.get()}</p>
            </div>
            <div class="form-actions">
                <button type="button" class="button secondary"
                    disabled=move || text.with(|t| t.trim().is_empty()) || preview.pending().get()
                    on:click=move |_| run_preview(text.get())>"Preview"</button>
            </div>
        </div>
        <div role="status" aria-live="polite" class="import-progress">
            {move || preview.pending().get().then(|| view! { <p class="loading">"Checking every row…"</p> })}
            {move || import.pending().get().then(|| view! { <p class="loading">"Importing…"</p> })}
            {move || import.value().get().map(|result| match result {
                Ok(created) => view! {
                    <p class="banner banner-info">
                        {format!("Imported {} {noun} ({}). ", created.len(), summarise(&created))}
                        <a href=done_href>{done_label}</a>
                    </p>
                }.into_any(),
                Err(error) => view! { <ErrorPanel error/> }.into_any(),
            })}
        </div>
        {move || preview.value().get().map(|result| match result {
            Ok(found) => view! { <PreviewTable found text import noun/> }.into_any(),
            Err(error) => view! { <ErrorPanel error/> }.into_any(),
        })}
        <details class="panel">
            <summary>"Columns Conform reads"</summary>
            <table class="table">
                <thead><tr><th scope="col">"Column"</th><th scope="col">"What goes in it"</th></tr></thead>
                <tbody>
                    {columns.into_iter().map(|(header, help)| view! { <tr><th scope="row">{header}</th><td>{help}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// "IMP-00041 … IMP-00045", or the one reference.
fn summarise(created: &[String]) -> String {
    match created {
        [] => String::new(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} … {last}"),
    }
}

#[component]
fn PreviewTable(
    found: ImportPreview,
    text: RwSignal<String>,
    import: ImportAction,
    noun: &'static str,
) -> impl IntoView {
    let can_import = found.can_import();
    let to_create = found.to_create();
    let imported = move || import.value().with(|v| matches!(v, Some(Ok(_))));
    view! {
        <section class="panel" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview"</h2>
            <p class=if can_import { "banner banner-info" } else { "banner banner-error" }>{found.summary()}</p>
            {(!found.file_errors.is_empty()).then(|| view! {
                <ul class="error-list">{found.file_errors.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul>
            })}
            {(!found.ignored_columns.is_empty()).then(|| view! {
                <p class="muted">{format!("Not read: {}.", found.ignored_columns.join(", "))}</p>
            })}
            {(!found.rows.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table import-preview">
                        <thead><tr>
                            <th scope="col">"Line"</th>
                            {found.shown.iter().map(|heading| view! { <th scope="col">{heading.clone()}</th> }).collect_view()}
                            <th scope="col">"Result"</th>
                        </tr></thead>
                        <tbody>
                            {found.rows.iter().map(|row| {
                                let (class, result) = match &row.fate {
                                    RowFate::Create => ("", view! { <span class="badge improvement-identified">"New"</span> }.into_any()),
                                    RowFate::Present(reference) => ("", view! { <span class="muted">{format!("Already here as {reference}")}</span> }.into_any()),
                                    RowFate::Invalid(problems) => ("row-invalid", view! {
                                        <ul class="error-list">{problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                                    }.into_any()),
                                };
                                view! {
                                    <tr class=class>
                                        <td>{row.line}</td>
                                        {row.cells.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}
                                        <td>{result}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {can_import.then(|| view! {
                <div class="form-actions">
                    <button type="button" class="button"
                        disabled=move || import.pending().get() || imported()
                        on:click=move |_| { import.dispatch(text.get()); }>
                        {format!("Import {to_create} {noun}")}
                    </button>
                </div>
            })}
        </section>
    }
}
