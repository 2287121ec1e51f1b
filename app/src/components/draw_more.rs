//! Long board columns drawn a part at a time: the first cards at once, more whenever the
//! column's end comes into view (or its button is pressed), so a board of a thousand cards
//! hydrates about as fast as one of two hundred.

use leptos::prelude::*;

/// Cards a column draws at first.
pub const FIRST_DRAWN: usize = 40;
/// Cards drawn each time the column's end comes into view.
pub const DRAWN_MORE: usize = 50;

/// How far below the window's bottom edge the column's end may still be (in CSS pixels) for
/// the next cards to be drawn already: scrolling then seldom reaches an undrawn end.
#[cfg(feature = "hydrate")]
const DRAW_AHEAD_PX: f64 = 600.0;

/// The end of a column with `hidden` cards not drawn yet: a button that draws more, pressed
/// for the reader as the window scrolls near it. Keyboard users reach it after the column's
/// last drawn card.
#[component]
pub fn DrawMore(hidden: Signal<usize>, limit: RwSignal<usize>) -> impl IntoView {
    let button = NodeRef::<leptos::html::Button>::new();
    let more = move || limit.update(|drawn| *drawn += DRAWN_MORE);
    #[cfg(feature = "hydrate")]
    {
        let near_end = move || {
            let (Some(button), Some(height)) = (
                button.get_untracked(),
                window().inner_height().ok().and_then(|h| h.as_f64()),
            ) else {
                return false;
            };
            button.get_bounding_client_rect().top() < height + DRAW_AHEAD_PX
        };
        let listener = window_event_listener(leptos::ev::scroll, move |_| {
            if hidden.get_untracked() > 0 && near_end() {
                more();
            }
        });
        on_cleanup(move || listener.remove());
    }
    view! {
        <Show when=move || { hidden.get() > 0 }>
            <li class="draw-more">
                <button type="button" class="secondary" node_ref=button on:click=move |_| more()>
                    {move || format!("Show {} more", hidden.get().min(DRAWN_MORE))}
                </button>
            </li>
        </Show>
    }
}
