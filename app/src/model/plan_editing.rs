//! The edits the plan editor makes to a draft, as pure functions: adding, moving, indenting
//! and removing recovery steps, reading "waits for" as people type it, and merging two
//! people's drafts section by section when their saves crossed.

use crate::model::continuity_plan::{PlanContent, Section};
use crate::model::recovery::RecoveryStep;

/// Deepest indentation of a sub-step.
pub const MAX_DEPTH: u8 = 4;

/// A key no step of the plan has (keys are never reused within a draft, so waits survive).
pub fn next_key(content: &PlanContent) -> u32 {
    content.steps.iter().map(|s| s.key).max().unwrap_or(0) + 1
}

/// Adds an empty step after `after` (at the end when `None` or unknown), at the same depth;
/// returns its key.
pub fn add_step_after(content: &mut PlanContent, after: Option<u32>) -> u32 {
    let key = next_key(content);
    let position = after
        .and_then(|k| content.steps.iter().position(|s| s.key == k))
        .map(|i| i + 1)
        .unwrap_or(content.steps.len());
    let depth = position
        .checked_sub(1)
        .and_then(|i| content.steps.get(i))
        .map(|s| s.depth)
        .unwrap_or(0);
    content.steps.insert(
        position,
        RecoveryStep {
            key,
            title: String::new(),
            owner_id: None,
            duration_minutes: 30,
            waits_for: Vec::new(),
            depth,
        },
    );
    key
}

/// Moves a step one place up (`-1`) or down (`1`); false when it cannot move.
pub fn move_step(content: &mut PlanContent, key: u32, by: i32) -> bool {
    let Some(from) = content.steps.iter().position(|s| s.key == key) else {
        return false;
    };
    let to = from as i64 + by as i64;
    if to < 0 || to >= content.steps.len() as i64 {
        return false;
    }
    content.steps.swap(from, to as usize);
    true
}

/// Indents (`1`) or outdents (`-1`) a step; a step is at most one level deeper than the one
/// above it. False when nothing changed.
pub fn indent_step(content: &mut PlanContent, key: u32, by: i8) -> bool {
    let Some(at) = content.steps.iter().position(|s| s.key == key) else {
        return false;
    };
    let limit = match at {
        0 => 0,
        _ => (content.steps[at - 1].depth + 1).min(MAX_DEPTH),
    };
    let current = content.steps[at].depth;
    let wanted = (current as i16 + by as i16).clamp(0, limit as i16) as u8;
    if wanted == current {
        return false;
    }
    content.steps[at].depth = wanted;
    true
}

/// Removes a step and every wait on it; returns the key of the step that takes its place in
/// the list (for focus), if any.
pub fn remove_step(content: &mut PlanContent, key: u32) -> Option<u32> {
    let at = content.steps.iter().position(|s| s.key == key)?;
    content.steps.remove(at);
    for step in &mut content.steps {
        step.waits_for.retain(|k| *k != key);
    }
    content
        .steps
        .get(at)
        .or_else(|| at.checked_sub(1).and_then(|i| content.steps.get(i)))
        .map(|s| s.key)
}

/// Reads "2, 3" or "#2 #3" as step numbers.
pub fn parse_waits(text: &str) -> Result<Vec<u32>, String> {
    let mut keys = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(|p| p.trim().trim_start_matches('#'))
        .filter(|p| !p.is_empty())
    {
        match part.parse::<u32>() {
            Ok(key) if key > 0 => {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            _ => {
                return Err(format!(
                    "“{part}” is not a step number; list the numbers it waits for, such as 2, 3."
                ))
            }
        }
    }
    Ok(keys)
}

pub fn waits_text(keys: &[u32]) -> String {
    keys.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `mine` with the sections listed in `take_theirs` replaced by `theirs`.
pub fn merge(mine: &PlanContent, theirs: &PlanContent, take_theirs: &[Section]) -> PlanContent {
    let mut merged = mine.clone();
    for section in take_theirs {
        match section {
            Section::Scope => merged.scope = theirs.scope.clone(),
            Section::Activation => merged.activation = theirs.activation.clone(),
            Section::CallTree => merged.call_tree = theirs.call_tree.clone(),
            Section::Scenarios => merged.scenarios = theirs.scenarios.clone(),
            Section::Steps => merged.steps = theirs.steps.clone(),
            Section::Communications => merged.communications = theirs.communications.clone(),
            Section::ReturnToNormal => merged.return_to_normal = theirs.return_to_normal.clone(),
            Section::RelatedPlans => merged.related_plans = theirs.related_plans.clone(),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::continuity_plan::compare;
    use proptest::prelude::*;

    fn keys(content: &PlanContent) -> Vec<u32> {
        content.steps.iter().map(|s| s.key).collect()
    }

    #[test]
    fn steps_are_added_moved_indented_and_removed_with_their_waits() {
        let mut plan = PlanContent::default();
        let a = add_step_after(&mut plan, None);
        let c = add_step_after(&mut plan, Some(a));
        let b = add_step_after(&mut plan, Some(a));
        assert_eq!(keys(&plan), vec![a, b, c]);
        assert!(
            !indent_step(&mut plan, a, 1),
            "the first step cannot be a sub-step"
        );
        assert!(indent_step(&mut plan, b, 1));
        assert!(
            !indent_step(&mut plan, b, 1),
            "one level deeper than the step above"
        );
        assert_eq!(plan.steps[1].depth, 1);
        assert_eq!(plan.steps[2].depth, 0);
        assert!(move_step(&mut plan, c, -1));
        assert_eq!(keys(&plan), vec![a, c, b]);
        assert!(!move_step(&mut plan, a, -1));
        plan.steps[2].waits_for = vec![a, c];
        assert_eq!(remove_step(&mut plan, a), Some(c));
        assert_eq!(plan.steps[1].waits_for, vec![c]);
        assert_eq!(
            next_key(&plan),
            4,
            "keys are not reused while higher ones exist"
        );
    }

    #[test]
    fn waits_are_read_as_people_type_them() {
        assert_eq!(parse_waits("2, 3"), Ok(vec![2, 3]));
        assert_eq!(parse_waits("#2 #3 #2"), Ok(vec![2, 3]));
        assert_eq!(parse_waits("  "), Ok(vec![]));
        assert!(parse_waits("2, x").unwrap_err().contains("“x”"));
        assert!(parse_waits("0").is_err());
        assert_eq!(waits_text(&[2, 3]), "2, 3");
    }

    proptest! {
        /// Taking every changed section from theirs gives theirs; taking none keeps mine.
        #[test]
        fn merging_takes_exactly_the_chosen_sections(
            scope_a in "[a-c]{0,3}", scope_b in "[a-c]{0,3}",
            act_a in "[a-c]{0,3}", act_b in "[a-c]{0,3}",
            take_scope in any::<bool>(),
        ) {
            let mine = PlanContent { scope: scope_a, activation: act_a, ..Default::default() };
            let theirs = PlanContent { scope: scope_b, activation: act_b, ..Default::default() };
            let all: Vec<Section> = compare(&mine, &theirs).into_iter().filter(|d| d.changed()).map(|d| d.section).collect();
            prop_assert_eq!(&merge(&mine, &theirs, &all), &theirs);
            prop_assert_eq!(&merge(&mine, &theirs, &[]), &mine);
            let chosen = if take_scope { vec![Section::Scope] } else { vec![] };
            let merged = merge(&mine, &theirs, &chosen);
            prop_assert_eq!(&merged.scope, if take_scope { &theirs.scope } else { &mine.scope });
            prop_assert_eq!(&merged.activation, &mine.activation);
        }
    }
}
