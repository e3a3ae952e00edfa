//! One background task and the signal that stops it.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug)]
pub struct Worker {
    name: &'static str,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    /// Spawns `run` with the receiving end of the worker's stop signal: it ends when that
    /// changes (or its sender is dropped with the worker).
    pub fn spawn<F, Fut>(name: &'static str, run: F) -> Worker
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (stop, rx) = watch::channel(false);
        Worker {
            name,
            stop,
            task: tokio::spawn(run(rx)),
        }
    }

    /// A task spawned elsewhere that ends when `stop` is sent `true`.
    pub fn from_parts(name: &'static str, stop: watch::Sender<bool>, task: JoinHandle<()>) -> Self {
        Worker { name, stop, task }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Asks the worker to stop (it stops at its next wait).
    pub fn signal_stop(&self) {
        // A worker that already ended has no receiver left; nothing to tell.
        let _ = self.stop.send(true);
    }

    /// Waits up to `within` for the task to end; false if it did not.
    pub async fn join(self, within: Duration) -> bool {
        tokio::time::timeout(within, self.task).await.is_ok()
    }
}
