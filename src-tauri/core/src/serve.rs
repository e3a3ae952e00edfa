//! The bounded loopback accept loop (see the `tokdeck-serve` crate).

pub use tokdeck_serve::{serve, Limits};

#[cfg(test)]
pub(crate) use tokdeck_serve::testing;
