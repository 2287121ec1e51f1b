//! What drag-and-drop boards share.

/// The record id in the `attribute` of the element an event happened in (or its nearest
/// ancestor with one), read from the DOM so a handler acts on the card actually touched.
pub fn id_from_event(event: &leptos::web_sys::Event, attribute: &str) -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let element = event
            .current_target()?
            .dyn_into::<leptos::web_sys::Element>()
            .ok()?;
        let card = element.closest(&format!("[{attribute}]")).ok()??;
        card.get_attribute(attribute)?.parse().ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, attribute);
        None
    }
}

/// The keyboard way to move a card on a board: a "Move…" button opening the columns this
/// person may move it to. `card_attribute` names the data attribute holding the card's id;
/// `on_pick` gets that id (read from the card actually touched) and the chosen column.
#[leptos::component]
pub fn MoveMenu<T>(
    /// The columns offered, with their labels; nothing is shown when empty.
    targets: Vec<(T, &'static str)>,
    card_attribute: &'static str,
    on_pick: leptos::prelude::Callback<(i64, T)>,
    /// Names the card for screen readers ("Move IMP-00012").
    #[prop(optional, into)]
    label: Option<String>,
) -> impl leptos::prelude::IntoView
where
    T: Copy + Send + Sync + 'static,
{
    use leptos::prelude::*;
    let open = RwSignal::new(false);
    if targets.is_empty() {
        return ().into_any();
    }
    view! {
        <span class="move-menu">
            <button type="button" class="button small secondary" aria-haspopup="true" aria-expanded=move || open.get().to_string()
                aria-label=label
                on:click=move |_| open.update(|o| *o = !*o)>
                "Move…"
            </button>
            <Show when=move || open.get()>
                <span class="move-options" role="group" aria-label="Move to">
                    {targets.iter().map(|(to, name)| {
                        let to = *to;
                        view! {
                            <button type="button" class="button small" on:click=move |ev| {
                                open.set(false);
                                if let Some(id) = id_from_event(&ev, card_attribute) {
                                    on_pick.run((id, to));
                                }
                            }>{format!("→ {name}")}</button>
                        }
                    }).collect_view()}
                </span>
            </Show>
        </span>
    }
    .into_any()
}

/// A board column as a drop target: highlighted while a card it accepts is dragged, and taking
/// every drop, so that a forbidden move can say why it snapped back. `state` is the column's
/// code (`data-state`); the header and the cards are the children.
#[leptos::component]
pub fn DropColumn<T>(
    state: &'static str,
    dragging: leptos::prelude::RwSignal<Option<T>>,
    accepts: leptos::prelude::Callback<T, bool>,
    on_drop: leptos::prelude::Callback<T>,
    children: leptos::prelude::Children,
) -> impl leptos::prelude::IntoView
where
    T: Clone + Send + Sync + 'static,
{
    use leptos::prelude::*;
    let class = move || match dragging.get().map(|card| accepts.run(card)) {
        None => "board-column",
        Some(true) => "board-column drop-allowed",
        Some(false) => "board-column drop-forbidden",
    };
    view! {
        <div
            class=class
            data-state=state
            on:dragover=move |ev| {
                if dragging.get_untracked().is_some() {
                    ev.prevent_default();
                }
            }
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(card) = dragging.get_untracked() {
                    dragging.set(None);
                    on_drop.run(card);
                }
            }
        >
            {children()}
        </div>
    }
}
