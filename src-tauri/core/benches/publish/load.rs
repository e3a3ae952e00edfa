//! A CPU load the bench starts itself: threads spinning at normal priority, like `yes > /dev/null`
//! run beside it — a video export or a game on the creator's laptop. Threads of this process
//! rather than child processes so that nothing keeps spinning when the bench ends in any way
//! (a panic unwinds through `Drop`; an abort or a kill takes the threads with the process).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Spinning threads, stopped when dropped.
pub(super) struct CpuLoad {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    tids: Vec<String>,
}

impl CpuLoad {
    /// `n` threads that spin until the load is dropped.
    pub(super) fn start(n: usize) -> CpuLoad {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = std::sync::mpsc::channel();
        let threads = (0..n)
            .map(|i| {
                let stop = stop.clone();
                let tx = tx.clone();
                std::thread::Builder::new()
                    .name(format!("cpu-hog-{i}"))
                    .spawn(move || {
                        // This thread's id, to read its CPU time from /proc.
                        let tid = std::fs::read_link("/proc/thread-self")
                            .ok()
                            .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
                            .unwrap_or_default();
                        let _ = tx.send(tid);
                        let mut x = 1u64;
                        while !stop.load(Ordering::Relaxed) {
                            for _ in 0..10_000 {
                                x = std::hint::black_box(x.wrapping_mul(6364136223846793005) ^ 1);
                            }
                        }
                    })
                    .expect("a load thread starts")
            })
            .collect();
        drop(tx);
        let tids = rx.iter().take(n).collect();
        CpuLoad {
            stop,
            threads,
            tids,
        }
    }

    /// CPU ticks the load threads used so far (to keep them out of "this process").
    pub(super) fn ticks(&self) -> u64 {
        self.tids
            .iter()
            .filter_map(|tid| {
                let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
                let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
                Some(rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?)
            })
            .sum()
    }
}

impl Drop for CpuLoad {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
