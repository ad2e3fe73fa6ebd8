//! What a notification's delivery came to, as reports record it (the JSON
//! `deliveries` array). Plain data that `notify` fills in, so that the flow
//! goes one way — notify → report — and a new channel touches only `notify/`
//! and the docs.

use serde::Serialize;

/// The outcome of one channel, printed on stderr and recorded in the JSON report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// `webhook`, `slack`, `teams` or `pagerduty`.
    pub channel: &'static str,
    /// The URL with its secret part redacted.
    pub url: String,
    pub event: &'static str,
    pub outcome: DeliveryOutcome,
    /// The HTTP status of the last attempt, when the server answered.
    pub status: Option<u16>,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryOutcome {
    Delivered,
    Failed,
    /// The result was not one of `--notify-on`.
    Skipped,
}
