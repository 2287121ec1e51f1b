//! `/compliance/evidence-pack`: build the archive the certification auditor receives — an
//! index page per clause, the approved documents, the sampled records as HTML and CSV, the
//! gap-analysis result, audit reports, review minutes and a SHA-256 manifest — in the
//! background, with its progress shown, and download it when ready.

use crate::api::evidence::{recent_evidence_packs, StartEvidencePack};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::evidence_pack::{PackState, PackStatus};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EvidencePackPage() -> impl IntoView {
    let start = ServerAction::<StartEvidencePack>::new();
    // Bumped while a pack is building, so the list (and its progress) is read again.
    let tick = RwSignal::new(0u32);
    let started = Signal::derive(move || {
        start
            .value()
            .get()
            .map(|result| result.is_ok())
            .unwrap_or(false)
    });
    let packs = Resource::new(
        move || (tick.get(), start.version().get()),
        |_| recent_evidence_packs(),
    );
    let building = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(list)) = packs.get() {
            building.set(list.iter().any(|p| p.state == PackState::Building));
        }
        if started.get() {
            building.set(true);
        }
    });
    // Only in the browser: ask again a moment later while something is building.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if building.get_untracked() {
                    tick.update(|t| *t = t.wrapping_add(1));
                }
            },
            std::time::Duration::from_millis(700),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let error = Signal::derive(move || start.value().get().and_then(Result::err));
    view! {
        <Title text="Evidence pack"/>
        <h1>"Evidence pack"</h1>
        <p class="muted">"One archive for the certification auditor: an index with a page per clause of ISO/IEC 20000-1 (clauses 4–10) giving the guidance, the status from the latest gap assessment, the approved documents and the sampled records; the records themselves as printable HTML and as CSV (the last 12 months of authorised changes with their CAB decisions, CAB minutes, continuity plans and exercises, the nonconformity log with effectiveness checks, the improvement register, the service catalogue, audit reports and management review minutes); and MANIFEST.sha256 with a SHA-256 for every file (check it with " <code>"sha256sum -c MANIFEST.sha256"</code>" in the unpacked folder)."</p>
        <p class="muted">"The pack is reproducible: built again from the same data for the same date it is the same file, byte for byte."</p>
        <IfAllowed permission=Permission::EvidenceExport>
            <section class="panel" aria-labelledby="build-pack-heading">
                <h2 id="build-pack-heading">"Build a pack"</h2>
                <ActionForm action=start attr:class="form-grid">
                    <label for="pack-as-of">"Data as of (leave empty for today)"</label>
                    <input id="pack-as-of" type="date" name="as_of"/>
                    <p class="hint">"The 12-month sampling window ends on this date."</p>
                    <FormErrors error/>
                    <button type="submit" class="button primary" disabled=move || start.pending().get()>
                        {move || if start.pending().get() { "Starting…" } else { "Build the evidence pack" }}
                    </button>
                </ActionForm>
            </section>
        </IfAllowed>
        <section aria-labelledby="recent-packs-heading">
            <h2 id="recent-packs-heading">"Recent packs"</h2>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match packs.await {
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty-state">
                                <p><strong>"No pack built since the server started."</strong></p>
                                <p>"Build one above; it takes a few seconds for a small installation and runs in the background for a large one."</p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="pack-list">
                                {list.into_iter().map(|pack| view! { <PackRow pack/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PackRow(pack: PackStatus) -> impl IntoView {
    let heading = format!("Pack as of {}", pack.as_of);
    let by = format!("Asked for by {}", pack.started_by);
    let body = match pack.state {
        PackState::Building => {
            let percent = pack.percent();
            view! {
                <label for=format!("progress-{}", pack.id)>{format!("{} — {percent}%", pack.step)}</label>
                <progress id=format!("progress-{}", pack.id) max="100" value=percent.to_string()>{format!("{percent}%")}</progress>
                <p class="muted" role="status">"Building in the background; this page follows it. You may leave and come back."</p>
            }
            .into_any()
        }
        PackState::Ready => {
            let size = pack.bytes.map(size_text).unwrap_or_default();
            let files = pack.files.unwrap_or_default();
            view! {
                <p role="status">{format!("Ready: {files} files, {size}.")}</p>
                <p><a class="button primary" href=pack.download_href() download=pack.file_name()>{format!("Download {}", pack.file_name())}</a></p>
                <p class="muted small">"SHA-256 of the archive: " <code class="hash">{pack.sha256.clone().unwrap_or_default()}</code></p>
            }
            .into_any()
        }
        PackState::Failed => view! {
            <p class="error" role="alert">{format!("The pack could not be built: {}", pack.error.clone().unwrap_or_default())}</p>
        }
        .into_any(),
    };
    view! {
        <li class="pack panel">
            <h3>{heading}</h3>
            <p class="muted">{by}</p>
            {body}
        </li>
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}
