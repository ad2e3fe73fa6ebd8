//! Placeholder until the postgres source lands.

use crate::error::{Error, Result};
use crate::model::Snapshot;
use crate::source::{Filter, Timeouts};

pub fn snapshot(_url: &str, _filter: &Filter, _timeouts: Timeouts) -> Result<Snapshot> {
    Err(Error::Usage(
        "postgres databases are not supported by this build yet".into(),
    ))
}
