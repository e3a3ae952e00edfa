//! Notices when the wall clock jumps — on resume from suspend, or when the time is set — so the
//! scheduler and the token refresher look at the time again at once.
//!
//! Tokio's timers run on the monotonic clock, which stands still while the machine sleeps: a
//! scheduler that went to sleep for 30 s just before a suspend would still wait up to 30 s after
//! the resume, with posts already overdue. On Linux the kernel cancels a `CLOCK_REALTIME` timerfd
//! armed with `TFD_TIMER_CANCEL_ON_SET` on every discontinuous change of the wall clock,
//! including the one it makes itself on resume (the mechanism systemd's calendar timers use), so
//! one idle file descriptor covers both cases without polling and without a D-Bus session.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::ctx::Ctx;

use super::worker::Worker;

/// The jump watch as a worker: a jump rings the scheduler's, the token refresher's and the
/// analytics sampler's bells.
/// `None` where the platform has no such signal.
pub fn spawn(ctx: &Ctx) -> Option<Worker> {
    let (scheduler_wake, refresher_wake, sampler_wake) = (
        ctx.wakes().scheduler.clone(),
        ctx.wakes().refresher.clone(),
        ctx.wakes().sampler.clone(),
    );
    let (stop, rx) = watch::channel(false);
    let task = spawn_jump_watch(
        move || {
            scheduler_wake.notify_one();
            refresher_wake.notify_one();
            sampler_wake.notify_one();
        },
        rx,
    )?;
    Some(Worker::from_parts("wall-clock watch", stop, task))
}

/// Calls `on_jump` after every wall-clock jump until `stop` changes. `None` when the platform
/// has no such signal (the scheduler's 30 s ceiling still bounds the delay there).
pub fn spawn_jump_watch(
    on_jump: impl Fn() + Send + Sync + 'static,
    stop: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    imp::spawn(on_jump, stop)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::os::fd::{AsFd, AsRawFd, RawFd};
    use std::time::Duration;

    use nix::errno::Errno;
    use nix::sys::time::TimeSpec;
    use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
    use nix::time::{clock_gettime, ClockId as Clock};
    use tokio::io::unix::AsyncFd;
    use tokio::sync::watch;
    use tokio::task::JoinHandle;

    /// Tokio's `AsyncFd` wants `AsRawFd`; nix's timer only offers `AsFd`.
    struct Timer(TimerFd);

    impl AsRawFd for Timer {
        fn as_raw_fd(&self) -> RawFd {
            self.0.as_fd().as_raw_fd()
        }
    }

    /// Far enough ahead never to fire in practice; if it does, the timer is simply re-armed.
    const ARM_AHEAD: Duration = Duration::from_secs(365 * 24 * 3600);

    fn arm(timer: &TimerFd) -> nix::Result<()> {
        let now = clock_gettime(Clock::CLOCK_REALTIME)?;
        let at = now + TimeSpec::from_duration(ARM_AHEAD);
        timer.set(
            Expiration::OneShot(at),
            TimerSetTimeFlags::TFD_TIMER_ABSTIME | TimerSetTimeFlags::TFD_TIMER_CANCEL_ON_SET,
        )
    }

    fn open() -> nix::Result<AsyncFd<Timer>> {
        let timer = TimerFd::new(
            ClockId::CLOCK_REALTIME,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        arm(&timer)?;
        // SAFETY: `Timer` owns the timerfd (an `OwnedFd` inside nix's `TimerFd`) for as long as
        // the `AsyncFd` lives and always returns that same descriptor.
        unsafe { AsyncFd::register_with_interest(Timer(timer), tokio::io::Interest::READABLE) }
            .map_err(|e| Errno::from_raw(e.into_parts().1.raw_os_error().unwrap_or(0)))
    }

    pub(super) fn spawn(
        on_jump: impl Fn() + Send + Sync + 'static,
        mut stop: watch::Receiver<bool>,
    ) -> Option<JoinHandle<()>> {
        let fd = match open() {
            Ok(fd) => fd,
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the wall clock; a resume may be noticed up to 30 s late");
                return None;
            }
        };
        Some(tokio::spawn(async move {
            loop {
                tokio::select! {
                    ready = fd.readable() => {
                        let mut guard = match ready {
                            Ok(g) => g,
                            Err(e) => {
                                tracing::warn!(error = %e, "wall-clock watch stopped");
                                return;
                            }
                        };
                        // nix reports the cancellation (ECANCELED) as Ok, like an expiry; the
                        // once-a-year expiry then costs one spare scheduler pass.
                        match guard.get_inner().0.wait() {
                            Ok(()) => {
                                tracing::info!("the wall clock jumped (resume or time change): checking due posts now");
                                on_jump();
                            }
                            Err(Errno::EAGAIN) => {
                                guard.clear_ready();
                                continue;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "wall-clock watch stopped");
                                return;
                            }
                        }
                        // A cancelled timer is disarmed; arming it again also re-registers
                        // it for the next jump.
                        if let Err(e) = arm(&guard.get_inner().0) {
                            tracing::warn!(error = %e, "wall-clock watch stopped");
                            return;
                        }
                    }
                    _ = stop.changed() => return,
                }
            }
        }))
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use tokio::sync::watch;
    use tokio::task::JoinHandle;

    pub(super) fn spawn(
        _on_jump: impl Fn() + Send + Sync + 'static,
        _stop: watch::Receiver<bool>,
    ) -> Option<JoinHandle<()>> {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use nix::time::{clock_gettime, clock_settime, ClockId};

    use super::*;

    /// Sets the wall clock to what it reads now: a discontinuous change of a few microseconds,
    /// which the kernel reports exactly like a resume. Needs CAP_SYS_TIME (CI runs as root).
    pub(crate) fn poke_wall_clock() -> bool {
        let now = clock_gettime(ClockId::CLOCK_REALTIME).unwrap();
        match clock_settime(ClockId::CLOCK_REALTIME, now) {
            Ok(()) => true,
            Err(nix::errno::Errno::EPERM) if std::env::var_os("CI").is_none() => {
                eprintln!("skipped: setting the clock needs CAP_SYS_TIME (CI has it)");
                false
            }
            Err(e) => panic!("cannot set the wall clock: {e}"),
        }
    }

    /// Counts the wall clock's discontinuous changes on a thread of its own, with the kernel's
    /// timerfd and nothing of the code under test.
    struct ClockSets {
        count: Arc<AtomicUsize>,
        stop: Arc<std::sync::atomic::AtomicBool>,
        thread: std::thread::JoinHandle<()>,
    }

    impl ClockSets {
        fn count() -> Self {
            use nix::errno::Errno;
            use nix::sys::time::TimeSpec;
            use nix::sys::timerfd::{Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
            let count = Arc::new(AtomicUsize::new(0));
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let timer = TimerFd::new(
                nix::sys::timerfd::ClockId::CLOCK_REALTIME,
                TimerFlags::TFD_CLOEXEC,
            )
            .unwrap();
            // Armed before the thread starts, so no change after `count` returns is missed.
            let arm = move |timer: &TimerFd| {
                let at = clock_gettime(ClockId::CLOCK_REALTIME).unwrap()
                    + TimeSpec::from_duration(Duration::from_millis(20));
                timer
                    .set(
                        Expiration::OneShot(at),
                        TimerSetTimeFlags::TFD_TIMER_ABSTIME
                            | TimerSetTimeFlags::TFD_TIMER_CANCEL_ON_SET,
                    )
                    .unwrap();
            };
            arm(&timer);
            // Read with std, not nix's `wait`, which answers a cancellation like an expiry.
            let mut reader = std::fs::File::from(
                std::os::fd::AsFd::as_fd(&timer)
                    .try_clone_to_owned()
                    .unwrap(),
            );
            let (seen, done) = (count.clone(), stop.clone());
            let thread = std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    let mut expirations = [0u8; 8];
                    let read = std::io::Read::read(&mut reader, &mut expirations);
                    if read.is_err_and(|e| e.raw_os_error() == Some(Errno::ECANCELED as i32)) {
                        seen.fetch_add(1, Ordering::SeqCst);
                    }
                    arm(&timer);
                }
            });
            ClockSets {
                count,
                stop,
                thread,
            }
        }

        fn stop(self) -> usize {
            self.stop.store(true, Ordering::SeqCst);
            self.thread.join().unwrap();
            self.count.load(Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn a_wall_clock_jump_is_reported_each_time_and_nothing_otherwise() {
        let (stop_tx, stop) = watch::channel(false);
        let jumps = Arc::new(AtomicUsize::new(0));
        let seen = jumps.clone();
        let handle = spawn_jump_watch(
            move || {
                seen.fetch_add(1, Ordering::SeqCst);
            },
            stop,
        )
        .expect("a timerfd on Linux");
        // No report without a change of the clock. The machine's own time keeping (a time daemon,
        // the host of a virtual machine) may set the clock meanwhile: one CI machine set it ten
        // times a second. A reference watch counts those sets straight from the kernel; the
        // watch under test may report no more than that (a spinning re-arm would report far more).
        let reference = ClockSets::count();
        let before = jumps.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let reported = jumps.load(Ordering::SeqCst) - before;
        let sets = reference.stop();
        assert!(
            reported <= sets,
            "no jump, no wake-up: {reported} reports for {sets} clock changes"
        );
        if !poke_wall_clock() {
            return;
        }
        let base = jumps.load(Ordering::SeqCst);
        for expected in base + 1..=base + 2 {
            let started = std::time::Instant::now();
            while jumps.load(Ordering::SeqCst) < expected {
                assert!(
                    started.elapsed() < Duration::from_secs(2),
                    "jump {expected} not reported"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            if expected == base + 1 {
                // Re-armed: the next jump is reported too.
                poke_wall_clock();
            }
        }
        stop_tx.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(2), handle)
            .await
            .expect("the watch ends when asked")
            .unwrap();
    }
}
