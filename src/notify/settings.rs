//! Notification settings: the flags over the policy file's `notify:` section
//! over the defaults, merged into one [`Settings`] before anything is sent.

use std::time::Duration;

use super::email::{self, EmailSpec, SmtpTls};
use super::retry::parse_duration;
use super::{ChannelKind, SECRET_ENV, pagerduty};
use crate::cli::{ChannelArgs, NotifyOn, WebhookPayload};
use crate::config::NotifySetting;
use crate::error::{Error, Result};

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
    /// The email channel's settings.
    pub email: Option<EmailSpec>,
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
                email: None,
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
                email: None,
            });
        }
        // Slack and Teams: one URL each, the flag's (or its variable's) over the file's.
        let url_channels = [
            (
                ChannelKind::Slack,
                args.slack.as_deref(),
                &file.slack,
                "slack",
                "DRIFTGUARD_SLACK_WEBHOOK_URL",
            ),
            (
                ChannelKind::Teams,
                args.teams.as_deref(),
                &file.teams,
                "teams",
                "DRIFTGUARD_TEAMS_WEBHOOK_URL",
            ),
        ];
        for (kind, flag, setting, key, var) in url_channels {
            let chosen = match (flag.filter(|u| !u.is_empty()), setting) {
                (Some(url), _) => Some((url.to_string(), format!("--{key} (or {var})"), None)),
                (None, Some(s)) => Some((
                    s.url.clone(),
                    format!("notify.{key}"),
                    s.on.as_deref()
                        .map(|l| on_list(&format!("notify.{key}.on"), l))
                        .transpose()?,
                )),
                (None, None) => None,
            };
            if let Some((url, origin, on)) = chosen {
                channels.push(ChannelSpec {
                    kind,
                    url,
                    origin,
                    secret_env: String::new(),
                    on,
                    payload: WebhookPayload::Report,
                    email: None,
                });
            }
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
                email: None,
            });
        }
        let email_file = file.email.as_ref();
        if !args.email_to.is_empty() || email_file.is_some() {
            let from_flag = !args.email_to.is_empty();
            let tls = match (args.smtp_tls, email_file.and_then(|e| e.tls.as_deref())) {
                (Some(t), _) => t,
                (None, Some(text)) => {
                    <SmtpTls as clap::ValueEnum>::from_str(text, true).map_err(|_| {
                        Error::Config(format!(
                            "notify.email.tls: unknown mode `{text}`; use starttls, implicit or none"
                        ))
                    })?
                }
                (None, None) => SmtpTls::Starttls,
            };
            let spec = EmailSpec {
                server: args
                    .smtp_server
                    .clone()
                    .or_else(|| email_file.and_then(|e| e.server.clone()))
                    .ok_or_else(|| {
                        Error::Config(
                            "email needs an SMTP relay: pass --smtp-server HOST[:PORT] \
                             (or DRIFTGUARD_SMTP_SERVER, or notify.email.server)"
                                .into(),
                        )
                    })?,
                tls,
                user: args
                    .smtp_user
                    .clone()
                    .or_else(|| email_file.and_then(|e| e.user.clone()))
                    .filter(|u| !u.is_empty()),
                password_env: email_file
                    .and_then(|e| e.password_env.clone())
                    .unwrap_or_else(|| email::PASSWORD_ENV.into()),
                from: args
                    .email_from
                    .clone()
                    .or_else(|| email_file.and_then(|e| e.from.clone()))
                    .unwrap_or_default(),
                to: if from_flag {
                    args.email_to.clone()
                } else {
                    email_file.and_then(|e| e.to.clone()).unwrap_or_default()
                },
            };
            channels.push(ChannelSpec {
                kind: ChannelKind::Email,
                url: String::new(),
                origin: if from_flag {
                    "--email-to"
                } else {
                    "notify.email"
                }
                .to_string(),
                secret_env: spec.password_env.clone(),
                on: email_file
                    .and_then(|e| e.on.as_deref())
                    .map(|l| on_list("notify.email.on", l))
                    .transpose()?,
                payload: WebhookPayload::Report,
                email: Some(spec),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::notify::Notifier;
    use crate::notify::retry::RetryPolicy;
    use clap::Parser;

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
