//! The only place with SQL. Each module is one table (or one aggregate whose rows change
//! together in one transaction) and knows nothing but types: no services, no events, no
//! TikTok. Services call these functions with the pool from their `Ctx`.

pub mod account_post_settings;
pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod backup;
pub mod export;
pub mod open;
pub mod post_views;
pub mod posts;
pub mod publish_jobs;
pub mod schedule;
pub mod settings;
pub mod store_files;
