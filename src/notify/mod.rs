//! Notifications: signed JSON webhooks and Slack messages, sent
//! synchronously, in parallel, with retries, before the process exits.
//!
//! Everything a user can get wrong is checked by [`Notifier::from_args`]
//! before any database work: plain-HTTP URLs, a webhook without a secret, an
//! unreadable CA file. Delivery never fails the command by itself; the caller
//! records the [`Delivery`] outcomes and only `--require-delivery` turns a
//! failure into exit 75.

pub mod drift_scanner;
pub mod https;
pub mod pagerduty;
pub mod retry;
pub mod sign;
pub mod slack;
pub mod teams;
pub mod webhook;

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use serde::Serialize;
use ureq::Agent;
use ureq::http::Uri;
use ureq::tls::PemItem;

use crate::cli::{ChannelArgs, NotifyArgs, NotifyOn, WebhookPayload};
use crate::config::NotifySetting;
use crate::error::{Error, Result, code};
use crate::report::{BaselineInfo, CiContext, CurrentInfo, Report, now_rfc3339};
pub use crate::report::{Delivery, DeliveryOutcome};
use crate::rules::{Outcome, Verdict};
use pagerduty::RoutingKey;
use retry::{Attempt, Failure, RetryPolicy, parse_duration};
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
}

impl ChannelKind {
    fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::PagerDuty => "pagerduty",
        }
    }
}

/// The message of a missing channel, for `notify test` and `--require-delivery`.
const NO_CHANNEL: &str = "no notification channel is configured: pass --webhook URL, --slack URL, \
     --teams URL or --pagerduty (or set DRIFTGUARD_SLACK_WEBHOOK_URL or DRIFTGUARD_TEAMS_WEBHOOK_URL, \
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

/// Which certificates the client trusts, for the advice of a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Trust {
    BuiltIn,
    /// The `--ca-cert` file, as given.
    File(String),
}

/// A channel as configured, before validation.
#[derive(Debug, Clone)]
pub struct ChannelSpec {
    pub kind: ChannelKind,
    pub url: String,
    /// Where it was configured, for messages (`--webhook`, `notify.webhooks[1]`).
    pub origin: String,
    /// The environment variable holding a webhook's secret or PagerDuty's routing key.
    pub secret_env: String,
    pub on: Option<Vec<NotifyOn>>,
    pub payload: WebhookPayload,
}

/// Notification settings: flags over the policy file over the defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    pub channels: Vec<ChannelSpec>,
    pub retry_delays: Vec<Duration>,
    pub timeout: Duration,
    pub deadline: Duration,
    pub ca_cert: Option<std::path::PathBuf>,
    pub allow_unsigned: bool,
    pub notify_on: Vec<NotifyOn>,
    pub require_delivery: bool,
}

pub const DEFAULT_RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(5), Duration::from_secs(25)];
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The worst case of the default schedule: 3 × 10 s attempts + 5 s + 25 s waits.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
pub const DEFAULT_NOTIFY_ON: [NotifyOn; 2] = [NotifyOn::Breaking, NotifyOn::Warning];

impl Settings {
    /// Merges the flags with the policy file's `notify:` section. Channels add
    /// up (flags and file); every other setting is taken from the flag when
    /// given, else the file, else the default.
    pub fn resolve(
        args: &ChannelArgs,
        notify_on: Option<&[NotifyOn]>,
        require_delivery: bool,
        file: Option<&NotifySetting>,
    ) -> Result<Settings> {
        let empty = NotifySetting::default();
        let file = file.unwrap_or(&empty);
        let duration = |key: &str, text: &str| {
            parse_duration(text).map_err(|e| Error::Config(format!("notify.{key}: {e}")))
        };
        let on_list = |key: &str, list: &[String]| -> Result<Vec<NotifyOn>> {
            list.iter()
                .map(|v| {
                    <NotifyOn as clap::ValueEnum>::from_str(v, true).map_err(|_| {
                        Error::Config(format!(
                            "{key}: unknown result `{v}`; use breaking, warning or pass"
                        ))
                    })
                })
                .collect()
        };
        let payload = |key: &str, text: &str| {
            <WebhookPayload as clap::ValueEnum>::from_str(text, true).map_err(|_| {
                Error::Config(format!(
                    "{key}: unknown payload `{text}`; use report or drift-scanner"
                ))
            })
        };
        let mut channels = Vec::new();
        for url in &args.webhooks {
            channels.push(ChannelSpec {
                kind: ChannelKind::Webhook,
                url: url.clone(),
                origin: "--webhook".into(),
                secret_env: SECRET_ENV.into(),
                on: None,
                payload: args.webhook_payload.unwrap_or(WebhookPayload::Report),
            });
        }
        for (i, w) in file.webhooks.iter().flatten().enumerate() {
            channels.push(ChannelSpec {
                kind: ChannelKind::Webhook,
                url: w.url.clone(),
                origin: format!("notify.webhooks[{i}]"),
                secret_env: w.secret_env.clone().unwrap_or_else(|| SECRET_ENV.into()),
                on: w
                    .on
                    .as_deref()
                    .map(|l| on_list(&format!("notify.webhooks[{i}].on"), l))
                    .transpose()?,
                payload: match &w.payload {
                    Some(p) => payload(&format!("notify.webhooks[{i}].payload"), p)?,
                    None => WebhookPayload::Report,
                },
            });
        }
        let slack = match (args.slack.as_deref().filter(|u| !u.is_empty()), &file.slack) {
            (Some(url), _) => Some((
                url.to_string(),
                "--slack (or DRIFTGUARD_SLACK_WEBHOOK_URL)".to_string(),
                None,
            )),
            (None, Some(s)) => Some((
                s.url.clone(),
                "notify.slack".to_string(),
                s.on.as_deref()
                    .map(|l| on_list("notify.slack.on", l))
                    .transpose()?,
            )),
            (None, None) => None,
        };
        if let Some((url, origin, on)) = slack {
            channels.push(ChannelSpec {
                kind: ChannelKind::Slack,
                url,
                origin,
                secret_env: String::new(),
                on,
                payload: WebhookPayload::Report,
            });
        }
        let teams = match (args.teams.as_deref().filter(|u| !u.is_empty()), &file.teams) {
            (Some(url), _) => Some((
                url.to_string(),
                "--teams (or DRIFTGUARD_TEAMS_WEBHOOK_URL)".to_string(),
                None,
            )),
            (None, Some(s)) => Some((
                s.url.clone(),
                "notify.teams".to_string(),
                s.on.as_deref()
                    .map(|l| on_list("notify.teams.on", l))
                    .transpose()?,
            )),
            (None, None) => None,
        };
        if let Some((url, origin, on)) = teams {
            channels.push(ChannelSpec {
                kind: ChannelKind::Teams,
                url,
                origin,
                secret_env: String::new(),
                on,
                payload: WebhookPayload::Report,
            });
        }
        let pd_file = file.pagerduty.as_ref();
        if args.pagerduty || args.pagerduty_events_url.is_some() || pd_file.is_some() {
            let from_flag = args.pagerduty || args.pagerduty_events_url.is_some();
            channels.push(ChannelSpec {
                kind: ChannelKind::PagerDuty,
                url: args
                    .pagerduty_events_url
                    .clone()
                    .or_else(|| pd_file.and_then(|p| p.events_url.clone()))
                    .unwrap_or_else(|| pagerduty::EVENTS_URL.to_string()),
                origin: if from_flag {
                    "--pagerduty"
                } else {
                    "notify.pagerduty"
                }
                .to_string(),
                secret_env: pd_file
                    .and_then(|p| p.routing_key_env.clone())
                    .unwrap_or_else(|| pagerduty::ROUTING_KEY_ENV.into()),
                on: pd_file
                    .and_then(|p| p.on.as_deref())
                    .map(|l| on_list("notify.pagerduty.on", l))
                    .transpose()?,
                payload: WebhookPayload::Report,
            });
        }
        let retry_delays = match (&args.retry_delays, &file.retry_delays) {
            (Some(d), _) => d.clone(),
            (None, Some(list)) => list
                .iter()
                .map(|t| duration("retry_delays", t))
                .collect::<Result<_>>()?,
            (None, None) => DEFAULT_RETRY_DELAYS.to_vec(),
        };
        let timeout = match (args.notify_timeout, &file.timeout) {
            (Some(d), _) => d,
            (None, Some(t)) => duration("timeout", t)?,
            (None, None) => DEFAULT_TIMEOUT,
        };
        let deadline = match (args.notify_deadline, &file.deadline) {
            (Some(d), _) => d,
            (None, Some(t)) => duration("deadline", t)?,
            (None, None) => DEFAULT_DEADLINE,
        };
        let notify_on = match (notify_on, &file.on) {
            (Some(on), _) => on.to_vec(),
            (None, Some(list)) => on_list("notify.on", list)?,
            (None, None) => DEFAULT_NOTIFY_ON.to_vec(),
        };
        Ok(Settings {
            channels,
            retry_delays,
            timeout,
            deadline,
            ca_cert: args
                .ca_cert
                .clone()
                .or_else(|| file.ca_cert.as_ref().map(Into::into)),
            allow_unsigned: args.allow_unsigned || file.allow_unsigned.unwrap_or(false),
            notify_on,
            require_delivery: require_delivery || file.require_delivery.unwrap_or(false),
        })
    }
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
    }
}

impl Notifier {
    /// Validates the channels; `None` when none is configured.
    pub fn new(settings: &Settings) -> Result<Option<Notifier>> {
        let mut channels = Vec::new();
        for spec in &settings.channels {
            // Only webhooks are signed; Slack's and Teams' URLs are their own credential.
            let mut routing_key = None;
            let secret = match spec.kind {
                ChannelKind::Slack | ChannelKind::Teams => None,
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
        let ca_certs = match &settings.ca_cert {
            Some(path) => Some(read_ca_file(path)?),
            None => None,
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
            let headers = match channel.kind {
                ChannelKind::Webhook => webhook::headers(channel.secret.as_ref(), &id, event, body),
                ChannelKind::Slack | ChannelKind::Teams | ChannelKind::PagerDuty => {
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
        match done.last {
            Attempt::Delivered { status } => {
                crate::say!(
                    "{label}: delivered (HTTP {status}, {} attempt{plural})",
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
        // Teams Workflows URLs carry their signature (`sig=`) in the query.
        ChannelKind::Webhook | ChannelKind::Teams => 0,
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

fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let shown = path.display();
    let pem = crate::input::read(path, crate::input::MAX_PEM_BYTES).map_err(|e| {
        if matches!(e, crate::input::InputError::Missing) {
            Error::NoInput(format!("--ca-cert {shown}: no such file"))
        } else {
            Error::Config(format!("--ca-cert {shown}: cannot read it: {e}"))
        }
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(CertificateDer::from(cert.der().to_vec())),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::Config(format!(
                    "--ca-cert {shown}: not a valid PEM file: {e}"
                )));
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "--ca-cert {shown}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
        )));
    }
    Ok(certs)
}

/// One HTTPS POST, classified: delivered, or why not and whether to retry.
fn post(
    agent: &Agent,
    trust: &Trust,
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
    timeout: Duration,
) -> Attempt {
    let mut request = agent
        .post(url)
        .config()
        .timeout_global(Some(timeout))
        .build();
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    match request.send(body) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let mut text = Vec::new();
            // The answer only explains a failure; a few hundred bytes are plenty,
            // and a broken body must not turn a delivered status into a failure.
            let _ = response
                .body_mut()
                .as_reader()
                .take(1024)
                .read_to_end(&mut text);
            classify_status(status, retry_after, &String::from_utf8_lossy(&text))
        }
        Err(e) => classify_error(e, timeout, trust),
    }
}

fn classify_status(status: u16, retry_after: Option<Duration>, body: &str) -> Attempt {
    if (200..300).contains(&status) {
        return Attempt::Delivered { status };
    }
    let body: String = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    let mut reason = format!("HTTP {status}");
    if (300..400).contains(&status) {
        reason.push_str(
            " redirect, not followed (driftguard never follows redirects; configure the final URL)",
        );
    } else if !body.is_empty() {
        reason.push_str(": ");
        reason.push_str(&body);
    }
    let retryable = matches!(status, 408 | 429) || (500..600).contains(&status);
    Attempt::Failed(Failure {
        status: Some(status),
        reason,
        retryable,
        retry_after: retry_after.filter(|_| matches!(status, 429 | 503)),
    })
}

fn classify_error(error: ureq::Error, timeout: Duration, trust: &Trust) -> Attempt {
    let (reason, retryable) = match &error {
        ureq::Error::Timeout(_) => (format!("no answer within {}", retry::human(timeout)), true),
        ureq::Error::Io(io) => match io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => match crate::tls::refusal(tls) {
                Some(refusal) => {
                    let advice = match trust {
                        Trust::BuiltIn => refusal.advice("--ca-cert FILE", false),
                        Trust::File(path) => refusal.advice(&format!("--ca-cert {path}"), true),
                    };
                    (
                        format!(
                            "TLS certificate rejected: {} (not retried; {advice})",
                            refusal.reason()
                        ),
                        false,
                    )
                }
                None if matches!(
                    tls,
                    rustls::Error::NoCertificatesPresented
                        | rustls::Error::InvalidCertRevocationList(_)
                ) =>
                {
                    (
                        format!(
                            "TLS certificate rejected: {} (not retried)",
                            crate::tls::describe(tls)
                        ),
                        false,
                    )
                }
                None => (crate::tls::describe(tls), true),
            },
            None => (format!("connection failed: {io}"), true),
        },
        ureq::Error::HostNotFound => ("host not found (DNS)".to_string(), true),
        ureq::Error::ConnectionFailed => ("connection failed".to_string(), true),
        ureq::Error::Protocol(e) => (format!("bad HTTP answer: {e}"), true),
        ureq::Error::Tls(e) => (format!("TLS error: {e}"), false),
        ureq::Error::Rustls(e) => (format!("TLS error: {e}"), false),
        other => (other.to_string(), false),
    };
    Attempt::Failed(Failure {
        status: None,
        reason,
        retryable,
        retry_after: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

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

    #[test]
    fn statuses() {
        let failed = |s| match classify_status(s, Some(Duration::from_secs(3)), "no_service") {
            Attempt::Failed(f) => f,
            Attempt::Delivered { .. } => panic!("{s} delivered"),
        };
        assert_eq!(
            classify_status(204, None, ""),
            Attempt::Delivered { status: 204 }
        );
        for s in [408, 429, 500, 502, 503] {
            assert!(failed(s).retryable, "{s}");
        }
        for s in [301, 302, 400, 401, 403, 404, 410] {
            assert!(!failed(s).retryable, "{s}");
        }
        assert_eq!(failed(404).reason, "HTTP 404: no_service");
    }

    #[test]
    fn transport_errors_are_retried_except_certificate_rejections() {
        let failed = |e| match classify_error(e, Duration::from_secs(7), &Trust::BuiltIn) {
            Attempt::Failed(f) => (f.retryable, f.reason, f.status),
            Attempt::Delivered { .. } => panic!("delivered"),
        };
        assert_eq!(
            failed(ureq::Error::HostNotFound),
            (true, "host not found (DNS)".to_string(), None)
        );
        assert!(failed(ureq::Error::ConnectionFailed).0);
        let (retryable, reason, _) = failed(ureq::Error::Timeout(ureq::Timeout::Global));
        assert!(retryable);
        assert_eq!(reason, "no answer within 7s");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let (retryable, reason, _) = failed(ureq::Error::Io(refused));
        assert!(
            retryable && reason.starts_with("connection failed: "),
            "{reason}"
        );
        let certificate =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let (retryable, reason, _) = failed(ureq::Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            certificate,
        )));
        assert!(!retryable, "{reason}");
        assert!(reason.contains("--ca-cert"), "{reason}");
        let handshake = rustls::Error::HandshakeNotComplete;
        let (retryable, reason, _) = failed(ureq::Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            handshake,
        )));
        assert!(retryable && reason.starts_with("TLS error: "), "{reason}");
    }

    #[test]
    fn retry_after_is_honoured_on_429_and_503_only() {
        let retry_after = |s| match classify_status(s, Some(Duration::from_secs(3)), "") {
            Attempt::Failed(f) => f.retry_after,
            Attempt::Delivered { .. } => panic!("{s} delivered"),
        };
        assert_eq!(retry_after(429), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(503), Some(Duration::from_secs(3)));
        for s in [408, 500, 502, 504, 400] {
            assert_eq!(retry_after(s), None, "{s}");
        }
    }

    #[test]
    fn the_default_schedule_comes_from_the_flags() {
        let cli = Cli::try_parse_from([
            "driftguard",
            "check",
            "--baseline",
            "b.json",
            "--webhook",
            "https://example.com/hook",
            "--allow-unsigned",
        ])
        .unwrap();
        let Command::Check(args) = cli.command else {
            panic!("not check")
        };
        let settings = Settings::resolve(
            &args.notify.channels,
            args.notify.notify_on.as_deref(),
            args.notify.require_delivery,
            None,
        )
        .unwrap();
        assert_eq!(
            settings.notify_on,
            vec![NotifyOn::Breaking, NotifyOn::Warning]
        );
        assert!(!settings.require_delivery);
        let notifier = Notifier::new(&settings).unwrap().unwrap();
        assert_eq!(
            notifier.policy,
            RetryPolicy {
                delays: vec![Duration::from_secs(5), Duration::from_secs(25)],
                attempt_timeout: Duration::from_secs(10),
                deadline: Duration::from_secs(60),
                retry_after_cap: Duration::from_secs(60),
            }
        );
        assert_eq!(notifier.policy.attempts(), 3);
    }

    #[test]
    fn the_policy_file_sets_what_the_flags_leave_open() {
        let file: crate::config::NotifySetting = serde_yaml::from_str(
            "on: [pass]\nretry_delays: [1s]\ntimeout: 3s\nwebhooks:\n  - url: https://a.example/x\n    secret_env: A_SECRET\n    on: [breaking]\nslack:\n  url: https://hooks.slack.com/services/T/B/x\n",
        )
        .unwrap();
        let cli = Cli::try_parse_from(["driftguard", "check", "--notify-timeout", "7s"]).unwrap();
        let Command::Check(args) = cli.command else {
            panic!("not check")
        };
        let s = Settings::resolve(&args.notify.channels, None, false, Some(&file)).unwrap();
        assert_eq!(s.retry_delays, vec![Duration::from_secs(1)]);
        assert_eq!(s.timeout, Duration::from_secs(7), "the flag wins");
        assert_eq!(s.deadline, DEFAULT_DEADLINE);
        assert_eq!(s.notify_on, vec![NotifyOn::Pass]);
        assert_eq!(s.channels.len(), 2);
        assert_eq!(s.channels[0].secret_env, "A_SECRET");
        assert_eq!(s.channels[0].on, Some(vec![NotifyOn::Breaking]));
        assert_eq!(s.channels[1].kind, ChannelKind::Slack);
        // The webhook's own secret variable is required.
        let err = Notifier::new(&s).err().unwrap().to_string();
        assert!(
            err.contains("notify.webhooks[0]") && err.contains("A_SECRET"),
            "{err}"
        );
    }
}
