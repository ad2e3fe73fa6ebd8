//! One integration-test binary (faster to build than one per file), with a
//! module per area. Every test runs the real `driftguard` binary.

mod https_server;
mod notify;
mod reports;
mod util;

mod action;
mod cli;
mod config;
mod fuzz;
mod interrupt;
mod secrets;
mod soak;
mod sqlite;
