//! driftguard guards relational databases against schema drift in CI.
//!
//! The flow runs one way: a [`source`] reads a live database into the
//! engine-neutral [`model::Snapshot`]; [`diff`] lists structural changes between
//! two snapshots; [`rules`] classifies them with the change-type table; a
//! [`report`] renderer prints them; [`app`] wires the commands and [`error`]
//! owns the exit codes.

pub mod accept;
pub mod app;
pub mod cli;
pub mod config;
pub mod diff;
pub mod error;
pub mod escape;
pub mod github_actions;
pub mod glob;
pub mod help;
pub mod input;
pub mod lcs;
pub mod manual;
pub mod migrate;
pub mod model;
pub mod notify;
pub mod output;
pub mod report;
pub mod rules;
pub mod settings;
pub mod snapshot_file;
pub mod source;
pub mod sql;
pub mod textdiff;
pub mod tls;

/// `eprintln!` that never panics. A message to a closed standard error (`2>&-`,
/// or a pipe whose reader has gone, e.g. `2>&1 | head -1`) is dropped: the run
/// goes on to send its notifications and exit with its own code, where
/// `eprintln!` would panic and abort.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr(), $($arg)*);
    }};
}
