//! The file side of probing: a watchdog for every blocking file step, the regular-file check,
//! positioned reads with a small buffer, and a parse budget.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one file step (stat, probe, fingerprint) may take. A local disk answers in
/// milliseconds; this leaves a sleeping USB drive time to spin up.
pub const IO_TIMEOUT: Duration = Duration::from_secs(20);

/// Workers abandoned at their bound and still stuck in the kernel (a dead network mount never
/// returns from `stat`). Past this many, new steps fail at once instead of piling up threads
/// that never finish. Workers that finish in time are not counted: parallel probes are fine.
const MAX_STUCK_WORKERS: usize = 4;
static STUCK_WORKERS: AtomicUsize = AtomicUsize::new(0);

const RUNNING: u8 = 0;
const FINISHED: u8 = 1;
const ABANDONED: u8 = 2;

pub(super) const TIMEOUT_PREFIX: &str = "The video file could not be read within";

/// The sentence for a step that did not finish in time.
pub fn timeout_message(limit: Duration) -> String {
    format!(
        "{TIMEOUT_PREFIX} {} s — is the drive still connected?",
        limit.as_secs().max(1)
    )
}

/// Runs `work` on its own thread and waits at most `limit` for it. `None`: it did not finish
/// (or panicked); the thread is left to finish on its own (a blocked `open` or `stat` cannot be
/// interrupted), so the caller is never stuck with it.
///
/// A thread rather than `spawn_blocking` + `tokio::time::timeout`: every caller is synchronous
/// code already running on a blocking thread (the publisher's check step among them), and this
/// keeps them bounded without changing them.
pub fn run_bounded<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    if STUCK_WORKERS.load(Ordering::Acquire) >= MAX_STUCK_WORKERS {
        return None;
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let state = Arc::new(AtomicU8::new(RUNNING));
    let worker_state = Arc::clone(&state);
    let spawned = std::thread::Builder::new()
        .name("tokdeck-media-io".into())
        .spawn(move || {
            // Runs however the work ends (a panic included).
            struct Done(Arc<AtomicU8>);
            impl Drop for Done {
                fn drop(&mut self) {
                    let was = self.0.compare_exchange(
                        RUNNING,
                        FINISHED,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    );
                    if was == Err(ABANDONED) {
                        STUCK_WORKERS.fetch_sub(1, Ordering::AcqRel);
                    }
                }
            }
            let _done = Done(worker_state);
            let _ = tx.send(work());
        });
    if spawned.is_err() {
        return None;
    }
    match rx.recv_timeout(limit) {
        Ok(v) => Some(v),
        Err(_) => {
            // Counted before it is marked, so the worker's decrement always comes after.
            STUCK_WORKERS.fetch_add(1, Ordering::AcqRel);
            if state
                .compare_exchange(RUNNING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                // It finished just now (or panicked): not stuck.
                STUCK_WORKERS.fetch_sub(1, Ordering::AcqRel);
            }
            None
        }
    }
}

/// What is at a path when it is not a regular file, in words; `None` for a regular file.
pub fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// Opens a file for reading after checking that it is a regular file, and checks the opened
/// handle again (the path may have been swapped in between). Opening a FIFO would block until a
/// writer appears, which is why the type is checked first.
pub fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    let meta = std::fs::metadata(path)?;
    if let Some(kind) = not_regular(&meta) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {kind}, not a video file"),
        ));
    }
    let f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    if let Some(kind) = not_regular(&meta) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {kind}, not a video file"),
        ));
    }
    Ok((f, meta))
}

/// How long parsing one file's structure may take (CPU, on top of the I/O watchdog): a file made
/// of millions of tiny boxes is refused instead of walked for minutes.
pub const PARSE_BUDGET: Duration = Duration::from_secs(2);

/// A deadline and a count of structures visited, shared by one probe.
pub struct Budget {
    deadline: Instant,
    visited: u64,
    max_visits: u64,
}

impl Budget {
    pub fn new(max_visits: u64) -> Self {
        Self {
            deadline: Instant::now() + PARSE_BUDGET,
            visited: 0,
            max_visits,
        }
    }
    /// One more box or element; `Err` with the reason when the budget is spent.
    pub fn visit(&mut self) -> Result<(), String> {
        self.visited += 1;
        if self.visited > self.max_visits {
            return Err(format!(
                "it has more than {} boxes or elements in its headers, far more than a video needs",
                self.max_visits
            ));
        }
        if self.visited.is_multiple_of(256) && Instant::now() > self.deadline {
            return Err(format!(
                "its headers took more than {} s to read",
                PARSE_BUDGET.as_secs()
            ));
        }
        Ok(())
    }
}

/// Positioned reads through a small buffer: header walks jump around the file, and a plain
/// `BufReader` drops its whole buffer on every seek.
pub struct Src<R> {
    inner: R,
    len: u64,
    buf: Vec<u8>,
    start: u64,
    filled: usize,
}

const SRC_BUF: usize = 8 * 1024;

impl<R: Read + Seek> Src<R> {
    pub fn new(inner: R, len: u64) -> Self {
        Self {
            inner,
            len,
            buf: vec![0; SRC_BUF],
            start: 0,
            filled: 0,
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    /// Fills `out` from `pos`; `Ok(false)` when the file ends first.
    pub fn read_at(&mut self, pos: u64, out: &mut [u8]) -> std::io::Result<bool> {
        let want = out.len() as u64;
        if pos.checked_add(want).is_none_or(|e| e > self.len) {
            return Ok(false);
        }
        if out.len() > self.buf.len() {
            self.inner.seek(SeekFrom::Start(pos))?;
            return Ok(read_up_to(&mut self.inner, out)? == out.len());
        }
        let in_buf = pos >= self.start && pos + want <= self.start + self.filled as u64;
        if !in_buf {
            self.inner.seek(SeekFrom::Start(pos))?;
            self.start = pos;
            self.filled = 0;
            self.filled = read_up_to(&mut self.inner, &mut self.buf)?;
            if (self.filled as u64) < want {
                return Ok(false);
            }
        }
        let off = (pos - self.start) as usize;
        out.copy_from_slice(&self.buf[off..off + out.len()]);
        Ok(true)
    }

    /// `len` bytes from `pos` into a new buffer; callers cap `len` first.
    pub fn read_vec(&mut self, pos: u64, len: usize) -> std::io::Result<Option<Vec<u8>>> {
        let mut v = Vec::new();
        if v.try_reserve_exact(len).is_err() {
            return Ok(None);
        }
        v.resize(len, 0);
        Ok(self.read_at(pos, &mut v)?.then_some(v))
    }
}

/// Reads until `buf` is full or the end of the input (a short read is not the end).
pub(crate) fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match r.read(&mut buf[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}
