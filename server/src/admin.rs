//! Administrative commands: users from the command line, and verifying the audit trail.

use crate::config::DatabaseArgs;
use crate::database;
use anyhow::{bail, Context};
use app::model::user::NewUserForm;
use app::server::audit::{self, Actor};
use app::server::service::users;
use clap::Subcommand;
use std::io::BufRead;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// A role (repeat for several): admin, change_manager, cab_member, service_owner,
        /// continuity_manager, quality_manager, auditor, requester.
        #[arg(long = "role")]
        roles: Vec<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Disable a user and end their sessions.
    Disable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List users.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            name,
            roles,
            database,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let form = NewUserForm {
                email,
                name,
                roles,
                password,
            };
            let new_user = match form.validate() {
                Ok(user) => user,
                Err(errors) => {
                    let messages: Vec<String> = errors
                        .0
                        .iter()
                        .map(|(field, message)| format!("{field}: {message}"))
                        .collect();
                    bail!("invalid user:\n  {}", messages.join("\n  "));
                }
            };
            let db = open(&database).await?;
            let user = users::create(&db, &Actor::system("cli"), new_user)
                .await
                .map_err(|e| anyhow::anyhow!(field_text(&e)))?;
            println!(
                "Added user {} <{}> with roles: {}",
                user.name,
                user.email,
                roles_text(&user.roles)
            );
            Ok(())
        }
        UserCommand::Disable { email, database } => {
            let db = open(&database).await?;
            let Some(user) = users::find_by_email(&db, &email)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            else {
                bail!("no user with e-mail address {email}");
            };
            users::set_disabled(&db, &Actor::system("cli"), user.id, user.version, true)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Disabled {} and ended their sessions.", user.email);
            Ok(())
        }
        UserCommand::List { database } => {
            let db = open(&database).await?;
            let list = users::list(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{:<6} {:<36} {:<28} {:<9} roles",
                "id", "e-mail", "name", "status"
            );
            for user in list {
                println!(
                    "{:<6} {:<36} {:<28} {:<9} {}",
                    user.id,
                    user.email,
                    user.name,
                    if user.disabled { "disabled" } else { "active" },
                    roles_text(&user.roles)
                );
            }
            Ok(())
        }
    }
}

pub async fn verify_audit(args: &DatabaseArgs) -> anyhow::Result<()> {
    let db = open(args).await?;
    match audit::verify(db.reader()).await? {
        Ok(count) => {
            println!("Audit trail intact: {count} entries verified.");
            Ok(())
        }
        Err(chain_break) => bail!("audit trail broken at {chain_break}"),
    }
}

async fn open(args: &DatabaseArgs) -> anyhow::Result<app::server::db::Db> {
    let db = database::open(args).await?;
    database::migrate(&db).await?;
    Ok(db)
}

fn roles_text(roles: &[app::model::access::Role]) -> String {
    if roles.is_empty() {
        "(none)".into()
    } else {
        roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn field_text(error: &app::error::AppError) -> String {
    match error.field_errors() {
        Some(errors) => errors.0.values().cloned().collect::<Vec<_>>().join("; "),
        None => error.to_string(),
    }
}
