//! Placeholder until the mysql source lands.

use crate::error::{Error, Result};
use crate::model::Snapshot;
use crate::source::{Filter, Timeouts};

pub fn snapshot(_url: &str, _filter: &Filter, _timeouts: Timeouts) -> Result<Snapshot> {
    Err(Error::Usage(
        "mysql databases are not supported by this build yet".into(),
    ))
}
