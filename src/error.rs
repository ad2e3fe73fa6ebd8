//! The one error type of driftguard and the exit-code table.
//!
//! Every failure anywhere in the program ends up as an [`Error`] whose variant
//! says which exit code it earns, so the mapping lives in exactly one place:
//! [`Error::exit_code`]. Drift verdicts (0–2) are not errors; they come from
//! [`crate::rules::Verdict`].

/// The exit codes. Scripts depend on these numbers.
pub mod code {
    pub const PASS: i32 = 0;
    pub const BREAKING: i32 = 1;
    pub const WARNING: i32 = 2;
    pub const USAGE: i32 = 64;
    pub const DATA: i32 = 65;
    pub const NO_INPUT: i32 = 66;
    pub const UNAVAILABLE: i32 = 69;
    pub const INTERNAL: i32 = 70;
    pub const CANT_CREATE: i32 = 73;
    pub const DELIVERY: i32 = 75;
    pub const DENIED: i32 = 77;
    pub const CONFIG: i32 = 78;
}

/// Every exit code with its meaning, as `--help` (see `crate::help`) prints
/// them; the tables of README.md and docs/src/reference/exit-codes.md are
/// generated from it (tests/it/docs.rs).
pub const EXIT_CODES: &[(i32, &str)] = &[
    (code::PASS, "pass (or below --fail-on)"),
    (code::BREAKING, "breaking drift"),
    (
        code::WARNING,
        "warning drift (with --fail-on warning, the default)",
    ),
    (code::USAGE, "usage error: bad flags or arguments"),
    (
        code::DATA,
        "an input file that cannot be parsed, or of an unsupported format version",
    ),
    (code::NO_INPUT, "an input file that does not exist"),
    (
        code::UNAVAILABLE,
        "database unreachable: DNS, refused, TLS handshake, time-out",
    ),
    (code::INTERNAL, "internal error"),
    (code::CANT_CREATE, "an output file that cannot be written"),
    (
        code::DELIVERY,
        "a notification failed after all retries (with --require-delivery)",
    ),
    (
        code::DENIED,
        "database authentication or catalog permission denied",
    ),
    (code::CONFIG, "invalid configuration"),
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags or arguments (64).
    #[error("{0}")]
    Usage(String),
    /// A file that cannot be parsed or has an unsupported format version (65).
    #[error("{0}")]
    Data(String),
    /// An input file that does not exist (66).
    #[error("{0}")]
    NoInput(String),
    /// The database could not be reached (69).
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected state (70).
    #[error("internal error: {0}")]
    Internal(String),
    /// An output file that cannot be written (73).
    #[error("{0}")]
    CantCreate(String),
    /// A notification failed after all retries with --require-delivery (75).
    #[error("{0}")]
    Delivery(String),
    /// Authentication or catalog permission denied (77).
    #[error("{0}")]
    Denied(String),
    /// Invalid configuration (78).
    #[error("{0}")]
    Config(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => code::USAGE,
            Error::Data(_) => code::DATA,
            Error::NoInput(_) => code::NO_INPUT,
            Error::Unavailable(_) => code::UNAVAILABLE,
            Error::Internal(_) => code::INTERNAL,
            Error::CantCreate(_) => code::CANT_CREATE,
            Error::Delivery(_) => code::DELIVERY,
            Error::Denied(_) => code::DENIED,
            Error::Config(_) => code::CONFIG,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_its_exit_code() {
        let e = |f: fn(String) -> Error| f(String::new()).exit_code();
        assert_eq!(e(Error::Usage), 64);
        assert_eq!(e(Error::Data), 65);
        assert_eq!(e(Error::NoInput), 66);
        assert_eq!(e(Error::Unavailable), 69);
        assert_eq!(e(Error::Internal), 70);
        assert_eq!(e(Error::CantCreate), 73);
        assert_eq!(e(Error::Delivery), 75);
        assert_eq!(e(Error::Denied), 77);
        assert_eq!(e(Error::Config), 78);
    }
}
