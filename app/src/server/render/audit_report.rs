//! An internal audit's report (clause 9.2) rendered from its record: `report_html`, a
//! standalone printable page (no app chrome, no JavaScript), and `report_markdown`. Plain
//! functions, so the server's download handlers and the evidence pack give the same report.

use super::{escape, page};
use crate::model::clauses;
use crate::model::internal_audit::{AuditReport, FindingGrade};
use crate::model::nonconformity::nc_reference;
use crate::model::register::improvement_reference;

fn follow_up(finding: &crate::model::internal_audit::Finding) -> String {
    match (finding.nonconformity_id, finding.improvement_id) {
        (Some(nc), _) => nc_reference(nc),
        (_, Some(entry)) => improvement_reference(entry),
        _ => "—".into(),
    }
}

fn names(people: &[crate::model::refs::PersonRef]) -> String {
    if people.is_empty() {
        return "—".into();
    }
    people
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() {
        "—"
    } else {
        text
    }
}

/// The findings' tally, e.g. "1 major nonconformity, 0 minor nonconformities, …".
fn tally(report: &AuditReport) -> String {
    FindingGrade::ALL
        .into_iter()
        .map(|g| format!("{} × {}", report.count(g), g.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report as Markdown.
pub fn report_markdown(report: &AuditReport) -> String {
    let a = &report.audit;
    let mut out = format!(
        "# Internal audit report — {} {}\n\n",
        a.reference(),
        a.title
    );
    out.push_str(&format!(
        "- **Programme:** {} ({} to {})\n- **Clauses:** {}\n- **Processes or area:** {}\n- **Planned on:** {}\n- **Completed on:** {}\n- **Lead auditor:** {}\n- **Auditors:** {}\n- **Auditees:** {}\n\n",
        report.programme.title,
        report.programme.cycle_start,
        report.programme.cycle_end,
        a.scope_labels().join("; "),
        a.area,
        a.planned_on,
        a.completed_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        a.lead_auditor.name,
        names(&a.auditors),
        names(&a.auditees),
    ));
    out.push_str(&format!(
        "## Scope\n\n{}\n\n## Criteria\n\n{}\n\n",
        a.scope, a.criteria
    ));
    out.push_str(&format!("## Conclusion\n\n{}\n\n", or_dash(&a.conclusion)));
    out.push_str(&format!("## Findings\n\n{}\n\n", tally(report)));
    if report.findings.is_empty() {
        out.push_str("No findings.\n\n");
    }
    for (i, f) in report.findings.iter().enumerate() {
        out.push_str(&format!(
            "### {}. {} — {}\n\n{}\n\n- **Evidence:** {}\n- **Follow-up:** {}\n\n",
            i + 1,
            f.grade.label(),
            clauses::label(&f.clause),
            f.statement,
            or_dash(&f.evidence),
            follow_up(f),
        ));
    }
    out.push_str("## Checklist\n\n");
    for item in &report.checklist {
        out.push_str(&format!(
            "### {}\n\n{}\n\n- **Result:** {}\n- **Sampled records:** {}\n- **Notes:** {}\n\n",
            clauses::label(&item.clause),
            item.prompt,
            item.result.label(),
            or_dash(&item.sampled_records),
            or_dash(&item.notes),
        ));
    }
    out
}

/// The report as a standalone HTML page (every user text escaped; no script, no inline style).
pub fn report_html(report: &AuditReport) -> String {
    let a = &report.audit;
    let findings = if report.findings.is_empty() {
        "<p>No findings.</p>".to_string()
    } else {
        let rows: String = report
            .findings
            .iter()
            .map(|f| {
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(f.grade.label()),
                    escape(&clauses::label(&f.clause)),
                    escape(&f.statement),
                    escape(or_dash(&f.evidence)),
                    escape(&follow_up(f)),
                )
            })
            .collect();
        format!(
            "<table><thead><tr><th scope=\"col\">Grade</th><th scope=\"col\">Clause</th>\
             <th scope=\"col\">Statement</th><th scope=\"col\">Evidence</th>\
             <th scope=\"col\">Follow-up</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let checklist: String = report
        .checklist
        .iter()
        .map(|i| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&clauses::label(&i.clause)),
                escape(&i.prompt),
                escape(i.result.label()),
                escape(or_dash(&i.sampled_records)),
                escape(or_dash(&i.notes)),
            )
        })
        .collect();
    let title = format!("Internal audit report — {} {}", a.reference(), a.title);
    let main = format!(
        "<h1>{title}</h1>\
         <dl><dt>Programme</dt><dd>{programme} ({start} to {end})</dd>\
         <dt>Clauses</dt><dd>{clauses}</dd><dt>Processes or area</dt><dd>{area}</dd>\
         <dt>Planned on</dt><dd>{planned}</dd><dt>Completed on</dt><dd>{completed}</dd>\
         <dt>Lead auditor</dt><dd>{lead}</dd><dt>Auditors</dt><dd>{auditors}</dd>\
         <dt>Auditees</dt><dd>{auditees}</dd></dl>\
         <h2>Scope</h2><p>{scope}</p><h2>Criteria</h2><p>{criteria}</p>\
         <h2>Conclusion</h2><p>{conclusion}</p>\
         <h2>Findings</h2><p>{tally}</p>{findings}\
         <h2>Checklist</h2><table><thead><tr><th scope=\"col\">Clause</th><th scope=\"col\">Question</th>\
         <th scope=\"col\">Result</th><th scope=\"col\">Sampled records</th><th scope=\"col\">Notes</th>\
         </tr></thead><tbody>{checklist}</tbody></table>",
        title = escape(&title),
        programme = escape(&report.programme.title),
        start = report.programme.cycle_start,
        end = report.programme.cycle_end,
        clauses = escape(&a.scope_labels().join("; ")),
        area = escape(&a.area),
        planned = a.planned_on,
        completed = a
            .completed_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        lead = escape(&a.lead_auditor.name),
        auditors = escape(&names(&a.auditors)),
        auditees = escape(&names(&a.auditees)),
        scope = escape(&a.scope),
        criteria = escape(&a.criteria),
        conclusion = escape(or_dash(&a.conclusion)),
        tally = escape(&tally(report)),
    );
    let footer = format!(
        "Report of {}, issued on completion; the audit is read-only since.",
        escape(&a.reference())
    );
    page(&title, None, &main, &footer)
}
