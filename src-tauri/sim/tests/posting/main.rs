//! Content Posting: creator_info, init validation, chunk rules, status, caps, limits.
//! Chunk rules are shrunk (min 1000, max 4000, final ≤ 8000) to keep uploads tiny.

#[path = "../common/mod.rs"]
mod common;

mod rules;
mod upload;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CI: &str = "/v2/post/publish/creator_info/query/";
