//! Tokdeck's engine. No Tauri here: the desktop shell, the tests and the benchmarks all drive
//! the same code through [`Engine`].

pub mod accounts;
pub mod audit;
pub mod clock;
pub mod compose;
pub mod ctx;
pub mod db;
pub mod engine;
pub mod error;
pub mod events;
pub mod ipc;
pub mod media;
pub mod posts;
pub mod preview;
pub mod publisher;
pub use publisher::scheduler;
pub mod secrets;
pub mod serve;
pub mod settings;
pub mod settings_service;
pub use db::open as store;
pub mod thumbnails;
pub mod tiktok_app;
pub mod tiktok_config;
pub mod tray_status;
pub mod workers;
pub use workers::wall_clock;

// Old paths of modules that moved under `accounts/` (the shell and the tests use them).
pub use accounts::{avatars, connect as oauth, deeplink, service as account_ops, tokens};
pub use engine::{Engine, EngineConfig};
pub use error::{CoreError, CoreResult, ErrorCode, UiError};
/// The TikTok client crate, for the shell (e.g. building an `AuthorizationCallback`).
pub use tiktok_api;
