//! The engine's publish operations, each delegating in one line to the service that owns it.

use super::Engine;

impl Engine {}
