//! One integration-test binary (faster to build than one per file), with a
//! module per area. Every test runs the real `driftguard` binary.

mod github_api;
mod https_server;
mod scripts;
mod smtp_server;
mod util;

mod accept;
mod action;
mod audit;
mod bench_scripts;
mod channels;
mod cli;
mod config;
mod corpus;
mod docs;
mod email;
mod failures;
mod fuzz;
mod generated;
mod help;
mod hostile;
mod hostile_net;
mod identity;
mod images;
mod inputs;
mod interrupt;
mod mysql;
mod notify;
mod package;
mod pairs;
mod postgres;
mod reports;
mod secrets;
mod soak;
mod sql_mysql;
mod sql_postgres;
mod sql_sqlite;
mod sqlite;
mod terminal;
