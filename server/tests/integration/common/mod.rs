//! A fresh, migrated database per test: SQLite by default, PostgreSQL when
//! `CONFORM_TEST_POSTGRES_URL` points at a server (the test command sets it).
#![allow(dead_code)]

use app::server::db::Db;

pub mod fixtures;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};
use tokio::sync::OnceCell;

pub struct TestDb {
    pub db: Db,
    pub url: String,
    // Keeps the SQLite file alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
    // The PostgreSQL server and database to drop when the test ends: about 450 tests each
    // leaving a database behind filled the CI machine's disk.
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((base, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which must not block on another future:
        // the database is dropped from a thread with its own small runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let admin = Database::connect(&base).await?;
                // FORCE ends the test's own pooled connections, which are still open here.
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop the test database: {error}");
        }
    }
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

/// A migrated database of its own for one test.
pub async fn test_db() -> TestDb {
    fresh_db(Start::Migrated).await
}

/// A database of its own for one test, holding the demo data (as `conform serve --demo`).
pub async fn demo_db() -> TestDb {
    fresh_db(Start::Demo).await
}

/// What a test's database holds when the test begins. Each is built once per test process
/// and copied for every test: running the migrations, and seeding the demo above all, were
/// most of a test's time.
#[derive(Clone, Copy)]
enum Start {
    Migrated,
    Demo,
}

impl Start {
    fn name(self) -> &'static str {
        match self {
            Start::Migrated => "migrated",
            Start::Demo => "demo",
        }
    }
}

async fn fresh_db(start: Start) -> TestDb {
    let (url, dir, postgres) = match std::env::var("CONFORM_TEST_POSTGRES_URL") {
        Ok(base) => {
            let (url, name) = fresh_postgres_database(&base, start).await;
            (url, None, Some((base, name)))
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("conform.db");
            std::fs::write(&path, sqlite_template(start).await).expect("copy the template");
            (format!("sqlite://{}", path.display()), Some(dir), None)
        }
    };
    let db = Db::connect(&url).await.expect("connect");
    TestDb {
        db,
        url,
        _dir: dir,
        postgres,
    }
}

/// Fills the template at `url` as the server's start-up would (migrations, the bundled
/// clause library, and the demo when asked for), then closes every connection to it.
async fn build_template(url: &str, start: Start) {
    let db = Db::connect(url).await.expect("connect to the template");
    Migrator::up(db.writer(), None)
        .await
        .expect("migrate the template");
    app::server::service::clause_library::sync(&db)
        .await
        .expect("clause library");
    if let Start::Demo = start {
        conform::demo::seed(&db).await.expect("seed the demo");
    }
    db.close().await.expect("close the template");
}

/// The bytes of a SQLite template.
async fn sqlite_template(start: Start) -> &'static [u8] {
    static MIGRATED: OnceCell<Vec<u8>> = OnceCell::const_new();
    static DEMO: OnceCell<Vec<u8>> = OnceCell::const_new();
    let cell = match start {
        Start::Migrated => &MIGRATED,
        Start::Demo => &DEMO,
    };
    cell.get_or_init(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("template.db");
        build_template(&format!("sqlite://{}", path.display()), start).await;
        // Closing the last connection checkpointed the write-ahead log into the file.
        std::fs::read(&path).expect("read the template")
    })
    .await
}

/// The name of a PostgreSQL template database (`CREATE DATABASE … TEMPLATE` copies it),
/// named after this process; templates of processes that have ended are dropped here.
async fn postgres_template(base: &str, start: Start) -> &'static str {
    static MIGRATED: OnceCell<String> = OnceCell::const_new();
    static DEMO: OnceCell<String> = OnceCell::const_new();
    let cell = match start {
        Start::Migrated => &MIGRATED,
        Start::Demo => &DEMO,
    };
    cell.get_or_init(|| async {
        let admin = Database::connect(base)
            .await
            .expect("connect to PostgreSQL");
        drop_templates_of_ended_processes(&admin).await;
        let name = format!("{TEMPLATE_PREFIX}{}_{}", std::process::id(), start.name());
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("drop an old template");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the template");
        admin.close().await.ok();
        build_template(&database_url(base, &name), start).await;
        name
    })
    .await
}

const TEMPLATE_PREFIX: &str = "conform_template_";

/// A run that was interrupted leaves its template behind; the next run tidies it away.
async fn drop_templates_of_ended_processes(admin: &sea_orm::DatabaseConnection) {
    use sea_orm::{DbBackend, Statement};
    let rows = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{TEMPLATE_PREFIX}%'"),
        ))
        .await
        .expect("list templates");
    for row in rows {
        let name: String = row.try_get("", "datname").expect("datname");
        let pid = name[TEMPLATE_PREFIX.len()..]
            .split('_')
            .next()
            .unwrap_or_default();
        let running = std::path::Path::new("/proc").join(pid).exists();
        if !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()) && !running {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
        }
    }
}

/// A person with one role, signed in as far as the services are concerned (UTC).
/// The password of everyone `person` creates.
pub const PERSON_PASSWORD: &str = "long enough password";

pub async fn person(
    db: &Db,
    email: &str,
    role: app::model::access::Role,
) -> app::model::user::CurrentUser {
    let user = app::server::service::users::create(
        db,
        &app::server::audit::Actor::system("test"),
        app::model::user::NewUser {
            email: email.into(),
            name: format!("Person {email}"),
            roles: vec![role],
            password: PERSON_PASSWORD.into(),
        },
    )
    .await
    .expect("create the person");
    app::model::user::CurrentUser {
        id: user.id,
        email: user.email,
        name: user.name,
        roles: user.roles,
        time_zone: "UTC".into(),
    }
}

/// The audit actor for `user`.
pub fn actor(user: &app::model::user::CurrentUser) -> app::server::audit::Actor {
    app::server::audit::Actor::user(user.id, user.name.clone(), None)
}

pub fn backend_name() -> &'static str {
    if std::env::var("CONFORM_TEST_POSTGRES_URL").is_ok() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// Creates a migrated database on the server at `base` (a copy of the template): its URL
/// and its name.
async fn fresh_postgres_database(base: &str, start: Start) -> (String, String) {
    let template = postgres_template(base, start).await;
    let name = format!("conform_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(base)
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    (database_url(base, &name), name)
}

/// `base` with its database name replaced by `name`.
fn database_url(base: &str, name: &str) -> String {
    let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
    format!("{prefix}/{name}")
}

pub mod web {
    //! Driving the router like a browser would: same-origin requests with a session cookie.

    use app::model::access::Role;
    use app::model::user::NewUser;
    use app::server::audit::Actor;
    use app::server::auth::AuthSettings;
    use app::server::db::Db;
    use app::server::state::AppState;
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use http_body_util::BodyExt;
    use leptos::config::LeptosOptions;
    use tower::ServiceExt;

    pub const ORIGIN: &str = "http://127.0.0.1:3000";
    pub const PASSWORD: &str = "correct horse battery staple";

    pub fn state(db: Db) -> AppState {
        AppState {
            leptos_options: LeptosOptions::builder()
                .output_name("conform")
                .site_root("target/site")
                .build(),
            db,
            auth: AuthSettings::default(),
            events: app::server::events::Events::local(),
            evidence_packs: conform::evidence_pack::registry(),
            public_url: None,
            controls: Default::default(),
            safeguards: Default::default(),
        }
    }

    /// The state of a server started with these `conform serve` flags (and no others), e.g.
    /// `["--public-url", "https://conform.example.org"]`.
    pub fn state_with_flags(db: Db, flags: &[&str]) -> AppState {
        let args = conform::config::ServeArgs::try_from_flags(
            std::iter::once("conform").chain(flags.iter().copied()),
        )
        .expect("valid serve flags");
        AppState {
            auth: args.auth_settings(),
            public_url: args.public_url.clone(),
            ..state(db)
        }
    }

    pub struct Reply {
        pub status: StatusCode,
        pub headers: axum::http::HeaderMap,
        pub body: String,
    }

    impl Reply {
        pub fn error(&self) -> app::error::AppError {
            serde_json::from_str(&self.body)
                .unwrap_or_else(|_| panic!("not an AppError: {} {}", self.status, self.body))
        }

        pub fn session_cookie(&self) -> Option<String> {
            self.headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| {
                    (v.starts_with("conform_session=") || v.starts_with("__Host-conform_session="))
                        && !v.contains("Max-Age=0")
                })
                .map(|v| v.split(';').next().unwrap().to_string())
        }
    }

    pub async fn send(state: &AppState, request: Request<Body>) -> Reply {
        let response = conform::routes::router(state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
        let mut request = Request::get(uri).header(header::HOST, "127.0.0.1:3000");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::empty()).unwrap()
    }

    /// `form` as the browser posts it: `form[field]=…`, `form[list][0]=…`.
    pub fn change_form_body(form: &app::model::change_request::ChangeForm) -> String {
        let serde_json::Value::Object(fields) = serde_json::to_value(form).unwrap() else {
            unreachable!("a form is an object")
        };
        let mut parts = Vec::new();
        for (name, value) in fields {
            match value {
                serde_json::Value::String(text) => parts.push(format!(
                    "form[{name}]={}",
                    app::model::service::encode_component(&text)
                )),
                serde_json::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let text = item.as_str().unwrap_or_default();
                        parts.push(format!(
                            "form[{name}][{i}]={}",
                            app::model::service::encode_component(text)
                        ));
                    }
                }
                _ => {}
            }
        }
        parts.join("&")
    }

    /// A same-origin server-function call, as the hydrated client makes it.
    pub fn call(uri: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
        let mut request = Request::post(uri)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, ORIGIN)
            .header(
                header::CONTENT_TYPE,
                // Endpoints with a JSON codec are called with a JSON body.
                if body.starts_with('{') {
                    "application/json"
                } else {
                    "application/x-www-form-urlencoded"
                },
            )
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::from(body.to_string())).unwrap()
    }

    /// `user` as the server sees them once signed in (time zone UTC, their account's default).
    pub fn current(user: &app::model::user::User) -> app::model::user::CurrentUser {
        app::model::user::CurrentUser {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            roles: user.roles.clone(),
            time_zone: "UTC".into(),
        }
    }

    pub async fn add_user(db: &Db, email: &str, roles: Vec<Role>) -> app::model::user::User {
        let user = NewUser {
            email: email.into(),
            name: format!("User {email}"),
            roles,
            password: PASSWORD.into(),
        };
        app::server::service::users::create(db, &Actor::system("test"), user)
            .await
            .unwrap()
    }

    /// Signs in and returns the `Cookie:` header value for the new session.
    pub async fn sign_in(state: &AppState, email: &str, password: &str) -> String {
        let body = format!(
            "form[email]={}&form[password]={}&form[next]=/",
            app::model::service::encode_component(email),
            app::model::service::encode_component(password)
        );
        let reply = send(state, call("/api/auth/sign_in", &body, None)).await;
        reply
            .session_cookie()
            .unwrap_or_else(|| panic!("sign-in failed: {} {}", reply.status, reply.body))
    }
}

/// What a clause page shows: (records counted by `source`, offending records of the thin
/// rule `rule`).
pub async fn clause_summary(
    db: &app::server::db::Db,
    clause: &str,
    source: &str,
    rule: &str,
    today: chrono::NaiveDate,
) -> (u64, Vec<String>) {
    let evidence = app::server::service::clause_evidence::for_clause(db, clause, today)
        .await
        .unwrap();
    let count = evidence
        .sources
        .iter()
        .find(|s| s.label == source)
        .map_or(0, |s| s.count);
    let offenders = evidence
        .thin
        .iter()
        .filter(|t| t.rule == rule)
        .flat_map(|t| t.records.iter().map(|r| r.label.clone()))
        .collect();
    (count, offenders)
}

pub mod live_stream {
    //! Reading `/events` the way a browser's EventSource does.
    use std::time::Duration;

    /// Reads a live stream the way a browser's EventSource does.
    pub struct EventReader {
        body: axum::body::Body,
        buffer: String,
    }

    /// One event off the wire: its name, id and data.
    #[derive(Debug)]
    pub struct Heard {
        pub name: String,
        pub id: String,
        pub data: String,
    }

    impl EventReader {
        /// Opens the stream `request` asks for (it must be answered 200).
        pub async fn open(
            state: &app::server::state::AppState,
            request: axum::http::Request<axum::body::Body>,
        ) -> Self {
            let response =
                tower::ServiceExt::oneshot(conform::routes::router(state.clone()), request)
                    .await
                    .unwrap();
            assert_eq!(response.status(), axum::http::StatusCode::OK);
            Self {
                body: response.into_body(),
                buffer: String::new(),
            }
        }

        pub async fn next(&mut self) -> Heard {
            use http_body_util::BodyExt;
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let field = |name: &str| {
                        block
                            .lines()
                            .filter_map(|line| line.strip_prefix(&format!("{name}:")))
                            .map(|value| value.strip_prefix(' ').unwrap_or(value))
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    if field("data").is_empty() {
                        continue; // a keep-alive comment
                    }
                    return Heard {
                        name: field("event"),
                        id: field("id"),
                        data: field("data"),
                    };
                }
                let frame = tokio::time::timeout(Duration::from_secs(5), self.body.frame())
                    .await
                    .expect("an event in time")
                    .expect("the stream stays open")
                    .unwrap();
                if let Ok(chunk) = frame.into_data() {
                    self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
                }
            }
        }
    }
}
