//! A fresh, migrated database per test: SQLite by default, PostgreSQL when
//! `CONFORM_TEST_POSTGRES_URL` points at a server (the test command sets it).
#![allow(dead_code)]

use app::server::db::Db;

pub mod fixtures;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

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

pub async fn test_db() -> TestDb {
    let (url, dir, postgres) = match std::env::var("CONFORM_TEST_POSTGRES_URL") {
        Ok(base) => {
            let (url, name) = fresh_postgres_database(&base).await;
            (url, None, Some((base, name)))
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/conform.db", dir.path().display());
            (url, Some(dir), None)
        }
    };
    let db = Db::connect(&url).await.expect("connect");
    Migrator::up(db.writer(), None).await.expect("migrate");
    // As at server start-up: the bundled clause library is copied in.
    app::server::service::clause_library::sync(&db)
        .await
        .expect("clause library");
    TestDb {
        db,
        url,
        _dir: dir,
        postgres,
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

/// Creates an empty database on the server at `base`: its URL and its name.
async fn fresh_postgres_database(base: &str) -> (String, String) {
    let name = format!("conform_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(base)
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
    (format!("{prefix}/{name}"), name)
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
