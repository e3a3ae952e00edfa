//! The simulated world saved in a file, so demo mode survives a restart: the same creators
//! with the same open_ids, the tokens the app holds (with their expiries) and the publishes it
//! may still ask about. Written whole after every change (temp file + rename, so a crash
//! leaves the old or the new world, never half of one); read once at start.
//!
//! Not saved: authorization codes and a pending consent (a sign-in does not outlive the
//! browser tab that started it), faults, rate windows and request counts (test scaffolding),
//! and the behaviour (the options of each start). An upload that was not finished ends with
//! its URL expired, as TikTok's do: the client starts that publish again.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::accounts::Account;
use crate::app::DevApp;
use crate::behaviour::Behaviour;
use crate::posts::Post;
use crate::state::State;
use crate::tokens::TokenStore;

/// Bumped when the saved shape changes incompatibly; another version starts a fresh world.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SavedAccount {
    #[serde(flatten)]
    account: Account,
    revoked_at: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    /// The simulated clock when saved: it never runs backwards across a restart.
    clock_ms: u64,
    app: DevApp,
    accounts: Vec<SavedAccount>,
    tokens: TokenStore,
    posts: Vec<Post>,
}

/// A world read back from its file, and the clock it was saved at.
pub struct Loaded {
    pub state: State,
    pub clock_ms: u64,
}

/// Where the world is saved; one writer at a time so saves land in order.
pub struct Store {
    path: PathBuf,
    writing: Mutex<()>,
}

impl Store {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            writing: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved world, `None` when there is none yet. A file that cannot be read as one is
    /// moved aside (`.broken`) and reported, so the next save does not destroy the evidence.
    pub fn load(&self, behaviour: &Behaviour) -> io::Result<Option<Loaded>> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let snap: Snapshot = match serde_json::from_slice(&bytes) {
            Ok(s) => s,
            Err(e) => {
                self.set_aside();
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        };
        if snap.version != VERSION {
            self.set_aside();
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("saved world has version {}, not {VERSION}", snap.version),
            ));
        }
        let mut state = State::fresh(behaviour.clone());
        state.app = snap.app;
        state.tokens = snap.tokens;
        state.accounts = snap
            .accounts
            .into_iter()
            .map(|s| {
                let mut a = s.account;
                a.revoked_at = s.revoked_at;
                a
            })
            .collect();
        state.posts = snap.posts;
        for p in &mut state.posts {
            // Its bytes' running hash was not saved (and its URL named the old port).
            if p.upload.offset < p.video_size {
                p.upload.force_expired = true;
            }
        }
        state.reindex();
        Ok(Some(Loaded {
            state,
            clock_ms: snap.clock_ms,
        }))
    }

    fn set_aside(&self) {
        let mut aside = self.path.clone().into_os_string();
        aside.push(".broken");
        let _ = fs::rename(&self.path, aside);
    }

    /// Saves `state` (taken under its lock by `snapshot`) atomically.
    pub fn save(&self, snapshot: impl FnOnce() -> Vec<u8>) -> io::Result<()> {
        let _one = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        write_atomically(&self.path, &snapshot())
    }
}

/// The bytes of `state` as saved.
pub fn encode(state: &State, clock_ms: u64) -> Vec<u8> {
    let snap = SnapshotRef {
        version: VERSION,
        clock_ms,
        app: &state.app,
        accounts: state
            .accounts
            .iter()
            .map(|a| SavedAccountRef {
                account: a,
                revoked_at: a.revoked_at,
            })
            .collect(),
        tokens: &state.tokens,
        posts: &state.posts,
    };
    serde_json::to_vec(&snap).expect("the world serialises")
}

// Borrowing twins of the saved types: a save must not clone the world under its lock.
#[derive(Serialize)]
struct SavedAccountRef<'a> {
    #[serde(flatten)]
    account: &'a Account,
    revoked_at: Option<u64>,
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    version: u32,
    clock_ms: u64,
    app: &'a DevApp,
    accounts: Vec<SavedAccountRef<'a>>,
    tokens: &'a TokenStore,
    posts: &'a [Post],
}

/// Temp file in the same folder, flushed to disk, then renamed over the old file; the folder
/// is synced so the rename itself survives a power cut. Readable by the owner only: it holds
/// the (simulated) tokens.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        fs::create_dir_all(dir)?;
    }
    let mut tmp = path.to_path_buf().into_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut opts = OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if let Some(dir) = dir {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_world_round_trips_and_a_torn_file_is_set_aside() {
        let dir = std::env::temp_dir().join(format!("tokdeck-sim-persist-{}", crate::ids::uuid()));
        let store = Store::new(dir.join("world.json"));
        assert!(store.load(&Behaviour::default()).unwrap().is_none());

        let mut st = State::fresh(Behaviour::default());
        st.accounts = crate::accounts::demo(1_800_000_000);
        st.accounts[0].revoked_at = Some(5);
        let b = Behaviour::default();
        let issued = st.tokens.issue(
            &st.accounts[1].open_id.clone(),
            vec!["video.publish".into()],
            &b,
            1000,
        );
        store.save(|| encode(&st, 42_000)).unwrap();
        assert!(
            !dir.join("world.json.tmp").exists(),
            "the temp file was renamed"
        );

        let back = store.load(&b).unwrap().expect("saved");
        assert_eq!(back.clock_ms, 42_000);
        assert_eq!(back.state.accounts.len(), 3);
        assert_eq!(back.state.accounts[0].open_id, st.accounts[0].open_id);
        assert_eq!(back.state.accounts[0].revoked_at, Some(5));
        let bearer = back
            .state
            .tokens
            .bearer(&issued.grant.access_token, 2000)
            .expect("live");
        assert_eq!(bearer.open_id, st.accounts[1].open_id);

        fs::write(dir.join("world.json"), b"{\"version\": 1, \"clock_").unwrap();
        assert!(store.load(&b).is_err());
        assert!(dir.join("world.json.broken").exists(), "kept for a look");
        assert!(store.load(&b).unwrap().is_none(), "then starts afresh");
        let _ = fs::remove_dir_all(dir);
    }
}
