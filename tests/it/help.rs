//! `--help` and `-h` of every command: pinned by snapshots, wrapped to the
//! width given, and listing only the exit codes the command can return.

use crate::util::{driftguard, run, stdout};

/// Every command path, as typed after `driftguard`.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["snapshot"],
    &["diff"],
    &["check"],
    &["notify"],
    &["notify", "test"],
    &["rules"],
    &["explain"],
    &["config"],
    &["config", "check"],
    &["init"],
    &["accept"],
    &["completions"],
    &["man"],
];

fn help(command: &[&str], flag: &str, columns: usize) -> String {
    let mut cmd = driftguard();
    cmd.args(command)
        .arg(flag)
        .env("COLUMNS", columns.to_string());
    stdout(&run(&mut cmd, 0))
}

#[test]
fn long_help_of_every_command() {
    for command in COMMANDS {
        let name = if command.is_empty() {
            "driftguard".to_string()
        } else {
            command.join("_")
        };
        insta::assert_snapshot!(format!("help_{name}"), help(command, "--help", 80));
    }
}

#[test]
fn no_help_line_is_wider_than_the_terminal() {
    for command in COMMANDS {
        for flag in ["-h", "--help"] {
            for width in [60, 80, 120] {
                for line in help(command, flag, width).lines() {
                    assert!(
                        line.chars().count() <= width,
                        "{command:?} {flag} at {width} columns: {line:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn wide_terminals_get_at_most_100_columns_and_use_them() {
    let text = help(&["check"], "--help", 200);
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!((90..=100).contains(&widest), "{widest}");
}

#[test]
fn short_help_points_to_the_long_one() {
    for command in COMMANDS.iter().filter(|c| !c.is_empty()) {
        let short = help(command, "-h", 80);
        let long = help(command, "--help", 80);
        assert!(short.len() <= long.len(), "{command:?}");
        if long.contains("Examples:") {
            assert!(short.len() < long.len(), "{command:?}");
            assert!(!short.contains("Examples:"), "{command:?}");
            assert!(
                short.contains("Run with --help for examples and exit codes."),
                "{command:?}"
            );
        }
    }
}

/// The exit-code lines of a help text, as their codes.
fn exit_codes(text: &str) -> Vec<i32> {
    let table = text.split("Exit codes:").nth(1).unwrap_or_default();
    table
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn each_command_lists_the_exit_codes_it_can_return() {
    let codes = |command: &[&str]| exit_codes(&help(command, "--help", 100));
    assert_eq!(codes(&["snapshot"]), [0, 64, 65, 66, 69, 70, 73, 77, 78]);
    assert_eq!(codes(&["diff"]), [0, 1, 2, 64, 65, 66, 69, 70, 73, 77, 78]);
    assert_eq!(
        codes(&["check"]),
        [0, 1, 2, 64, 65, 66, 69, 70, 73, 75, 77, 78]
    );
    assert_eq!(codes(&["notify", "test"]), [0, 64, 66, 70, 75, 78]);
    assert_eq!(codes(&["config", "check"]), [0, 64, 66, 78]);
    assert_eq!(codes(&["init"]), [0, 64, 73]);
    assert_eq!(codes(&["accept"]), [0, 64, 66, 73, 78]);
    assert_eq!(codes(&["man"]), [0, 64, 73]);
    for command in [&["rules"][..], &["explain"], &["completions"]] {
        assert!(codes(command).is_empty(), "{command:?}");
    }
}

#[test]
fn examples_fit_80_columns_unwrapped() {
    for command in COMMANDS {
        let text = help(command, "--help", 80);
        let Some(examples) = text.split("Examples:\n").nth(1) else {
            continue;
        };
        for line in examples.lines().take_while(|l| !l.is_empty()) {
            assert!(
                line.starts_with("  # ") || line.starts_with("  driftguard "),
                "{command:?}: a wrapped example line: {line:?}"
            );
        }
    }
}
