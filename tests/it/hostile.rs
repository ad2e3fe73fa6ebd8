//! Hostile names: a schema whose tables, columns, constraints, defaults,
//! comments and views carry terminal escapes, workflow commands, mentions,
//! links and Markdown, run through every output (every format on standard
//! output, `--report` files, the GitHub job summary and step outputs, Slack,
//! a webhook receiver's error reply, `snapshot`, `diff`, error messages).
//! Nothing printed may carry a raw control or invisible character, a line
//! the GitHub runner reads as a command, or a mention or bare link where
//! Markdown or Slack would act on it. Long values render in linear time.

use std::process::Output;
use std::time::{Duration, Instant};

use crate::https_server::{Reply, Server, TestCa};
use crate::util::{self, Sandbox, run, stderr, stdout};

/// Every payload, used as (part of) names, defaults, comments and view bodies.
const PAYLOADS: &[&str] = &[
    "x\r::error::FAKE",
    "a\n::warning::X",
    "::error::START",
    "  ::notice::LEAD",
    "##[stop-commands]tok",
    "esc\x1b[31mred",
    "osc\x1b]8;;http://evil\x07link",
    "bidi\u{202e}txt\u{2066}",
    "c0\x01\x02\x08\x0b\x0c\x7f\u{85}\u{9b}z",
    "@channel",
    "@here",
    "@someone",
    "<!channel>",
    "<@U123ABC>",
    "http://evil.example/x",
    "www.evil.example",
    "<img src=x>",
    "pipe|cell",
    "tick`code`",
    "back\\slash",
];

const FORMATS: &[&str] = &[
    "text",
    "json",
    "markdown",
    "github",
    "gitlab",
    "junit",
    "sarif",
    "sql",
    "sql-revert",
];

/// What an output is read by, which decides what must not be in it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reader {
    /// A terminal or a CI log: no raw control or invisible characters, no
    /// workflow command but driftguard's own annotations.
    Log,
    /// Rendered Markdown (GitHub) or Slack mrkdwn: additionally no active
    /// mention, bare link or HTML.
    Rendered,
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Asserts that `text` (what `label` printed) is safe for `reader`.
fn assert_safe(label: &str, text: &str, reader: Reader) {
    for (i, c) in text.char_indices() {
        assert!(
            c == '\n' || !driftguard::escape::is_hidden(c),
            "{label}: raw {c:?} at byte {i}:\n{:?}",
            around(text, i)
        );
    }
    assert!(
        !text.contains("##["),
        "{label}: `##[` reaches the log:\n{text}"
    );
    for line in text.lines() {
        let lead = line.trim_start();
        if lead.starts_with("::") {
            let own = [
                "::error file=",
                "::warning file=",
                "::notice file=",
                "::notice title=",
            ]
            .iter()
            .any(|p| line.starts_with(p));
            assert!(
                own,
                "{label}: a line the runner reads as a command: {line:?}"
            );
        }
    }
    if reader == Reader::Rendered {
        // GitHub renders nothing inside a fenced code block (the folded SQL
        // script): no mention, link or tag there. driftguard's own `<details>`
        // and `<summary>` tags are the only HTML it writes.
        let rendered = outside_code_fences(text);
        let text = rendered.as_str();
        for (i, _) in text.match_indices('@') {
            let inside = text[..i].ends_with('`') && text[i + 1..].starts_with('`');
            assert!(inside, "{label}: an active mention: {:?}", around(text, i));
        }
        let lower = text.to_lowercase();
        for link in ["://evil", "www.evil"] {
            assert!(!lower.contains(link), "{label}: `{link}` is live:\n{text}");
        }
        // An HTML tag, `<!channel>` or `<@U123>`: a `<` not escaped by a
        // backslash (Markdown) and followed by what starts a tag or a mention.
        for (i, _) in text.match_indices('<') {
            let backslashes = text[..i].chars().rev().take_while(|&c| c == '\\').count();
            let next = text[i + 1..].chars().next().unwrap_or(' ');
            let live = backslashes % 2 == 0 && (next.is_ascii_alphabetic() || "!@/".contains(next));
            assert!(!live, "{label}: a live `<`: {:?}", around(text, i));
        }
    }
}

/// `text` with the lines inside fenced code blocks (CommonMark: an opening
/// line of three or more backticks, closed by a line of at least as many)
/// blanked, and driftguard's own `<details>`/`<summary>` tags removed. A fence
/// a name could close early would leave the rest of the block rendered, and
/// the checks would see it.
fn outside_code_fences(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        match open {
            Some(n) if ticks >= n && line[ticks..].trim().is_empty() => {
                open = None;
                out.push('\n');
            }
            Some(_) => out.push('\n'),
            None if ticks >= 3 => {
                open = Some(ticks);
                out.push('\n');
            }
            None => out.push_str(line),
        }
    }
    for tag in ["<details>", "</details>", "<summary>", "</summary>"] {
        out = out.replace(tag, "");
    }
    out
}

/// The text around byte `at`, for messages.
fn around(text: &str, at: usize) -> String {
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(60)
        .map_or(0, |(i, _)| i);
    text[start..].chars().take(120).collect()
}

fn assert_output_safe(label: &str, out: &Output) {
    assert_safe(&format!("{label} stdout"), &stdout(out), Reader::Log);
    assert_safe(&format!("{label} stderr"), &stderr(out), Reader::Log);
}

/// The baseline database: per payload a table, a column named by it with it
/// as default and in a named CHECK constraint, and a view selecting it.
fn sqlite_before() -> String {
    let mut ddl = String::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        ddl.push_str(&format!(
            "CREATE TABLE {} ({} TEXT DEFAULT {} CONSTRAINT {} CHECK ({} <> {}), keep TEXT DEFAULT 'k');\n",
            ident(&format!("t{i}{p}")),
            ident(p),
            literal(p),
            ident(&format!("ck{p}")),
            ident(p),
            literal(p),
        ));
        ddl.push_str(&format!(
            "CREATE VIEW {} AS SELECT {} AS c;\n",
            ident(&format!("v{i}{p}")),
            literal(p)
        ));
    }
    ddl
}

/// The drifted database: each payload column dropped, `keep`'s default now
/// the payload, each view's definition changed, a table named by each payload added.
fn sqlite_after() -> String {
    let mut ddl = String::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        ddl.push_str(&format!(
            "CREATE TABLE {} (keep TEXT DEFAULT {});\n",
            ident(&format!("t{i}{p}")),
            literal(p)
        ));
        ddl.push_str(&format!(
            "CREATE VIEW {} AS SELECT {} AS c, {} AS d;\n",
            ident(&format!("v{i}{p}")),
            literal(p),
            literal(&format!("{p}{p}"))
        ));
        ddl.push_str(&format!("CREATE TABLE {} (id INTEGER);\n", ident(p)));
    }
    ddl
}

struct Drifted {
    sb: Sandbox,
}

fn drifted_sqlite() -> Drifted {
    let sb = Sandbox::new();
    sb.sqlite("app.db", &sqlite_before());
    let out = run(
        sb.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    assert_output_safe("snapshot -o", &out);
    sb.sqlite("app.db", &sqlite_after());
    Drifted { sb }
}

/// Every report file, the job summary and the step outputs of one run.
fn assert_files_safe(sb: &Sandbox, label: &str) {
    for format in FORMATS {
        let text = sb.read(&format!("report.{format}"));
        let reader = if *format == "markdown" {
            Reader::Rendered
        } else {
            Reader::Log
        };
        assert_safe(&format!("{label} --report {format}="), &text, reader);
    }
    assert_safe(
        &format!("{label} step summary"),
        &sb.read("summary.md"),
        Reader::Rendered,
    );
    assert_safe(
        &format!("{label} GITHUB_OUTPUT"),
        &sb.read("outputs.txt"),
        Reader::Log,
    );
}

fn reports_args() -> Vec<String> {
    FORMATS
        .iter()
        .flat_map(|f| ["--report".to_string(), format!("{f}=report.{f}")])
        .collect()
}

fn in_actions(cmd: &mut assert_cmd::Command, sb: &Sandbox) {
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", sb.path("summary.md"))
        .env("GITHUB_OUTPUT", sb.path("outputs.txt"))
        .args(["--color", "never"]);
}

#[test]
fn sqlite_check_and_diff_print_nothing_hostile_in_any_format() {
    let d = drifted_sqlite();
    let sb = &d.sb;
    for format in FORMATS {
        for actions in [false, true] {
            let label = format!("check --format {format} (actions: {actions})");
            let _ = std::fs::remove_file(sb.path("summary.md"));
            let mut cmd = sb.cmd();
            cmd.args([
                "check",
                "--db",
                "app.db",
                "--baseline",
                "baseline.json",
                "--format",
                format,
            ])
            .args(reports_args());
            if actions {
                in_actions(&mut cmd, sb);
            }
            let out = run(&mut cmd, 1);
            assert_output_safe(&label, &out);
            if *format == "markdown" {
                assert_safe(&label, &stdout(&out), Reader::Rendered);
            }
            if actions {
                assert_files_safe(sb, &label);
            }
        }
        let label = format!("diff --format {format}");
        let out = run(
            sb.cmd()
                .args(["diff", "baseline.json", "app.db", "--format", format])
                .args(reports_args()),
            1,
        );
        assert_output_safe(&label, &out);
    }
}

#[test]
fn the_payloads_reach_the_reports_visibly_and_json_keeps_them_whole() {
    let d = drifted_sqlite();
    let sb = &d.sb;
    let mut cmd = sb.cmd();
    cmd.args(["check", "--db", "app.db", "--baseline", "baseline.json"])
        .args(reports_args())
        .env("COLUMNS", "2000");
    in_actions(&mut cmd, sb);
    let out = run(&mut cmd, 1);
    let text = stdout(&out);
    // The text report shows the names, escaped as documented.
    for shown in [
        "x\\r::error::FAKE",
        "a\\n::warning::X",
        "##\\[stop-commands]tok",
        "esc\\x1b[31mred",
        "osc\\x1b]8;;http://evil\\x07link",
        "bidi\\u{202e}txt\\u{2066}",
        "c0\\x01\\x02\\x08\\x0b\\x0c\\x7f\\u{85}\\u{9b}z",
        "back\\\\slash",
    ] {
        assert!(text.contains(shown), "{shown} not in:\n{text}");
    }
    // A table named `::error::START` is never at the start of a line.
    assert!(text.contains(":\\:error::START"), "{text}");
    // The annotations decode to the visible form: no line break of a name survives.
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty());
    assert!(
        annotations.iter().any(|l| l.contains("x\\r::error::FAKE")),
        "{annotations:?}"
    );
    // Markdown: mentions and links broken with code spans, the table intact.
    let md = sb.read("report.markdown");
    for shown in [
        "`@`channel",
        "`@`here",
        "`@`someone",
        "http`:`//evil.example",
        "www`.`evil.example",
        "\\<img src=x\\>",
    ] {
        assert!(md.contains(shown), "{shown} not in:\n{md}");
    }
    for row in md
        .lines()
        .filter(|l| l.starts_with("| 🔴") || l.starts_with("| 🟡") || l.starts_with("| 🟢"))
    {
        let cells = row
            .char_indices()
            .filter(|&(i, c)| {
                c == '|' && row[..i].chars().rev().take_while(|&b| b == '\\').count() % 2 == 0
            })
            .count();
        assert_eq!(cells, 5, "{row}");
    }
    // JSON keeps every name exactly (escaped only the way JSON reads back).
    let json: serde_json::Value = serde_json::from_str(&sb.read("report.json")).expect("JSON");
    let objects: Vec<String> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["table"].as_str().map(str::to_string))
        .collect();
    for p in PAYLOADS {
        assert!(
            objects.iter().any(|o| o == p),
            "{p:?} lost from the JSON report"
        );
    }
    let raw = sb.read("report.json");
    assert!(raw.contains("#\\u0023[stop-commands]tok"), "{raw}");
}

#[test]
fn colour_adds_only_its_own_sequences() {
    let d = drifted_sqlite();
    let args = ["check", "--db", "app.db", "--baseline", "baseline.json"];
    let plain = run(d.sb.cmd().args(args).args(["--color", "never"]), 1);
    let coloured = run(d.sb.cmd().args(args).args(["--color", "always"]), 1);
    let plain = stdout(&plain);
    assert!(!plain.contains('\x1b'));
    let mut stripped = String::new();
    let mut rest = stdout(&coloured);
    assert!(rest.contains('\x1b'), "no colour at all");
    while let Some(at) = rest.find('\x1b') {
        stripped.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let len = tail
            .strip_prefix('[')
            .and_then(|t| {
                t.find(|c: char| !(c.is_ascii_digit() || c == ';'))
                    .filter(|&e| t[e..].starts_with('m'))
            })
            .expect("only SGR colour sequences");
        rest = tail[len + 2..].to_string();
    }
    stripped.push_str(&rest);
    assert_eq!(stripped, plain);
}

#[test]
fn snapshots_on_standard_output_are_safe_and_read_back() {
    let sb = Sandbox::new();
    sb.sqlite("app.db", &sqlite_before());
    for format in ["json", "yaml"] {
        let out = run(
            sb.cmd()
                .args(["snapshot", "--db", "app.db", "--format", format, "-o", "-"]),
            0,
        );
        assert_output_safe(&format!("snapshot --format {format}"), &out);
        let file = format!("s.{format}");
        std::fs::write(sb.path(&file), &out.stdout).expect("write");
        // It reads back: no drift against the database it came from.
        let out = run(
            sb.cmd().args([
                "check",
                "--db",
                "app.db",
                "--baseline",
                &file,
                "--format",
                "json",
            ]),
            0,
        );
        assert_output_safe(&format!("check against the {format} snapshot"), &out);
    }
}

#[test]
fn error_messages_quote_names_visibly() {
    let sb = Sandbox::new();
    for args in [
        vec!["explain", "x\r::error::FAKE\x1b[31m\u{202e}##[stop]"],
        vec![
            "check",
            "--db",
            "app.db",
            "--baseline",
            "gone\n::error::X\x1b]8;;\x07.json",
        ],
        vec!["diff", "gone\r::warning::Y.json", "other.json"],
    ] {
        let out = sb.cmd().args(&args).output().expect("run");
        assert!(out.status.code().is_some_and(|c| c >= 64), "{args:?}");
        assert_output_safe(&format!("{args:?}"), &out);
        assert!(
            stderr(&out).contains("\\x1b")
                || stderr(&out).contains("\\r")
                || stderr(&out).contains("\\n"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn slack_and_a_hostile_webhook_reply_stay_escaped() {
    let d = drifted_sqlite();
    let sb = &d.sb;
    let ca = TestCa::new("hostile test CA");
    let ca_file = ca.write(sb, "ca.pem");
    let slack = Server::start(&ca, vec![Reply::status(200).body("ok")]);
    let reply = "nope\x1b[2J\x1b]8;;http://evil\x07\r\n::error::FROM-SERVER ##[stop-commands]x \u{202e}\u{9b}";
    let hook = Server::start(&ca, vec![Reply::status(400).body(reply)]);
    let mut cmd = sb.cmd();
    cmd.args([
        "check",
        "--db",
        "app.db",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
    ])
    .args(["--retry-delays", "10ms", "--allow-unsigned", "--ca-cert"])
    .arg(&ca_file)
    .args(["--webhook", &hook.url("/hook")])
    .env(
        "DRIFTGUARD_SLACK_WEBHOOK_URL",
        slack.url("/services/T0/B0/secret"),
    );
    no_proxy(&mut cmd);
    in_actions(&mut cmd, sb);
    let out = run(&mut cmd, 1);
    assert_output_safe("check with notifications", &out);
    let err = stderr(&out);
    assert!(err.contains("HTTP 400: nope\\x1b[2J\\x1b]8;;http://evil\\x07 ::error::FROM-SERVER ##\\[stop-commands]x \\u{202e}\\u{9b}"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let failed = report["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .find(|d| d["channel"] == "webhook")
        .expect("webhook delivery")
        .clone();
    let error = failed["error"].as_str().expect("error");
    assert!(
        !error.chars().any(driftguard::escape::is_hidden),
        "{error:?}"
    );
    assert!(error.contains("nope\\x1b[2J"), "{error}");

    let requests = slack.requests();
    assert_eq!(requests.len(), 1);
    let message = requests[0].json();
    let mut texts = Vec::new();
    collect_texts(&message, &mut texts);
    let all = texts.join("\n");
    assert_safe("slack message", &all, Reader::Rendered);
    assert!(
        all.contains("`@`channel") || all.contains("x\\r::error::FAKE"),
        "{all}"
    );
}

/// Every test here talks to loopback.
fn no_proxy(cmd: &mut assert_cmd::Command) {
    for var in ["ALL_PROXY", "HTTPS_PROXY", "all_proxy", "https_proxy"] {
        cmd.env_remove(var);
    }
}

fn collect_texts(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_texts(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| collect_texts(v, out)),
        _ => {}
    }
}

/// The Slack message lists only five changes: one with all payloads in a
/// column's default reaches it whatever the order.
#[test]
fn slack_lines_carry_every_payload_escaped() {
    let sb = Sandbox::new();
    let all = PAYLOADS.concat();
    sb.sqlite("app.db", "CREATE TABLE t (c TEXT DEFAULT 'a');");
    run(
        sb.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    sb.sqlite(
        "app.db",
        &format!(
            "CREATE TABLE t (c TEXT DEFAULT {}, {} TEXT NOT NULL);",
            literal(&all),
            ident(&all)
        ),
    );
    let ca = TestCa::new("slack hostile CA");
    let ca_file = ca.write(&sb, "ca.pem");
    let slack = Server::start(&ca, vec![Reply::status(200).body("ok")]);
    let mut cmd = sb.cmd();
    no_proxy(&mut cmd);
    let out = run(
        cmd.args([
            "check",
            "--db",
            "app.db",
            "--baseline",
            "baseline.json",
            "--ca-cert",
        ])
        .arg(&ca_file)
        .args(["--slack", &slack.url("/services/T0/B0/secret")])
        .env("COLUMNS", "100"),
        1,
    );
    assert_output_safe("check --slack", &out);
    let message = slack.requests()[0].json();
    let mut texts = Vec::new();
    collect_texts(&message, &mut texts);
    let joined = texts.join("\n");
    assert_safe("slack message", &joined, Reader::Rendered);
    for shown in [
        "`@`channel",
        "`@`here",
        "`@`someone",
        "&lt;!channel&gt;",
        "http`:`//evil.example",
        "www`.`evil.example",
        "\\x1b[31m",
        "\\u{202e}",
    ] {
        assert!(joined.contains(shown), "{shown} not in:\n{joined}");
    }
}

/// A name or value over the limit is cut, with its full length, in the
/// text, Markdown and Slack outputs; the JSON report keeps it whole.
#[test]
fn a_megabyte_name_is_cut_with_its_length_and_kept_whole_in_json() {
    let sb = Sandbox::new();
    let name = "n".repeat(1_000_000);
    sb.sqlite(
        "app.db",
        &format!("CREATE TABLE t (id INTEGER, {} TEXT);", ident(&name)),
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    sb.sqlite("app.db", "CREATE TABLE t (id INTEGER);");
    let started = Instant::now();
    let out = run(
        sb.cmd()
            .args(["check", "--db", "app.db", "--baseline", "baseline.json"])
            .args(["--report", "markdown=r.md", "--report", "json=r.json"])
            .env("COLUMNS", "2000"),
        1,
    );
    let took = started.elapsed();
    let text = stdout(&out);
    let marker = "…[1000000 chars]";
    assert!(text.contains(marker), "{text}");
    assert!(text.len() < 20_000, "{} bytes of text", text.len());
    let md = sb.read("r.md");
    // Markdown escapes the brackets: `…\[1000000 chars\]` reads `…[1000000 chars]`.
    assert!(
        md.contains("…\\[1000000 chars\\]") && md.len() < 20_000,
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&sb.read("r.json")).expect("JSON");
    assert_eq!(
        json["changes"][0]["column"].as_str().map(str::len),
        Some(1_000_000)
    );
    // Generous: the whole run (snapshot read, diff, three renderings) of a
    // debug build; the linearity test below is the precise one.
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// Rendering is linear: ten times the input takes at most twenty times as
/// long (with a floor of a few milliseconds, below which timings are noise).
#[test]
fn rendering_long_names_is_linear() {
    use driftguard::report::{self, Format};
    let render_all = |len: usize| -> Duration {
        let name = "é".repeat(len / 2);
        let report = long_report(&name);
        let baseline = report::anchor::Baseline::new("base.json", None);
        let context = report::Context {
            width: Some(100),
            baseline: &baseline,
        };
        let started = Instant::now();
        // The terminal layout (wrapped to 100 columns) and the log layout.
        let mut wrapped = Vec::new();
        report::render(&report, Format::Text, &context, &mut wrapped).expect("render");
        assert!(wrapped.len() < 50_000, "{} bytes", wrapped.len());
        for format in [Format::Text, Format::Markdown] {
            let out = report::render_plain(&report, format, &context).expect("render");
            assert!(out.len() < 50_000, "{format:?}: {} bytes", out.len());
        }
        let slack = driftguard::notify::slack::body(
            &report,
            driftguard::notify::Event::Drift(report.verdict.result),
        );
        assert!(slack.len() < 50_000);
        started.elapsed()
    };
    let _warm = render_all(1000);
    let small = render_all(100_000);
    let large = render_all(1_000_000);
    let floor = Duration::from_millis(20);
    assert!(
        large <= small.max(floor) * 20,
        "100 KB: {small:?}, 1 MB: {large:?}"
    );
}

/// A report with a dropped column named `name` and a changed default of that
/// length (before and after).
fn long_report(name: &str) -> driftguard::report::Report {
    use driftguard::diff::{Change, ObjectPath};
    use driftguard::rules::{ChangeType, classify};
    let path = |column: &str| ObjectPath {
        schema: "main".into(),
        table: Some("t".into()),
        column: Some(column.into()),
        object: None,
    };
    let changes = vec![
        Change {
            change_type: ChangeType::COLUMN_DROPPED,
            object: path(name),
            before: None,
            after: None,
            required: false,
        },
        Change {
            change_type: ChangeType::COLUMN_DEFAULT_CHANGED,
            object: path("c"),
            before: Some(name.to_string()),
            after: Some(format!("{name}x")),
            required: false,
        },
    ];
    let findings = classify(changes, &[]);
    driftguard::report::Report {
        environment: None,
        baseline: driftguard::report::BaselineInfo {
            path: "base.json".into(),
            fingerprint: "0".repeat(64),
        },
        current: driftguard::report::CurrentInfo {
            engine: "sqlite".into(),
            server_version: "3".into(),
            database: "app.db".into(),
            fingerprint: "1".repeat(64),
        },
        verdict: driftguard::rules::Verdict::of(&findings),
        findings,
        ci: None,
        created_at: "2026-01-01T00:00:00Z".into(),
        deliveries: None,
        accepted: Vec::new(),
        expired: Vec::new(),
        stale: Vec::new(),
        sql: None,
    }
}

/// PostgreSQL: names, comments, defaults, constraints and views.
#[test]
fn postgres_schema_with_hostile_names() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let name = util::unique_name("dg_hostile");
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("admin URL without a database"),
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut db = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        let mut ddl = String::new();
        for (i, p) in PAYLOADS.iter().enumerate() {
            // PostgreSQL identifiers hold any character but NUL, up to 63 bytes.
            let t = ident(&format!("t{i}{p}"));
            ddl.push_str(&format!(
                "CREATE TABLE {t} ({c} text DEFAULT {l} CONSTRAINT {k} CHECK ({c} <> {l}), keep text);
                 COMMENT ON COLUMN {t}.{c} IS {l};
                 COMMENT ON TABLE {t} IS {l};
                 CREATE VIEW {v} AS SELECT {l}::text AS c;\n",
                c = ident(p),
                l = literal(p),
                k = ident(&format!("ck{i}{p}")),
                v = ident(&format!("v{i}{p}")),
            ));
        }
        db.batch_execute(&ddl).expect("DDL");
        let sb = Sandbox::new();
        run(
            sb.cmd()
                .args(["snapshot", "--db", &url, "-o", "baseline.json"]),
            0,
        );
        let mut change = String::new();
        for (i, p) in PAYLOADS.iter().enumerate() {
            let t = ident(&format!("t{i}{p}"));
            change.push_str(&format!(
                "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {l2};
                 COMMENT ON COLUMN {t}.{c} IS {l2};
                 ALTER TABLE {t} DROP COLUMN keep;
                 CREATE OR REPLACE VIEW {v} AS SELECT {l}::text AS c, {l2}::text AS d;\n",
                c = ident(p),
                l = literal(p),
                l2 = literal(&format!("{p} {p}")),
                v = ident(&format!("v{i}{p}")),
            ));
        }
        db.batch_execute(&change).expect("change");
        check_everything(&sb, &url);
    }));
    util::drop_postgres_database(&mut client, &name);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// MariaDB/MySQL: names, comments, defaults and views.
#[test]
fn mysql_schema_with_hostile_names() {
    use mysql::prelude::Queryable;
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let name = util::unique_name("dg_hostile");
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&admin).expect("URL")).expect("connect");
    conn.query_drop(format!("CREATE DATABASE `{name}`"))
        .expect("create database");
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("admin URL without a database"),
    };
    let q = |s: &str| format!("`{}`", s.replace('`', "``"));
    // MySQL names cannot end with a space and must fit in 64 characters.
    let names: Vec<String> = PAYLOADS.iter().map(|p| p.trim_end().to_string()).collect();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        conn.query_drop(format!("USE `{name}`")).expect("use");
        for (i, p) in names.iter().enumerate() {
            let l = literal(p).replace('\\', "\\\\");
            conn.query_drop(format!(
                "CREATE TABLE {t} ({c} varchar(200) DEFAULT {l} COMMENT {l}, keep int) COMMENT {l}",
                t = q(&format!("t{i}{p}")),
                c = q(p),
            ))
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
            conn.query_drop(format!(
                "CREATE VIEW {v} AS SELECT {l} AS c",
                v = q(&format!("v{i}{p}"))
            ))
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
        }
        let sb = Sandbox::new();
        run(
            sb.cmd()
                .args(["snapshot", "--db", &url, "-o", "baseline.json"]),
            0,
        );
        for (i, p) in names.iter().enumerate() {
            let l2 = literal(&format!("{p} {p}")).replace('\\', "\\\\");
            let t = q(&format!("t{i}{p}"));
            conn.query_drop(format!(
                "ALTER TABLE {t} MODIFY {c} varchar(200) DEFAULT {l2} COMMENT {l2}, DROP COLUMN keep",
                c = q(p),
            ))
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
            conn.query_drop(format!(
                "CREATE OR REPLACE VIEW {v} AS SELECT {l2} AS c, 1 AS d",
                v = q(&format!("v{i}{p}"))
            ))
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
        }
        check_everything(&sb, &url);
        privilege_warning_names_views_visibly(&mut conn, &name, &url, &names);
    }));
    let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// A user without SHOW VIEW is warned that it cannot read the views'
/// definitions, and the warning names them: visibly.
fn privilege_warning_names_views_visibly(
    conn: &mut mysql::Conn,
    database: &str,
    url: &str,
    names: &[String],
) {
    use mysql::prelude::Queryable;
    let user = util::unique_name("dg_hostile_user");
    conn.query_drop(format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'"))
        .expect("create user");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        conn.query_drop(format!("GRANT SELECT ON `{database}`.* TO '{user}'@'%'"))
            .expect("grant");
        let (scheme_host, _) = url.rsplit_once('/').expect("URL with a database");
        let host = scheme_host.rsplit_once('@').map_or(scheme_host, |(_, h)| h);
        let host = host.trim_start_matches("mysql://");
        let limited = format!("mysql://{user}:pw@{host}/{database}");
        let sb = Sandbox::new();
        let out = run(
            sb.cmd()
                .args(["snapshot", "--db", &limited, "-o", "s.json"]),
            0,
        );
        let err = stderr(&out);
        assert!(
            err.contains("cannot read the definition of view(s)"),
            "{err}"
        );
        assert_safe("privilege warning", &err, Reader::Log);
        // The view named `v1a\n::warning::X` is listed, its line break visible.
        assert!(err.contains("v1a\\n::warning::X"), "{err}");
        assert!(names.len() == PAYLOADS.len());
    }));
    let _ = conn.query_drop(format!("DROP USER IF EXISTS '{user}'@'%'"));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// `check` of a live database against `baseline.json` in every format, in
/// GitHub Actions with every report file.
fn check_everything(sb: &Sandbox, url: &str) {
    for format in FORMATS {
        let label = format!("check --format {format}");
        let mut cmd = sb.cmd();
        cmd.args([
            "check",
            "--db",
            url,
            "--baseline",
            "baseline.json",
            "--format",
            format,
        ])
        .args(reports_args());
        in_actions(&mut cmd, sb);
        let out = cmd.output().expect("run");
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{label}: {}",
            stderr(&out)
        );
        assert_output_safe(&label, &out);
        assert_files_safe(sb, &label);
    }
    let json: serde_json::Value =
        serde_json::from_str(&sb.read("report.json")).expect("JSON report");
    assert!(
        json["changes"]
            .as_array()
            .is_some_and(|c| c.len() >= PAYLOADS.len()),
        "{json}"
    );
}

#[test]
fn only_what_a_fence_holds_is_left_unrendered() {
    assert_eq!(
        outside_code_fences("a @x\n```sql\n@here <b>\n```\n<details>after @y\n"),
        "a @x\n\n\n\nafter @y\n"
    );
    // A shorter run does not close a longer fence; a longer one does.
    assert_eq!(
        outside_code_fences("````\n```\n@here\n`````\n@z"),
        "\n\n\n\n@z"
    );
    // Text after a closing run is not a close: the block goes on.
    assert_eq!(outside_code_fences("```\n``` x\n@here"), "\n\n\n");
}
