//! Crash durability of the SQLite set-up (WAL, `synchronous=FULL`), run by
//! `scripts/durability.sh`: start the release `conform` on a fresh database with one user,
//! create services over the server-function API from several clients at once, kill the
//! server with SIGKILL at a random moment, restart, repeat. After the last kill the server is
//! started once more; every write it acknowledged (HTTP 200 with the new service's id) must
//! then be in the database under the name sent, and `conform audit verify` must pass.
//!
//! `durability --binary PATH [--cycles 200] [--seconds 600] [--clients 4]`
//! Prints cycles, writes acknowledged and writes lost; exits 1 if any was lost, a write was
//! refused (any complete reply but 200), the audit trail does not verify, or fewer cycles
//! than asked for fit in the time limit.

use sea_orm::{ConnectionTrait, Database, Statement};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const EMAIL: &str = "durability@example.org";
const PASSWORD: &str = "durability password 1";

struct Options {
    binary: PathBuf,
    cycles: u32,
    seconds: u64,
    clients: usize,
}

fn options() -> Options {
    let mut options = Options {
        binary: PathBuf::from("conform"),
        cycles: 200,
        seconds: 600,
        clients: 4,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--binary" => options.binary = PathBuf::from(value),
            "--cycles" => options.cycles = value.parse().expect("--cycles N"),
            "--seconds" => options.seconds = value.parse().expect("--seconds N"),
            "--clients" => options.clients = value.parse().expect("--clients N"),
            _ => panic!("unknown flag {flag}"),
        }
    }
    options
}

/// A small xorshift generator: kill points need to be spread, not secret.
struct Random(u64);

impl Random {
    fn seeded() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Random(nanos | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What one client saw in one cycle.
#[derive(Default)]
struct Stream {
    sent: u64,
    acknowledged: u64,
    /// The kill cut a request short (no reply, or half of one).
    interrupted: bool,
    /// A complete reply other than 200: the server refused a write.
    refused: Option<String>,
}

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// One HTTP/1.1 request on its own connection, as a same-origin browser call would be.
async fn request(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Sec-Fetch-Site: same-origin\r\nAccept: application/json\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let Some((headers, rest)) = text.split_once("\r\n\r\n") else {
        return Err(std::io::Error::other("incomplete response"));
    };
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let chunked = headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)?
    } else {
        rest.to_string()
    };
    Ok(Reply {
        status,
        headers: headers.to_string(),
        body,
    })
}

fn dechunk(mut rest: &str) -> std::io::Result<String> {
    let mut body = String::new();
    loop {
        let (size, after) = rest
            .split_once("\r\n")
            .ok_or_else(|| std::io::Error::other("truncated chunk"))?;
        let size = usize::from_str_radix(size.trim(), 16)
            .map_err(|_| std::io::Error::other("bad chunk size"))?;
        if size == 0 {
            return Ok(body);
        }
        if after.len() < size + 2 {
            return Err(std::io::Error::other("truncated chunk"));
        }
        body.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(binary: &Path, url: &str, port: u16, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(binary)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start conform")
}

async fn wait_healthy(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(reply) = request(port, "GET", "/healthz", "", None).await {
            if reply.status == 200 {
                return;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("conform exited during start-up: {status}");
        }
        assert!(Instant::now() < deadline, "conform did not come up");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn sign_in(port: u16) -> String {
    let body = format!(
        "form[email]={}&form[password]={}&form[next]=/",
        EMAIL.replace('@', "%40"),
        PASSWORD.replace(' ', "+")
    );
    let reply = request(port, "POST", "/api/auth/sign_in", &body, None)
        .await
        .expect("sign in");
    reply
        .headers
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.trim())
        .find(|v| v.starts_with("conform_session=") && !v.contains("Max-Age=0"))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("sign-in failed: {} {}", reply.status, reply.body))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = options();
    let work = tempfile::tempdir().expect("temp dir");
    let database = work.path().join("conform.db");
    let url = format!("sqlite://{}", database.display());
    let log = work.path().join("server.log");

    // One user, added the way an operator would.
    let mut add = Command::new(&options.binary)
        .args(["user", "add", "--email", EMAIL, "--name", "Durability"])
        .args(["--role", "admin", "--role", "service_owner"])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run conform user add");
    std::io::Write::write_all(
        add.stdin.as_mut().unwrap(),
        format!("{PASSWORD}\n").as_bytes(),
    )
    .unwrap();
    assert!(add.wait().unwrap().success(), "conform user add failed");

    let acknowledged: Arc<Mutex<BTreeMap<i64, String>>> = Arc::default();
    let mut random = Random::seeded();
    let started = Instant::now();
    let limit = Duration::from_secs(options.seconds);
    let mut cycles = 0u32;
    let mut cookie: Option<String> = None;
    let mut attempted = 0u64;
    let mut per_cycle = Vec::new();
    let mut cycles_interrupted = 0u32;
    while cycles < options.cycles && started.elapsed() < limit {
        let port = free_port();
        let mut server = start(&options.binary, &url, port, &log);
        wait_healthy(port, &mut server).await;
        // The session is stored in the database: it survives restarts like any write.
        let session = match &cookie {
            Some(c) => {
                let probe = request(port, "POST", "/api/services/list", "", Some(c)).await;
                match probe {
                    Ok(r) if r.status == 200 => c.clone(),
                    _ => sign_in(port).await,
                }
            }
            None => sign_in(port).await,
        };
        cookie = Some(session.clone());

        let running = Arc::new(AtomicBool::new(true));
        let mut clients = Vec::new();
        for client in 0..options.clients {
            let running = running.clone();
            let acknowledged = acknowledged.clone();
            let session = session.clone();
            clients.push(tokio::spawn(async move {
                let mut stream = Stream::default();
                while running.load(Ordering::Relaxed) {
                    stream.sent += 1;
                    let name = format!("Durability {cycles}-{client}-{}", stream.sent);
                    let body = format!(
                        "form[name]={}&form[owner]=Dana&form[criticality]=low&form[status]=live\
                         &form[description]=&form[customers]=",
                        name.replace(' ', "+")
                    );
                    match request(port, "POST", "/api/services/create", &body, Some(&session)).await
                    {
                        Ok(reply) if reply.status == 200 => {
                            // A reply cut short by the kill is no acknowledgement.
                            let Some(id) = serde_json::from_str::<serde_json::Value>(&reply.body)
                                .ok()
                                .and_then(|v| v["id"].as_i64())
                            else {
                                stream.interrupted = true;
                                break;
                            };
                            acknowledged.lock().unwrap().insert(id, name);
                            stream.acknowledged += 1;
                        }
                        // Anything but 200 is a refusal, not a crash: the run fails.
                        Ok(reply) => {
                            stream.refused = Some(format!("{} {}", reply.status, reply.body));
                            break;
                        }
                        // The server is gone: this write was never acknowledged.
                        Err(_) => {
                            stream.interrupted = true;
                            break;
                        }
                    }
                }
                stream
            }));
        }
        // Kill at a random point of the write stream: 5–250 ms after the first writes.
        tokio::time::sleep(Duration::from_millis(5 + random.below(245))).await;
        // `Child::kill` is SIGKILL on Unix: no shutdown, no flush, no checkpoint.
        server.kill().expect("SIGKILL");
        server.wait().ok();
        running.store(false, Ordering::Relaxed);
        let mut acknowledged_now = 0;
        let mut interrupted = false;
        for client in clients {
            let stream = client.await.expect("client task");
            if let Some(refusal) = stream.refused {
                eprintln!("write refused in cycle {cycles}: {refusal}");
                eprintln!("{}", std::fs::read_to_string(&log).unwrap_or_default());
                return std::process::ExitCode::FAILURE;
            }
            attempted += stream.sent;
            acknowledged_now += stream.acknowledged;
            interrupted |= stream.interrupted;
        }
        per_cycle.push(acknowledged_now);
        cycles_interrupted += u32::from(interrupted);
        cycles += 1;
        if cycles.is_multiple_of(25) {
            eprintln!(
                "{cycles} cycles, {} writes acknowledged, {:.0} s",
                acknowledged.lock().unwrap().len(),
                started.elapsed().as_secs_f64()
            );
        }
    }

    // Restart once more, as an operator would after the last crash, and read what is stored
    // while it serves (WAL: a reader sees every committed transaction).
    let port = free_port();
    let mut server = start(&options.binary, &url, port, &log);
    wait_healthy(port, &mut server).await;
    // Every acknowledged write must be there, named as acknowledged.
    let acknowledged = acknowledged.lock().unwrap().clone();
    let conn = Database::connect(url.as_str()).await.expect("open");
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT id, name FROM services",
        ))
        .await
        .expect("read services");
    conn.close().await.ok();
    server.kill().expect("SIGKILL");
    server.wait().ok();
    let stored: BTreeMap<i64, String> = rows
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<i64>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect();
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|(id, name)| stored.get(id) != Some(name))
        .collect();
    let verify = Command::new(&options.binary)
        .args(["audit", "verify"])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run conform audit verify");
    let verdict = format!(
        "{} {}",
        String::from_utf8_lossy(&verify.stdout).trim(),
        String::from_utf8_lossy(&verify.stderr).trim()
    );

    println!("cycles: {cycles}");
    println!("writes sent: {attempted}");
    println!("writes acknowledged: {}", acknowledged.len());
    println!(
        "writes stored: {} (acknowledged or in flight at the kill)",
        stored.len()
    );
    println!("writes lost: {}", lost.len());
    per_cycle.sort_unstable();
    if let (Some(first), Some(last)) = (per_cycle.first(), per_cycle.last()) {
        println!(
            "acknowledged per cycle: min {first}, median {}, max {last}",
            per_cycle[per_cycle.len() / 2]
        );
    }
    println!("cycles killed with a write in flight: {cycles_interrupted} of {cycles}");
    println!("audit verify: {verdict}");
    println!("elapsed: {:.0} s", started.elapsed().as_secs_f64());
    for (id, name) in lost.iter().take(10) {
        println!("  lost: {id} {name}");
    }
    if !lost.is_empty() || !verify.status.success() || cycles < options.cycles {
        if cycles < options.cycles {
            println!(
                "only {cycles} of {} cycles fit in {} s",
                options.cycles, options.seconds
            );
        }
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
