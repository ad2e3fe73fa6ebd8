//! Hostile servers and hostile URLs: a database port that accepts and says
//! nothing, closes at once or answers garbage; URLs whose port cannot be
//! used; notification receivers on self-signed certificates (pinning with
//! `--ca-cert`).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use assert_cmd::Command;

use crate::https_server::{Reply, Server, TestCa, self_signed_ca_cert};
use crate::util::{Sandbox, run, stderr};

/// How a fake database server treats each connection.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Accepts and never says a word.
    Silent,
    /// Accepts and closes at once.
    Close,
    /// Answers with bytes that are no database protocol.
    Garbage,
}

/// A listener on a loopback port, in a thread, for the life of the test binary.
fn listener(behaviour: Behaviour) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || match behaviour {
                Behaviour::Silent => {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
                    let mut sink = [0u8; 64];
                    while stream.read(&mut sink).is_ok_and(|n| n > 0) {}
                }
                Behaviour::Close => drop(stream),
                Behaviour::Garbage => {
                    let _ = stream.write_all(&[0xff; 16]);
                    let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
    });
    port
}

/// A baseline for `check` (its engine does not matter: the connection fails first).
fn sandbox_with_baseline() -> Sandbox {
    let sb = Sandbox::new();
    sb.sqlite("app.db", "CREATE TABLE t (id INTEGER PRIMARY KEY);");
    run(
        sb.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "base.json"]),
        0,
    );
    sb
}

/// Runs `snapshot` and `check` on `url`; each must exit `code` within
/// `limit`, and print no Rust debug structure. Returns their stderr.
fn both_commands(sb: &Sandbox, url: &str, code: i32, limit: Duration) -> Vec<String> {
    let mut errors = Vec::new();
    for args in [
        vec!["snapshot", "--db", url, "-o", "out.json"],
        vec!["check", "--db", url, "--baseline", "base.json"],
    ] {
        let started = Instant::now();
        let out = run(sb.cmd().args(&args).timeout(Duration::from_secs(60)), code);
        let took = started.elapsed();
        let err = stderr(&out);
        assert!(took < limit, "{args:?} took {took:?}:\n{err}");
        for debug in [
            "Error {",
            "Error(",
            " { ",
            "os error 11",
            "Some(",
            "CodecError",
        ] {
            assert!(!err.contains(debug), "{args:?} printed `{debug}`:\n{err}");
        }
        assert!(!sb.path("out.json").exists(), "no output on failure");
        errors.push(err);
    }
    errors
}

#[test]
fn a_silent_mysql_server_is_bounded_by_connect_timeout() {
    let sb = sandbox_with_baseline();
    let url = format!(
        "mysql://root@127.0.0.1:{}/x?connect_timeout=2",
        listener(Behaviour::Silent)
    );
    let started = Instant::now();
    for err in both_commands(&sb, &url, 69, Duration::from_secs(6)) {
        assert!(
            err.contains("timed out after 2s connecting to MySQL")
                && err.contains("connect_timeout"),
            "{err}"
        );
    }
    // Not faster than the time-out either: it is the time-out that ended them.
    assert!(started.elapsed() >= Duration::from_secs(4));
}

#[test]
fn mysql_start_up_time_out_defaults_to_10s() {
    let sb = sandbox_with_baseline();
    let url = format!("mysql://root@127.0.0.1:{}/x", listener(Behaviour::Silent));
    let started = Instant::now();
    let out = run(
        sb.cmd()
            .args(["snapshot", "--db", &url])
            .timeout(Duration::from_secs(60)),
        69,
    );
    let took = started.elapsed();
    assert!(
        stderr(&out).contains("timed out after 10s"),
        "{}",
        stderr(&out)
    );
    assert!(
        (Duration::from_secs(10)..Duration::from_secs(14)).contains(&took),
        "{took:?}"
    );
}

#[test]
fn mysql_connect_timeout_must_be_whole_seconds() {
    let sb = Sandbox::new();
    for bad in ["0", "x", "2.5", "-1", "3601"] {
        let out = run(
            sb.cmd().args([
                "snapshot",
                "--db",
                &format!("mysql://root@127.0.0.1:1/x?connect_timeout={bad}"),
            ]),
            64,
        );
        assert!(
            stderr(&out).contains("connect_timeout must be a whole number of seconds"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_mysql_port_that_closes_or_answers_garbage_fails_in_words() {
    let sb = sandbox_with_baseline();
    let closing = format!(
        "mysql://root@127.0.0.1:{}/x?connect_timeout=5",
        listener(Behaviour::Close)
    );
    for err in both_commands(&sb, &closing, 69, Duration::from_secs(4)) {
        assert!(err.contains("the server closed the connection"), "{err}");
    }
    let garbage = format!(
        "mysql://root@127.0.0.1:{}/x?connect_timeout=5",
        listener(Behaviour::Garbage)
    );
    for err in both_commands(&sb, &garbage, 69, Duration::from_secs(4)) {
        assert!(err.contains("is this port a MySQL server?"), "{err}");
    }
}

#[test]
fn postgres_start_up_is_bounded_the_same_way() {
    let sb = sandbox_with_baseline();
    let silent = format!(
        "postgres://postgres@127.0.0.1:{}/x?connect_timeout=2",
        listener(Behaviour::Silent)
    );
    for err in both_commands(&sb, &silent, 69, Duration::from_secs(6)) {
        assert!(
            err.contains("timed out after 2s connecting to PostgreSQL")
                && err.contains("connect_timeout"),
            "{err}"
        );
    }
    for behaviour in [Behaviour::Close, Behaviour::Garbage] {
        let url = format!(
            "postgres://postgres@127.0.0.1:{}/x?connect_timeout=5",
            listener(behaviour)
        );
        for err in both_commands(&sb, &url, 69, Duration::from_secs(4)) {
            assert!(err.contains("PostgreSQL"), "{err}");
        }
    }
}

#[test]
fn unusable_ports_are_refused_before_any_work() {
    let sb = sandbox_with_baseline();
    // A database port out of range: 78, for both engines, in every command.
    for url in [
        "postgres://u:pw@127.0.0.1:99999/db",
        "mysql://u:pw@127.0.0.1:99999/db",
        "mysql://u:pw@127.0.0.1:0/db",
        "postgres://u@[::1]:65536/db",
    ] {
        for args in [
            vec!["snapshot", "--db", url],
            vec!["check", "--db", url, "--baseline", "base.json"],
            vec!["diff", url, "base.json"],
        ] {
            let out = run(sb.cmd().args(&args), 78);
            assert!(
                stderr(&out).contains("the port is not a number from 1 to 65535"),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
    // A notification port out of range: 78 before the (unreachable) database
    // is touched, which would be 69.
    for (flag, url) in [
        ("--webhook", "https://127.0.0.1:99999/hook"),
        ("--slack", "https://hooks.slack.com:0/services/T/B/x"),
        ("--webhook", "https://127.0.0.1:8443/x\n"),
        ("--webhook", "https://127.0.0.1:8443/a b"),
    ] {
        let out = run(
            sb.cmd().args([
                "check",
                "--db",
                "postgres://u@127.0.0.1:1/db",
                "--baseline",
                "base.json",
                "--allow-unsigned",
                flag,
                url,
            ]),
            78,
        );
        assert!(stderr(&out).contains(flag), "{}", stderr(&out));
    }
    let out = run(
        sb.cmd().args([
            "notify",
            "test",
            "--allow-unsigned",
            "--webhook",
            "https://127.0.0.1:99999/hook",
        ]),
        78,
    );
    assert!(
        stderr(&out).contains("https://127.0.0.1:99999/***: the port is not a number"),
        "{}",
        stderr(&out)
    );
}

/// `notify test` to `server` trusting `ca_file`.
fn notify_test(sb: &Sandbox, server: &Server, ca_file: &str) -> Command {
    let mut cmd = sb.cmd();
    cmd.args([
        "notify",
        "test",
        "--allow-unsigned",
        "--retry-delays",
        "10ms",
        "--webhook",
        &server.url("/hook"),
        "--ca-cert",
        ca_file,
    ])
    .env_remove("HTTPS_PROXY")
    .env_remove("https_proxy")
    .env_remove("ALL_PROXY");
    cmd
}

#[test]
fn a_self_signed_ca_certificate_given_with_ca_cert_is_pinned() {
    let sb = Sandbox::new();
    let (pem, der, key) = self_signed_ca_cert(&["127.0.0.1", "localhost"]);
    sb.write("self.pem", &pem);
    let server = Server::start_with(der, key, vec![]);
    let out = run(&mut notify_test(&sb, &server, "self.pem"), 0);
    assert_eq!(server.requests().len(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("delivered (HTTP 200"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_pinned_certificate_still_needs_the_host_name_dates_and_key() {
    let sb = Sandbox::new();
    // The right certificate, for another name.
    let (pem, der, key) = self_signed_ca_cert(&["receiver.example"]);
    sb.write("other-name.pem", &pem);
    let server = Server::start_with(der, key, vec![]);
    let out = run(&mut notify_test(&sb, &server, "other-name.pem"), 75);
    let err = stderr(&out);
    assert!(server.requests().is_empty());
    assert!(
        err.contains("valid for receiver.example, not for 127.0.0.1")
            && err.contains("subjectAltName=IP:127.0.0.1")
            && err.contains("basicConstraints=critical,CA:FALSE"),
        "{err}"
    );
    assert!(err.contains("after 1 attempt"), "not retried: {err}");

    // The right certificate presented with another key: the handshake
    // signature does not verify.
    let (pem, der, _) = self_signed_ca_cert(&["127.0.0.1"]);
    let (_, _, other_key) = self_signed_ca_cert(&["127.0.0.1"]);
    sb.write("stolen.pem", &pem);
    let server = Server::start_with(der, other_key, vec![]);
    let out = run(&mut notify_test(&sb, &server, "stolen.pem"), 75);
    assert!(server.requests().is_empty(), "{}", stderr(&out));

    // Expired.
    let (pem, der, key) = expired_self_signed("127.0.0.1");
    sb.write("expired.pem", &pem);
    let server = Server::start_with(der, key, vec![]);
    let out = run(&mut notify_test(&sb, &server, "expired.pem"), 75);
    assert!(server.requests().is_empty());
    assert!(
        stderr(&out).contains("the server's certificate has expired"),
        "{}",
        stderr(&out)
    );
}

fn expired_self_signed(
    name: &str,
) -> (
    String,
    rustls::pki_types::CertificateDer<'static>,
    rustls::pki_types::PrivateKeyDer<'static>,
) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(vec![name.to_string()]).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let cert = params.self_signed(&key).expect("certificate");
    (
        cert.pem(),
        cert.der().clone(),
        rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    )
}

#[test]
fn a_different_self_signed_certificate_is_refused_with_the_reason() {
    let sb = Sandbox::new();
    let (_, der, key) = self_signed_ca_cert(&["127.0.0.1"]);
    let (other_pem, _, _) = self_signed_ca_cert(&["127.0.0.1"]);
    sb.write("other.pem", &other_pem);
    let server = Server::start_with(der, key, vec![]);
    let out = run(&mut notify_test(&sb, &server, "other.pem"), 75);
    let err = stderr(&out);
    assert!(server.requests().is_empty());
    assert!(
        err.contains("presents a CA certificate (basicConstraints CA:TRUE) as its own")
            && err.contains("it is not the certificate in --ca-cert other.pem"),
        "{err}"
    );

    // A CA-signed server whose CA is not the one given: unknown issuer, and
    // the advice names the file that was given.
    let ca = TestCa::new("the server's CA");
    let stranger = TestCa::new("another CA");
    stranger.write(&sb, "stranger.pem");
    let server = Server::start(&ca, vec![Reply::status(200)]);
    let out = run(&mut notify_test(&sb, &server, "stranger.pem"), 75);
    let err = stderr(&out);
    assert!(
        err.contains("not signed by a trusted CA (unknown issuer)")
            && err.contains("put the CA that signed it in --ca-cert stranger.pem"),
        "{err}"
    );
}

/// A PostgreSQL port that accepts TLS with `cert` (SSLRequest → `S`, then a
/// rustls handshake) and closes right after the handshake. The flag says
/// whether a client completed a handshake.
fn tls_postgres(
    cert: rustls::pki_types::CertificateDer<'static>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .expect("server config");
    let config = Arc::new(config);
    let done = Arc::new(AtomicBool::new(false));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    let flag = Arc::clone(&done);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut request = [0u8; 8];
            if stream.read_exact(&mut request).is_err() || stream.write_all(b"S").is_err() {
                continue;
            }
            let Ok(mut conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                continue;
            };
            while conn.is_handshaking() {
                if conn.complete_io(&mut stream).is_err() {
                    break;
                }
            }
            if !conn.is_handshaking() {
                flag.store(true, Ordering::SeqCst);
            }
        }
    });
    (port, done)
}

#[test]
fn postgres_sslrootcert_pins_a_self_signed_server_certificate() {
    use std::sync::atomic::Ordering;
    let sb = Sandbox::new();
    let snapshot = |url: &str| {
        let out = run(
            sb.cmd()
                .args(["snapshot", "--db", url])
                .timeout(Duration::from_secs(60)),
            69,
        );
        stderr(&out)
    };
    // The server's own CA:TRUE certificate as sslrootcert: verify-full passes
    // the handshake (the fake server then hangs up).
    let (pem, der, key) = self_signed_ca_cert(&["127.0.0.1"]);
    sb.write("own.pem", &pem);
    let (port, handshaken) = tls_postgres(der.clone(), key);
    let err = snapshot(&format!(
        "postgres://u@127.0.0.1:{port}/db?sslmode=verify-full&sslrootcert=own.pem&connect_timeout=5"
    ));
    assert!(handshaken.load(Ordering::SeqCst), "{err}");
    assert!(!err.contains("certificate"), "{err}");

    // Another self-signed certificate: refused, with the reason.
    let (other, _, _) = self_signed_ca_cert(&["127.0.0.1"]);
    sb.write("other.pem", &other);
    let (_, der2, key2) = self_signed_ca_cert(&["127.0.0.1"]);
    let (port, handshaken) = tls_postgres(der2, key2);
    let err = snapshot(&format!(
        "postgres://u@127.0.0.1:{port}/db?sslmode=verify-ca&sslrootcert=other.pem&connect_timeout=5"
    ));
    assert!(!handshaken.load(Ordering::SeqCst));
    assert!(
        err.contains("presents a CA certificate (basicConstraints CA:TRUE) as its own")
            && err.contains("it is not the certificate in sslrootcert"),
        "{err}"
    );

    // Pinned but for another name: verify-ca takes it, verify-full says why not.
    let (pem, der, key) = self_signed_ca_cert(&["db.example"]);
    sb.write("named.pem", &pem);
    let (port, handshaken) = tls_postgres(der, key);
    let url = format!(
        "postgres://u@127.0.0.1:{port}/db?sslrootcert=named.pem&connect_timeout=5&sslmode="
    );
    let err = snapshot(&format!("{url}verify-full"));
    assert!(!handshaken.load(Ordering::SeqCst));
    assert!(
        err.contains("valid for db.example, not for 127.0.0.1"),
        "{err}"
    );
    let err = snapshot(&format!("{url}verify-ca"));
    assert!(handshaken.load(Ordering::SeqCst), "{err}");
}
