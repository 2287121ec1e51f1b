//! Recovery steps of a continuity plan and their schedule: steps run in parallel unless one
//! waits for another, so the plan takes as long as its critical path — the longest chain of
//! waits. A plan whose critical path is longer than a covered service's RTO cannot meet it.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One recovery step as the plan editor holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryStep {
    /// Stable within the plan (kept across versions, so diffs and waits survive reordering).
    pub key: u32,
    pub title: String,
    /// The person who carries it out, if named yet.
    pub owner_id: Option<i64>,
    pub duration_minutes: u32,
    /// Keys of the steps that must finish before this one starts.
    pub waits_for: Vec<u32>,
    /// Indentation in the editor (a sub-step of the step above); does not change the schedule.
    pub depth: u8,
}

/// When a step starts and finishes, in minutes from activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub key: u32,
    pub start: u32,
    pub finish: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Every step, in the plan's order.
    pub slots: Vec<Slot>,
    /// Minutes from activation until the last step finishes.
    pub total_minutes: u32,
    /// The longest chain, first step first.
    pub critical_path: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleError {
    /// Steps that wait for each other in a circle, in the order they wait.
    Cycle(Vec<u32>),
    /// A step waits for a key no step has.
    UnknownStep { step: u32, waits_for: u32 },
    /// Two steps share a key.
    DuplicateKey(u32),
}

impl ScheduleError {
    /// What the plan editor says, naming the steps by title.
    pub fn describe(&self, steps: &[RecoveryStep]) -> String {
        let title = |key: &u32| {
            steps
                .iter()
                .find(|s| s.key == *key)
                .map(|s| format!("“{}”", s.title))
                .unwrap_or_else(|| format!("step {key}"))
        };
        match self {
            ScheduleError::Cycle(keys) => {
                let mut names: Vec<String> = keys.iter().map(title).collect();
                if let Some(first) = keys.first() {
                    names.push(title(first));
                }
                format!(
                    "These steps wait for each other in a circle, so none can start: {}.",
                    names.join(" → ")
                )
            }
            ScheduleError::UnknownStep { step, waits_for } => format!(
                "{} waits for a step that is not in the plan (step {waits_for}).",
                title(step)
            ),
            ScheduleError::DuplicateKey(key) => format!("Two steps share the number {key}."),
        }
    }
}

/// Schedules `steps` as early as their waits allow and finds the critical path.
pub fn schedule(steps: &[RecoveryStep]) -> Result<Schedule, ScheduleError> {
    let mut index: HashMap<u32, usize> = HashMap::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        if index.insert(step.key, i).is_some() {
            return Err(ScheduleError::DuplicateKey(step.key));
        }
    }
    for step in steps {
        for wait in &step.waits_for {
            if !index.contains_key(wait) {
                return Err(ScheduleError::UnknownStep {
                    step: step.key,
                    waits_for: *wait,
                });
            }
        }
    }
    let order = topological_order(steps, &index)?;
    let mut finish = vec![0u32; steps.len()];
    let mut start = vec![0u32; steps.len()];
    // The predecessor that makes each step start when it does (for walking the path back).
    let mut critical_before: Vec<Option<usize>> = vec![None; steps.len()];
    for &i in &order {
        let step = &steps[i];
        let mut earliest = 0;
        for wait in &step.waits_for {
            let j = index[wait];
            if finish[j] > earliest || critical_before[i].is_none() && finish[j] == earliest {
                earliest = finish[j];
                critical_before[i] = Some(j);
            }
        }
        start[i] = earliest;
        finish[i] = earliest.saturating_add(step.duration_minutes);
    }
    let total_minutes = finish.iter().copied().max().unwrap_or(0);
    let mut critical_path = Vec::new();
    // The first step (in plan order) that finishes last ends the critical path.
    let mut at = finish.iter().position(|f| *f == total_minutes);
    if steps.is_empty() {
        at = None;
    }
    while let Some(i) = at {
        critical_path.push(steps[i].key);
        at = critical_before[i];
    }
    critical_path.reverse();
    Ok(Schedule {
        slots: steps
            .iter()
            .enumerate()
            .map(|(i, s)| Slot {
                key: s.key,
                start: start[i],
                finish: finish[i],
            })
            .collect(),
        total_minutes,
        critical_path,
    })
}

/// Kahn's algorithm; when steps remain, they contain a cycle, which is found and named.
fn topological_order(
    steps: &[RecoveryStep],
    index: &HashMap<u32, usize>,
) -> Result<Vec<usize>, ScheduleError> {
    let mut waiting = vec![0usize; steps.len()];
    let mut followers: Vec<Vec<usize>> = vec![Vec::new(); steps.len()];
    for (i, step) in steps.iter().enumerate() {
        for wait in &step.waits_for {
            waiting[i] += 1;
            followers[index[wait]].push(i);
        }
    }
    let mut ready: std::collections::VecDeque<usize> =
        (0..steps.len()).filter(|i| waiting[*i] == 0).collect();
    let mut order = Vec::with_capacity(steps.len());
    while let Some(i) = ready.pop_front() {
        order.push(i);
        for &f in &followers[i] {
            waiting[f] -= 1;
            if waiting[f] == 0 {
                ready.push_back(f);
            }
        }
    }
    if order.len() == steps.len() {
        return Ok(order);
    }
    // Every step left waits on another step left: walk the waits until one repeats.
    let left: Vec<bool> = (0..steps.len()).map(|i| waiting[i] > 0).collect();
    let mut at = (0..steps.len()).find(|i| left[*i]).unwrap_or(0);
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut walk = Vec::new();
    loop {
        if let Some(&from) = seen.get(&at) {
            let mut cycle: Vec<u32> = walk[from..].iter().map(|i: &usize| steps[*i].key).collect();
            // Name it in waiting order: each step waits for the one before it.
            cycle.reverse();
            return Err(ScheduleError::Cycle(cycle));
        }
        seen.insert(at, walk.len());
        walk.push(at);
        let next = steps[at]
            .waits_for
            .iter()
            .map(|w| index[w])
            .find(|j| left[*j]);
        match next {
            Some(j) => at = j,
            None => return Err(ScheduleError::Cycle(vec![steps[at].key])),
        }
    }
}

/// What is wrong with a plan's steps against the RTOs of the services it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepWarning {
    /// The critical path is longer than this service's recovery time objective.
    ExceedsRto {
        service: String,
        rto_minutes: u32,
        total_minutes: u32,
    },
    NoOwner {
        key: u32,
        title: String,
    },
}

impl StepWarning {
    pub fn describe(&self) -> String {
        match self {
            StepWarning::ExceedsRto {
                service,
                rto_minutes,
                total_minutes,
            } => format!(
                "The recovery takes {} but {service} must be back within {} (its RTO).",
                minutes_text(*total_minutes),
                minutes_text(*rto_minutes)
            ),
            StepWarning::NoOwner { title, .. } => format!("“{title}” has no owner."),
        }
    }
}

/// Warnings for a schedule: every covered service whose RTO it exceeds, every unowned step.
pub fn warnings(
    steps: &[RecoveryStep],
    schedule: &Schedule,
    rtos: &[(String, u32)],
) -> Vec<StepWarning> {
    let mut found: Vec<StepWarning> = rtos
        .iter()
        .filter(|(_, rto)| schedule.total_minutes > *rto)
        .map(|(service, rto)| StepWarning::ExceedsRto {
            service: service.clone(),
            rto_minutes: *rto,
            total_minutes: schedule.total_minutes,
        })
        .collect();
    found.extend(
        steps
            .iter()
            .filter(|s| s.owner_id.is_none())
            .map(|s| StepWarning::NoOwner {
                key: s.key,
                title: s.title.clone(),
            }),
    );
    found
}

/// "45 min", "4 h", "1 d 2 h 30 min".
pub fn minutes_text(minutes: u32) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} d"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(format!("{mins} min"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(key: u32, minutes: u32, waits_for: &[u32]) -> RecoveryStep {
        RecoveryStep {
            key,
            title: format!("Step {key}"),
            owner_id: Some(1),
            duration_minutes: minutes,
            waits_for: waits_for.to_vec(),
            depth: 0,
        }
    }

    #[test]
    fn parallel_branches_take_as_long_as_the_longest() {
        // 1 (30) → 2 (60) → 4 (15); 1 → 3 (120) → 4: the path through 3 is critical.
        let steps = [
            step(1, 30, &[]),
            step(2, 60, &[1]),
            step(3, 120, &[1]),
            step(4, 15, &[2, 3]),
        ];
        let plan = schedule(&steps).unwrap();
        assert_eq!(plan.total_minutes, 165);
        assert_eq!(plan.critical_path, vec![1, 3, 4]);
        assert_eq!(
            plan.slots[3],
            Slot {
                key: 4,
                start: 150,
                finish: 165
            }
        );
    }

    #[test]
    fn a_cycle_is_refused_and_named() {
        let steps = [
            step(1, 10, &[3]),
            step(2, 10, &[1]),
            step(3, 10, &[2]),
            step(4, 5, &[]),
        ];
        let error = schedule(&steps).unwrap_err();
        let ScheduleError::Cycle(keys) = &error else {
            panic!("{error:?}")
        };
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, vec![1, 2, 3]);
        assert!(error.describe(&steps).contains("“Step 1”"));
        let own = schedule(&[step(7, 10, &[7])]).unwrap_err();
        assert_eq!(own, ScheduleError::Cycle(vec![7]));
    }

    #[test]
    fn unknown_and_duplicate_steps_are_refused() {
        assert_eq!(
            schedule(&[step(1, 10, &[9])]).unwrap_err(),
            ScheduleError::UnknownStep {
                step: 1,
                waits_for: 9
            }
        );
        assert_eq!(
            schedule(&[step(1, 10, &[]), step(1, 5, &[])]).unwrap_err(),
            ScheduleError::DuplicateKey(1)
        );
    }

    #[test]
    fn warnings_name_the_rto_and_the_unowned_step() {
        let mut steps = vec![step(1, 200, &[]), step(2, 100, &[1])];
        steps[1].owner_id = None;
        let plan = schedule(&steps).unwrap();
        let found = warnings(
            &steps,
            &plan,
            &[("Payroll".into(), 240), ("Mail".into(), 600)],
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].describe(),
            "The recovery takes 5 h but Payroll must be back within 4 h (its RTO)."
        );
        assert_eq!(found[1].describe(), "“Step 2” has no owner.");
        assert_eq!(minutes_text(1590), "1 d 2 h 30 min");
    }

    /// Random DAGs: each step may wait only for earlier steps.
    fn dag() -> impl Strategy<Value = Vec<RecoveryStep>> {
        prop::collection::vec(
            (
                1u32..500,
                prop::collection::vec(any::<prop::sample::Index>(), 0..3),
            ),
            1..9,
        )
        .prop_map(|raw| {
            raw.iter()
                .enumerate()
                .map(|(i, (minutes, waits))| {
                    let mut waits_for: Vec<u32> = if i == 0 {
                        Vec::new()
                    } else {
                        waits.iter().map(|w| w.index(i) as u32 + 1).collect()
                    };
                    waits_for.sort();
                    waits_for.dedup();
                    step(i as u32 + 1, *minutes, &waits_for)
                })
                .collect()
        })
    }

    /// The longest path by brute force: every chain, summed.
    fn longest_chain(steps: &[RecoveryStep], key: u32) -> u32 {
        let step = steps.iter().find(|s| s.key == key).unwrap();
        step.duration_minutes
            + step
                .waits_for
                .iter()
                .map(|w| longest_chain(steps, *w))
                .max()
                .unwrap_or(0)
    }

    proptest! {
        #[test]
        fn the_critical_path_of_a_dag_is_its_longest_path(steps in dag()) {
            let plan = schedule(&steps).unwrap();
            let longest = steps.iter().map(|s| longest_chain(&steps, s.key)).max().unwrap();
            prop_assert_eq!(plan.total_minutes, longest);
            // The path is a real chain and its durations add up to the total.
            let sum: u32 = plan.critical_path.iter()
                .map(|k| steps.iter().find(|s| s.key == *k).unwrap().duration_minutes)
                .sum();
            prop_assert_eq!(sum, plan.total_minutes);
            for pair in plan.critical_path.windows(2) {
                let later = steps.iter().find(|s| s.key == pair[1]).unwrap();
                prop_assert!(later.waits_for.contains(&pair[0]));
            }
        }

        #[test]
        fn adding_a_step_never_shortens_the_critical_path(
            steps in dag(),
            minutes in 0u32..500,
            waits in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        ) {
            let before = schedule(&steps).unwrap().total_minutes;
            let mut more = steps.clone();
            let key = steps.len() as u32 + 1;
            let waits_for: Vec<u32> = waits.iter().map(|w| w.index(steps.len()) as u32 + 1).collect();
            more.push(step(key, minutes, &waits_for));
            prop_assert!(schedule(&more).unwrap().total_minutes >= before);
        }

        #[test]
        fn closing_a_loop_is_always_found(steps in dag()) {
            // The first step waits for the last one, which (transitively or not) may wait
            // for the first: when it does, the schedule is refused as a cycle.
            let mut looped = steps.clone();
            let last = steps.len() as u32;
            looped[0].waits_for.push(last);
            let reaches_first = |steps: &[RecoveryStep]| {
                let mut stack = vec![last];
                let mut seen = std::collections::HashSet::new();
                while let Some(k) = stack.pop() {
                    if k == 1 { return true; }
                    if seen.insert(k) {
                        stack.extend(steps.iter().find(|s| s.key == k).unwrap().waits_for.iter().copied());
                    }
                }
                false
            };
            let result = schedule(&looped);
            if reaches_first(&steps) {
                prop_assert!(matches!(result, Err(ScheduleError::Cycle(_))), "{:?}", result);
            } else {
                prop_assert!(result.is_ok());
            }
        }
    }
}

/// The longest duration Conform reads: recovery measured in years is not recovery, and the
/// bound keeps every duration far inside the database's 32-bit columns.
pub const MAX_MINUTES: u32 = 366 * 24 * 60;

/// Reads a duration as people write it: "90", "90 min", "4 h", "1 d 4 h", "1d4h30m"; at
/// most `MAX_MINUTES`.
pub fn parse_minutes(text: &str) -> Option<u32> {
    read_minutes(text).filter(|minutes| *minutes <= MAX_MINUTES)
}

fn read_minutes(text: &str) -> Option<u32> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return None;
    }
    if let Ok(plain) = text.parse::<u32>() {
        return Some(plain);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut unit = String::new();
    let mut flush = |number: &mut String, unit: &mut String| -> Option<()> {
        if number.is_empty() {
            return if unit.is_empty() { Some(()) } else { None };
        }
        let value: u64 = number.parse().ok()?;
        let factor = match unit.as_str() {
            "m" | "min" | "mins" | "minute" | "minutes" | "" => 1,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            "d" | "day" | "days" => 1440,
            "w" | "week" | "weeks" => 10080,
            _ => return None,
        };
        total = total.checked_add(value.checked_mul(factor)?)?;
        number.clear();
        unit.clear();
        Some(())
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !unit.is_empty() {
                flush(&mut number, &mut unit)?;
            }
            number.push(c);
        } else if c.is_alphabetic() {
            if number.is_empty() {
                return None;
            }
            unit.push(c);
        } else if c.is_whitespace() {
            continue;
        } else {
            return None;
        }
    }
    flush(&mut number, &mut unit)?;
    u32::try_from(total).ok()
}

#[cfg(test)]
mod parse_tests {
    use super::parse_minutes;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_minutes("90"), Some(90));
        assert_eq!(parse_minutes("90 min"), Some(90));
        assert_eq!(parse_minutes("4 h"), Some(240));
        assert_eq!(parse_minutes("1 d 4 h"), Some(1680));
        assert_eq!(parse_minutes("1d4h30m"), Some(1710));
        assert_eq!(parse_minutes("2 weeks"), Some(20160));
        assert_eq!(parse_minutes("366 d"), Some(super::MAX_MINUTES));
        for bad in [
            "",
            "h",
            "4 parsecs",
            "-3",
            "4.5 h",
            "99999999999 d",
            "367 d",
            "4000000000",
        ] {
            assert_eq!(parse_minutes(bad), None, "{bad}");
        }
    }
}
