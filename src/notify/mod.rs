//! Notifications: signed JSON webhooks and Slack messages, sent
//! synchronously, in parallel, with retries, before the process exits.
//!
//! Everything a user can get wrong is checked by [`Notifier::from_args`]
//! before any database work: plain-HTTP URLs, a webhook without a secret, an
//! unreadable CA file. Delivery never fails the command by itself; the caller
//! records the [`Delivery`] outcomes and only `--require-delivery` turns a
//! failure into exit 75.

pub mod drift_scanner;
pub mod email;
pub mod https;
pub mod pagerduty;
pub mod retry;
pub mod settings;
pub mod sign;
pub mod slack;
pub mod teams;
pub mod webhook;

use std::time::{Duration, Instant};

use serde::Serialize;
use ureq::Agent;
use ureq::http::Uri;

use crate::cli::{ChannelArgs, NotifyArgs, NotifyOn, WebhookPayload};
use crate::config::NotifySetting;
use crate::error::{Error, Result, code};
use crate::report::{BaselineInfo, CiContext, CurrentInfo, Report, now_rfc3339};
pub use crate::report::{Delivery, DeliveryOutcome};
use crate::rules::{Outcome, Verdict};
use https::{Trust, post, read_ca_file};
use pagerduty::RoutingKey;
use retry::{Attempt, RetryPolicy};
pub use settings::{ChannelSpec, DEFAULT_NOTIFY_ON, Settings};
use sign::Secret;

/// Where the webhook secret is read from; secrets are never flag values.
pub const SECRET_ENV: &str = "DRIFTGUARD_WEBHOOK_SECRET";

/// What happened: a drift result, or the synthetic event of `notify test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Drift(Outcome),
    Test,
}

impl Event {
    /// The `X-DriftGuard-Event` header.
    pub fn name(self) -> &'static str {
        match self {
            Event::Drift(Outcome::Breaking) => "drift.breaking",
            Event::Drift(Outcome::Warning) => "drift.warning",
            Event::Drift(Outcome::Pass) => "drift.pass",
            Event::Test => "test",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Webhook,
    Slack,
    Teams,
    #[serde(rename = "pagerduty")]
    PagerDuty,
    Email,
}

impl ChannelKind {
    fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::PagerDuty => "pagerduty",
            ChannelKind::Email => "email",
        }
    }
}

/// The message of a missing channel, for `notify test` and `--require-delivery`.
const NO_CHANNEL: &str = "no notification channel is configured: pass --webhook URL, --slack URL, \
     --teams URL, --pagerduty or --email-to ADDRESS (or set DRIFTGUARD_SLACK_WEBHOOK_URL or DRIFTGUARD_TEAMS_WEBHOOK_URL, \
     or list channels under notify: in the policy file)";

/// One destination. The URL itself may be a credential (Slack's is), so only
/// `shown`, its redacted form, is ever printed.
#[derive(Debug, Clone)]
pub struct Channel {
    pub kind: ChannelKind,
    url: String,
    pub shown: String,
    /// The webhook's signing secret (none for Slack, or with --allow-unsigned).
    secret: Option<Secret>,
    /// PagerDuty's routing key.
    routing_key: Option<RoutingKey>,
    /// A webhook's body.
    payload: WebhookPayload,
    /// Which drift results this channel is sent.
    on: Vec<NotifyOn>,
    /// The email channel's relay and addresses.
    mailer: Option<email::Mailer>,
}

impl Channel {
    /// An outcome of this channel, before any attempt.
    fn record(&self, event: Event, outcome: DeliveryOutcome) -> Delivery {
        Delivery {
            channel: self.kind.as_str(),
            url: self.shown.clone(),
            event: event.name(),
            outcome,
            status: None,
            attempts: 0,
            error: None,
        }
    }
}

/// At most `limit` characters, ending in `…` when cut: the message limits of
/// Slack, Teams and PagerDuty.
pub(crate) fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out: String = text.chars().take(limit.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Validated channel settings and the HTTP client they share.
pub struct Notifier {
    channels: Vec<Channel>,
    policy: RetryPolicy,
    agent: Agent,
    trust: Trust,
    /// Where the checked database is (no user, no password), for PagerDuty's
    /// `dedup_key` and the Drift Scanner `envId`; see [`pagerduty::location`].
    location: Option<String>,
}

/// The notification settings of `check`.
pub struct CheckNotify {
    pub notifier: Notifier,
    require_delivery: bool,
}

impl CheckNotify {
    /// `None` when no channel is configured.
    pub fn from_args(
        args: &NotifyArgs,
        file: Option<&NotifySetting>,
    ) -> Result<Option<CheckNotify>> {
        let settings = Settings::resolve(
            &args.channels,
            args.notify_on.as_deref(),
            args.require_delivery,
            file,
        )?;
        match Notifier::new(&settings)? {
            Some(notifier) => Ok(Some(CheckNotify {
                notifier,
                require_delivery: settings.require_delivery,
            })),
            None if settings.require_delivery => Err(Error::Config(format!(
                "--require-delivery was given but {NO_CHANNEL}"
            ))),
            None => Ok(None),
        }
    }

    /// Sends the report through every channel whose `on` list holds the result.
    pub fn send(&self, report: &Report) -> Vec<Delivery> {
        self.notifier
            .send(report, Event::Drift(report.verdict.result))
    }

    /// Records where the checked database is, for PagerDuty's `dedup_key`.
    pub fn locate(&mut self, target: &crate::source::Target) {
        self.notifier.location = Some(pagerduty::location(target));
    }

    /// The exit code once notifications are done: unchanged unless a delivery
    /// failed and `--require-delivery` was given.
    pub fn exit_code(&self, deliveries: &[Delivery], drift_code: i32) -> i32 {
        let failed = failures(deliveries);
        if self.require_delivery && failed > 0 {
            crate::say!(
                "driftguard: error: {failed} notification(s) not delivered after all retries and --require-delivery was given"
            );
            code::DELIVERY
        } else {
            drift_code
        }
    }
}

fn failures(deliveries: &[Delivery]) -> usize {
    deliveries
        .iter()
        .filter(|d| d.outcome == DeliveryOutcome::Failed)
        .count()
}

/// `driftguard notify test`: a synthetic info event through every channel;
/// 0 only when all were delivered, else 75.
pub fn send_test(args: &ChannelArgs, file: Option<&NotifySetting>) -> Result<i32> {
    let settings = Settings::resolve(args, None, false, file)?;
    let notifier =
        Notifier::new(&settings)?.ok_or_else(|| Error::Config(NO_CHANNEL.to_string()))?;
    let deliveries = notifier.send(&test_report(), Event::Test);
    Ok(if failures(&deliveries) == 0 {
        code::PASS
    } else {
        code::DELIVERY
    })
}

/// The report of `notify test`: no changes, no database, and an id of its
/// own, so that receivers that de-duplicate by id never drop a test.
fn test_report() -> Report {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Report {
        environment: None,
        baseline: BaselineInfo {
            path: "(notify test)".into(),
            fingerprint: "test".into(),
        },
        current: CurrentInfo {
            engine: "none".into(),
            server_version: String::new(),
            database: "(notify test: no database was checked)".into(),
            fingerprint: format!("test-{nanos}-{}", std::process::id()),
        },
        findings: Vec::new(),
        verdict: Verdict::of(&[]),
        ci: CiContext::detect(),
        created_at: now_rfc3339(),
        deliveries: None,
        accepted: Vec::new(),
        expired: Vec::new(),
        stale: Vec::new(),
        sql: None,
    }
}

impl Notifier {
    /// Validates the channels; `None` when none is configured.
    pub fn new(settings: &Settings) -> Result<Option<Notifier>> {
        let ca_certs = match &settings.ca_cert {
            Some(path) if !settings.channels.is_empty() => Some(read_ca_file(path)?),
            _ => None,
        };
        let mut channels = Vec::new();
        for spec in &settings.channels {
            if let (ChannelKind::Email, Some(email)) = (spec.kind, &spec.email) {
                let mailer = email::Mailer::new(email, &spec.origin, ca_certs.as_deref())?;
                channels.push(Channel {
                    kind: ChannelKind::Email,
                    url: mailer.shown(),
                    shown: mailer.shown(),
                    secret: None,
                    routing_key: None,
                    payload: WebhookPayload::Report,
                    on: spec
                        .on
                        .clone()
                        .unwrap_or_else(|| settings.notify_on.clone()),
                    mailer: Some(mailer),
                });
                continue;
            }
            // Only webhooks are signed; Slack's and Teams' URLs are their own credential.
            let mut routing_key = None;
            let secret = match spec.kind {
                ChannelKind::Slack | ChannelKind::Teams | ChannelKind::Email => None,
                ChannelKind::PagerDuty => {
                    let var = &spec.secret_env;
                    let raw = std::env::var(var)
                        .ok()
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| {
                            Error::Config(format!(
                                "{} needs a routing key but {var} is not set; set {var} to the \
                             Integration Key of the service's Events API v2 integration",
                                spec.origin
                            ))
                        })?;
                    routing_key = Some(RoutingKey::new(&raw, var).map_err(Error::Config)?);
                    None
                }
                ChannelKind::Webhook => {
                    let var = &spec.secret_env;
                    match std::env::var(var).ok().filter(|s| !s.is_empty()) {
                        Some(raw) => Some(Secret::new(&raw, var)?),
                        None if settings.allow_unsigned => None,
                        None => {
                            return Err(Error::Config(format!(
                                "{} is a webhook but {var} is not set, so its requests could not be signed; \
                                 set {var} to the receiver's secret, or pass --allow-unsigned to send unsigned requests",
                                spec.origin
                            )));
                        }
                    }
                }
            };
            let mut channel = channel(spec.kind, &spec.url, &spec.origin)?;
            channel.secret = secret;
            channel.routing_key = routing_key;
            channel.payload = spec.payload;
            channel.on = spec
                .on
                .clone()
                .unwrap_or_else(|| settings.notify_on.clone());
            channels.push(channel);
        }
        if channels.is_empty() {
            return Ok(None);
        }
        if settings.timeout.is_zero() {
            return Err(Error::Config(
                "--notify-timeout must be longer than 0".into(),
            ));
        }
        if settings.deadline.is_zero() {
            return Err(Error::Config(
                "--notify-deadline must be longer than 0".into(),
            ));
        }
        let policy = RetryPolicy {
            delays: settings.retry_delays.clone(),
            attempt_timeout: settings.timeout,
            deadline: settings.deadline,
            retry_after_cap: retry::RETRY_AFTER_CAP,
        };
        let trust = match &settings.ca_cert {
            Some(path) => Trust::File(path.display().to_string()),
            None => Trust::BuiltIn,
        };
        let config = ureq::Agent::config_builder()
            .https_only(true)
            // Statuses are answers to classify, not errors; their bodies carry Slack's reasons.
            .http_status_as_error(false)
            // A redirect could carry a signed payload to a host nobody configured.
            .max_redirects(0)
            .user_agent(format!("driftguard/{}", env!("CARGO_PKG_VERSION")))
            .timeout_global(Some(policy.attempt_timeout))
            .build();
        let agent = Agent::with_parts(
            config,
            https::connector(https::client_config(ca_certs)?),
            ureq::unversioned::resolver::DefaultResolver::default(),
        );
        Ok(Some(Notifier {
            channels,
            policy,
            agent,
            trust,
            location: None,
        }))
    }

    /// Sends through every channel in parallel and returns when all are done;
    /// prints progress and each outcome on stderr.
    pub fn send(&self, report: &Report, event: Event) -> Vec<Delivery> {
        let started = Instant::now();
        let location = self
            .location
            .clone()
            .unwrap_or_else(|| format!("{}:{}", report.current.engine, report.current.database));
        let dedup_key = pagerduty::dedup_key(report.environment.as_deref(), &location);
        let bodies: Vec<Vec<u8>> = self
            .channels
            .iter()
            .map(|c| match (c.kind, &c.routing_key) {
                (ChannelKind::Webhook, _) => match c.payload {
                    WebhookPayload::Report => webhook::body(report),
                    WebhookPayload::DriftScanner => drift_scanner::body(report, &dedup_key),
                },
                (ChannelKind::Slack, _) => slack::body(report, event),
                (ChannelKind::Teams, _) => teams::body(report, event),
                (ChannelKind::PagerDuty, Some(key)) => {
                    pagerduty::body(report, event, key, &dedup_key, &location)
                }
                (ChannelKind::PagerDuty, None) => Vec::new(),
                (ChannelKind::Email, _) => c
                    .mailer
                    .as_ref()
                    .map(|m| m.message(report, event))
                    .unwrap_or_default(),
            })
            .collect();
        std::thread::scope(|scope| {
            let running: Vec<_> = self
                .channels
                .iter()
                .zip(&bodies)
                .map(|(c, body)| {
                    (
                        c,
                        scope.spawn(move || self.deliver(c, report, event, body, started)),
                    )
                })
                .collect();
            running
                .into_iter()
                .map(|(c, handle)| {
                    handle.join().unwrap_or_else(|_| {
                        let mut failed = c.record(event, DeliveryOutcome::Failed);
                        failed.error = Some("internal error: the delivery thread panicked".into());
                        failed
                    })
                })
                .collect()
        })
    }

    fn deliver(
        &self,
        channel: &Channel,
        report: &Report,
        event: Event,
        body: &[u8],
        started: Instant,
    ) -> Delivery {
        let label = format!(
            "driftguard: notify: {} {}",
            channel.kind.as_str(),
            channel.shown
        );
        if let Event::Drift(result) = event {
            let wanted = match result {
                Outcome::Breaking => NotifyOn::Breaking,
                Outcome::Warning => NotifyOn::Warning,
                Outcome::Pass => NotifyOn::Pass,
            };
            // A pass always resolves PagerDuty's incident, whatever the `on` list says:
            // otherwise an incident opened by drift would never close itself.
            let resolves = channel.kind == ChannelKind::PagerDuty && result == Outcome::Pass;
            if !channel.on.contains(&wanted) && !resolves {
                crate::say!(
                    "{label}: skipped (result {} is not in its notify-on list)",
                    result.as_str()
                );
                return channel.record(event, DeliveryOutcome::Skipped);
            }
        }
        let id = report.id();
        let attempt = |timeout: Duration| {
            if let Some(mailer) = &channel.mailer {
                return mailer.send(body, timeout);
            }
            let headers = match channel.kind {
                ChannelKind::Webhook => webhook::headers(channel.secret.as_ref(), &id, event, body),
                ChannelKind::Slack
                | ChannelKind::Teams
                | ChannelKind::PagerDuty
                | ChannelKind::Email => {
                    vec![("Content-Type", "application/json".to_string())]
                }
            };
            scrub(
                post(
                    &self.agent,
                    &self.trust,
                    &channel.url,
                    &headers,
                    body,
                    timeout,
                ),
                channel,
            )
        };
        let done = retry::deliver_with_retries(&self.policy, started, attempt, |line| {
            crate::say!("{label}: {line}");
        });
        let plural = if done.attempts == 1 { "" } else { "s" };
        let protocol = if channel.kind == ChannelKind::Email {
            "SMTP"
        } else {
            "HTTP"
        };
        match done.last {
            Attempt::Delivered { status } => {
                crate::say!(
                    "{label}: delivered ({protocol} {status}, {} attempt{plural})",
                    done.attempts
                );
                Delivery {
                    status: Some(status),
                    attempts: done.attempts,
                    ..channel.record(event, DeliveryOutcome::Delivered)
                }
            }
            Attempt::Failed(f) => {
                crate::say!(
                    "{label}: FAILED after {} attempt{plural}: {}",
                    done.attempts,
                    f.reason
                );
                Delivery {
                    status: f.status,
                    attempts: done.attempts,
                    error: Some(f.reason),
                    ..channel.record(event, DeliveryOutcome::Failed)
                }
            }
        }
    }
}

fn channel(kind: ChannelKind, url: &str, flag: &str) -> Result<Channel> {
    let keep = match kind {
        // Teams Workflows URLs carry their signature (`sig=`) in the query;
        // an email channel is never built from a URL.
        ChannelKind::Webhook | ChannelKind::Teams | ChannelKind::Email => 0,
        // Slack's URLs are https://hooks.slack.com/services/T…/B…/secret.
        ChannelKind::Slack => 1,
        // The Events API URL holds no secret (the key is in the body).
        ChannelKind::PagerDuty => 2,
    };
    let shown = redact(url, keep);
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::Config(format!(
            "{flag} {shown}: the URL contains a space or a control character (a stray newline \
             from a secret?); expected https://host/path"
        )));
    }
    let uri: Uri = url.parse().map_err(|_| {
        Error::Config(format!(
            "{flag} {shown}: not a valid URL; expected https://host/path"
        ))
    })?;
    match uri.scheme_str() {
        Some("https") => {}
        Some(other) => {
            return Err(Error::Config(format!(
                "{flag} {shown}: only https:// URLs are accepted, not {other}://; \
                 notifications carry schema details and signatures, so they are never sent in clear text"
            )));
        }
        None => {
            return Err(Error::Config(format!(
                "{flag} {shown}: not an absolute URL; expected https://host/path"
            )));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(Error::Config(format!(
            "{flag} {shown}: the URL has no host; expected https://host/path"
        )));
    }
    // The HTTP client would silently connect to 443 for a port it cannot use.
    if let Some(port) = port_text(&uri)
        && !port.is_empty()
        && !(port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)))
    {
        return Err(Error::Config(format!(
            "{flag} {shown}: the port is not a number from 1 to 65535"
        )));
    }
    Ok(Channel {
        kind,
        url: url.to_string(),
        shown,
        secret: None,
        routing_key: None,
        payload: WebhookPayload::Report,
        on: DEFAULT_NOTIFY_ON.to_vec(),
        mailer: None,
    })
}

/// The port as written in the URL (`Uri::port` hides one that does not fit
/// in 16 bits).
fn port_text(uri: &Uri) -> Option<&str> {
    let authority = uri.authority()?.as_str();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match host_port.rsplit_once(']') {
        Some((_, after)) => after.strip_prefix(':'),
        None => host_port.rsplit_once(':').map(|(_, p)| p),
    }
}

/// The URL with everything after the host (and the first `keep_segments`
/// path segments) replaced by `***`, and without user information.
pub fn redact(url: &str, keep_segments: usize) -> String {
    let Ok(uri) = url.parse::<Uri>() else {
        return "<unparsable URL>".into();
    };
    let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
        return "<unparsable URL>".into();
    };
    let mut shown = format!("{scheme}://{host}");
    if let Some(port) = port_text(&uri).filter(|p| !p.is_empty()) {
        shown.push(':');
        shown.push_str(port);
    }
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    for segment in segments.iter().take(keep_segments) {
        shown.push('/');
        shown.push_str(segment);
    }
    if segments.len() > keep_segments || uri.query().is_some() {
        shown.push_str("/***");
    } else {
        shown.push('/');
    }
    shown
}

/// Makes sure that no part of a channel's URL survives in a message, whatever
/// the HTTP client or the server put in it, and that what the server put in
/// it (its error reply) is printable: the reason is escaped here, once, with
/// [`crate::escape::terminal`], for standard error and the JSON `deliveries`.
fn scrub(attempt: Attempt, channel: &Channel) -> Attempt {
    match attempt {
        Attempt::Failed(mut f) => {
            if let Ok(uri) = channel.url.parse::<Uri>() {
                let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
                f.reason = f.reason.replace(&channel.url, &channel.shown);
                if path.len() > 1 {
                    f.reason = f.reason.replace(path, "/***");
                }
            }
            f.reason = crate::escape::terminal(&f.reason);
            Attempt::Failed(f)
        }
        delivered => delivered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_scheme_and_host_only() {
        assert_eq!(
            redact("https://hooks.slack.com/services/T000/B000/XXXXXXXX", 1),
            "https://hooks.slack.com/services/***"
        );
        assert_eq!(
            redact("https://user:pw@example.com:8443/hook/abc?token=t", 0),
            "https://example.com:8443/***"
        );
        assert_eq!(
            redact("https://example.com/?t=1", 0),
            "https://example.com/***"
        );
        assert_eq!(redact("https://example.com", 0), "https://example.com/");
        assert_eq!(redact("not a url", 0), "<unparsable URL>");
        assert_eq!(
            redact("https://hooks.slack.com/services", 1),
            "https://hooks.slack.com/services/"
        );
        assert_eq!(
            redact("https://example.com//a//b", 1),
            "https://example.com/a/***"
        );
        assert_eq!(redact("/relative/path", 0), "<unparsable URL>");
    }

    #[test]
    fn notification_urls_are_validated_in_full() {
        for good in [
            "https://h/x",
            "https://h:1/x",
            "https://h:65535/x",
            "https://[::1]:8443/x",
            "https://127.0.0.1:/x",
            "https://hooks.slack.com/services/T/B/x",
        ] {
            assert!(
                channel(ChannelKind::Webhook, good, "--webhook").is_ok(),
                "{good}"
            );
        }
        for (bad, why) in [
            ("https://127.0.0.1:99999/x", "port"),
            ("https://h:0/x", "port"),
            ("https://h:65536/x", "port"),
            ("https://[::1]:70000/x", "port"),
            ("https://h:-1/x", "port"),
            ("https://h:1x/x", "port"),
            ("https://h/x y", "space or a control character"),
            ("https://h/x\n", "space or a control character"),
            ("https://h/\u{1b}[31m", "space or a control character"),
            (" https://h/x", "space or a control character"),
            ("http://h/x", "only https://"),
            ("ftp://h/x", "only https://"),
            ("https:///x", "not a valid URL"),
            ("h/x", "not a valid URL"),
            ("/x", "absolute"),
        ] {
            match channel(ChannelKind::Slack, bad, "--slack") {
                Err(e @ Error::Config(_)) => {
                    let message = e.to_string();
                    assert!(message.contains(why), "{bad}: {message}");
                    assert_eq!(e.exit_code(), 78);
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
