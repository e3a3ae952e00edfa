//! Tokdeck's engine. No Tauri here: the desktop shell, the tests and the benchmarks all drive
//! the same code through [`Engine`].

pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod backup;
pub mod clock;
pub mod compose;
pub mod ctx;
pub mod db;
pub mod engine;
pub mod error;
pub mod events;
pub mod ipc;
pub mod media;
pub mod planning;
pub mod posts;
pub mod preview;
pub mod publisher;
pub mod recent_zones;
pub mod secrets;
pub mod serve;
pub mod settings;
pub mod settings_service;
pub mod thumbnails;
pub mod tiktok_app;
pub mod tiktok_config;
pub mod tray_status;
pub mod workers;

pub use engine::{Engine, EngineConfig};
pub use error::{CoreError, CoreResult, ErrorCode, UiError};
/// The TikTok client crate, for the shell (e.g. building an `AuthorizationCallback`).
pub use tiktok_api;
