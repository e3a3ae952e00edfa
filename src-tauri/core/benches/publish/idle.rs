//! P4: scheduler wake-ups and context switches while idle.

use super::*;

/// Voluntary + involuntary context switches of this process's threads: (tid, name) -> count.
fn context_switches() -> Option<BTreeMap<(String, String), u64>> {
    let mut by_thread = BTreeMap::new();
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let tid = dir.file_name()?.to_string_lossy().into_owned();
        let name = std::fs::read_to_string(dir.join("comm")).ok()?;
        let status = std::fs::read_to_string(dir.join("status")).ok()?;
        let n: u64 = status
            .lines()
            .filter(|l| l.contains("ctxt_switches"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        by_thread.insert((tid, name.trim().to_owned()), n);
    }
    Some(by_thread)
}

/// Switches between two snapshots, by thread name (threads born in between count fully;
/// threads that ended in between are lost — tokio's idle blocking threads end after 10 s).
fn switches_between(
    a: &BTreeMap<(String, String), u64>,
    b: &BTreeMap<(String, String), u64>,
) -> BTreeMap<String, u64> {
    let mut by_name = BTreeMap::new();
    for (key, n) in b {
        let d = n - a.get(key).copied().unwrap_or(0).min(*n);
        *by_name.entry(key.1.clone()).or_default() += d;
    }
    by_name.retain(|_, d| *d > 0);
    by_name
}

pub(super) async fn p4(video: &Path) {
    let idle = std::env::var("P4_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(IDLE_SECS);
    let variants: [(&str, Option<chrono::Duration>); 3] = [
        ("nothing scheduled", None),
        ("a post due in 2 hours", Some(chrono::Duration::hours(2))),
        ("a post due in a year", Some(chrono::Duration::days(365))),
    ];
    let mut rigs = Vec::new();
    for (name, due) in &variants {
        let rig = rig(Behaviour::default(), Duration::from_secs(60)).await;
        let account = rig.connect("idle").await;
        if let Some(d) = due {
            let when = at_in(&rig.engine, *d);
            rig.schedule(account, video, name, when).await;
        }
        rig.engine.start_background();
        rigs.push(rig);
    }
    // Let the first passes (start, scheduling) finish before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before: Vec<(u64, u64)> = rigs
        .iter()
        .map(|r| (r.engine.scheduler_wakeups(), r.engine.refresher_wakeups()))
        .collect();
    let switches = context_switches();
    let t = Instant::now();
    tokio::time::sleep(Duration::from_secs(idle)).await;
    let minutes = t.elapsed().as_secs_f64() / 60.0;
    let switches = switches
        .zip(context_switches())
        .map(|(a, b)| switches_between(&a, &b));
    println!(
        "P4 idle wake-ups over {:.1} s of real (wall-clock) time, three engines side by side, each with one connected account:",
        minutes * 60.0
    );
    let mut counted = Vec::new();
    for ((name, _), (rig, (s0, r0))) in variants.iter().zip(rigs.iter().zip(before)) {
        let (ds, dr) = (
            rig.engine.scheduler_wakeups() - s0,
            rig.engine.refresher_wakeups() - r0,
        );
        counted.extend([ds, dr]);
        let (s, r) = (ds as f64 / minutes, dr as f64 / minutes);
        println!(
            "  P4 {name}: scheduler {s:.2} wake-ups/min (goal <= {GOAL_WAKEUPS_PER_MIN}: {}); token refresher {r:.2} wake-ups/min",
            if s <= GOAL_WAKEUPS_PER_MIN { "OK" } else { "MISSED" }
        );
    }
    let passes: u64 = counted.iter().sum();
    match switches {
        Some(groups) => {
            let total: u64 = groups.values().sum();
            let detail: Vec<String> = groups
                .iter()
                .map(|(k, d)| format!("{k} {:.1}", *d as f64 / minutes))
                .collect();
            println!(
                "  whole process (3 engines + 3 idle simulators + bench): {:.1} thread context switches/min ({}), \
                 {:.1} per counted scheduler/refresher pass ({passes} passes)",
                total as f64 / minutes,
                detail.join(", "),
                total as f64 / passes.max(1) as f64
            );
        }
        None => println!("  whole process: /proc/self/task not readable"),
    }
    for rig in rigs {
        rig.engine.shutdown().await;
    }
}
