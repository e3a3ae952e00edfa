//! The engine's background workers, each a named unit with its own stop signal and task:
//! the startup media check, the scheduler, the wall-clock jump watch, the token refresher, the
//! Trash clean-up, the analytics sampler and the daily backup.
//!
//! [`Workers`] starts them once, in that order, and stops them together: every worker is told
//! to stop first, then the token refresher and the scheduler are waited for (a few seconds
//! each), so a shutdown never hangs on one. Publishes in flight are the publisher's to abort.

use std::sync::Arc;
use std::time::Duration;

use crate::accounts::tokens::Tokens;
use crate::analytics::Analytics;
use crate::backup::Backups;
use crate::ctx::Ctx;
use crate::posts::service::Posts;
use crate::publisher::Publisher;

pub mod backup;
pub mod media_check;
pub mod sampler;
pub mod scheduler;
pub mod token_refresher;
pub mod trash_purge;
pub mod wall_clock;
mod worker;

pub use worker::Worker;

/// How long a shutdown waits for each worker it waits for.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// The running workers, in their start order.
#[derive(Debug)]
struct Started {
    media_check: Worker,
    scheduler: Worker,
    clock_watch: Option<Worker>,
    refresher: Worker,
    trash_purge: Worker,
    sampler: Worker,
    backup: Worker,
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Idle,
    Running(Box<Started>),
    Stopped,
}

/// The engine's workers: started once, stopped once.
#[derive(Debug, Default)]
pub struct Workers {
    state: std::sync::Mutex<State>,
}

/// What the workers run against: the services they call.
pub struct WorkerDeps<'a> {
    pub ctx: &'a Ctx,
    pub posts: &'a Arc<Posts>,
    pub publisher: &'a Arc<Publisher>,
    pub tokens: &'a Arc<Tokens>,
    pub analytics: &'a Arc<Analytics>,
    /// How long the sampler waits after start before its first pass.
    pub sampler_delay: Duration,
    pub backups: &'a Arc<Backups>,
}

impl Workers {
    /// Starts the workers (once; never after [`Workers::stop`]).
    pub fn start(&self, deps: WorkerDeps<'_>) {
        let WorkerDeps {
            ctx,
            posts,
            publisher,
            tokens,
            analytics,
            sampler_delay,
            backups,
        } = deps;
        let mut state = self.state.lock().expect("workers");
        if !matches!(*state, State::Idle) {
            return;
        }
        // At start, a scheduled post whose video moved or changed while Tokdeck was closed goes
        // to "needs attention" now, not at publish time.
        let media_check = media_check::spawn(ctx, posts);
        let scheduler = scheduler::spawn(ctx, publisher);
        // After a resume or a clock change, due posts and due refreshes are looked at now, not
        // when the current (monotonic) sleep ends.
        let clock_watch = wall_clock::spawn(ctx);
        let refresher = token_refresher::spawn(ctx, tokens);
        let trash_purge = trash_purge::spawn(posts);
        let sampler = sampler::spawn(ctx, analytics, sampler_delay);
        let backup = backup::spawn(backups);
        *state = State::Running(Box::new(Started {
            media_check,
            scheduler,
            clock_watch,
            refresher,
            trash_purge,
            sampler,
            backup,
        }));
    }

    /// Tells every worker to stop, then waits for the token refresher, the scheduler and the
    /// sampler.
    /// Safe to call more than once.
    pub async fn stop(&self) {
        let started =
            match std::mem::replace(&mut *self.state.lock().expect("workers"), State::Stopped) {
                State::Running(started) => started,
                State::Idle | State::Stopped => return,
            };
        let Started {
            media_check,
            scheduler,
            clock_watch,
            refresher,
            trash_purge,
            sampler,
            backup,
        } = *started;
        for w in [
            Some(&media_check),
            Some(&scheduler),
            clock_watch.as_ref(),
            Some(&refresher),
            Some(&trash_purge),
            Some(&sampler),
            Some(&backup),
        ]
        .into_iter()
        .flatten()
        {
            w.signal_stop();
        }
        // A backup in flight finishes its copy or is abandoned as a partial file, which
        // the next backup removes; waiting keeps a restore from swapping under it.
        let _ = backup.join(STOP_WAIT).await;
        if !refresher.join(STOP_WAIT).await {
            tracing::warn!("background refresher did not stop in time");
        }
        let _ = scheduler.join(STOP_WAIT).await;
        if !sampler.join(STOP_WAIT).await {
            tracing::warn!("analytics sampler did not stop in time");
        }
    }

    /// The names of the running workers, in start order (empty before start and after stop).
    pub fn running(&self) -> Vec<&'static str> {
        match &*self.state.lock().expect("workers") {
            State::Running(s) => [
                Some(&s.media_check),
                Some(&s.scheduler),
                s.clock_watch.as_ref(),
                Some(&s.refresher),
                Some(&s.trash_purge),
                Some(&s.sampler),
                Some(&s.backup),
            ]
            .into_iter()
            .flatten()
            .map(Worker::name)
            .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_worker_ends_when_told_to_stop() {
        let w = Worker::spawn("test", |mut stop| async move {
            let _ = stop.changed().await;
        });
        assert_eq!(w.name(), "test");
        w.signal_stop();
        assert!(w.join(Duration::from_secs(2)).await);
    }

    #[tokio::test]
    async fn the_workers_start_once_in_order_and_never_again_after_stop() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let ctx = Ctx::new(
            store,
            crate::secrets::Secrets::native("tokdeck-workers-test"),
            crate::clock::Clock::system(),
            dir.path().to_path_buf(),
        );
        let settings = Arc::new(
            crate::settings_service::SettingsService::load(ctx.clone())
                .await
                .unwrap(),
        );
        let app = Arc::new(crate::tiktok_app::TiktokApp::new(
            ctx.clone(),
            crate::tiktok_app::TiktokAppConfig {
                endpoints: Default::default(),
                simulator_url: None,
                simulator_token: None,
                rate_window: Duration::from_secs(60),
                client_tuning: None,
            },
        ));
        let tokens = Arc::new(Tokens::new(ctx.clone(), app.clone()));
        let posts = Arc::new(Posts::new(ctx.clone()));
        let publisher = Publisher::new(ctx.clone(), app, tokens.clone(), settings, posts.clone());
        let analytics = Arc::new(Analytics::new(ctx.clone(), tokens.clone()));
        let backups = Arc::new(Backups::new(ctx.clone(), posts.clone()));
        let deps = || WorkerDeps {
            ctx: &ctx,
            posts: &posts,
            publisher: &publisher,
            tokens: &tokens,
            analytics: &analytics,
            sampler_delay: Duration::ZERO,
            backups: &backups,
        };
        let workers = Workers::default();
        assert!(workers.running().is_empty());
        workers.start(deps());
        let mut expected = vec!["startup media check", "scheduler"];
        if cfg!(target_os = "linux") {
            expected.push("wall-clock watch");
        }
        expected.push("token refresher");
        expected.push("trash clean-up");
        expected.push("analytics sampler");
        expected.push("daily backup");
        assert_eq!(workers.running(), expected);
        // A second start is a no-op.
        workers.start(deps());
        assert_eq!(workers.running(), expected);
        tokio::time::timeout(Duration::from_secs(12), workers.stop())
            .await
            .expect("the workers stop");
        assert!(workers.running().is_empty());
        workers.start(deps());
        assert!(workers.running().is_empty(), "not restarted after stop");
        workers.stop().await;
    }

    #[tokio::test]
    async fn a_worker_that_ignores_the_signal_is_not_waited_for_past_the_limit() {
        let w = Worker::spawn("stubborn", |_stop| std::future::pending::<()>());
        w.signal_stop();
        assert!(!w.join(Duration::from_millis(50)).await);
    }
}
