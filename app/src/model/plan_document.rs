//! A continuity plan as a document to take into an outage: Markdown that prints well and
//! reads well as plain text. The order follows what a person needs first when systems are
//! down: is this the plan in force, whom to call, when to invoke it, then the steps as a
//! checklist with who does each and when it starts.

use crate::error::AppError;
use crate::model::continuity_plan::{PlanState, PlanVersion};
use crate::model::plan_overview::{plan_warnings, PlanDetail};
use crate::model::recovery::{minutes_text, RecoveryStep, Schedule};
use std::fmt::Write;

/// The version a reader gets: the one asked for (`?version=2`), else the approved one, else
/// the latest draft. Asking for something that is not a version number is a bad request;
/// a number the plan does not have is not found.
pub fn pick_version<'a>(
    detail: &'a PlanDetail,
    requested: Option<&str>,
) -> Result<&'a PlanVersion, AppError> {
    let requested = requested.map(str::trim).filter(|r| !r.is_empty());
    let Some(requested) = requested else {
        return detail
            .approved()
            .or_else(|| detail.latest())
            .ok_or_else(|| AppError::NotFound("A version of this plan".into()));
    };
    let number: i32 = requested.parse().map_err(|_| {
        AppError::BadRequest(format!(
            "“{}” is not a version number; ask for one like ?version=1.",
            requested.chars().take(40).collect::<String>()
        ))
    })?;
    detail
        .versions
        .iter()
        .find(|v| v.number == number)
        .ok_or_else(|| AppError::NotFound(format!("Version {number} of this plan")))
}

/// The whole plan version as Markdown, ready to print or paste elsewhere.
pub fn markdown(detail: &PlanDetail, version: &PlanVersion) -> String {
    let content = &version.content;
    let rtos = detail.rtos();
    let (schedule, warnings) = plan_warnings(content, &rtos);
    let mut out = String::new();
    // Writing into a String cannot fail, so `writeln!` results are ignored throughout.
    let _ = writeln!(out, "# {}\n", inline(&detail.title));
    let _ = writeln!(out, "{}\n", status_line(detail, version));
    let _ = writeln!(out, "{}\n", facts_line(detail));
    let _ = writeln!(out, "{}\n", services_line(detail));

    section(&mut out, "Call tree");
    call_tree(&mut out, version);
    section(&mut out, "Activation criteria and authority");
    free_text(&mut out, &content.activation);

    section(&mut out, "Recovery steps");
    timing_summary(
        &mut out,
        schedule.as_ref(),
        &rtos,
        !content.steps.is_empty(),
    );
    warning_list(&mut out, detail, version, &warnings);
    steps_checklist(&mut out, detail, &content.steps, schedule.as_ref());

    section(&mut out, "Scenarios and strategies");
    if content.scenarios.is_empty() {
        out.push_str("_No scenarios in this version._\n\n");
    }
    for scenario in &content.scenarios {
        let _ = writeln!(out, "### {}\n", inline(&scenario.name));
        free_text(&mut out, &scenario.strategy);
    }
    section(&mut out, "Communication plan");
    communications(&mut out, version);
    section(&mut out, "Return to normal");
    checklist_or_text(&mut out, &content.return_to_normal);
    section(&mut out, "Scope");
    free_text(&mut out, &content.scope);
    section(&mut out, "Related plans");
    free_text(&mut out, &content.related_plans);
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "## {title}\n");
}

/// Is this the version to act on? Anything else says so loudly, in words that survive a
/// black-and-white photocopy.
fn status_line(detail: &PlanDetail, version: &PlanVersion) -> String {
    let approval = match (&version.approved_by, version.approved_at) {
        (Some(by), Some(at)) => format!(" by {} on {}", inline(&by.name), at.format("%Y-%m-%d")),
        (Some(by), None) => format!(" by {}", inline(&by.name)),
        (None, Some(at)) => format!(" on {}", at.format("%Y-%m-%d")),
        (None, None) => String::new(),
    };
    let in_force = detail
        .approved()
        .filter(|a| a.number != version.number)
        .map(|a| format!(" Version {} is the approved version.", a.number))
        .unwrap_or_default();
    let mut line = match version.state {
        PlanState::Approved => format!("**Version {} — approved**{approval}.", version.number),
        PlanState::Superseded => format!(
            "**SUPERSEDED — not the version in force.** Version {} was approved{approval}.{in_force}",
            version.number
        ),
        PlanState::Retired => format!(
            "**RETIRED — not in force.** Version {}.{in_force}",
            version.number
        ),
        PlanState::Draft | PlanState::InReview => format!(
            "**DRAFT — not approved.** Version {} ({}), written by {}.{in_force}",
            version.number,
            version.state.label().to_lowercase(),
            inline(&version.author.name)
        ),
    };
    if detail.retired && version.state != PlanState::Retired {
        line.push_str(" **This plan is retired.**");
    }
    line
}

fn facts_line(detail: &PlanDetail) -> String {
    let mut facts = vec![format!("Plan owner: {}", inline(&detail.owner.name))];
    if !detail.site.trim().is_empty() {
        facts.push(format!("Site: {}", inline(&detail.site)));
    }
    facts.push(detail.review.label());
    facts.join(" · ")
}

fn services_line(detail: &PlanDetail) -> String {
    if detail.services.is_empty() {
        return "Covered services: none named.".into();
    }
    let services: Vec<String> = detail
        .services
        .iter()
        .map(|s| match s.rto_minutes {
            Some(rto) => format!("{} (RTO {})", inline(&s.name), minutes_text(rto)),
            None => format!("{} (no RTO set)", inline(&s.name)),
        })
        .collect();
    format!("Covered services: {}.", services.join(", "))
}

fn call_tree(out: &mut String, version: &PlanVersion) {
    let contacts = &version.content.call_tree;
    if contacts.is_empty() {
        out.push_str("**No call tree in this version.**\n\n");
        return;
    }
    out.push_str("Call in this order. If someone does not answer, call their deputy.\n\n");
    out.push_str("| # | Role | Person | Deputy | Phone |\n| --- | --- | --- | --- | --- |\n");
    for (i, contact) in contacts.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            i + 1,
            cell(&contact.role),
            cell(&contact.person),
            cell(&contact.deputy),
            cell(&contact.phone)
        );
    }
    out.push('\n');
}

fn communications(out: &mut String, version: &PlanVersion) {
    let messages = &version.content.communications;
    if messages.is_empty() {
        out.push_str("_No communication plan in this version._\n\n");
        return;
    }
    out.push_str("| Audience | Message | When |\n| --- | --- | --- |\n");
    for message in messages {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&message.audience),
            cell(&message.message),
            cell(&message.when)
        );
    }
    out.push('\n');
}

/// The critical path against the strictest RTO: the one number that says whether the plan
/// can work at all.
fn timing_summary(
    out: &mut String,
    schedule: Option<&Schedule>,
    rtos: &[(String, u32)],
    has_steps: bool,
) {
    if !has_steps {
        return;
    }
    let Some(schedule) = schedule else {
        out.push_str(
            "Total recovery time: **cannot be worked out** (see the warning below); the steps \
             are listed without times.\n\n",
        );
        return;
    };
    let total = minutes_text(schedule.total_minutes);
    let shortest = rtos.iter().min_by_key(|(_, rto)| *rto);
    let _ = match shortest {
        Some((service, rto)) => writeln!(
            out,
            "Total recovery time: **{total}** (the critical path). Shortest RTO: **{}** ({}) — {}.\n",
            minutes_text(*rto),
            inline(service),
            if schedule.total_minutes > *rto {
                "**the plan does not meet it**"
            } else {
                "the plan meets it"
            }
        ),
        None => writeln!(
            out,
            "Total recovery time: **{total}** (the critical path). No covered service has an \
             RTO set to check it against.\n"
        ),
    };
}

fn warning_list(out: &mut String, detail: &PlanDetail, version: &PlanVersion, found: &[String]) {
    let mut all: Vec<String> = found.iter().map(|w| inline(w)).collect();
    // Changes since approval only concern the version that was approved.
    if version.state == PlanState::Approved {
        all.extend(detail.major_changes.iter().map(|c| {
            format!(
                "Change {} “{}” altered {} after this version was approved; check the plan still fits.",
                c.id,
                inline(&c.title),
                inline(&c.service)
            )
        }));
    }
    if all.is_empty() {
        return;
    }
    out.push_str("**Warnings:**\n\n");
    for warning in all {
        let _ = writeln!(out, "- {warning}");
    }
    out.push('\n');
}

/// Every step as a box to tick, in plan order, sub-steps indented under their step.
fn steps_checklist(
    out: &mut String,
    detail: &PlanDetail,
    steps: &[RecoveryStep],
    schedule: Option<&Schedule>,
) {
    if steps.is_empty() {
        out.push_str("**No recovery steps in this version.**\n\n");
        return;
    }
    // Also keeps the checklist apart from the warnings list just above it.
    out.push_str(if schedule.is_some() {
        "Tick each box when the step is done. Times are from activation; steps marked \
         **critical path** set the total time, so a delay in one of them delays the whole \
         recovery.\n\n"
    } else {
        "Tick each box when the step is done.\n\n"
    });
    let number_of = |key: u32| steps.iter().position(|s| s.key == key).map(|i| i + 1);
    // Markdown only nests one level deeper than the item above; a deeper jump would turn the
    // step into text of the previous one.
    let mut previous_depth: Option<usize> = None;
    for (i, step) in steps.iter().enumerate() {
        let depth = match previous_depth {
            None => 0,
            Some(previous) => usize::from(step.depth).min(previous + 1),
        };
        previous_depth = Some(depth);
        let indent = "  ".repeat(depth);
        let critical = schedule.is_some_and(|s| s.critical_path.contains(&step.key));
        let _ = writeln!(
            out,
            "{indent}- [ ] **{}. {}**{}  ",
            i + 1,
            inline(&step.title),
            if critical { " — critical path" } else { "" }
        );
        let mut details = vec![
            owner_text(detail, step.owner_id),
            format!("takes {}", minutes_text(step.duration_minutes)),
        ];
        if let Some(slot) = schedule.and_then(|s| s.slots.iter().find(|slot| slot.key == step.key))
        {
            details.push(if slot.start == 0 {
                format!("starts at once, done by +{}", minutes_text(slot.finish))
            } else {
                format!(
                    "starts at +{}, done by +{}",
                    minutes_text(slot.start),
                    minutes_text(slot.finish)
                )
            });
        }
        if !step.waits_for.is_empty() {
            let waits: Vec<String> = step
                .waits_for
                .iter()
                .map(
                    |key| match (number_of(*key), steps.iter().find(|s| s.key == *key)) {
                        (Some(n), Some(before)) => format!("“{}” ({n})", inline(&before.title)),
                        _ => format!("step {key} (not in the plan)"),
                    },
                )
                .collect();
            details.push(format!("after {}", waits.join(", ")));
        }
        let _ = writeln!(out, "{indent}  {}", details.join(" · "));
    }
    out.push('\n');
}

fn owner_text(detail: &PlanDetail, owner: Option<i64>) -> String {
    match owner {
        None => "**no owner**".into(),
        Some(id) => match detail.person_name(id) {
            Some(name) => format!("owner: {}", inline(name)),
            // People who left are not offered as owners; the step needs a new one.
            None => format!("**owner no longer active** (user {id})"),
        },
    }
}

/// Text people wrote, kept as their Markdown, with their line breaks kept too.
fn free_text(out: &mut String, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        out.push_str("_Not written in this version._\n\n");
        return;
    }
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        let next_is_text = lines.get(i + 1).is_some_and(|next| !next.is_empty());
        // Two trailing spaces: a line break within a paragraph, as the author typed it.
        if !line.is_empty() && next_is_text {
            out.push_str("  ");
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Several lines become boxes to tick; a single line stays a sentence.
fn checklist_or_text(out: &mut String, text: &str) {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() < 2 {
        free_text(out, text);
        return;
    }
    for line in lines {
        let _ = writeln!(out, "- [ ] {}", without_list_marker(line));
    }
    out.push('\n');
}

/// "- x", "* x", "1. x", "2) x", "[ ] x" → "x": the line is already going into a list.
fn without_list_marker(line: &str) -> &str {
    let mut rest = line.trim_start();
    if let Some(after) = rest
        .strip_prefix("- ")
        .or_else(|| rest.strip_prefix("* "))
        .or_else(|| rest.strip_prefix("+ "))
    {
        rest = after.trim_start();
    } else {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            if let Some(after) = rest[digits..]
                .strip_prefix(". ")
                .or_else(|| rest[digits..].strip_prefix(") "))
            {
                rest = after.trim_start();
            }
        }
    }
    for tick in ["[ ] ", "[x] ", "[X] "] {
        if let Some(after) = rest.strip_prefix(tick) {
            return after.trim_start();
        }
    }
    rest
}

/// One line of someone's text inside our own structure (a heading, a table cell, a step):
/// line breaks become spaces and Markdown's punctuation is escaped, so a "|" cannot split
/// a table row and a "*" cannot start emphasis that runs into the next field.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

fn cell(text: &str) -> String {
    let text = inline(text);
    if text.is_empty() {
        "—".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::continuity_plan::{Communication, Contact, PlanContent, Scenario};
    use crate::model::plan_overview::{CoveredService, ReviewStatus};
    use crate::model::refs::PersonRef;

    fn person(id: i64, name: &str) -> PersonRef {
        PersonRef {
            id,
            name: name.into(),
        }
    }

    fn step(
        key: u32,
        title: &str,
        minutes: u32,
        waits_for: &[u32],
        owner: Option<i64>,
    ) -> RecoveryStep {
        RecoveryStep {
            key,
            title: title.into(),
            owner_id: owner,
            duration_minutes: minutes,
            waits_for: waits_for.to_vec(),
            depth: 0,
        }
    }

    fn content() -> PlanContent {
        let mut steps = vec![
            step(1, "Declare the incident", 15, &[], Some(1)),
            step(2, "Fail over the database", 120, &[1], Some(2)),
            step(3, "Check replication lag", 30, &[2], None),
            step(4, "Tell the staff", 10, &[1], Some(1)),
        ];
        steps[2].depth = 1;
        PlanContent {
            scope: "Payroll for all staff".into(),
            activation: "Payroll down for 30 min.\nThe duty manager invokes the plan.".into(),
            call_tree: vec![Contact {
                role: "Incident lead".into(),
                person: "Alex Morgan".into(),
                deputy: "Sam Lee".into(),
                phone: "+44 20 7946 0000".into(),
            }],
            scenarios: vec![Scenario {
                name: "Data centre lost".into(),
                strategy: "Run from the second site.".into(),
            }],
            steps,
            communications: vec![Communication {
                audience: "All staff".into(),
                message: "Payroll is delayed".into(),
                when: "Within 1 h".into(),
            }],
            return_to_normal: "Fail back to the primary\nCheck the last payroll run".into(),
            related_plans: "Data centre plan".into(),
        }
    }

    fn version(state: PlanState, content: PlanContent) -> PlanVersion {
        let approved = state == PlanState::Approved;
        PlanVersion {
            id: 10,
            plan_id: 1,
            number: 2,
            state,
            content,
            author: person(2, "Rowan Price"),
            contributor_ids: vec![],
            approved_by: approved.then(|| person(3, "Sam Lee")),
            approved_at: approved.then(|| "2026-03-01T09:00:00Z".parse().unwrap()),
            version: 1,
        }
    }

    fn detail(versions: Vec<PlanVersion>) -> PlanDetail {
        PlanDetail {
            id: 1,
            title: "Payroll continuity plan".into(),
            owner: person(1, "Alex Morgan"),
            site: "Head office".into(),
            review_months: 12,
            retired: false,
            services: vec![CoveredService {
                id: 1,
                name: "Payroll".into(),
                rto_minutes: Some(120),
            }],
            versions,
            comments: vec![],
            exercises: vec![],
            review: ReviewStatus::NotApproved,
            major_changes: vec![],
            people: vec![
                person(1, "Alex Morgan"),
                person(2, "Rowan Price"),
                person(3, "Sam Lee"),
            ],
            owner_competence: vec![],
        }
    }

    fn render(state: PlanState, content: PlanContent) -> String {
        let version = version(state, content);
        markdown(&detail(vec![version.clone()]), &version)
    }

    #[test]
    fn the_call_tree_comes_before_the_steps() {
        let text = render(PlanState::Approved, content());
        let call_tree = text.find("## Call tree").unwrap();
        let first_step = text.find("- [ ] **1.").unwrap();
        assert!(call_tree < first_step, "{text}");
        assert!(text.contains("| 1 | Incident lead | Alex Morgan | Sam Lee | +44 20 7946 0000 |"));
        assert!(
            text.contains("**Version 2 — approved** by Sam Lee on 2026-03-01."),
            "{text}"
        );
        assert!(!text.contains("DRAFT"));
    }

    #[test]
    fn every_step_is_a_box_to_tick_with_its_owner_time_and_waits() {
        let text = render(PlanState::Approved, content());
        for (n, title) in [
            (1, "Declare the incident"),
            (2, "Fail over the database"),
            (4, "Tell the staff"),
        ] {
            assert!(
                text.contains(&format!("\n- [ ] **{n}. {title}**")),
                "{title}\n{text}"
            );
        }
        // The sub-step sits under its step.
        assert!(
            text.contains("\n  - [ ] **3. Check replication lag**"),
            "{text}"
        );
        assert!(text.contains("owner: Rowan Price · takes 2 h · starts at +15 min, done by +2 h 15 min · after “Declare the incident” (1)"), "{text}");
        assert!(text.contains("**2. Fail over the database** — critical path"));
        assert!(!text.contains("**4. Tell the staff** — critical path"));
        // 2 h 45 min against a 2 h RTO, said in words.
        assert!(
            text.contains("Total recovery time: **2 h 45 min**"),
            "{text}"
        );
        assert!(text.contains("**the plan does not meet it**"));
        assert!(text.contains("- [ ] Fail back to the primary\n- [ ] Check the last payroll run"));
    }

    #[test]
    fn an_unowned_step_says_so_and_is_warned_about() {
        let text = render(PlanState::Draft, content());
        assert!(text.contains("**no owner** · takes 30 min"), "{text}");
        assert!(text.contains("**Warnings:**"));
        // A paragraph keeps the warnings out of the checklist's list.
        assert!(
            text.contains("- “Check replication lag” has no owner.\n\nTick each box"),
            "{text}"
        );
        assert!(
            text.contains("**DRAFT — not approved.** Version 2 (draft), written by Rowan Price.")
        );
    }

    #[test]
    fn a_circle_of_waits_lists_the_steps_without_times() {
        let mut looped = content();
        looped.steps[0].waits_for = vec![4];
        let text = render(PlanState::Draft, looped.clone());
        assert!(text.contains("**cannot be worked out**"), "{text}");
        assert!(text.contains("in a circle"), "{text}");
        assert!(!text.contains("starts at"));
        assert_eq!(text.matches("- [ ] **").count(), 4);
        // A wait for a step that is gone is named, not looked up blindly.
        looped
            .steps
            .push(step(9, "Waits for a ghost", 5, &[99], Some(1)));
        let text = render(PlanState::Draft, looped);
        assert!(text.contains("after step 99 (not in the plan)"), "{text}");
        assert!(
            text.contains("waits for a step that is not in the plan"),
            "{text}"
        );
    }

    #[test]
    fn odd_text_cannot_break_the_tables_or_the_list() {
        let mut odd = content();
        odd.call_tree[0].person = "Alex | Sam\nnights".into();
        odd.call_tree[0].deputy = String::new();
        odd.communications[0].message = "a|b".into();
        odd.steps[1].title = "Restart *all* [apps] | #now".into();
        // A jump of three levels nests one level only.
        odd.steps[3].depth = 4;
        let text = render(PlanState::InReview, odd);
        let row = text.lines().find(|l| l.starts_with("| 1 |")).unwrap();
        assert_eq!(
            row,
            "| 1 | Incident lead | Alex \\| Sam nights | — | +44 20 7946 0000 |"
        );
        assert!(text.contains("| All staff | a\\|b | Within 1 h |"));
        assert!(
            text.contains("**2. Restart \\*all\\* \\[apps\\] \\| \\#now**"),
            "{text}"
        );
        assert!(text.contains("\n    - [ ] **4. Tell the staff**"), "{text}");
    }

    #[test]
    fn empty_content_renders_every_section_without_panicking() {
        let text = render(PlanState::Draft, PlanContent::default());
        assert!(text.contains("**No call tree in this version.**"));
        assert!(text.contains("**No recovery steps in this version.**"));
        assert!(!text.contains("Total recovery time"));
        assert!(text.ends_with("_Not written in this version._\n"));
    }

    #[test]
    fn the_approved_version_is_chosen_unless_another_is_asked_for() {
        let mut draft = version(PlanState::Draft, content());
        draft.number = 3;
        let approved = version(PlanState::Approved, content());
        let plan = detail(vec![draft, approved]);
        assert_eq!(pick_version(&plan, None).unwrap().number, 2);
        assert_eq!(pick_version(&plan, Some("")).unwrap().number, 2);
        assert_eq!(pick_version(&plan, Some("3")).unwrap().number, 3);
        assert_eq!(
            pick_version(&plan, Some("7")).unwrap_err().status_code(),
            404
        );
        let bad = pick_version(&plan, Some("two")).unwrap_err();
        assert_eq!(bad.status_code(), 400);
        assert!(bad.to_string().contains("“two” is not a version number"));
        // The draft printed while an approved version exists points to it.
        let text = markdown(&plan, &plan.versions[0]);
        assert!(
            text.contains("Version 2 is the approved version."),
            "{text}"
        );
    }

    #[test]
    fn list_markers_are_not_doubled() {
        assert_eq!(without_list_marker("- Fail back"), "Fail back");
        assert_eq!(without_list_marker("12) Fail back"), "Fail back");
        assert_eq!(without_list_marker("* [ ] Fail back"), "Fail back");
        assert_eq!(without_list_marker("2026 plan"), "2026 plan");
    }
}
