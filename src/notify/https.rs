//! The HTTPS connector of the notification client: ureq's own chain (CONNECT
//! proxy, TCP) with a TLS step whose rustls configuration is ours, so that the
//! server certificate goes through [`crate::tls::PinningVerifier`].

use std::io::{Read, Write};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout,
    TcpConnector, Transport, TransportAdapter,
};

use std::path::Path;
use std::time::Duration;

use ureq::Agent;
use ureq::tls::PemItem;

use super::retry::{self, Attempt, Failure};
use crate::error::{Error, Result};
use crate::tls::PinningVerifier;

/// The rustls configuration: the built-in Mozilla roots, or the certificates
/// of `--ca-cert` as roots and as pins.
pub fn client_config(ca_certs: Option<Vec<CertificateDer<'static>>>) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("TLS setup: {e}"));
    let (roots, pinned) = match ca_certs {
        None => (
            RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Vec::new(),
        ),
        Some(certs) => {
            let mut roots = RootCertStore::empty();
            // A certificate webpki cannot use as a root may still be pinned.
            roots.add_parsable_certificates(certs.iter().cloned());
            (roots, certs)
        }
    };
    let verifier =
        PinningVerifier::new(roots, pinned, provider.clone()).map_err(|e| internal(&e))?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| internal(&e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The connector chain of the notification agent.
pub fn connector(config: Arc<ClientConfig>) -> impl Connector {
    ().chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(TlsConnector { config })
}

#[derive(Debug)]
struct TlsConnector {
    config: Arc<ClientConfig>,
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Err(ureq::Error::ConnectionFailed);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .authority()
            .map(|a| a.host())
            .ok_or(ureq::Error::Tls("the URL has no host"))?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| ureq::Error::Tls("the host is not a valid DNS name or IP address"))?;
        let mut conn = ClientConnection::new(self.config.clone(), name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        sock.set_timeout(details.timeout);
        conn.complete_io(&mut sock)?;
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport {
            buffers,
            stream: StreamOwned { conn, sock },
        })))
    }
}

struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsTransport")
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

/// Which certificates the client trusts, for the advice of a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trust {
    BuiltIn,
    /// The `--ca-cert` file, as given.
    File(String),
}

pub(crate) fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
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
pub(crate) fn post(
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
        // A server without a certificate will not grow one in 25 s.
        let (retryable, reason, _) = failed(ureq::Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::NoCertificatesPresented,
        )));
        assert!(!retryable, "{reason}");
        assert_eq!(
            reason,
            "TLS certificate rejected: the server presented no certificate (not retried)"
        );
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
}
