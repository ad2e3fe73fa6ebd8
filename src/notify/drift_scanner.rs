//! The Drift Scanner event shape, a webhook payload option
//! (`--webhook-payload drift-scanner`, or `payload: drift-scanner` per webhook
//! in the policy file), so that receivers written for that product keep
//! working. It is sent with the same headers and signatures as the JSON report.

use serde::Serialize;

use crate::report::Report;
use crate::rules::Severity;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftEvent<'a> {
    /// The report id: the same drift re-checked gives the same id.
    pub id: String,
    /// The environment and database identity, as PagerDuty's `dedup_key`.
    pub env_id: &'a str,
    pub baseline_id: &'a str,
    pub current_id: &'a str,
    /// The highest severity: `BREAKING`, `WARNING` or `INFO` (also when nothing changed).
    pub severity: &'static str,
    pub breaking_count: usize,
    pub warning_count: usize,
    pub info_count: usize,
    /// The environment name, `default` when none is set.
    pub environment_name: &'a str,
    /// Always false: driftguard has no acknowledgement yet.
    pub acknowledged: bool,
    /// RFC 3339, UTC.
    pub detected_at: &'a str,
    pub items: Vec<Item<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item<'a> {
    pub severity: &'static str,
    pub table: Option<&'a str>,
    pub column: Option<&'a str>,
    pub change_type: &'static str,
    pub description: &'a str,
    pub recommendation: &'static str,
    pub estimated_impact: &'static str,
}

fn upper(s: Severity) -> &'static str {
    match s {
        Severity::Breaking => "BREAKING",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

pub fn event<'a>(report: &'a Report, env_id: &'a str) -> DriftEvent<'a> {
    let counts = &report.verdict.counts;
    DriftEvent {
        id: report.id(),
        env_id,
        baseline_id: &report.baseline.fingerprint,
        current_id: &report.current.fingerprint,
        severity: upper(
            report
                .findings
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Info),
        ),
        breaking_count: counts.breaking,
        warning_count: counts.warning,
        info_count: counts.info,
        environment_name: report.environment.as_deref().unwrap_or("default"),
        acknowledged: false,
        detected_at: &report.created_at,
        items: report
            .findings
            .iter()
            .map(|f| Item {
                severity: upper(f.severity),
                table: f.change.object.table.as_deref(),
                column: f.change.object.column.as_deref(),
                change_type: f.change.change_type.as_str(),
                description: &f.description,
                recommendation: f.recommendation,
                estimated_impact: f.impact,
            })
            .collect(),
    }
}

pub fn body(report: &Report, env_id: &str) -> Vec<u8> {
    serde_json::to_vec(&event(report, env_id)).expect("the event serializes to JSON")
}
