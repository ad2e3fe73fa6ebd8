//! The JSON report: the same document as the webhook payload,
//! versioned by its `format` field.

use std::io::Write;

use serde::Serialize;

use super::{BaselineInfo, CiContext, CurrentInfo, Report};
use crate::rules::{ChangeType, Counts, Finding, Outcome};

pub const FORMAT: &str = "driftguard.report/1";

#[derive(Serialize)]
pub struct Document<'a> {
    pub format: &'static str,
    pub id: String,
    pub result: Outcome,
    pub severity: u32,
    pub environment: Option<&'a str>,
    pub counts: AllCounts,
    pub diff: DiffSummary,
    pub changes: Vec<ChangeEntry<'a>>,
    /// Findings acknowledged by `accepted:` entries; not in `counts`' severities or `result`.
    pub accepted: Vec<AcceptedFinding<'a>>,
    /// `accepted:` entries past their date, and entries that matched nothing.
    pub acceptance: AcceptanceNotes<'a>,
    pub baseline: &'a BaselineInfo,
    pub current: &'a CurrentInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<&'a CiContext>,
    pub tool: Tool,
    pub created_at: &'a str,
    /// Absent from webhook payloads, which are sent before their own outcome is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<&'a [super::Delivery]>,
}

/// A finding with the statements of the migration and revert scripts that
/// serve it (`sql`, absent when no script was made).
#[derive(Serialize)]
pub struct ChangeEntry<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<&'a crate::migrate::ChangeSql>,
}

/// The verdict's counts plus the accepted findings (which the verdict leaves out).
#[derive(Serialize)]
pub struct AllCounts {
    #[serde(flatten)]
    pub counts: Counts,
    pub accepted: usize,
}

/// An accepted finding: the finding (with its entry as `acceptance`), marked
/// `accepted` and `acknowledged` (the name webhook receivers know).
#[derive(Serialize)]
pub struct AcceptedFinding<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    pub accepted: bool,
    pub acknowledged: bool,
}

#[derive(Serialize)]
pub struct AcceptanceNotes<'a> {
    pub expired: &'a [crate::accept::Accepted],
    pub stale: &'a [crate::accept::Accepted],
}

#[derive(Serialize)]
pub struct DiffSummary {
    pub removed: Vec<String>,
    pub added: Vec<String>,
    pub type_changes: Vec<TypeChange>,
}

#[derive(Serialize)]
pub struct TypeChange {
    pub column: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl<'a> Document<'a> {
    pub fn new(report: &'a Report) -> Document<'a> {
        let mut diff = DiffSummary {
            removed: Vec::new(),
            added: Vec::new(),
            type_changes: Vec::new(),
        };
        for f in &report.findings {
            let path = f.change.object.to_string();
            let name = f.change.change_type.as_str();
            if matches!(
                f.change.change_type,
                ChangeType::COLUMN_TYPE_CHANGED
                    | ChangeType::COLUMN_TYPE_NARROWED
                    | ChangeType::COLUMN_TYPE_WIDENED
            ) {
                diff.type_changes.push(TypeChange {
                    column: path,
                    from: f.change.before.clone(),
                    to: f.change.after.clone(),
                });
            } else if name.ends_with("_DROPPED") || name.ends_with("_REMOVED") {
                diff.removed.push(path);
            } else if name.ends_with("_ADDED") || name.ends_with("_ADDED_REQUIRED") {
                diff.added.push(path);
            }
        }
        Document {
            format: FORMAT,
            id: report.id(),
            result: report.verdict.result,
            severity: report.verdict.severity,
            environment: report.environment.as_deref(),
            counts: AllCounts {
                counts: report.verdict.counts,
                accepted: report.accepted.len(),
            },
            diff,
            changes: report
                .findings
                .iter()
                .enumerate()
                .map(|(i, finding)| ChangeEntry {
                    finding,
                    sql: report.sql.as_ref().and_then(|s| s.per_change.get(i)),
                })
                .collect(),
            accepted: report
                .accepted
                .iter()
                .map(|finding| AcceptedFinding {
                    finding,
                    accepted: true,
                    acknowledged: true,
                })
                .collect(),
            acceptance: AcceptanceNotes {
                expired: &report.expired,
                stale: &report.stale,
            },
            baseline: &report.baseline,
            current: &report.current,
            ci: report.ci.as_ref(),
            tool: Tool {
                name: "driftguard",
                version: env!("CARGO_PKG_VERSION"),
            },
            created_at: &report.created_at,
            deliveries: report.deliveries.as_deref(),
        }
    }
}

/// The document, made safe to print by [`crate::escape::json_document`]
/// (lossless: every value decodes to exactly what the database holds).
pub fn render(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(&Document::new(report))?;
    out.write_all(crate::escape::json_document(&text).as_bytes())?;
    out.write_all(b"\n")
}
