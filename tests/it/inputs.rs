//! Hostile input files: devices, FIFOs, deep nesting, a forged fingerprint,
//! and the temporary files next to an output. Every run has a hard time-out:
//! a hang fails the test instead of stalling the suite.

use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Sandbox, run, stderr};

/// Hard time-out of every run here.
const LIMIT: Duration = Duration::from_secs(20);

fn scenario() -> Sandbox {
    let sb = Sandbox::new();
    sb.sqlite(
        "pass.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "pass.db", "-o", "base.json"]),
        0,
    );
    sb
}

fn spawn(sb: &Sandbox, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_driftguard"))
        .current_dir(sb.dir.path())
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn driftguard")
}

/// Waits for `child`, killing it and failing the test past [`LIMIT`].
fn finish(mut child: Child, code: i32) -> (Output, Duration) {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "driftguard did not finish within {LIMIT:?} (hung); stderr:\n{}",
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert_eq!(
        out.status.code(),
        Some(code),
        "unexpected exit (a signal is a crash)\n{}",
        stderr(&out)
    );
    (out, started.elapsed())
}

fn run_within(sb: &Sandbox, args: &[&str], code: i32) -> (String, Duration) {
    let (out, took) = finish(spawn(sb, args), code);
    let err = stderr(&out);
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    (err, took)
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// Opens the FIFO for writing once a reader has it open (never blocking in
/// `open`, so a reader that never comes cannot strand this thread), then
/// writes `content` once, or for ever (until the reader closes) when `endless`.
fn writer(path: PathBuf, content: Vec<u8>, endless: bool) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        use std::os::unix::fs::OpenOptionsExt;
        let started = Instant::now();
        let file = loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&path)
            {
                Ok(file) => break file,
                // ENXIO: no reader yet.
                Err(_) if started.elapsed() < LIMIT => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(e) => panic!("no reader opened the FIFO: {e}"),
            }
        };
        // Blocking writes from here on.
        // SAFETY: fcntl on a descriptor this thread owns.
        unsafe {
            use std::os::fd::AsRawFd;
            let fd = file.as_raw_fd();
            libc::fcntl(
                fd,
                libc::F_SETFL,
                libc::fcntl(fd, libc::F_GETFL) & !libc::O_NONBLOCK,
            );
        }
        let mut file = file;
        let mut written = 0u64;
        loop {
            // A closed reader is EPIPE (SIGPIPE is ignored in Rust programs).
            if file.write_all(&content).is_err() {
                break;
            }
            written += content.len() as u64;
            if !endless {
                break;
            }
        }
        written
    })
}

#[test]
fn a_symlink_to_dev_zero_is_refused_by_the_bytes_read_not_its_size() {
    let sb = scenario();
    symlink("/dev/zero", sb.path("zero.json")).unwrap();
    let (err, _) = run_within(&sb, &["diff", "zero.json", "base.json"], 65);
    assert!(
        err.contains("old snapshot file zero.json is too large: it is over the 512 MiB limit"),
        "{err}"
    );
    let (err, _) = run_within(
        &sb,
        &["check", "--db", "pass.db", "--baseline", "zero.json"],
        65,
    );
    assert!(err.contains("over the 512 MiB limit"), "{err}");
    // A SQLite database is opened by SQLite itself: only a regular file.
    symlink("/dev/zero", sb.path("zero.db")).unwrap();
    let (err, _) = run_within(&sb, &["snapshot", "--db", "zero.db"], 66);
    assert!(
        err.contains("SQLite database zero.db is not a regular file"),
        "{err}"
    );
    // The policy file: 1 MiB.
    symlink("/dev/zero", sb.path("zero.yml")).unwrap();
    let (err, _) = run_within(&sb, &["--config", "zero.yml", "config", "check"], 78);
    assert!(
        err.contains("zero.yml is too large: it is over the 1 MiB limit"),
        "{err}"
    );
}

#[test]
fn a_fifo_that_never_stops_is_refused_at_the_limit() {
    let sb = scenario();
    let fifo = sb.path("endless.json");
    mkfifo(&fifo);
    let feeder = writer(fifo, b"{\"a\": \"".repeat(1 << 13), true);
    let (err, _) = run_within(&sb, &["diff", "endless.json", "base.json"], 65);
    assert!(
        err.contains("endless.json is too large: it is over the 512 MiB limit"),
        "{err}"
    );
    // What was read before refusing it: the limit and at most a pipe's worth.
    let written = feeder.join().unwrap();
    assert!(written >= 512 << 20, "{written}");
    assert!(written < (512 << 20) + (4 << 20), "{written}");
}

#[test]
fn a_fifo_with_no_writer_is_refused_after_a_short_wait() {
    let sb = scenario();
    mkfifo(&sb.path("nobody.json"));
    let (err, took) = run_within(&sb, &["diff", "nobody.json", "base.json"], 66);
    assert!(
        err.contains(
            "cannot read old snapshot file nobody.json: it is a FIFO that no process opened for writing within 5 s"
        ),
        "{err}"
    );
    assert!(took >= Duration::from_secs(4), "{took:?}");
    mkfifo(&sb.path("nobody.yml"));
    let (err, _) = run_within(&sb, &["--config", "nobody.yml", "config", "check"], 78);
    assert!(err.contains("no process opened for writing"), "{err}");
}

#[test]
fn a_fifo_or_pipe_with_a_snapshot_in_it_is_read() {
    let sb = scenario();
    let base = std::fs::read(sb.path("base.json")).unwrap();
    // A writer that is already waiting when driftguard opens the FIFO.
    let fifo = sb.path("piped.json");
    mkfifo(&fifo);
    let feeder = writer(fifo.clone(), base.clone(), false);
    run_within(&sb, &["diff", "piped.json", "base.json"], 0);
    assert_eq!(feeder.join().unwrap(), base.len() as u64);
    // One that comes a second after driftguard opened it.
    let child = spawn(&sb, &["diff", "base.json", "piped.json"]);
    std::thread::sleep(Duration::from_secs(1));
    let feeder = writer(fifo, base.clone(), false);
    finish(child, 0);
    feeder.join().unwrap();
    // A YAML policy file through a FIFO (`--config <(…)`).
    let policy = sb.path("policy.yml");
    mkfifo(&policy);
    let feeder = writer(policy, b"version: 1\nfail_on: breaking\n".to_vec(), false);
    run_within(&sb, &["--config", "policy.yml", "config", "check"], 0);
    feeder.join().unwrap();
}

#[test]
fn a_fingerprint_that_is_not_a_sha256_is_65_not_a_panic() {
    let sb = scenario();
    let base = sb.read("base.json");
    let start = base.find("\"fingerprint\": \"").unwrap() + "\"fingerprint\": \"".len();
    let end = start + 64;
    // The one that panicked: a multi-byte character across byte 12.
    for forged in [
        "abcdefghijké",
        "0123456789abcdef",
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
    ] {
        let text = format!("{}{forged}{}", &base[..start], &base[end..]);
        sb.write("forged.json", &text);
        for args in [
            &["diff", "forged.json", "base.json"][..],
            &["check", "--db", "pass.db", "--baseline", "forged.json"],
        ] {
            let (err, _) = run_within(&sb, args, 65);
            assert!(
                err.contains("forged.json has an invalid \"fingerprint\": it must be 64 lower-case hex digits"),
                "{forged}: {err}"
            );
        }
    }
    // The same in YAML.
    run(
        sb.cmd().args([
            "snapshot", "--db", "pass.db", "--format", "yaml", "-o", "base.yml",
        ]),
        0,
    );
    let yaml = sb.read("base.yml");
    let line = yaml
        .lines()
        .find(|l| l.starts_with("fingerprint: "))
        .unwrap();
    sb.write(
        "forged.yml",
        &yaml.replace(line, "fingerprint: ééééééééééééé"),
    );
    let (err, _) = run_within(&sb, &["diff", "forged.yml", "base.yml"], 65);
    assert!(err.contains("invalid \"fingerprint\""), "{err}");
    assert!(err.contains("13 characters long and not ASCII"), "{err}");
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let sb = scenario();
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    // 160 KB of nested flow sequences: 38 s before the limit.
    sb.write(
        "deep.yml",
        &format!(
            "format: driftguard.snapshot/1\nschemas: {}\n",
            nested(80_000)
        ),
    );
    let (err, took) = run_within(&sb, &["diff", "deep.yml", "base.json"], 65);
    assert!(
        err.contains("old snapshot file deep.yml nests deeper than 32 levels (line 2)"),
        "{err}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    // A 500 KB policy file: 150 s before.
    sb.write(
        "deep-policy.yml",
        &format!("version: 1\nrules: {}\n", nested(250_000)),
    );
    let (err, took) = run_within(&sb, &["--config", "deep-policy.yml", "config", "check"], 78);
    assert!(
        err.contains("deep-policy.yml line 2: nested deeper than 32 levels"),
        "{err}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Block nesting, indented: refused at the line that goes too deep.
    let block: String = (0..40)
        .map(|i| format!("{}k:\n", "  ".repeat(i + 1)))
        .collect();
    sb.write(
        "block.yml",
        &format!("format: driftguard.snapshot/1\nschemas:\n{block}"),
    );
    let (err, _) = run_within(&sb, &["diff", "block.yml", "base.json"], 65);
    assert!(
        err.contains("nests deeper than 32 levels (line 34)"),
        "{err}"
    );
    // JSON: the JSON parser's own limit (128), as it reads; no stack overflow.
    sb.write(
        "deep.json",
        &format!(
            "{{\"format\": \"driftguard.snapshot/1\", \"schemas\": {}}}",
            nested(1_000_000)
        ),
    );
    let (err, took) = run_within(&sb, &["diff", "deep.json", "base.json"], 65);
    assert!(err.contains("recursion limit exceeded"), "{err}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// The names the temporary file of `-o base.json` had before they were random.
fn old_temp_name(pid: u32) -> String {
    format!(".base.json.driftguard-{pid}.tmp")
}

#[test]
fn a_planted_symlink_is_never_followed_by_the_temporary_file() {
    let sb = scenario();
    let victim = sb.write("victim.txt", "untouched\n");
    // The process that becomes driftguard (exec keeps the pid) waits until
    // its old temporary name holds a symlink to the victim.
    let child = Command::new("sh")
        .current_dir(sb.dir.path())
        .args([
            "-c",
            "while [ ! -L ready ]; do sleep 0.05; done; exec \"$0\" snapshot --db pass.db -o base.json",
            env!("CARGO_BIN_EXE_driftguard"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    symlink(&victim, sb.path(&old_temp_name(child.id()))).unwrap();
    // And at names of the current pattern.
    let planted: Vec<String> = (0..200)
        .map(|i| format!(".driftguard-{i:06}.tmp"))
        .collect();
    for name in &planted {
        symlink(&victim, sb.path(name)).unwrap();
    }
    symlink("victim.txt", sb.path("ready")).unwrap();
    finish(child, 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
    let written = std::fs::symlink_metadata(sb.path("base.json")).unwrap();
    assert!(
        written.file_type().is_file(),
        "the baseline is a file, not a link"
    );
    assert!(
        sb.read("base.json")
            .contains("\"format\": \"driftguard.snapshot/1\"")
    );
    for name in &planted {
        assert!(
            std::fs::symlink_metadata(sb.path(name))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}

/// Sets a path's modification time `age` into the past, without following a symlink.
fn age(path: &Path, age: Duration) {
    let when = std::time::SystemTime::now() - age;
    let secs = when
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as libc::time_t;
    let times = [
        libc::timespec {
            tv_sec: secs,
            tv_nsec: 0,
        },
        libc::timespec {
            tv_sec: secs,
            tv_nsec: 0,
        },
    ];
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid path and two timespecs.
    let rc = unsafe {
        libc::utimensat(
            libc::AT_FDCWD,
            c.as_ptr(),
            times.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    assert_eq!(rc, 0, "utimensat");
}

#[test]
fn stale_temporary_files_of_killed_runs_are_removed_and_nothing_else() {
    let sb = scenario();
    std::fs::create_dir(sb.path("out")).unwrap();
    let hours = |h: u64| Duration::from_secs(h * 3600);
    let file = |name: &str, old: Option<Duration>| {
        let path = sb.write(&format!("out/{name}"), "x");
        if let Some(old) = old {
            age(&path, old);
        }
    };
    file(".driftguard-aB3dE9.tmp", Some(hours(2))); // stale: removed
    file(".driftguard-Zz0000.tmp", Some(hours(30))); // stale: removed
    file(".driftguard-fresh1.tmp", None); // a run in progress: kept
    file(".driftguard-nearly.tmp", Some(Duration::from_secs(3000))); // 50 min: kept
    file(".driftguard-toolong1.tmp", Some(hours(2))); // not the pattern: kept
    file(".driftguard-ab.tmp", Some(hours(2))); // not the pattern: kept
    file("notes.txt", Some(hours(2))); // kept
    file(".base.json.driftguard-4242.tmp", Some(hours(2))); // the old scheme: kept
    // Another user's: kept.
    file(".driftguard-other1.tmp", Some(hours(2)));
    let other = std::ffi::CString::new(
        sb.path("out/.driftguard-other1.tmp")
            .as_os_str()
            .as_encoded_bytes(),
    )
    .unwrap();
    // SAFETY: a valid path. Root can give a file away; others cannot, and
    // then the file is theirs and the check below is moot but still holds.
    let given_away = unsafe { libc::chown(other.as_ptr(), 4242, 4242) } == 0;
    // A symlink and a directory with a matching name: kept.
    symlink("notes.txt", sb.path("out/.driftguard-link12.tmp")).unwrap();
    age(&sb.path("out/.driftguard-link12.tmp"), hours(2));
    std::fs::create_dir(sb.path("out/.driftguard-dir123.tmp")).unwrap();
    age(&sb.path("out/.driftguard-dir123.tmp"), hours(2));

    run(
        sb.cmd()
            .args(["snapshot", "--db", "pass.db", "-o", "out/base.json"]),
        0,
    );
    let mut left: Vec<String> = std::fs::read_dir(sb.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut expected = vec![
        ".base.json.driftguard-4242.tmp",
        ".driftguard-ab.tmp",
        ".driftguard-dir123.tmp",
        ".driftguard-fresh1.tmp",
        ".driftguard-link12.tmp",
        ".driftguard-nearly.tmp",
        ".driftguard-toolong1.tmp",
        "base.json",
        "notes.txt",
    ];
    if given_away {
        expected.push(".driftguard-other1.tmp");
        expected.sort();
    }
    assert_eq!(left, expected);
}
