//! `tokdeck-sim`: a local stand-in for TikTok's Login Kit, Display API, Content Posting API
//! and upload host, built from the project's API reference. See `docs/simulator.md`.

mod accounts;
mod app;
mod behaviour;

mod clock;
mod control;
mod display;
mod errors;
pub mod evolution;
mod faults;
mod ids;
mod oauth;
mod pages;
mod persist;
mod png;
mod post_index;
mod posting;
mod posts;
mod rate;
mod server;
mod state;
mod tokens;
mod upload;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use accounts::{Account, AccountInput};
pub use app::DevApp;
pub use behaviour::{Behaviour, ChunkMb, Rotation, TokenLifetimes, UnauditedNonSelfOnly};
pub use faults::{Endpoint, FaultKind, FaultSpec};
pub use server::CONTROL_TOKEN_HEADER;
pub use tokdeck_serve::Limits;

/// The simulator's connection bounds unless [`SimOptions::limits`] says otherwise: a test
/// suite or the app's demo opens tens of connections at most.
pub const DEFAULT_LIMITS: Limits = Limits {
    max_connections: 128,
    header_timeout: Duration::from_secs(15),
};
pub use state::IssuedSecret;

/// The analytics evolution seed of a seeded (demo) world unless the behaviour names one.
pub const DEMO_EVOLUTION_SEED: u64 = 14;

#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// 0 = ephemeral.
    pub port: u16,
    /// Start with three demo accounts (one private) holding a few public videos.
    pub seed: bool,
    /// Shortens processing (`processing_ms` = 200).
    pub fast: bool,
    pub behaviour: Behaviour,
    /// The secret every `/__sim/` request must carry in [`CONTROL_TOKEN_HEADER`]; a random
    /// one per run when `None` (read it with [`Simulator::control_token`]).
    pub control_token: Option<String>,
    /// Connection bounds; [`DEFAULT_LIMITS`] when `None`.
    pub limits: Option<Limits>,
    /// Keep the world in this file (loaded at start, saved after every change) so it survives
    /// a restart; in memory only when `None`. With a saved world, `seed` is not applied again.
    pub state_file: Option<PathBuf>,
}

/// A running simulator bound to 127.0.0.1.
pub struct Simulator {
    sim: Arc<state::Sim>,
    addr: SocketAddr,
    control_token: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    pub async fn start(opts: SimOptions) -> io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).await?;
        let addr = listener.local_addr()?;
        let mut behaviour = opts.behaviour.clone();
        if opts.fast {
            behaviour.processing_ms = behaviour.processing_ms.min(200);
        }
        if opts.seed && behaviour.evolution_seed.is_none() {
            // The demo creators' numbers move with the clock, so analytics have a story.
            behaviour.evolution_seed = Some(DEMO_EVOLUTION_SEED);
        }
        let sim = Arc::new(state::Sim::open(
            format!("http://{addr}"),
            behaviour,
            opts.seed,
            opts.state_file.clone().map(persist::Store::new),
        ));
        let control_token = opts.control_token.clone().unwrap_or_else(|| {
            use rand::RngCore;
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            hex::encode(bytes)
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let app = server::router(
            sim.clone(),
            server::Gate::new(addr.port(), control_token.clone()),
        );
        let limits = opts.limits.unwrap_or(DEFAULT_LIMITS);
        let task = tokio::spawn(async move {
            let stop = async {
                let _ = stopped.await;
            };
            tokdeck_serve::serve(listener, app, limits, stop, Duration::from_secs(2)).await;
        });
        tracing::info!(%addr, "tokdeck-sim started");
        Ok(Simulator {
            sim,
            addr,
            control_token,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.sim.base_url.clone()
    }

    pub fn authorize_url(&self) -> String {
        format!("{}/v2/auth/authorize/", self.sim.base_url)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// This run's control secret: send it in [`CONTROL_TOKEN_HEADER`] with every `/__sim/`
    /// request.
    pub fn control_token(&self) -> &str {
        &self.control_token
    }

    /// Stops accepting connections; gives open ones a moment, then cuts them.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
        // The world as it is now, its clock included: saved only at its last change, a
        // restart would take up the clock from then, and a wall clock set back meanwhile
        // (time sync) would make the simulated one run backwards.
        let sim = self.sim.clone();
        let _ = tokio::task::spawn_blocking(move || sim.save()).await;
    }

    // In-process accessors (the HTTP control API is the primary interface).

    pub fn behaviour(&self) -> Behaviour {
        self.sim.lock().behaviour.clone()
    }

    pub fn set_behaviour(&self, b: Behaviour) {
        self.sim.lock().behaviour = b;
    }

    pub fn add_account(&self, input: AccountInput) -> Result<Account, String> {
        let mut acc = Account::create(input)?;
        acc.counts_since = self.sim.clock.now_secs();
        self.sim.lock().accounts.push(acc.clone());
        self.sim.save();
        Ok(acc)
    }

    pub fn accounts(&self) -> Vec<Account> {
        self.sim.lock().accounts.clone()
    }

    pub fn advance_clock(&self, secs: u64) {
        self.sim.clock.advance_ms(secs * 1000);
        self.sim.save();
    }

    /// Every credential the simulator has issued since it started (tokens, rotated ones too;
    /// authorization codes; upload URLs and their upload tokens; the app's client secret): what
    /// must never show up in a client's database, logs, events or notifications.
    pub fn issued_secrets(&self) -> Vec<IssuedSecret> {
        self.sim.issued_secrets()
    }

    /// A handle on [`Self::issued_secrets`] that outlives this value (e.g. for a check run when
    /// a test harness is dropped, after its parts were moved elsewhere).
    pub fn secret_list(&self) -> SecretList {
        SecretList(self.sim.clone())
    }

    /// Simulated "now" in ms since the epoch.
    pub fn now_ms(&self) -> u64 {
        self.sim.now_ms()
    }
}

/// See [`Simulator::secret_list`].
#[derive(Clone)]
pub struct SecretList(Arc<state::Sim>);

impl SecretList {
    pub fn get(&self) -> Vec<IssuedSecret> {
        self.0.issued_secrets()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
