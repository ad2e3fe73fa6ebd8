//! Connection settings from a libpq-style URL: time-outs and TLS through rustls.
//!
//! tokio-postgres understands `connect_timeout`, `application_name`, `options`
//! and `sslmode=disable|prefer|require`, but rejects `verify-ca`, `verify-full`
//! and `sslrootcert`, which users' secrets often hold. Those two parameters are
//! taken out of the URL here and turned into a rustls configuration with
//! libpq's meaning:
//!
//! | sslmode | TLS | certificate checked |
//! |---|---|---|
//! | disable | never | — |
//! | prefer (default) | if the server offers it | no |
//! | require | always | no (as verify-ca when `sslrootcert` is given, like libpq) |
//! | verify-ca | always | chain against the roots |
//! | verify-full | always | chain and host name |
//!
//! The roots are the PEM file `sslrootcert` names, else the Mozilla roots of
//! `webpki-roots` (also for `sslrootcert=system`).

use std::str::FromStr;
use std::sync::Arc;

use postgres::config::SslMode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};
use crate::source::{Timeouts, redact_url};
use crate::tls::PinningVerifier;

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verify {
    Nothing,
    Chain,
    ChainAndHost,
}

/// The driver configuration and TLS connector for `url`.
pub fn config(url: &str, timeouts: Timeouts) -> Result<(postgres::Config, MakeRustlsConnect)> {
    super::super::check_ports(url, "PostgreSQL")?;
    let shown = redact_url(url);
    let hint = super::super::password_hint(url);
    let invalid =
        |what: String| Error::Config(format!("invalid PostgreSQL URL {shown}: {what}{hint}"));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut sslmode = None;
    let mut root_file = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match super::super::query_decode(key).as_str() {
            "sslmode" => sslmode = Some(super::super::query_decode(value)),
            "sslrootcert" => root_file = Some(super::super::query_decode(value)),
            k @ ("sslcert" | "sslkey" | "sslpassword" | "sslcrl" | "sslcrldir") => {
                return Err(invalid(format!(
                    "`{k}` is not supported (driftguard does not send client certificates \
                     or check revocation lists); remove it"
                )));
            }
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config =
        postgres::Config::from_str(&rest).map_err(|e| invalid(super::error_chain(&e)))?;
    let (mode, verify) = match sslmode.as_deref().unwrap_or("prefer") {
        "disable" => (SslMode::Disable, Verify::Nothing),
        // tokio-postgres cannot try plain text first; TLS-if-offered is the closest.
        "allow" | "prefer" => (SslMode::Prefer, Verify::Nothing),
        "require" if root_file.is_some() => (SslMode::Require, Verify::Chain),
        "require" => (SslMode::Require, Verify::Nothing),
        "verify-ca" => (SslMode::Require, Verify::Chain),
        "verify-full" => (SslMode::Require, Verify::ChainAndHost),
        other => {
            return Err(invalid(format!(
                "sslmode `{other}` is not one of disable, allow, prefer, require, verify-ca, \
                 verify-full"
            )));
        }
    };
    config.ssl_mode(mode);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(timeouts.connect);
    }
    if config.get_application_name().is_none() {
        config.application_name("driftguard");
    }
    let (roots, pinned) = match root_file.as_deref() {
        None | Some("system") => (
            RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Vec::new(),
        ),
        Some(path) => load_roots(path)?,
    };
    Ok((
        config,
        MakeRustlsConnect::new(client_config(verify, roots, pinned)?),
    ))
}

/// The certificates of `sslrootcert`: as roots, and as pins (a self-signed
/// server certificate given as its own root, see [`crate::tls`]).
fn load_roots(path: &str) -> Result<(RootCertStore, Vec<CertificateDer<'static>>)> {
    let cannot = |why: String| {
        Error::Config(format!(
            "cannot use sslrootcert {path}: {why}; give a PEM file with the CA certificate(s)"
        ))
    };
    let mut roots = RootCertStore::empty();
    let mut pinned = Vec::new();
    let pem = crate::input::read(std::path::Path::new(path), crate::input::MAX_PEM_BYTES)
        .map_err(|e| cannot(e.to_string()))?;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| cannot(e.to_string()))?;
        roots.add(cert.clone()).map_err(|e| cannot(e.to_string()))?;
        pinned.push(cert);
    }
    if roots.is_empty() {
        return Err(cannot("it holds no certificate".into()));
    }
    Ok((roots, pinned))
}

fn client_config(
    verify: Verify,
    roots: RootCertStore,
    pinned: Vec<CertificateDer<'static>>,
) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("TLS setup: {e}"));
    let webpki = || -> Result<Arc<dyn ServerCertVerifier>> {
        Ok(Arc::new(
            PinningVerifier::new(roots.clone(), pinned.clone(), provider.clone())
                .map_err(|e| internal(&e))?,
        ))
    };
    let verifier: Arc<dyn ServerCertVerifier> = match verify {
        Verify::Nothing => Arc::new(AnyCertificate(provider.clone())),
        Verify::Chain => Arc::new(ChainOnly(webpki()?)),
        Verify::ChainAndHost => webpki()?,
    };
    Ok(
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| internal(&e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
    )
}

/// `sslmode=prefer|require`: encrypted, but any certificate is accepted, as
/// libpq does. The handshake signatures are still checked.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain must lead to a trusted root, the host name
/// is not compared. rustls checks the chain before the name, so a name
/// mismatch means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> Result<SslMode> {
        config(url, Timeouts::default()).map(|(c, _)| c.get_ssl_mode())
    }

    #[test]
    fn libpq_sslmodes_are_accepted() {
        assert_eq!(mode("postgres://u@h/db").ok(), Some(SslMode::Prefer));
        assert_eq!(
            mode("postgres://u@h/db?sslmode=disable").ok(),
            Some(SslMode::Disable)
        );
        assert_eq!(
            mode("postgresql://u@h/db?application_name=x&sslmode=verify-full").ok(),
            Some(SslMode::Require)
        );
        assert_eq!(
            mode("postgres://u@h/db?sslmode=verify-ca").ok(),
            Some(SslMode::Require)
        );
        assert!(matches!(
            mode("postgres://u@h/db?sslmode=bogus"),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            mode("postgres://u@h/db?sslrootcert=/nonexistent.pem&sslmode=verify-full"),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn timeouts_default_from_settings_unless_given() {
        let t = Timeouts::default();
        let (c, _) = config("postgres://u@h/db", t).expect("valid");
        assert_eq!(c.get_connect_timeout(), Some(&t.connect));
        let (c, _) = config("postgres://u@h/db?connect_timeout=3", t).expect("valid");
        assert_eq!(
            c.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(3))
        );
    }

    #[test]
    fn errors_never_show_the_password() {
        let Err(e) = config(
            "postgres://u:hunter2@h/db?sslmode=nope",
            Timeouts::default(),
        ) else {
            panic!("bad sslmode accepted");
        };
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let Err(e) = config("postgres://u:hunter2@h/db?bogus=1", Timeouts::default()) else {
            panic!("unknown parameter accepted");
        };
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
