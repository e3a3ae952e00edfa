//! The Compose page's engine side: ingesting dropped or picked video files into drafts, the
//! fresh creator_info a posting screen needs, and the post operations that need it (schedule,
//! edit, duplicate, relink) with the creator_info fetched here so the shell stays thin.
//!
//! `dto` holds the types the events and the IPC spec name; `rules` the pure rules (which files
//! a drop stands for, which scope a mode needs); `ingest` many files at once (bounded, results
//! as they arrive); `service` the `Compose` service.

pub mod dto;
pub mod ingest;
pub mod rules;
pub mod service;

pub use dto::{CreatorInfoDto, IngestResult};
pub use rules::*;
pub use service::Compose;
