//! Critical-path benchmark of continuity plans (run by `scripts/bench.sh`).
//!
//! `bench_schedule` times, for generated plans of 50, 500 and 2,000 recovery steps, what the
//! plan editor computes on every keystroke: `recovery::schedule` (the critical path),
//! `plan_overview::plan_warnings` (schedule plus warnings in words) and
//! `continuity_plan::check_content` (the checks before an autosave, which schedule again).
//! The baseline, measured in the same run and interleaved with the others, is cloning the same
//! `Vec<RecoveryStep>` (the editor clones the content on every edit anyway). Figures are
//! medians of 101 samples, each the mean of a batch of calls; one JSON line per plan size.
//!
//! `bench_schedule steps <n>` prints the generated steps of an `n`-step plan as JSON, for the
//! browser benchmark (`end2end/bench/plan.mjs`) to save as a draft: same plans, both sides.
//!
//! Plans are shaped like real ones: one step that invokes the plan, then several parallel
//! branches (3 for small plans, up to 12), each step following the previous step of its branch
//! and, now and then, one or two recent steps of other branches (hand-overs), so every step
//! but the first waits for 1–3 earlier steps. Durations from 5 min to 4 h, one step in twenty
//! without an owner. Deterministic: a small LCG, the same plans on every run.

use app::model::continuity_plan::{check_content, PlanContent};
use app::model::plan_overview::plan_warnings;
use app::model::recovery::{schedule, RecoveryStep};
use std::hint::black_box;
use std::time::Instant;

const SIZES: [usize; 3] = [50, 500, 2_000];
const SAMPLES: usize = 101;
/// Steps scheduled per sample (so small plans are called more often per sample).
const WORK_PER_SAMPLE: usize = 50_000;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

fn branches(n: usize) -> usize {
    (n / 60).clamp(3, 12)
}

/// A plan of `n` steps (keys 1..=n), see the module documentation.
fn plan(n: usize) -> Vec<RecoveryStep> {
    const VERBS: [&str; 8] = [
        "Restore",
        "Fail over",
        "Verify",
        "Rebuild",
        "Notify owners of",
        "Re-point",
        "Check",
        "Bring up",
    ];
    const OBJECTS: [&str; 10] = [
        "the payroll database",
        "the mail relay",
        "the DNS records",
        "the file shares",
        "the VPN gateway",
        "the service desk portal",
        "the backup catalogue",
        "the identity provider",
        "the print servers",
        "the finance interfaces",
    ];
    const MINUTES: [u32; 11] = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240];
    let mut lcg = Lcg(0x5eed_0000 + n as u64);
    let lanes = branches(n);
    let mut tails: Vec<Option<u32>> = vec![None; lanes];
    let mut steps = Vec::with_capacity(n);
    for key in 1..=n as u32 {
        if key == 1 {
            steps.push(RecoveryStep {
                key,
                title: "Invoke the plan and open the incident bridge".into(),
                owner_id: Some(1),
                duration_minutes: 15,
                waits_for: Vec::new(),
                depth: 0,
            });
            continue;
        }
        let lane = lcg.below(lanes as u32) as usize;
        let mut waits_for = vec![tails[lane].unwrap_or(1)];
        // Hand-overs from other branches: half the steps wait for one more recent step, a
        // fifth for two more.
        let extra = match lcg.below(10) {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        };
        for _ in 0..extra {
            let window = (key - 1).min(40);
            let other = key - 1 - lcg.below(window);
            if !waits_for.contains(&other) {
                waits_for.push(other);
            }
        }
        waits_for.sort_unstable();
        let depth = u8::from(lcg.below(4) == 0);
        steps.push(RecoveryStep {
            key,
            title: format!(
                "{} {} ({}.{key})",
                VERBS[lcg.below(VERBS.len() as u32) as usize],
                OBJECTS[lcg.below(OBJECTS.len() as u32) as usize],
                lane + 1
            ),
            owner_id: (lcg.below(20) != 0).then(|| i64::from(lcg.below(8)) + 1),
            duration_minutes: MINUTES[lcg.below(MINUTES.len() as u32) as usize],
            waits_for,
            depth,
        });
        tails[lane] = Some(key);
    }
    steps
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Microseconds per call: the median over the samples of the mean of a batch.
struct Timer {
    batch: usize,
    samples: Vec<f64>,
}

impl Timer {
    fn time<T>(&mut self, mut call: impl FnMut() -> T) {
        let start = Instant::now();
        for _ in 0..self.batch {
            black_box(call());
        }
        self.samples
            .push(start.elapsed().as_secs_f64() * 1e6 / self.batch as f64);
    }
}

fn bench(n: usize) {
    let steps = plan(n);
    let content = PlanContent {
        steps: steps.clone(),
        ..Default::default()
    };
    let rtos: Vec<(String, u32)> = vec![
        ("Payroll".into(), 240),
        ("Mail".into(), 480),
        ("Service desk portal".into(), 1_440),
    ];
    let result = schedule(&steps).expect("generated plans have no cycles");
    assert!(check_content(&content).is_ok(), "generated plans are valid");
    let waits: usize = steps.iter().map(|s| s.waits_for.len()).sum();
    let batch = (WORK_PER_SAMPLE / n).max(1);
    let new = || Timer {
        batch,
        samples: Vec::with_capacity(SAMPLES),
    };
    let (mut clone, mut sched, mut warn, mut check) = (new(), new(), new(), new());
    for _ in 0..SAMPLES {
        // Interleaved, so a noisy neighbour slows all four alike.
        clone.time(|| black_box(&steps).clone());
        sched.time(|| schedule(black_box(&steps)));
        warn.time(|| plan_warnings(black_box(&content), &rtos));
        check.time(|| check_content(black_box(&content)));
    }
    let base = median(clone.samples);
    let (s, w, c) = (
        median(sched.samples),
        median(warn.samples),
        median(check.samples),
    );
    println!(
        "{{\"steps\":{n},\"branches\":{},\"waits\":{waits},\"critical_path_steps\":{},\"total_minutes\":{},\"samples\":{SAMPLES},\"batch\":{batch},\"baseline_clone_us\":{base:.2},\"schedule_us\":{s:.2},\"schedule_vs_clone\":{:.1},\"plan_warnings_us\":{w:.2},\"plan_warnings_vs_clone\":{:.1},\"check_content_us\":{c:.2},\"check_content_vs_clone\":{:.1}}}",
        branches(n),
        result.critical_path.len(),
        result.total_minutes,
        s / base,
        w / base,
        c / base,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (None, _) => SIZES.into_iter().for_each(bench),
        (Some("steps"), Some(n)) => {
            let n: usize = n.parse().expect("steps <n>: a number of steps");
            println!(
                "{}",
                serde_json::to_string(&plan(n)).expect("steps serialise")
            );
        }
        _ => {
            eprintln!("usage: bench_schedule [steps <n>]");
            std::process::exit(2);
        }
    }
}
