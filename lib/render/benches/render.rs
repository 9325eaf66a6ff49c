//! Placeholder until the render benchmarks land.
fn main() {}
