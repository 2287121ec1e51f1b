//! Server functions of the compliance hub and the clause pages: the clause library with the
//! live evidence Conform holds for each clause. Reading needs `ComplianceRead` (everyone).

use crate::error::AppError;
use crate::model::clause_library::ClauseEntry;
use crate::model::evidence::ClauseEvidence;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::Permission,
    crate::server::service::{clause_evidence, clause_library, schedule::local_today},
};

/// One row of the hub's clause library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseRow {
    pub clause: ClauseEntry,
    pub evidence: ClauseEvidence,
}

/// Risk titles name weaknesses: whoever may not read the risk register sees the counts of
/// clauses 6.1 and 8.7.3, not which risks.
#[cfg(feature = "ssr")]
fn without_risk_titles(mut evidence: ClauseEvidence, may_read_risks: bool) -> ClauseEvidence {
    if !may_read_risks && matches!(evidence.number.as_str(), "6.1" | "8.7.3") {
        for thin in &mut evidence.thin {
            thin.records.clear();
        }
    }
    evidence
}

/// Every sub-clause in library order with its live evidence.
#[server(endpoint = "compliance/overview")]
pub async fn compliance_overview() -> Result<Vec<ClauseRow>, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    let clauses = clause_library::list(caller.db.reader()).await?;
    let mut evidence = clause_evidence::overview(&caller.db, today).await?;
    Ok(clauses
        .into_iter()
        .map(|clause| {
            let found = evidence
                .iter()
                .position(|e| e.number == clause.number)
                .map(|i| evidence.swap_remove(i))
                .unwrap_or_else(|| ClauseEvidence::empty(&clause.number));
            ClauseRow {
                clause,
                evidence: without_risk_titles(found, caller.user.may(Permission::RiskRead)),
            }
        })
        .collect())
}

/// One sub-clause (e.g. "8.5.1") with its guidance and live evidence; unknown → not found.
#[server(endpoint = "compliance/clause")]
pub async fn compliance_clause(number: String) -> Result<ClauseRow, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let number = number.trim().to_string();
    let not_found = || AppError::NotFound(format!("Clause {number}"));
    if crate::model::clauses::title(&number).is_none() {
        return Err(not_found());
    }
    let clause = clause_library::list(caller.db.reader())
        .await?
        .into_iter()
        .find(|c| c.number == number)
        .ok_or_else(not_found)?;
    let today = local_today(&caller.user.time_zone);
    let evidence = without_risk_titles(
        clause_evidence::for_clause(&caller.db, &number, today).await?,
        caller.user.may(Permission::RiskRead),
    );
    Ok(ClauseRow { clause, evidence })
}
