//! Analytics (#14): account snapshots and post performance, sampled in the background by
//! `workers/sampler.rs` into `db/analytics/`, read by the Analytics page.
//!
//! `dto.rs` (leaf: what the API answers), `service.rs` (`Analytics`: the queries and CSV),
//! `sampler.rs` (the sampler's pass), and the pure rules: `schedule.rs` (the sample ages),
//! `matching.rs` (a post's video by create time and caption), `heatmap.rs` (best time to
//! post, medians), `csv.rs`.

pub mod csv;
pub mod dto;
pub mod heatmap;
pub mod matching;
pub mod sampler;
pub mod schedule;
pub mod service;

pub use dto::*;
pub use service::Analytics;
