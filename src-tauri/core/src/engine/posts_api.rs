//! The engine's posts operations, each delegating in one line to the service that owns it.

use super::Engine;

impl Engine {}
