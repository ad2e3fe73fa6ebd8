//! Secrets never leak: every command and failure path runs with a database
//! password, a webhook secret, a webhook path and a Slack URL set to unique
//! markers, and no marker may appear in stdout, stderr, a report file or a
//! snapshot.

use std::path::Path;

use crate::util::{Sandbox, stderr, stdout};

const DB_PASSWORD: &str = "pw-MARKER-71c3";
const WEBHOOK_SECRET: &str = "whs-MARKER-9a0e";
const WEBHOOK_TOKEN: &str = "path-MARKER-52bb";
const SLACK_TOKEN: &str = "slack-MARKER-e41f";
const PD_KEY: &str = "pdkeyMARKER0c5d";
const TEAMS_TOKEN: &str = "teams-MARKER-3b7a";
const SMTP_PASSWORD: &str = "smtp-MARKER-5d21";
const MARKERS: [&str; 7] = [
    DB_PASSWORD,
    WEBHOOK_SECRET,
    WEBHOOK_TOKEN,
    SLACK_TOKEN,
    PD_KEY,
    TEAMS_TOKEN,
    SMTP_PASSWORD,
];

fn assert_clean(what: &str, text: &str) {
    for marker in MARKERS {
        assert!(!text.contains(marker), "{what} leaked {marker}:\n{text}");
    }
}

/// Every regular file under `dir`, recursively, checked for markers.
fn assert_files_clean(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            assert_files_clean(&path);
        } else if path.extension().is_none_or(|e| e != "db") {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            // The policy file and the environment legitimately hold references, not values.
            assert_clean(&path.display().to_string(), &text);
        }
    }
}

/// Arguments and environment variables of one run.
type Run = (Vec<String>, Vec<(&'static str, String)>);

#[test]
fn no_command_or_failure_prints_a_secret() {
    let sb = Sandbox::new();
    sb.sqlite(
        "app.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);",
    );
    let pg = |port: u16| {
        format!("postgres://postgres:{DB_PASSWORD}@127.0.0.1:{port}/postgres?connect_timeout=2")
    };
    let my = |port: u16| format!("mysql://root:{DB_PASSWORD}@127.0.0.1:{port}/mysql");
    let webhook_dead = format!("https://127.0.0.1:9/hooks/{WEBHOOK_TOKEN}?token={WEBHOOK_TOKEN}");
    let slack_dead = format!("https://127.0.0.1:9/services/T000/B000/{SLACK_TOKEN}");
    let webhook_plain = format!("http://127.0.0.1:9/hooks/{WEBHOOK_TOKEN}");
    let teams_dead = format!(
        "https://127.0.0.1:9/workflows/{TEAMS_TOKEN}/triggers/manual/paths/invoke?api-version=2016-06-01&sig={TEAMS_TOKEN}"
    );
    let pd_dead = "https://127.0.0.1:9/v2/enqueue".to_string();
    sb.write(
        "policy.yml",
        "version: 1\nenvironments:\n  prod:\n    db: ${PROD_URL}\n    baseline: base.json\n    notify:\n      webhooks:\n        - url: ${HOOK}\n          secret_env: HOOK_SECRET\n",
    );
    let runs: Vec<Run> = vec![
        (
            vec![
                "snapshot".into(),
                "--db".into(),
                "app.db".into(),
                "-o".into(),
                "base.json".into(),
            ],
            vec![],
        ),
        (vec!["snapshot".into(), "--db".into(), pg(1)], vec![]),
        (vec!["snapshot".into(), "--db".into(), my(1)], vec![]),
        (vec!["snapshot".into()], vec![("DATABASE_URL", pg(1))]),
        (
            vec!["snapshot".into()],
            vec![("DRIFTGUARD_DATABASE_URL", my(1))],
        ),
        (
            vec![
                "snapshot".into(),
                "--db".into(),
                format!("ftp://u:{DB_PASSWORD}@h/x"),
            ],
            vec![],
        ),
        (
            vec![
                "snapshot".into(),
                "--db".into(),
                format!("postgres://u:{DB_PASSWORD}@[::1/x"),
            ],
            vec![],
        ),
        (
            vec![
                "snapshot".into(),
                "--db".into(),
                format!("mysql://u:{DB_PASSWORD}@h:notaport/x"),
            ],
            vec![],
        ),
        (vec!["diff".into(), pg(1), "base.json".into()], vec![]),
        (
            vec![
                "diff".into(),
                "base.json".into(),
                my(1),
                "--format".into(),
                "json".into(),
            ],
            vec![],
        ),
        (
            vec![
                "check".into(),
                "--db".into(),
                pg(1),
                "--baseline".into(),
                "base.json".into(),
            ],
            vec![],
        ),
        (
            vec![
                "check".into(),
                "--db".into(),
                "app.db".into(),
                "--baseline".into(),
                "base.json".into(),
                "--webhook".into(),
                webhook_plain,
            ],
            vec![("DRIFTGUARD_WEBHOOK_SECRET", WEBHOOK_SECRET.into())],
        ),
        (
            vec![
                "check".into(),
                "--db".into(),
                "app.db".into(),
                "--baseline".into(),
                "base.json".into(),
                "--fail-on".into(),
                "never".into(),
                "--format".into(),
                "json".into(),
                "--webhook".into(),
                webhook_dead.clone(),
                "--slack".into(),
                slack_dead.clone(),
                "--retry-delays".into(),
                "10ms".into(),
                "--notify-timeout".into(),
                "500ms".into(),
                "--require-delivery".into(),
                "--report".into(),
                "junit=out/junit.xml".into(),
                "--report".into(),
                "sarif=out/x.sarif".into(),
                "--report".into(),
                "gitlab=out/gl.json".into(),
                "--report".into(),
                "markdown=out/r.md".into(),
                "--report".into(),
                "json=out/r.json".into(),
                "--report".into(),
                "github=out/gh.txt".into(),
            ],
            vec![
                ("DRIFTGUARD_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
                ("GITHUB_ACTIONS", "true".into()),
            ],
        ),
        (
            vec![
                "notify".into(),
                "test".into(),
                "--webhook".into(),
                webhook_dead.clone(),
                "--retry-delays".into(),
                "10ms".into(),
                "--notify-timeout".into(),
                "500ms".into(),
            ],
            vec![
                ("DRIFTGUARD_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
                ("DRIFTGUARD_SLACK_WEBHOOK_URL", slack_dead.clone()),
            ],
        ),
        (
            vec![
                "notify".into(),
                "test".into(),
                "--webhook".into(),
                webhook_dead.clone(),
            ],
            vec![(
                "DRIFTGUARD_WEBHOOK_SECRET",
                "whsec_!!notbase64-MARKER-9a0e".into(),
            )],
        ),
        (
            vec![
                "check".into(),
                "--config".into(),
                "policy.yml".into(),
                "--env".into(),
                "prod".into(),
                "--retry-delays".into(),
                "10ms".into(),
            ],
            vec![
                ("PROD_URL", pg(1)),
                ("HOOK", webhook_dead.clone()),
                ("HOOK_SECRET", WEBHOOK_SECRET.into()),
            ],
        ),
        (
            vec![
                "config".into(),
                "check".into(),
                "--config".into(),
                "policy.yml".into(),
            ],
            vec![("PROD_URL", pg(1)), ("HOOK", webhook_dead.clone())],
        ),
        (
            vec![
                "check".into(),
                "--db".into(),
                "app.db".into(),
                "--baseline".into(),
                "base.json".into(),
                "--format".into(),
                "json".into(),
                "--pagerduty-events-url".into(),
                pd_dead.clone(),
                "--teams".into(),
                teams_dead.clone(),
                "--retry-delays".into(),
                "10ms".into(),
                "--notify-timeout".into(),
                "500ms".into(),
                "--require-delivery".into(),
            ],
            vec![
                ("DRIFTGUARD_PAGERDUTY_ROUTING_KEY", PD_KEY.into()),
                ("GITHUB_ACTIONS", "true".into()),
            ],
        ),
        (
            vec![
                "notify".into(),
                "test".into(),
                "--pagerduty-events-url".into(),
                pd_dead.clone(),
                "--retry-delays".into(),
                "10ms".into(),
                "--notify-timeout".into(),
                "500ms".into(),
            ],
            vec![
                ("DRIFTGUARD_PAGERDUTY_ROUTING_KEY", PD_KEY.into()),
                ("DRIFTGUARD_TEAMS_WEBHOOK_URL", teams_dead.clone()),
            ],
        ),
        (
            // A malformed key is refused without being echoed.
            vec!["notify".into(), "test".into(), "--pagerduty".into()],
            vec![("DRIFTGUARD_PAGERDUTY_ROUTING_KEY", format!("{PD_KEY}\n"))],
        ),
        (
            // A Teams URL that is not https is refused, redacted.
            vec![
                "notify".into(),
                "test".into(),
                "--teams".into(),
                teams_dead.replace("https:", "http:"),
            ],
            vec![],
        ),
        (
            // Email to a port where nothing listens: retried, failed, reported.
            vec![
                "check".into(),
                "--db".into(),
                "app.db".into(),
                "--baseline".into(),
                "base.json".into(),
                "--format".into(),
                "json".into(),
                "--email-to".into(),
                "a@example.com".into(),
                "--email-from".into(),
                "d@example.com".into(),
                "--smtp-server".into(),
                "127.0.0.1:9".into(),
                "--smtp-tls".into(),
                "implicit".into(),
                "--smtp-user".into(),
                "apikey".into(),
                "--retry-delays".into(),
                "10ms".into(),
                "--require-delivery".into(),
            ],
            vec![
                ("DRIFTGUARD_SMTP_PASSWORD", SMTP_PASSWORD.into()),
                ("GITHUB_ACTIONS", "true".into()),
            ],
        ),
        (
            // A password with plain SMTP is refused without being echoed.
            vec![
                "notify".into(),
                "test".into(),
                "--email-to".into(),
                "a@example.com".into(),
                "--email-from".into(),
                "d@example.com".into(),
                "--smtp-server".into(),
                "localhost:9".into(),
                "--smtp-tls".into(),
                "none".into(),
                "--smtp-user".into(),
                "apikey".into(),
            ],
            vec![("DRIFTGUARD_SMTP_PASSWORD", SMTP_PASSWORD.into())],
        ),
        (
            vec!["check".into(), "--help".into()],
            vec![
                ("DRIFTGUARD_SLACK_WEBHOOK_URL", slack_dead.clone()),
                ("DRIFTGUARD_TEAMS_WEBHOOK_URL", teams_dead.clone()),
                ("DRIFTGUARD_PAGERDUTY_ROUTING_KEY", PD_KEY.into()),
                ("DRIFTGUARD_SMTP_PASSWORD", SMTP_PASSWORD.into()),
                ("DATABASE_URL", pg(1)),
            ],
        ),
    ];
    let mut runs = runs;
    runs.extend(malformed_url_runs(&sb));
    std::fs::create_dir_all(sb.path("out")).unwrap();
    sb.write("gh_output", "");
    sb.write("gh_summary", "");
    for (args, envs) in runs {
        let mut cmd = sb.cmd();
        cmd.args(&args)
            .env("GITHUB_OUTPUT", sb.path("gh_output"))
            .env("GITHUB_STEP_SUMMARY", sb.path("gh_summary"))
            .timeout(std::time::Duration::from_secs(60));
        for (k, v) in &envs {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run");
        let label = format!(
            "driftguard {} (exit {:?})",
            args.join(" "),
            out.status.code()
        );
        assert!(out.status.code().is_some(), "{label} did not exit normally");
        assert_clean(&format!("stdout of {label}"), &stdout(&out));
        assert_clean(&format!("stderr of {label}"), &stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{label}: {}",
            stderr(&out)
        );
        if args.len() == 3 && args[0] == "snapshot" && args[1] == "--db" && envs.is_empty() {
            // Every location given to --db is shown masked, not left out.
            assert!(stderr(&out).contains("***"), "{label}: {}", stderr(&out));
        }
        if args.len() == 3 && args[0] == "snapshot" && args[2] == pg(1) {
            // The URL is shown, redacted: proof that the check above looked at real output.
            let err = stderr(&out);
            assert!(
                err.contains("postgres://postgres:***@127.0.0.1:1/"),
                "{err}"
            );
        }
    }
    assert_files_clean(sb.dir.path());
}

/// Database locations that no URL parser accepts, each holding the password
/// marker: raw `/`, `#`, `?` in the password, one slash after the scheme, a
/// misspelled scheme, libpq key/value strings, credentials in a SQLite URL, a
/// port out of range, a password parameter followed by junk.
fn malformed_locations() -> Vec<String> {
    let pw = DB_PASSWORD;
    vec![
        format!("postgres://u:{pw}/x@127.0.0.1:1/db"),
        format!("postgres://u:{pw}#x@127.0.0.1:1/db"),
        format!("postgres://u:{pw}?x@127.0.0.1:1/db"),
        format!("mysql://u:{pw}/x@127.0.0.1:1/db"),
        format!("mariadb://u:x@{pw}@127.0.0.1:1/db"),
        format!("postgres:/u:{pw}@127.0.0.1:1/db"),
        format!("postgress://u:{pw}@127.0.0.1:1/db"),
        format!("host=127.0.0.1 port=1 password={pw} user=u"),
        format!("host=127.0.0.1 password='{pw} x' user=u"),
        format!("sqlite://u:{pw}@/x.db"),
        format!("postgres://u:{pw}@127.0.0.1:99999/db"),
        format!("mysql://u:{pw}@127.0.0.1:0/db"),
        format!("mysql://u@127.0.0.1:1/db?password={pw}&x"),
        format!("postgres://u@127.0.0.1:1/db?sslpassword={pw}"),
    ]
}

/// Notification URLs that are refused at start-up, each holding a marker.
fn malformed_channels() -> Vec<(&'static str, String)> {
    let (w, s) = (WEBHOOK_TOKEN, SLACK_TOKEN);
    vec![
        ("--webhook", format!("https://u:{w}@127.0.0.1:99999/x")),
        ("--webhook", format!("https://127.0.0.1:99999/hooks/{w}")),
        ("--webhook", format!("https://127.0.0.1:9/hooks/{w} x")),
        ("--webhook", format!("https://127.0.0.1:9/hooks/{w}\n")),
        ("--webhook", format!("http://127.0.0.1:9/hooks/{w}")),
        ("--webhook", format!("https:/127.0.0.1/hooks/{w}")),
        (
            "--slack",
            format!("https://hooks.slack.com:0/services/T/B/{s}"),
        ),
        (
            "--slack",
            format!("https://hooks.slack.com/services/T/B/{s}\t"),
        ),
        ("--slack", format!("hooks.slack.com/services/T/B/{s}")),
    ]
}

/// Every command, flag and variable that takes a database location, with
/// every malformed one; every channel flag with every malformed URL.
fn malformed_url_runs(sb: &crate::util::Sandbox) -> Vec<Run> {
    sb.write(
        "policy-db.yml",
        "version: 1\nenvironments:\n  prod:\n    db: ${PROD_URL}\n    baseline: base.json\n",
    );
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut runs: Vec<Run> = Vec::new();
    for url in malformed_locations() {
        runs.push((strings(&["snapshot", "--db", &url]), vec![]));
        runs.push((strings(&["snapshot"]), vec![("DATABASE_URL", url.clone())]));
        runs.push((
            strings(&["snapshot"]),
            vec![("DRIFTGUARD_DATABASE_URL", url.clone())],
        ));
        runs.push((strings(&["diff", &url, "base.json"]), vec![]));
        runs.push((
            strings(&["diff", "base.json", &url, "--format", "json"]),
            vec![],
        ));
        runs.push((
            strings(&["check", "--db", &url, "--baseline", "base.json"]),
            vec![],
        ));
        runs.push((
            strings(&["check", "--db", "app.db", "--baseline", &url]),
            vec![],
        ));
        runs.push((
            strings(&["check", "--config", "policy-db.yml", "--env", "prod"]),
            vec![("PROD_URL", url.clone())],
        ));
    }
    for (flag, url) in malformed_channels() {
        runs.push((
            strings(&[
                "check",
                "--db",
                "app.db",
                "--baseline",
                "base.json",
                "--allow-unsigned",
                flag,
                &url,
            ]),
            vec![],
        ));
        runs.push((
            strings(&["notify", "test", "--allow-unsigned", flag, &url]),
            vec![],
        ));
        if flag == "--slack" {
            runs.push((
                strings(&["notify", "test"]),
                vec![("DRIFTGUARD_SLACK_WEBHOOK_URL", url.clone())],
            ));
        }
    }
    runs
}
