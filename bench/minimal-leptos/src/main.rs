//! Serves the minimal app: `minimal-leptos <address> <site root>`.

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use minimal_leptos::{shell, App};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3300".into());
    let site_root = args.next().unwrap_or_else(|| "target/site".into());
    let options = LeptosOptions::builder()
        .output_name("minimal")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr.parse::<std::net::SocketAddr>().expect("an address such as 127.0.0.1:3300"))
        .build();
    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("the address is free");
    println!("minimal Leptos app at http://{addr}");
    axum::serve(listener, app).await.expect("serving");
}
