//! Logs go to stderr and to a daily-rotated file in the log dir (last 14 files kept).
//! Nothing here knows about tokens: types that hold secrets redact their own Debug/Display.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

pub const LOG_PREFIX: &str = "tokdeck";

/// Lines waiting for the file writer. The library's default, 128,000, is one 4 MB buffer whose
/// every slot is written when it is made: it was the largest block of Tokdeck's memory left in
/// the tray (measured: a 4,004 kB mapping, all resident). Tokdeck logs a few lines a minute
/// while it waits; a line that finds the buffer full is dropped, as before.
const BUFFERED_LINES: usize = 4096;

/// Installs the global subscriber. Keep the guard alive for the whole process: dropping it
/// flushes and stops the file writer.
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("TOKDECK_LOG").unwrap_or_else(|_| {
        EnvFilter::new("info,tao=warn,wry=warn,sqlx=warn,hyper=warn,reqwest=warn")
    });
    let stderr = fmt::layer().with_writer(std::io::stderr).with_target(false);
    let file = std::fs::create_dir_all(log_dir).ok().and_then(|_| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(LOG_PREFIX)
            .filename_suffix("log")
            .max_log_files(14)
            .build(log_dir)
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(BUFFERED_LINES)
                .finish(appender);
            let file_layer = fmt::layer().with_writer(writer).with_ansi(false);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            tracing::warn!(dir = %log_dir.display(), "log folder unavailable; logging to stderr only");
            None
        }
    }
}
