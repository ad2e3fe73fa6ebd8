//! Email over SMTP: one message per check, a plain-text and an HTML part,
//! sent through a relay with STARTTLS (the default, port 587) or implicit TLS
//! (port 465), through rustls. Plain SMTP is accepted only to a loopback
//! address and never with a password.
//!
//! The `Message-ID` is derived from the report id, so every retry of one
//! message, and every re-run that finds the same drift, carries the same id;
//! `References` names one thread per environment and database, so mail
//! clients group the messages of one database together.
//!
//! Replies are classified as SMTP defines them: a 4xx reply and a broken or
//! timed-out connection are retried on the schedule, a 5xx reply (a refused
//! sender or recipient, failed authentication) is not.

pub mod message;

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use rustls::pki_types::CertificateDer;
use sha2::{Digest, Sha256};

use super::Event;
use super::retry::{self, Attempt, Failure};
use crate::error::{Error, Result};
use crate::report::Report;

/// Where the SMTP password is read from; secrets are never flag values.
pub const PASSWORD_ENV: &str = "DRIFTGUARD_SMTP_PASSWORD";

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    Starttls,
    /// TLS from the first byte, "SMTPS" (port 465).
    Implicit,
    /// No encryption: only to localhost (127.0.0.1, ::1), never with a password (port 25).
    None,
}

impl SmtpTls {
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::Starttls => 587,
            SmtpTls::Implicit => 465,
            SmtpTls::None => 25,
        }
    }

    fn scheme(self) -> &'static str {
        match self {
            SmtpTls::Implicit => "smtps",
            SmtpTls::Starttls | SmtpTls::None => "smtp",
        }
    }
}

/// The email channel as configured, before validation.
#[derive(Debug, Clone)]
pub struct EmailSpec {
    /// `host` or `host:port` (`[::1]:25` for IPv6).
    pub server: String,
    pub tls: SmtpTls,
    pub user: Option<String>,
    /// The environment variable that holds the password.
    pub password_env: String,
    pub from: String,
    pub to: Vec<String>,
}

/// A validated email channel: the relay, the TLS settings, the credentials
/// and the addresses.
#[derive(Clone)]
pub struct Mailer {
    host: String,
    port: u16,
    tls: SmtpTls,
    tls_parameters: Option<TlsParameters>,
    credentials: Option<Credentials>,
    /// The password, to scrub from any message a server echoes.
    password: Option<String>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.shown())
            .field("credentials", &self.credentials.as_ref().map(|_| "***"))
            .field("to", &self.to.len())
            .finish()
    }
}

/// `host` and the port, from `host`, `host:port`, `[v6]` or `[v6]:port`.
pub fn split_server(server: &str, default_port: u16) -> std::result::Result<(String, u16), String> {
    let bad_port = || format!("the port of {server} is not a number from 1 to 65535");
    let (host, port) =
        if let Some(rest) = server.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("{server}: an IPv6 address needs a closing ]"))?;
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(after.strip_prefix(':').ok_or_else(|| {
                        format!("{server}: expected :PORT after the IPv6 address")
                    })?),
                ),
            }
        } else {
            match server.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') => (host, Some(port)),
                Some(_) => {
                    return Err(format!(
                        "{server}: write an IPv6 address in brackets, e.g. [::1]:25"
                    ));
                }
                None => (server, None),
            }
        };
    if host.is_empty() {
        return Err(format!("{server}: no host name"));
    }
    let port = match port {
        None => default_port,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => match p.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err(bad_port()),
        },
        Some(_) => return Err(bad_port()),
    };
    Ok((host.to_string(), port))
}

/// Whether a host is this machine: `localhost` or a loopback address.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Mailer {
    /// Validates the settings: the server, TLS mode, addresses and password.
    /// `ca_certs` are the `--ca-cert` certificates, trusted instead of the
    /// built-in roots.
    pub fn new(
        spec: &EmailSpec,
        origin: &str,
        ca_certs: Option<&[CertificateDer<'static>]>,
    ) -> Result<Mailer> {
        let config = |m: String| Error::Config(format!("{origin}: {m}"));
        if spec
            .server
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(config(
                "the SMTP server contains a space or a control character; expected HOST or HOST:PORT"
                    .into(),
            ));
        }
        let (host, port) = split_server(&spec.server, spec.tls.default_port()).map_err(config)?;
        let address = |role: &str, text: &str| -> Result<Mailbox> {
            text.trim().parse::<Mailbox>().map_err(|e| {
                config(format!(
                    "the {role} address `{}` is not an email address ({e}); expected name@example.com or \"Name <name@example.com>\"",
                    crate::escape::terminal(text)
                ))
            })
        };
        if spec.from.trim().is_empty() {
            return Err(config(
                "no sender: pass --email-from or set from: (the relay must accept it as a sender)"
                    .into(),
            ));
        }
        let from = address("From", &spec.from)?;
        if spec.to.is_empty() {
            return Err(config(
                "no recipient: pass --email-to or list to: addresses".into(),
            ));
        }
        let to = spec
            .to
            .iter()
            .map(|t| address("To", t))
            .collect::<Result<Vec<_>>>()?;
        let var = &spec.password_env;
        let password = std::env::var(var).ok().filter(|p| !p.is_empty());
        let credentials = match (&spec.user, &password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.clone())),
            (Some(_), None) => {
                return Err(config(format!(
                    "--smtp-user is set but {var} is not; set {var} to the SMTP password (or API key)"
                )));
            }
            (None, Some(_)) => {
                return Err(config(format!(
                    "{var} is set but no user name is; pass --smtp-user (or user:) for AUTH"
                )));
            }
            (None, None) => None,
        };
        if spec.tls == SmtpTls::None {
            if !is_loopback(&host) {
                return Err(config(format!(
                    "--smtp-tls none sends email in clear text, which is allowed only to localhost, not {}; \
                     use starttls (port 587) or implicit (port 465)",
                    crate::escape::terminal(&host)
                )));
            }
            if credentials.is_some() {
                return Err(config(
                    "--smtp-tls none cannot carry a password: a password is never sent in clear text"
                        .into(),
                ));
            }
        }
        let tls_parameters = match spec.tls {
            SmtpTls::None => None,
            SmtpTls::Starttls | SmtpTls::Implicit => {
                let mut builder = TlsParameters::builder(host.clone());
                if let Some(certs) = ca_certs {
                    builder = builder.certificate_store(CertificateStore::None);
                    for cert in certs {
                        let cert = Certificate::from_der(cert.to_vec()).map_err(|e| {
                            config(format!("--ca-cert: a certificate cannot be used: {e}"))
                        })?;
                        builder = builder.add_root_certificate(cert);
                    }
                } else {
                    builder = builder.certificate_store(CertificateStore::WebpkiRoots);
                }
                Some(
                    builder
                        .build_rustls()
                        .map_err(|e| Error::Internal(format!("TLS setup for SMTP: {e}")))?,
                )
            }
        };
        Ok(Mailer {
            host,
            port,
            tls: spec.tls,
            tls_parameters,
            credentials,
            password,
            from,
            to,
        })
    }

    /// `smtp://host:587` or `smtps://host:465`: no user, no password.
    pub fn shown(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{}://{}:{}",
            self.tls.scheme(),
            crate::escape::terminal(&host),
            self.port
        )
    }

    /// The message, formatted once so that every attempt sends the same bytes.
    pub fn message(&self, report: &Report, event: Event) -> Vec<u8> {
        let domain = self.from.email.domain().to_string();
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(message::subject(report, event))
            .message_id(Some(message_id(report, &domain)))
            .date_now()
            .user_agent(format!("driftguard/{}", env!("CARGO_PKG_VERSION")));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("References"),
            thread_id(report, &domain),
        ));
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(message::text(report, event));
        let html = SinglePart::builder()
            .header(ContentType::TEXT_HTML)
            .body(message::html(report, event));
        match builder.multipart(MultiPart::alternative().singlepart(text).singlepart(html)) {
            Ok(message) => message.formatted(),
            // Every part of the message is built here from valid pieces; an
            // empty body makes the attempt fail visibly instead of panicking.
            Err(_) => Vec::new(),
        }
    }

    /// One delivery attempt, bounded by `timeout` as a whole: the SMTP client
    /// applies the time-out to each read and write, so a server that answers
    /// every command slowly could otherwise stretch one attempt to many times
    /// it. An attempt that runs out of time is abandoned (its connection
    /// closes when its own time-outs fire or the process exits) and counts as
    /// a retryable failure.
    pub fn send(&self, body: &[u8], timeout: Duration) -> Attempt {
        let (done, result) = std::sync::mpsc::channel();
        let mailer = self.clone();
        let body = body.to_vec();
        std::thread::spawn(move || {
            let _ = done.send(mailer.conversation(&body, timeout));
        });
        match result.recv_timeout(timeout) {
            Ok(attempt) => attempt,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Attempt::Failed(Failure {
                status: None,
                reason: format!("no answer within {}", retry::human(timeout)),
                retryable: true,
                retry_after: None,
            }),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Attempt::Failed(Failure {
                status: None,
                reason: "internal error: the SMTP attempt stopped without an outcome".into(),
                retryable: false,
                retry_after: None,
            }),
        }
    }

    /// Connect, protect, authenticate, send.
    fn conversation(&self, body: &[u8], timeout: Duration) -> Attempt {
        if body.is_empty() {
            return Attempt::Failed(Failure {
                status: None,
                reason: "internal error: the message could not be built".into(),
                retryable: false,
                retry_after: None,
            });
        }
        let tls = match (&self.tls, &self.tls_parameters) {
            (SmtpTls::Starttls, Some(p)) => Tls::Required(p.clone()),
            (SmtpTls::Implicit, Some(p)) => Tls::Wrapper(p.clone()),
            _ => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(self.host.as_str())
            .port(self.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some(credentials) = &self.credentials {
            builder = builder.credentials(credentials.clone());
        }
        let transport = builder.build();
        let envelope = match Envelope::new(
            Some(self.from.email.clone()),
            self.to.iter().map(|m| m.email.clone()).collect(),
        ) {
            Ok(envelope) => envelope,
            Err(e) => {
                return Attempt::Failed(Failure {
                    status: None,
                    reason: format!("no envelope: {e}"),
                    retryable: false,
                    retry_after: None,
                });
            }
        };
        match transport.send_raw(&envelope, body) {
            Ok(response) => Attempt::Delivered {
                status: u16::from(response.code()),
            },
            Err(e) => self.scrub(classify(&e, timeout)),
        }
    }

    fn scrub(&self, attempt: Attempt) -> Attempt {
        scrub(attempt, self.password.as_deref())
    }
}

/// Takes the password out of a failure's reason, whatever the server echoed.
fn scrub(attempt: Attempt, password: Option<&str>) -> Attempt {
    match (attempt, password) {
        (Attempt::Failed(mut f), Some(password)) => {
            f.reason = f.reason.replace(password, "***");
            Attempt::Failed(f)
        }
        (attempt, _) => attempt,
    }
}

/// `<driftguard.REPORT_ID@DOMAIN>`: the same for every attempt of one message
/// and for every run that finds the same drift.
pub fn message_id(report: &Report, domain: &str) -> String {
    format!("<driftguard.{}@{domain}>", report.id())
}

/// `<driftguard.thread.HASH@DOMAIN>`: one per environment and database.
pub fn thread_id(report: &Report, domain: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(report.environment.as_deref().unwrap_or("").as_bytes());
    hasher.update(b"\n");
    hasher.update(report.current.engine.as_bytes());
    hasher.update(b"\n");
    hasher.update(report.current.database.as_bytes());
    let hash = hex::encode(hasher.finalize());
    format!("<driftguard.thread.{}@{domain}>", &hash[..32])
}

/// A failed attempt: 4xx replies and connection failures are retried, 5xx
/// replies and certificate rejections are not.
fn classify(error: &lettre::transport::smtp::Error, timeout: Duration) -> Attempt {
    let detail = reply_text(error);
    let (status, reason, retryable) = if let Some(code) = error.status() {
        let code = u16::from(code);
        let retryable = error.is_transient();
        let what = if retryable {
            "temporary failure, retried"
        } else {
            "refused, not retried"
        };
        (
            Some(code),
            format!("SMTP {code} ({what}): {detail}"),
            retryable,
        )
    } else if error.is_timeout() {
        (
            None,
            format!("no answer within {}", retry::human(timeout)),
            true,
        )
    } else if let Some(tls) = rustls_error(error) {
        match crate::tls::refusal(tls) {
            Some(refusal) => (
                None,
                format!(
                    "TLS certificate rejected: {} (not retried; {})",
                    refusal.reason(),
                    refusal.advice("--ca-cert FILE", false)
                ),
                false,
            ),
            None => (None, crate::tls::describe(tls), true),
        }
    } else if error.is_client() {
        (None, format!("SMTP client error: {detail}"), false)
    } else {
        (None, format!("connection failed: {detail}"), true)
    };
    Attempt::Failed(Failure {
        status,
        reason: crate::escape::terminal(&reason),
        retryable,
        retry_after: None,
    })
}

/// The error on one line: its kind and its cause (the server's reply, the
/// I/O or TLS error), as the SMTP client words them.
fn reply_text(error: &lettre::transport::smtp::Error) -> String {
    let text: String = error
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    text.chars().take(300).collect()
}

fn rustls_error(error: &lettre::transport::smtp::Error) -> Option<&rustls::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = inner.downcast_ref::<std::io::Error>()
            && let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        source = inner.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_split_into_host_and_port() {
        assert_eq!(
            split_server("smtp.example.com", 587).unwrap(),
            ("smtp.example.com".into(), 587)
        );
        assert_eq!(
            split_server("smtp.example.com:2525", 587).unwrap(),
            ("smtp.example.com".into(), 2525)
        );
        assert_eq!(split_server("[::1]:25", 587).unwrap(), ("::1".into(), 25));
        assert_eq!(split_server("[::1]", 465).unwrap(), ("::1".into(), 465));
        for bad in [
            "", ":25", "h:0", "h:65536", "h:+25", "h: 25", "h:", "::1:25", "[::1", "[::1]x",
        ] {
            assert!(split_server(bad, 587).is_err(), "{bad}");
        }
        assert_eq!(split_server("h:65535", 1).unwrap().1, 65535);
        assert_eq!(split_server("h:1", 2).unwrap().1, 1);
    }

    #[test]
    fn only_loopback_hosts_are_local() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.1", "::1"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "localhost.example.com",
            "10.0.0.1",
            "example.com",
            "::2",
            "0.0.0.0",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn an_echoed_password_is_cut_out_of_the_reason() {
        let failed = |reason: &str| {
            Attempt::Failed(Failure {
                status: Some(535),
                reason: reason.into(),
                retryable: false,
                retry_after: None,
            })
        };
        let reason = |a: Attempt| match a {
            Attempt::Failed(f) => f.reason,
            Attempt::Delivered { .. } => panic!("delivered"),
        };
        assert_eq!(
            reason(scrub(
                failed("SMTP 535: bad password hunter2 for u"),
                Some("hunter2")
            )),
            "SMTP 535: bad password *** for u"
        );
        assert_eq!(reason(scrub(failed("SMTP 535: no"), None)), "SMTP 535: no");
        assert!(matches!(
            scrub(Attempt::Delivered { status: 250 }, Some("x")),
            Attempt::Delivered { status: 250 }
        ));
    }

    #[test]
    fn debug_output_shows_the_relay_and_never_the_password() {
        let mailer = Mailer {
            host: "smtp.example.com".into(),
            port: 587,
            tls: SmtpTls::Starttls,
            tls_parameters: None,
            credentials: Some(Credentials::new("apikey".into(), "hunter2".into())),
            password: Some("hunter2".into()),
            from: "d@example.com".parse().unwrap(),
            to: vec![
                "a@example.com".parse().unwrap(),
                "b@example.com".parse().unwrap(),
            ],
        };
        let shown = format!("{mailer:?}");
        assert_eq!(
            shown,
            "Mailer { server: \"smtp://smtp.example.com:587\", credentials: Some(\"***\"), to: 2 }"
        );
        assert_eq!(
            format!(
                "{:?}",
                Mailer {
                    credentials: None,
                    ..mailer
                }
            )
            .matches("None")
            .count(),
            1
        );
    }

    #[test]
    fn default_ports_follow_the_tls_mode() {
        assert_eq!(SmtpTls::Starttls.default_port(), 587);
        assert_eq!(SmtpTls::Implicit.default_port(), 465);
        assert_eq!(SmtpTls::None.default_port(), 25);
    }
}
