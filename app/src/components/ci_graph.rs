//! The graph on a configuration item's page: the services a failure reaches on the left,
//! what relies on the item, the item, and what it relies on to the right. A picture for
//! orientation; the lists beside it carry the links and the whole answer.

use crate::model::cmdb::{Graph, NODE_HEIGHT, NODE_WIDTH};
use leptos::prelude::*;

#[component]
pub fn CiGraph(graph: Graph, description: String) -> impl IntoView {
    let Graph {
        nodes,
        edges,
        width,
        height,
    } = graph;
    let (w, h) = (NODE_WIDTH as f64, NODE_HEIGHT as f64);
    let lines = edges
        .iter()
        .filter_map(|(a, b)| {
            let (a, b) = (nodes.get(*a)?, nodes.get(*b)?);
            // From the right edge of the left box to the left edge of the right one.
            let (left, right) = if a.x <= b.x { (a, b) } else { (b, a) };
            Some(view! {
                <line
                    x1=left.x as f64 + w
                    y1=left.y as f64 + h / 2.0
                    x2=right.x as f64
                    y2=right.y as f64 + h / 2.0
                    class="ci-graph-edge"
                />
            })
        })
        .collect_view();
    let boxes = nodes
        .into_iter()
        .map(|node| {
            let class = if node.centre {
                "ci-graph-node centre"
            } else if node.service {
                "ci-graph-node service"
            } else if node.href.is_none() {
                "ci-graph-node more"
            } else {
                "ci-graph-node"
            };
            let (x, y) = (node.x as f64, node.y as f64);
            view! {
                <g class=class>
                    <title>{format!("{} — {}", node.label, node.detail)}</title>
                    <rect x=x y=y width=w height=h rx=4/>
                    <text x=x + 8.0 y=y + 16.0 class="ci-graph-label">{node.label}</text>
                    <text x=x + 8.0 y=y + 32.0 class="ci-graph-detail">{node.detail}</text>
                </g>
            }
        })
        .collect_view();
    // Focusable: a wide graph scrolls sideways, and a keyboard must be able to scroll it too.
    view! {
        <figure class="ci-graph" tabindex="0">
            <svg viewBox=format!("-2 -2 {} {}", width + 4, height + 4) width=width + 4 role="img" aria-labelledby="ci-graph-caption" preserveAspectRatio="xMinYMin meet">
                {lines}
                {boxes}
            </svg>
            <figcaption class="muted" id="ci-graph-caption">{description}</figcaption>
        </figure>
    }
}
