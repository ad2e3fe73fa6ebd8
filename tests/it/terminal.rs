//! The text report in a real pseudo-terminal: `check` runs inside tmux at a
//! given width and the screen is read back. tmux is required where the live
//! databases are (`DRIFTGUARD_LIVE_TESTS=required`, as in CI); elsewhere the
//! test is skipped with a loud message when tmux is missing.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Runs `check` on the shipped fixture in a tmux pane `width` columns wide and
/// returns the screen (with colour codes when `escapes`), or `None` without tmux.
fn screen(width: u16, extra: &str, escapes: bool) -> Option<String> {
    if Command::new("tmux").arg("-V").output().is_err() {
        let required = std::env::var("DRIFTGUARD_LIVE_TESTS").as_deref() == Ok("required");
        assert!(
            !required,
            "tmux is required for this test run but not installed"
        );
        eprintln!("SKIPPED: tmux is not installed; the pseudo-terminal test did not run");
        return None;
    }
    static SESSIONS: AtomicUsize = AtomicUsize::new(0);
    let socket = format!(
        "driftguard-test-{}-{}",
        std::process::id(),
        SESSIONS.fetch_add(1, Ordering::Relaxed)
    );
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    };
    let command = format!(
        "env -u NO_COLOR -u CLICOLOR_FORCE -u GITHUB_ACTIONS -u COLUMNS TERM=xterm-256color \
         {} check --db fixtures/shop.db --baseline fixtures/shop.baseline.json {extra}; \
         echo DONE; sleep 60",
        env!("CARGO_BIN_EXE_driftguard")
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-x",
        &width.to_string(),
        "-y",
        "100",
        "-c",
        env!("CARGO_MANIFEST_DIR"),
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let mut args = vec!["capture-pane", "-p", "-J"];
        if escapes {
            args.push("-e");
        }
        let shot = String::from_utf8_lossy(&tmux(&args).stdout).into_owned();
        if shot.contains("DONE") {
            break shot;
        }
        if Instant::now() > deadline {
            let sessions = tmux(&["list-sessions"]);
            tmux(&["kill-server"]);
            panic!("no output in 30 s:\n{shot}\n{sessions:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    tmux(&["kill-server"]);
    Some(text)
}

#[test]
fn the_report_fits_the_terminal_it_runs_in() {
    for width in [60u16, 100] {
        let Some(text) = screen(width, "--color never", false) else {
            return;
        };
        // -J joins lines the terminal wrapped itself: a line longer than the
        // pane here means driftguard overflowed it.
        for line in text.lines() {
            assert!(
                line.chars().count() <= usize::from(width),
                "{width} columns: {line:?}\n{text}"
            );
        }
        assert!(text.contains("4 breaking\n"), "{text}");
        assert!(text.contains("Result: BREAKING"), "{text}");
        // One schema on a terminal: paths without it, said once in the header.
        assert!(text.contains("schema:      main"), "{text}");
        assert!(!text.contains("main.customers"), "{text}");
        // Identifiers are whole, or broken only after `.` or `_`.
        assert!(
            text.contains("customers.marketing_opt_in")
                || text.contains("customers.marketing_\n")
                || text.contains("customers.\n"),
            "{text}"
        );
    }
}

#[test]
fn a_terminal_gets_colour() {
    let Some(text) = screen(100, "", true) else {
        return;
    };
    assert!(text.contains("\u{1b}["), "no colour on a terminal:\n{text}");
    let Some(plain) = screen(100, "", false) else {
        return;
    };
    let check_changed = plain
        .lines()
        .position(|l| l.contains("CHECK_CHANGED"))
        .expect("CHECK_CHANGED shown");
    let next: Vec<&str> = plain.lines().skip(check_changed + 1).take(2).collect();
    assert!(next[0].trim_start().starts_with("- "), "{next:?}");
    assert!(next[1].trim_start().starts_with("+ "), "{next:?}");
}
