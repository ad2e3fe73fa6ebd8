//! Webhook signatures: the DriftGuard header and the Standard Webhooks header.
//!
//! Two schemes are sent side by side so that receivers can pick either:
//! `X-DriftGuard-Signature` is the lowercase hex HMAC-SHA256 of the raw body
//! keyed with the secret string's bytes (the published snippet), and
//! `webhook-signature` follows the Standard Webhooks specification
//! (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`), which adds replay
//! protection through the signed timestamp.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

/// The webhook secret. Its `Debug` output is redacted so that it can never
/// reach a log line by accident.
#[derive(Clone)]
pub struct Secret {
    raw: String,
    /// The Standard Webhooks key: the base64-decoded part after `whsec_` when
    /// the secret has that form, else the secret's bytes.
    standard_key: Vec<u8>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    /// Parses a secret; `source` names where it came from for the error message.
    pub fn new(raw: &str, source: &str) -> Result<Secret> {
        let standard_key = match raw.strip_prefix("whsec_") {
            Some(encoded) => STANDARD.decode(encoded).map_err(|_| {
                Error::Config(format!(
                    "{source} starts with `whsec_` but the rest is not valid base64; \
                     use the secret exactly as your receiver shows it"
                ))
            })?,
            None => raw.as_bytes().to_vec(),
        };
        Ok(Secret {
            raw: raw.to_string(),
            standard_key,
        })
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail here.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// `X-DriftGuard-Signature`: lowercase hex HMAC-SHA256 of the raw body, keyed
/// with the secret string's bytes (also for `whsec_` secrets, so the published
/// snippet works with whatever string the user configured).
pub fn driftguard_signature(secret: &Secret, body: &[u8]) -> String {
    hex::encode(hmac(secret.raw.as_bytes(), &[body]))
}

/// `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
pub fn standard_signature(secret: &Secret, id: &str, timestamp: u64, body: &[u8]) -> String {
    let timestamp = timestamp.to_string();
    let mac = hmac(
        &secret.standard_key,
        &[id.as_bytes(), b".", timestamp.as_bytes(), b".", body],
    );
    format!("v1,{}", STANDARD.encode(mac))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_reference_vector() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "test").unwrap();
        let sig = standard_signature(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn hex_signature_uses_the_secret_string_bytes() {
        // RFC 4231 test case 2: key "Jefe".
        let secret = Secret::new("Jefe", "test").unwrap();
        assert_eq!(
            driftguard_signature(&secret, b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn plain_secrets_key_standard_signatures_with_their_bytes() {
        let secret = Secret::new("Jefe", "test").unwrap();
        let expected = STANDARD.encode(hmac(b"Jefe", &[b"id.1.body"]));
        assert_eq!(
            standard_signature(&secret, "id", 1, b"body"),
            format!("v1,{expected}")
        );
    }

    #[test]
    fn bad_whsec_secret_is_a_configuration_error() {
        let err = Secret::new("whsec_not base64!", "DRIFTGUARD_WEBHOOK_SECRET").unwrap_err();
        assert_eq!(err.exit_code(), 78);
        assert!(!err.to_string().contains("not base64!"));
    }

    #[test]
    fn debug_hides_the_secret() {
        let secret = Secret::new("s3cr3t", "test").unwrap();
        // Shown as a secret that is there, never as its value.
        assert_eq!(format!("{secret:?}"), "Secret(***)");
    }
}
