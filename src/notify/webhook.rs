//! Generic webhooks: the JSON report as the body, signed twice (see
//! [`super::sign`]), with the report `id` as the idempotency key.

use std::time::{SystemTime, UNIX_EPOCH};

use super::Event;
use super::sign::{self, Secret};
use crate::report::Report;
use crate::report::json::Document;

/// The body: the JSON report document, compact. It is serialized once, so
/// every attempt sends identical bytes and the signatures stay comparable.
pub fn body(report: &Report) -> Vec<u8> {
    // Serializing plain data with string keys into memory cannot fail.
    serde_json::to_vec(&Document::new(report)).expect("the report serializes to JSON")
}

/// The headers of one attempt. The Standard Webhooks timestamp is taken now, so
/// a retry is re-signed with its own time and passes receivers' replay checks.
pub fn headers(
    secret: Option<&Secret>,
    id: &str,
    event: Event,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut headers = vec![
        ("Content-Type", "application/json".to_string()),
        ("X-DriftGuard-Event", event.name().to_string()),
        ("X-DriftGuard-Delivery", id.to_string()),
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", timestamp.to_string()),
    ];
    if let Some(secret) = secret {
        headers.push((
            "X-DriftGuard-Signature",
            sign::driftguard_signature(secret, body),
        ));
        headers.push((
            "webhook-signature",
            sign::standard_signature(secret, id, timestamp, body),
        ));
    }
    headers
}
