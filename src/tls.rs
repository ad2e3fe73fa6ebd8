//! Server-certificate checks shared by notifications (`--ca-cert`) and
//! PostgreSQL (`sslrootcert`), and TLS errors in words.
//!
//! A private receiver is often run on the certificate `openssl req -x509`
//! makes, which carries `basicConstraints CA:TRUE`. curl and Python trust it
//! when it is given as the CA file; webpki refuses a CA certificate presented
//! as a server's own (`CaUsedAsEndEntity`). [`PinningVerifier`] closes that
//! gap narrowly: when the normal check fails and the server presented exactly
//! (byte for byte) one of the certificates of the trusted file, that
//! certificate is accepted as pinned — if it is valid today and names the host
//! connected to. The handshake signatures are checked as always, so the server
//! must hold the certificate's private key.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_name};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The openssl command line that makes a self-signed server certificate
/// webpki accepts for `host` (a DNS name or an IP address).
pub fn openssl_recipe(host: &str) -> String {
    let kind = if host.parse::<std::net::IpAddr>().is_ok() {
        "IP"
    } else {
        "DNS"
    };
    format!(
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 365 \
         -subj /CN={host} -addext basicConstraints=critical,CA:FALSE \
         -addext subjectAltName={kind}:{host}"
    )
}

/// The webpki check against `roots`, plus pinning of the exact certificates
/// of the trusted file (`pinned`, empty for the built-in roots).
#[derive(Debug)]
pub struct PinningVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl PinningVerifier {
    pub fn new(
        roots: RootCertStore,
        pinned: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<PinningVerifier, rustls::client::VerifierBuilderError> {
        let webpki =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build()?;
        Ok(PinningVerifier { webpki, pinned })
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let refused = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(e) => e,
        };
        if !self
            .pinned
            .iter()
            .any(|p| p.as_ref() == end_entity.as_ref())
        {
            return Err(refused);
        }
        // Pinned: the very certificate the user trusts. Its dates and its
        // names are still checked, as curl does for a self-signed CA file.
        check_validity(end_entity, now)?;
        let parsed = ParsedCertificate::try_from(end_entity)?;
        verify_server_name(&parsed, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// Why a certificate was refused, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Expired,
    NotValidYet,
    /// The host connected to, and the names the certificate is valid for.
    WrongName {
        host: Option<String>,
        names: Vec<String>,
    },
    UnknownIssuer,
    CaAsServer,
    Other(String),
}

/// Classifies a certificate error; `None` when `e` is no certificate error.
pub fn refusal(e: &rustls::Error) -> Option<Refusal> {
    let rustls::Error::InvalidCertificate(cert) = e else {
        return None;
    };
    Some(match cert {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => Refusal::Expired,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            Refusal::NotValidYet
        }
        CertificateError::NotValidForName => Refusal::WrongName {
            host: None,
            names: Vec::new(),
        },
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => Refusal::WrongName {
            host: Some(expected.to_str().into_owned()),
            names: presented.iter().map(|n| general_name(n)).collect(),
        },
        CertificateError::UnknownIssuer => Refusal::UnknownIssuer,
        // webpki's own error, which rustls passes on as "other"; its Display
        // is the variant's name.
        CertificateError::Other(other) if other.to_string() == "CaUsedAsEndEntity" => {
            Refusal::CaAsServer
        }
        CertificateError::BadEncoding => Refusal::Other("it is not valid DER".into()),
        CertificateError::Revoked => Refusal::Other("it is revoked".into()),
        CertificateError::BadSignature => {
            Refusal::Other("its signature does not match its issuer's key".into())
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            Refusal::Other("it is not meant for TLS servers (extended key usage)".into())
        }
        CertificateError::UnhandledCriticalExtension => {
            Refusal::Other("it has a critical extension that is not understood".into())
        }
        CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            Refusal::Other("it is signed with an unsupported algorithm".into())
        }
        other => Refusal::Other(format!(
            "{}",
            rustls::Error::InvalidCertificate(other.clone())
        )),
    })
}

/// `DnsName("a.example")` → `a.example`, `IpAddress(10.0.0.1)` → `10.0.0.1`.
fn general_name(debug: &str) -> String {
    if let Some(name) = debug
        .strip_prefix("DnsName(\"")
        .and_then(|n| n.strip_suffix("\")"))
    {
        return name.to_string();
    }
    if let Some(ip) = debug
        .strip_prefix("IpAddress(")
        .and_then(|n| n.strip_suffix(')'))
    {
        return ip.to_string();
    }
    debug.to_string()
}

impl Refusal {
    /// What is wrong with the server's certificate.
    pub fn reason(&self) -> String {
        match self {
            Refusal::Expired => "the server's certificate has expired".into(),
            Refusal::NotValidYet => {
                "the server's certificate is not valid yet (check this machine's clock)".into()
            }
            Refusal::WrongName { host, names } => {
                let host = host.as_deref().unwrap_or("the host name");
                if names.is_empty() {
                    format!(
                        "the server's certificate is not valid for {host}: it has no \
                         subjectAltName for it"
                    )
                } else {
                    format!(
                        "the server's certificate is valid for {}, not for {host}",
                        names.join(", ")
                    )
                }
            }
            Refusal::UnknownIssuer => {
                "the server's certificate is not signed by a trusted CA (unknown issuer)".into()
            }
            Refusal::CaAsServer => "the server presents a CA certificate (basicConstraints \
                                    CA:TRUE) as its own certificate"
                .into(),
            Refusal::Other(why) => format!("the server's certificate is refused: {why}"),
        }
    }

    /// How to make it work. `trust` names the setting that holds the trusted
    /// certificates (`--ca-cert FILE`, `sslrootcert`), `given` whether it was.
    pub fn advice(&self, trust: &str, given: bool) -> String {
        let recipe = openssl_recipe(match self {
            Refusal::WrongName { host: Some(h), .. } => h.as_str(),
            _ => "HOST",
        });
        match self {
            Refusal::Expired | Refusal::NotValidYet => {
                format!("renew the certificate, e.g. {recipe}")
            }
            Refusal::WrongName { .. } => format!(
                "connect with a name the certificate lists, or make one for this host: {recipe}"
            ),
            Refusal::UnknownIssuer if given => format!(
                "put the CA that signed it in {trust}, or the server's own certificate to pin it"
            ),
            Refusal::UnknownIssuer => {
                format!("trust a private CA (or pin the server's own certificate) with {trust}")
            }
            Refusal::CaAsServer if given => format!(
                "it is not the certificate in {trust}: put exactly the server's certificate \
                 there to pin it, or give the server a certificate made with {recipe}"
            ),
            Refusal::CaAsServer => format!(
                "put exactly that certificate in {trust} to pin it, or give the server a \
                 certificate made with {recipe}"
            ),
            Refusal::Other(_) => {
                format!("check the server's certificate; {recipe} makes one that works")
            }
        }
    }
}

/// A TLS error in words, for messages that have no advice of their own.
pub fn describe(e: &rustls::Error) -> String {
    match refusal(e) {
        Some(r) => r.reason(),
        None => match e {
            rustls::Error::NoCertificatesPresented => "the server presented no certificate".into(),
            rustls::Error::AlertReceived(alert) => {
                format!("the server ended the TLS handshake with the alert {alert:?}")
            }
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                "the server's answer is not TLS".into()
            }
            other => format!("TLS error: {other}"),
        },
    }
}

/// The certificate's `notBefore`/`notAfter` against `now` (webpki checks them
/// only on the chain path, which a pinned CA certificate does not take).
fn check_validity(der: &CertificateDer<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    let bad = || rustls::Error::InvalidCertificate(CertificateError::BadEncoding);
    let (not_before, not_after) = validity(der.as_ref()).ok_or_else(bad)?;
    let now = now.as_secs() as i64;
    if now < not_before {
        return Err(CertificateError::NotValidYet.into());
    }
    if now > not_after {
        return Err(CertificateError::Expired.into());
    }
    Ok(())
}

/// One DER element: (tag, content, rest).
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// `notBefore` and `notAfter` of an X.509 certificate, as Unix seconds.
fn validity(cert: &[u8]) -> Option<(i64, i64)> {
    let (0x30, certificate, _) = der(cert)? else {
        return None;
    };
    let (0x30, tbs, _) = der(certificate)? else {
        return None;
    };
    let mut rest = tbs;
    // [0] version (optional), serial, signature algorithm, issuer.
    let (tag, _, after) = der(rest)?;
    if tag == 0xa0 {
        rest = after;
    }
    for _ in 0..3 {
        rest = der(rest)?.2;
    }
    let (0x30, validity, _) = der(rest)? else {
        return None;
    };
    let (t1, before, after) = der(validity)?;
    let (t2, after, _) = der(after)?;
    Some((time(t1, before)?, time(t2, after)?))
}

/// UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn time(tag: u8, text: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            let yy: i64 = text.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
        }
        0x18 => (text.get(..4)?.parse().ok()?, &text[4..]),
        _ => return None,
    };
    if rest.len() != 10 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |i: usize| rest[i..i + 2].parse::<i64>().ok();
    let (month, day, hour, minute, second) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x509_times() {
        assert_eq!(time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(time(0x18, b"20000301000000Z"), Some(951_868_800));
        assert_eq!(time(0x17, b"491231235959Z"), Some(2_524_607_999));
        assert_eq!(time(0x17, b"700101000000"), None);
        assert_eq!(time(0x04, b"700101000000Z"), None);
    }

    #[test]
    fn validity_dates_are_read_from_the_certificate() {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(vec!["a.example".into()]).expect("params");
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2051, 6, 15);
        let cert = params.self_signed(&key).expect("certificate");
        // 2051 is written as GeneralizedTime, 2020 as UTCTime.
        assert_eq!(
            validity(cert.der().as_ref()),
            Some((1_577_836_800, 2_570_400_000))
        );
        let at = |secs| UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
        assert!(check_validity(cert.der(), at(1_600_000_000)).is_ok());
        assert_eq!(
            check_validity(cert.der(), at(1_500_000_000)),
            Err(CertificateError::NotValidYet.into())
        );
        assert_eq!(
            check_validity(cert.der(), at(2_600_000_000)),
            Err(CertificateError::Expired.into())
        );
        assert!(validity(b"\x30\x03\x02\x01\x00").is_none());
        assert!(validity(&[]).is_none());
    }

    #[test]
    fn general_names_lose_their_debug_wrapping() {
        assert_eq!(general_name("DnsName(\"a.example\")"), "a.example");
        assert_eq!(general_name("IpAddress(10.0.0.1)"), "10.0.0.1");
        assert_eq!(general_name("DirectoryName"), "DirectoryName");
    }
}
