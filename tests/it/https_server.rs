//! A real HTTPS server on loopback for the notification tests: rustls with a
//! certificate from a test CA made by rcgen, one scripted answer per request
//! (a status with headers and body, silence, or a dropped connection), and a
//! record of every request and every accepted connection.
//!
//! Every answer closes its connection, so each attempt of the client is one
//! connection and one request, and the counts say exactly how often it tried.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::util::Sandbox;

/// A certificate authority that exists only for one test.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("CA key");
        TestCa {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA certificate into the sandbox, for `--ca-cert`.
    pub fn write(&self, sandbox: &Sandbox, name: &str) -> PathBuf {
        sandbox.write(name, &self.pem())
    }

    /// A server certificate for 127.0.0.1 and localhost, signed by this CA.
    pub fn leaf(&self) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().expect("server key");
        let params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()])
            .expect("server params");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        (
            cert.der().clone(),
            PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        )
    }
}

/// A self-signed certificate as `openssl req -x509` makes it: `CA:TRUE`,
/// with `names` as subjectAltNames; its PEM, DER and key.
pub fn self_signed_ca_cert(
    names: &[&str],
) -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().expect("key");
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("x"));
    let cert = params.self_signed(&key).expect("self-signed certificate");
    (
        cert.pem(),
        cert.der().clone(),
        PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    )
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request and never answer (until the client gives up).
    Silent,
    /// Read the request and close the connection without a word.
    Drop,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Answer {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Answer {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Answer {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }

    pub fn body(self, text: &str) -> Reply {
        match self {
            Reply::Answer {
                status, headers, ..
            } => Reply::Answer {
                status,
                headers,
                body: text.into(),
            },
            other => other,
        }
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<AtomicUsize>,
}

impl Server {
    /// Starts a server whose certificate is signed by `ca`. Requests are
    /// answered in order from `script`; after its end, with 200.
    pub fn start(ca: &TestCa, script: Vec<Reply>) -> Server {
        let (cert, key) = ca.leaf();
        Server::start_with(cert, key, script)
    }

    /// Starts a server that presents `cert` (with its key) as its own.
    pub fn start_with(
        cert: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
        script: Vec<Reply>,
    ) -> Server {
        let provider = rustls::crypto::ring::default_provider();
        // No check that the key belongs to the certificate: a test may
        // present someone else's certificate.
        let signing_key = provider
            .key_provider
            .load_private_key(key)
            .expect("server key");
        let certified = Arc::new(rustls::sign::CertifiedKey::new(vec![cert], signing_key));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(OneCertificate(certified)));
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(script);
        let next = Arc::new(AtomicUsize::new(0));
        {
            let requests = Arc::clone(&requests);
            let connections = Arc::clone(&connections);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let config = Arc::clone(&config);
                    let requests = Arc::clone(&requests);
                    let script = Arc::clone(&script);
                    let next = Arc::clone(&next);
                    std::thread::spawn(move || {
                        let _ = serve(stream, config, &requests, &script, &next);
                    });
                }
            });
        }
        Server {
            port,
            requests,
            connections,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests lock").clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

#[derive(Debug)]
struct OneCertificate(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for OneCertificate {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

fn serve(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    requests: &Mutex<Vec<Request>>,
    script: &[Reply],
    next: &AtomicUsize,
) -> std::io::Result<()> {
    // A bound on every read, so that no test thread can hang for ever.
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let request = read_request(&mut tls)?;
    requests.lock().expect("requests lock").push(request);
    let reply = script
        .get(next.fetch_add(1, Ordering::SeqCst))
        .cloned()
        .unwrap_or_else(|| Reply::status(200));
    match reply {
        Reply::Answer {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} Scripted\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            tls.write_all(head.as_bytes())?;
            tls.write_all(body.as_bytes())?;
            tls.conn.send_close_notify();
            tls.flush()
        }
        Reply::Silent => {
            // Hold the connection open until the client hangs up.
            let mut sink = [0u8; 256];
            while tls.read(&mut sink)? > 0 {}
            Ok(())
        }
        Reply::Drop => Ok(()),
    }
}

pub fn read_request(tls: &mut impl Read) -> std::io::Result<Request> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = tls.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = tls.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Request {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
    })
}
