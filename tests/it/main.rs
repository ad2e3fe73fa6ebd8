//! One integration-test binary (faster to build than one per file), with a
//! module per area. Every test runs the real `driftguard` binary.

mod mysql;
mod util;
