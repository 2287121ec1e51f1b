//! The real server process, stopped the way an operator or a service manager stops it
//! (SIGTERM) while people have live connections open: every stream is told to close, the
//! process ends by itself and reports success. Without that, axum's graceful shutdown would wait
//! for the streams for ever and the service manager would have to kill it.

use crate::common;

use app::model::access::Role;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a stop may take before the test calls it hung (a hang lasts for ever; a healthy
/// stop takes well under a second).
const STOP_BOUND: Duration = Duration::from_secs(20);

/// Sends one HTTP/1.1 request and returns the reply's head (status line and headers).
fn request(addr: &str, head: &str, body: &str) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{head}\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut reply = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        reply.push_str(&line);
    }
    (stream, reply)
}

fn session_cookie(head: &str) -> String {
    head.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find(|v| v.starts_with("conform_session="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie in {head}"))
        .to_string()
}

fn wait_for_exit(child: &mut Child) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < STOP_BOUND {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_live_streams_open_stops_the_server_cleanly() {
    let db = common::test_db().await;
    common::web::add_user(&db, "chair@example.org", vec![Role::ChangeManager]).await;
    let data = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &db.url])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("Conform is running at http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();

    let body = format!(
        "form[email]=chair%40example.org&form[password]={}&form[next]=/",
        app::model::service::encode_component(common::web::PASSWORD)
    );
    let (_, head) = request(
        &addr,
        "POST /api/auth/sign_in HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close",
        &body,
    );
    let cookie = session_cookie(&head);
    let mut streams: Vec<TcpStream> = (0..3)
        .map(|_| {
            let (stream, head) = request(
                &addr,
                &format!("GET /events HTTP/1.1\r\nCookie: {cookie}\r\nAccept: text/event-stream"),
                "",
            );
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            assert!(head.contains("text/event-stream"), "{head}");
            stream
        })
        .collect();

    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = wait_for_exit(&mut server);
    if status.is_none() {
        server.kill().ok();
    }
    let status = status.expect("the server did not stop with live streams open");
    assert!(status.success(), "{status:?}");
    // Each stream was ended by the server (its connection reaches the end), not left hanging.
    for stream in &mut streams {
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
    }
}
