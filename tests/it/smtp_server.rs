//! A real SMTP server on loopback for the email tests: plain, STARTTLS
//! (RFC 3207) or implicit TLS, AUTH PLAIN and LOGIN (RFC 4954) against one
//! user and password, scripted replies to chosen commands (a 451 to `MAIL`, a
//! 550 to `RCPT`, silence after the greeting…), and a record of every
//! connection and every message it accepted.
//!
//! It speaks the protocol as RFC 5321 writes it, not as the client under test
//! happens to use it: it refuses `MAIL` before `EHLO`, AUTH before TLS when
//! STARTTLS is offered, and a mail without AUTH when a user is configured.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::https_server::TestCa;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plain,
    StartTls,
    Implicit,
}

/// A reply to use instead of the normal one, the next time `verb` arrives
/// (`GREETING` for the banner, `.` for the end of the message data). The
/// reply `SILENT` answers nothing and holds the connection open; `DELAY MS`
/// sends the normal reply after MS milliseconds.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub verb: &'static str,
    pub reply: String,
}

pub fn scripted(verb: &'static str, reply: &str) -> Scripted {
    Scripted {
        verb,
        reply: reply.to_string(),
    }
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub tls: bool,
    pub ehlo: String,
    /// The user and password the client authenticated with.
    pub auth: Option<(String, String)>,
    pub auth_mechanism: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    /// The message as received, dot-stuffing removed, CRLF line ends.
    pub data: String,
}

pub struct SmtpServer {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    connections: Arc<AtomicUsize>,
    /// Every command line received, over all connections (AUTH payloads masked).
    commands: Arc<Mutex<Vec<String>>>,
}

struct Shared {
    mode: Mode,
    tls: Option<Arc<ServerConfig>>,
    user: Option<(String, String)>,
    script: Mutex<Vec<Scripted>>,
    mails: Arc<Mutex<Vec<Mail>>>,
    commands: Arc<Mutex<Vec<String>>>,
}

fn server_config(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> Arc<ServerConfig> {
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(
        ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server certificate"),
    )
}

impl SmtpServer {
    /// Starts a server; `ca` signs its certificate (unused in `Plain` mode).
    pub fn start(
        mode: Mode,
        ca: &TestCa,
        user: Option<(&str, &str)>,
        script: Vec<Scripted>,
    ) -> SmtpServer {
        let (cert, key) = ca.leaf();
        SmtpServer::start_with(mode, cert, key, user, script)
    }

    pub fn start_with(
        mode: Mode,
        cert: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
        user: Option<(&str, &str)>,
        script: Vec<Scripted>,
    ) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let commands = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            mode,
            tls: (mode != Mode::Plain).then(|| server_config(cert, key)),
            user: user.map(|(u, p)| (u.to_string(), p.to_string())),
            script: Mutex::new(script),
            mails: Arc::clone(&mails),
            commands: Arc::clone(&commands),
        });
        {
            let connections = Arc::clone(&connections);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || {
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                        let _ = serve(stream, &shared);
                    });
                }
            });
        }
        SmtpServer {
            port,
            mails,
            connections,
            commands,
        }
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn commands(&self) -> Vec<String> {
        self.commands.lock().unwrap().clone()
    }
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

/// A connection that may be upgraded to TLS in the middle.
enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
    Gone,
}

impl Conn {
    fn stream(&mut self) -> &mut dyn Stream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.as_mut(),
            Conn::Gone => unreachable!("used after a failed upgrade"),
        }
    }

    fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
    }

    fn upgrade(&mut self, config: &Arc<ServerConfig>) -> std::io::Result<()> {
        let Conn::Plain(tcp) = std::mem::replace(self, Conn::Gone) else {
            return Err(std::io::Error::other("already TLS"));
        };
        let conn = ServerConnection::new(Arc::clone(config)).map_err(std::io::Error::other)?;
        let mut tls = StreamOwned::new(conn, tcp);
        // Finish the handshake now, so that a refused certificate ends here.
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        *self = Conn::Tls(Box::new(tls));
        Ok(())
    }

    fn send(&mut self, reply: &str) -> std::io::Result<()> {
        let s = self.stream();
        s.write_all(reply.as_bytes())?;
        if !reply.ends_with("\r\n") {
            s.write_all(b"\r\n")?;
        }
        s.flush()
    }

    /// One line without its CRLF; `None` at the end of the stream.
    fn line(&mut self) -> std::io::Result<Option<String>> {
        let s = self.stream();
        let mut bytes = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match s.read(&mut byte)? {
                0 if bytes.is_empty() => return Ok(None),
                0 => break,
                _ => {
                    bytes.push(byte[0]);
                    if bytes.ends_with(b"\r\n") {
                        bytes.truncate(bytes.len() - 2);
                        break;
                    }
                }
            }
        }
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

fn serve(tcp: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let mut conn = Conn::Plain(tcp);
    if shared.mode == Mode::Implicit {
        conn.upgrade(shared.tls.as_ref().expect("TLS config"))?;
    }
    // The next scripted reply for `verb`, if the script's head names it.
    let scripted = |verb: &str| -> Option<String> {
        let mut script = shared.script.lock().unwrap();
        if script
            .first()
            .is_some_and(|s| s.verb.eq_ignore_ascii_case(verb))
        {
            Some(script.remove(0).reply)
        } else {
            None
        }
    };
    // Sends the scripted reply or the normal one; false when silent.
    let reply = |conn: &mut Conn, verb: &str, normal: &str| -> std::io::Result<bool> {
        match scripted(verb) {
            Some(r) if r == "SILENT" => {
                std::thread::sleep(Duration::from_secs(30));
                Ok(false)
            }
            Some(r) if r.starts_with("DELAY ") => {
                let ms: u64 = r[6..].parse().expect("DELAY milliseconds");
                std::thread::sleep(Duration::from_millis(ms));
                conn.send(normal).map(|_| true)
            }
            Some(r) => conn
                .send(&r)
                .map(|_| !r.starts_with('4') && !r.starts_with('5')),
            None => conn.send(normal).map(|_| true),
        }
    };
    if !reply(&mut conn, "GREETING", "220 localhost ESMTP driftguard-test")? {
        return Ok(());
    }
    let mut ehlo = None::<String>;
    let mut auth = None::<(String, String)>;
    let mut mechanism = None::<String>;
    let mut from = None::<String>;
    let mut to = Vec::new();
    while let Some(line) = conn.line()? {
        let (verb, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let verb = verb.to_ascii_uppercase();
        let logged = if verb == "AUTH" {
            format!("AUTH {}", arg.split(' ').next().unwrap_or(""))
        } else {
            line.clone()
        };
        shared.commands.lock().unwrap().push(logged);
        match verb.as_str() {
            "EHLO" | "HELO" => {
                ehlo = Some(arg.to_string());
                from = None;
                to.clear();
                let mut lines = vec!["250-localhost greets you".to_string()];
                if shared.mode == Mode::StartTls && !conn.is_tls() {
                    lines.push("250-STARTTLS".into());
                }
                let auth_offered =
                    shared.user.is_some() && (conn.is_tls() || shared.mode == Mode::Plain);
                if auth_offered {
                    lines.push("250-AUTH PLAIN LOGIN".into());
                }
                lines.push("250 8BITMIME".into());
                reply(&mut conn, "EHLO", &lines.join("\r\n"))?;
            }
            "STARTTLS" => {
                if shared.mode != Mode::StartTls || conn.is_tls() {
                    conn.send("503 5.5.1 STARTTLS not offered")?;
                    continue;
                }
                if reply(&mut conn, "STARTTLS", "220 2.0.0 Ready to start TLS")? {
                    conn.upgrade(shared.tls.as_ref().expect("TLS config"))?;
                    // RFC 3207: the session starts again.
                    ehlo = None;
                    auth = None;
                }
            }
            "AUTH" => {
                let Some((user, password)) = &shared.user else {
                    conn.send("503 5.5.1 AUTH not offered")?;
                    continue;
                };
                if shared.mode == Mode::StartTls && !conn.is_tls() {
                    conn.send("530 5.7.0 Must issue a STARTTLS command first")?;
                    continue;
                }
                let mut parts = arg.splitn(2, ' ');
                let mech = parts.next().unwrap_or("").to_ascii_uppercase();
                let initial = parts.next().map(str::to_string);
                let given = match mech.as_str() {
                    "PLAIN" => {
                        let payload = match initial {
                            Some(p) => p,
                            None => {
                                conn.send("334 ")?;
                                conn.line()?.unwrap_or_default()
                            }
                        };
                        let decoded = B64.decode(payload.trim()).unwrap_or_default();
                        let fields: Vec<String> = decoded
                            .split(|b| *b == 0)
                            .map(|f| String::from_utf8_lossy(f).into_owned())
                            .collect();
                        (fields.len() == 3).then(|| (fields[1].clone(), fields[2].clone()))
                    }
                    "LOGIN" => {
                        conn.send("334 VXNlcm5hbWU6")?;
                        let u = conn.line()?.unwrap_or_default();
                        conn.send("334 UGFzc3dvcmQ6")?;
                        let p = conn.line()?.unwrap_or_default();
                        let d = |t: &str| {
                            String::from_utf8_lossy(&B64.decode(t.trim()).unwrap_or_default())
                                .into_owned()
                        };
                        Some((d(&u), d(&p)))
                    }
                    _ => {
                        conn.send("504 5.5.4 Unrecognized authentication type")?;
                        continue;
                    }
                };
                if scripted("AUTH").is_some() {
                    conn.send("454 4.7.0 Temporary authentication failure")?;
                } else if given.as_ref() == Some(&(user.clone(), password.clone())) {
                    auth = given;
                    mechanism = Some(mech);
                    conn.send("235 2.7.0 Authentication successful")?;
                } else {
                    conn.send("535 5.7.8 Authentication credentials invalid")?;
                }
            }
            "MAIL" => {
                if ehlo.is_none() {
                    conn.send("503 5.5.1 EHLO first")?;
                } else if shared.user.is_some() && auth.is_none() {
                    conn.send("530 5.7.0 Authentication required")?;
                } else if reply(&mut conn, "MAIL", "250 2.1.0 Ok")? {
                    from = Some(address(arg));
                }
            }
            "RCPT" => {
                if from.is_none() {
                    conn.send("503 5.5.1 MAIL first")?;
                } else if reply(&mut conn, "RCPT", "250 2.1.5 Ok")? {
                    to.push(address(arg));
                }
            }
            "DATA" => {
                if to.is_empty() {
                    conn.send("554 5.5.1 No valid recipients")?;
                    continue;
                }
                if !reply(&mut conn, "DATA", "354 End data with <CR><LF>.<CR><LF>")? {
                    continue;
                }
                let mut data = String::new();
                while let Some(l) = conn.line()? {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push_str("\r\n");
                }
                if reply(&mut conn, ".", "250 2.0.0 Ok: queued as TEST")? {
                    shared.mails.lock().unwrap().push(Mail {
                        tls: conn.is_tls(),
                        ehlo: ehlo.clone().unwrap_or_default(),
                        auth: auth.clone(),
                        auth_mechanism: mechanism.clone(),
                        from: from.clone().unwrap_or_default(),
                        to: to.clone(),
                        data,
                    });
                }
                from = None;
                to.clear();
            }
            "RSET" => {
                from = None;
                to.clear();
                conn.send("250 2.0.0 Ok")?;
            }
            "NOOP" => conn.send("250 2.0.0 Ok")?,
            "QUIT" => {
                conn.send("221 2.0.0 Bye")?;
                return Ok(());
            }
            _ => conn.send("502 5.5.2 Command not recognized")?,
        }
    }
    Ok(())
}

/// `FROM:<a@b> SIZE=1` → `a@b`.
fn address(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg[start..].find('>').map_or(arg.len(), |i| start + i);
    arg[start..end].to_string()
}
