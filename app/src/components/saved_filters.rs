//! A list's saved filters (`model::saved_filter`): the person's own as links, each with a
//! delete button, and a small form that keeps the list's current filters under a name.

use crate::api::saved_filters::{delete_filter, saved_filters, SaveFilter};
use crate::components::change_fields::field_error;
use crate::model::saved_filter::{SavedFilter, SavedList};
use leptos::prelude::*;

/// `query`: the list's current filters as `SavedList::canonical` gives them (`None`: none set,
/// so there is nothing to save).
#[component]
pub fn SavedFilters(list: SavedList, #[prop(into)] query: Signal<Option<String>>) -> impl IntoView {
    let save = ServerAction::<SaveFilter>::new();
    let deleted = RwSignal::new(0u32);
    let filters = Resource::new(
        move || (save.version().get(), deleted.get()),
        move |_| saved_filters(list),
    );
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let remove = move |filter: SavedFilter| {
        leptos::task::spawn_local(async move {
            let _ = delete_filter(list, filter.id).await;
            deleted.update(|n| *n += 1);
        });
    };
    view! {
        <section class="saved-filters" aria-label="Saved filters">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let kept: Vec<SavedFilter> = filters.await.unwrap_or_default();
                    (!kept.is_empty()).then(|| view! {
                        <ul class="chips">
                            <li class="chips-label">"Saved:"</li>
                            {kept.into_iter().map(|filter| {
                                let label = format!("Delete the saved filter {}", filter.name);
                                let doomed = filter.clone();
                                view! {
                                    <li class="chip">
                                        <a href=filter.href()>{filter.name.clone()}</a>
                                        <button type="button" class="chip-remove" aria-label=label title="Delete"
                                            on:click=move |_| remove(doomed.clone())>"×"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
            <Show when=move || query.with(Option::is_some)>
                <ActionForm action=save attr:class="inline-form" attr:novalidate=true>
                    <input type="hidden" name="list" value=list.as_str()/>
                    <input type="hidden" name="query" value=move || query.get().unwrap_or_default()/>
                    <div class="field">
                        <label for="save-filter-name">"Save these filters as"</label>
                        <input id="save-filter-name" name="name" maxlength=60 aria-describedby="save-filter-name-error"/>
                        <p class="field-error" id="save-filter-name-error" aria-live="polite">{field_error(error, "name")}</p>
                    </div>
                    <button type="submit" class="button secondary" disabled=move || save.pending().get()>"Save filter"</button>
                </ActionForm>
            </Show>
        </section>
    }
}
