//! P-calendar / P-queue (filled in below).
fn main() {}
