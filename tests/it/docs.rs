//! The manual (docs/, an mdBook) and the README, held to the code.
//!
//! The reference pages that the code can write are generated here and compared
//! with the committed files: the command-line reference from clap
//! (`docs/src/reference/cli.md`), the change-type table from `driftguard rules
//! --format json`, the exit-code tables from `driftguard::error::EXIT_CODES` and
//! `driftguard::help::codes`. A difference fails with the command that rewrites
//! them: `DRIFTGUARD_UPDATE_DOCS=1 cargo test --test it docs`.
//!
//! `.ci/docs` builds the book and checks its links; these tests need no tool.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::util::{driftguard, run, stdout};

const UPDATE: &str =
    "run `DRIFTGUARD_UPDATE_DOCS=1 cargo test --test it docs` and commit the result";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn updating() -> bool {
    std::env::var_os("DRIFTGUARD_UPDATE_DOCS").is_some_and(|v| v == "1")
}

/// The whole of `path` must be `generated`; with DRIFTGUARD_UPDATE_DOCS=1 it is
/// written instead.
fn check_file(path: &str, generated: &str) {
    if updating() {
        std::fs::write(root().join(path), generated).unwrap();
        return;
    }
    let committed = read(path);
    if committed != generated {
        panic!(
            "{path} is not what the code generates now ({}): {UPDATE}",
            first_difference(&committed, generated)
        );
    }
}

/// The text between `<!-- generated:NAME:start -->` and
/// `<!-- generated:NAME:end -->` in `path` must be `generated`; with
/// DRIFTGUARD_UPDATE_DOCS=1 it is replaced instead.
fn check_region(path: &str, name: &str, generated: &str) {
    let text = read(path);
    let (start, end) = region(&text, name).unwrap_or_else(|| {
        panic!(
            "{path} has no <!-- generated:{name}:start --> … <!-- generated:{name}:end --> region"
        )
    });
    if updating() {
        let updated = format!("{}{generated}{}", &text[..start], &text[end..]);
        std::fs::write(root().join(path), updated).unwrap();
        return;
    }
    if text[start..end] != *generated {
        panic!(
            "the generated part `{name}` of {path} is out of date ({}): {UPDATE}",
            first_difference(&text[start..end], generated)
        );
    }
}

/// Byte range of a region's body (after the start marker's line, up to the end
/// marker).
fn region(text: &str, name: &str) -> Option<(usize, usize)> {
    let start_marker = format!("<!-- generated:{name}:start -->\n");
    let end_marker = format!("<!-- generated:{name}:end -->");
    let start = text.find(&start_marker)? + start_marker.len();
    let end = start + text[start..].find(&end_marker)?;
    Some((start, end))
}

fn first_difference(committed: &str, generated: &str) -> String {
    let line = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
    format!(
        "first difference at line {}: committed {:?}, generated {:?}",
        line + 1,
        committed.lines().nth(line).unwrap_or("(end)"),
        generated.lines().nth(line).unwrap_or("(end)")
    )
}

/// A table cell: `|` escaped, line breaks joined.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

// ---------------------------------------------------------------- CLI reference

/// `docs/src/reference/cli.md`: every command, from clap.
pub fn cli_reference() -> String {
    let mut cmd = driftguard::cli::Cli::command();
    cmd.build();
    let mut out = String::from(
        "# Command-line reference\n\n\
         <!-- Generated from the clap definitions in src/cli.rs and src/help.rs by\n\
         tests/it/docs.rs; do not edit by hand: run\n\
         `DRIFTGUARD_UPDATE_DOCS=1 cargo test --test it docs`. -->\n\n\
         Every command and flag as `driftguard --help` describes it, generated from the\n\
         code. [Commands, flags and filters](commands.md) explains them with examples;\n\
         [Exit codes](exit-codes.md) has the full table.\n",
    );
    write_command(&mut out, &cmd, &[]);
    out
}

fn write_command(out: &mut String, cmd: &clap::Command, parents: &[&str]) {
    let mut path: Vec<&str> = parents.to_vec();
    path.push(cmd.get_name());
    let title = path.join(" ");
    let has_subcommands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let _ = writeln!(out, "\n## `{title}`\n");
    let about = cmd
        .get_long_about()
        .or(cmd.get_about())
        .map(|s| s.to_string())
        .unwrap_or_default();
    if !about.is_empty() {
        let _ = writeln!(out, "{}\n", about.trim());
    }
    let usage = cmd.clone().render_usage().to_string();
    let _ = writeln!(out, "```text\n{}\n```", usage.trim_end());

    let positionals: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_positional() && !a.is_hide_set())
        .collect();
    if !positionals.is_empty() {
        out.push_str("\n| argument | values | default | meaning |\n|---|---|---|---|\n");
        for a in positionals {
            let name = a
                .get_value_names()
                .map(|v| {
                    v.iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_else(|| a.get_id().to_string().to_uppercase());
            let _ = writeln!(
                out,
                "| `{name}` | {} | {} | {} |",
                values(a),
                defaults(a),
                help(a)
            );
        }
    }

    let options: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set())
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .filter(|a| parents.is_empty() || !a.is_global_set())
        .collect();
    if !options.is_empty() {
        out.push_str("\n| option | values | default | meaning |\n|---|---|---|---|\n");
        for a in options {
            let mut flag = String::new();
            if let Some(s) = a.get_short() {
                let _ = write!(flag, "`-{s}`, ");
            }
            let _ = write!(flag, "`--{}", a.get_long().unwrap_or(a.get_id().as_str()));
            if a.get_action().takes_values() {
                let names = a
                    .get_value_names()
                    .map(|v| {
                        v.iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_else(|| a.get_id().to_string().to_uppercase());
                let _ = write!(flag, " {names}");
            }
            flag.push('`');
            if matches!(a.get_action(), clap::ArgAction::Append) {
                flag.push_str(" (repeatable)");
            }
            if a.is_global_set() {
                flag.push_str(" (any command)");
            }
            let _ = writeln!(
                out,
                "| {flag} | {} | {} | {} |",
                values(a),
                defaults(a),
                help(a)
            );
        }
    }

    if let Some(after) = cmd.get_after_long_help() {
        let _ = writeln!(out, "\n```text\n{}\n```", after.to_string().trim_end());
    }
    if has_subcommands {
        let subs: Vec<&clap::Command> = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            .collect();
        out.push_str("\n| command | what it does |\n|---|---|\n");
        for s in &subs {
            let _ = writeln!(
                out,
                "| `{} {}` | {} |",
                title,
                s.get_name(),
                cell(&s.get_about().map(|a| a.to_string()).unwrap_or_default())
            );
        }
        for s in subs {
            write_command(out, s, &path);
        }
    }
}

fn values(a: &clap::Arg) -> String {
    if !a.get_action().takes_values() {
        return String::new();
    }
    a.get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| format!("`{}`", v.get_name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn defaults(a: &clap::Arg) -> String {
    let mut parts: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| format!("`{}`", v.to_string_lossy()))
        .collect();
    if let Some(env) = a.get_env() {
        parts.push(format!("`${}`", env.to_string_lossy()));
    }
    parts.join(", ")
}

fn help(a: &clap::Arg) -> String {
    cell(
        &a.get_long_help()
            .or(a.get_help())
            .map(|h| h.to_string())
            .unwrap_or_default(),
    )
}

#[test]
fn docs_cli_reference_is_current() {
    check_file("docs/src/reference/cli.md", &cli_reference());
}

/// The generator must see what clap sees: every subcommand and every long flag
/// of `check` (which has the most) appear in the page, so a flag clap gains is
/// a flag the page gains.
#[test]
fn docs_cli_reference_covers_every_command_and_flag() {
    let page = cli_reference();
    let mut cmd = driftguard::cli::Cli::command();
    cmd.build();
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        assert!(
            page.contains(&format!("## `driftguard {}", sub.get_name())),
            "no section for {}",
            sub.get_name()
        );
    }
    let check = cmd.find_subcommand("check").unwrap();
    for arg in check.get_arguments() {
        if let Some(long) = arg.get_long().filter(|l| !matches!(*l, "help" | "version")) {
            assert!(page.contains(&format!("`--{long}")), "--{long} missing");
        }
    }
    // The exit codes each command can return come from src/help.rs.
    assert!(page.contains(&driftguard::help::exit_codes(
        driftguard::help::codes::SNAPSHOT,
        Some("the snapshot was written")
    )));
}

// ---------------------------------------------------------------- change types

/// The change-type table, from `driftguard rules --format json`.
fn rule_table() -> String {
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(
        driftguard().args(["rules", "--format", "json"]),
        0,
    )))
    .unwrap();
    let mut table = String::from("| change type | default | meaning |\n|---|---|---|\n");
    for r in json.as_array().unwrap() {
        let _ = writeln!(
            table,
            "| `{}` | {} | {} |",
            r["change_type"].as_str().unwrap(),
            r["severity"].as_str().unwrap(),
            cell(r["meaning"].as_str().unwrap())
        );
    }
    table
}

#[test]
fn docs_change_type_table_matches_driftguard_rules() {
    let table = rule_table();
    assert_eq!(
        table.lines().count(),
        driftguard::rules::RULES.len() + 2,
        "one row per rule"
    );
    check_region("docs/src/reference/change-types.md", "rules", &table);
}

// ---------------------------------------------------------------- exit codes

/// The exit-code table, from `driftguard::error::EXIT_CODES`.
fn exit_code_table() -> String {
    let mut table = String::from("| code | meaning |\n|---|---|\n");
    for (code, meaning) in driftguard::error::EXIT_CODES {
        let _ = writeln!(table, "| {code} | {} |", code_spans(&cell(meaning)));
    }
    table
}

/// Flags in a sentence as code: `--fail-on warning,` → `` `--fail-on` warning, ``.
fn code_spans(text: &str) -> String {
    text.split(' ')
        .map(|word| match word.strip_prefix("--") {
            Some(rest) => {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                format!("`--{name}`{}", &rest[name.len()..])
            }
            None => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which command can exit with which code, from `driftguard::help::codes`.
fn exit_codes_per_command() -> String {
    use driftguard::help::codes;
    let all: Vec<i32> = driftguard::error::EXIT_CODES
        .iter()
        .map(|(c, _)| *c)
        .collect();
    let list = |codes: &[i32]| {
        if codes == all.as_slice() {
            "all of the above".to_string()
        } else if codes.len() + 1 == all.len() {
            let missing = all.iter().find(|c| !codes.contains(c)).unwrap();
            format!("all but {missing}")
        } else {
            codes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut table = String::from("| command | can exit with |\n|---|---|\n");
    for (command, codes) in [
        ("`check`", codes::CHECK),
        ("`diff`", codes::DIFF),
        ("`snapshot`", codes::SNAPSHOT),
        ("`sql`", codes::SQL),
        ("`notify test`", codes::NOTIFY_TEST),
        ("`config check`", codes::CONFIG_CHECK),
        ("`init`", codes::INIT),
        ("`accept`", codes::ACCEPT),
    ] {
        let _ = writeln!(table, "| {command} | {} |", list(codes));
    }
    // These three print no exit-code list in their --help: they only fail on usage.
    table.push_str("| `rules`, `explain`, `completions` | 0, 64 |\n");
    table
}

#[test]
fn docs_exit_code_tables_match_the_code() {
    let table = exit_code_table();
    assert_eq!(
        table.lines().count(),
        driftguard::error::EXIT_CODES.len() + 2
    );
    check_region("docs/src/reference/exit-codes.md", "exit-codes", &table);
    check_region("README.md", "exit-codes", &table);
    check_region(
        "docs/src/reference/exit-codes.md",
        "exit-codes-per-command",
        &exit_codes_per_command(),
    );
}

/// `rules`, `explain` and `completions` exit 0 or 64 only, as the table says.
#[test]
fn docs_commands_without_an_exit_code_list_exit_0_or_64() {
    run(driftguard().args(["rules"]), 0);
    run(driftguard().args(["rules", "--format", "xml"]), 64);
    run(driftguard().args(["explain", "COLUMN_DROPPED"]), 0);
    run(driftguard().args(["explain", "NO_SUCH_TYPE"]), 64);
    run(driftguard().args(["completions", "bash"]), 0);
    run(driftguard().args(["completions", "tcsh"]), 64);
}

// ---------------------------------------------------------------- report and snapshot formats

/// The report-formats page has a row for every format `--format` takes, and no
/// other, and the snapshot-format page names the format version files carry.
#[test]
fn docs_format_pages_follow_the_code() {
    use clap::ValueEnum;
    let page = read("docs/src/reference/reports.md");
    let table = page
        .split("| format | for | what it holds |")
        .nth(1)
        .expect("the formats table")
        .split("\n\n")
        .next()
        .unwrap();
    let rows: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    let formats: Vec<String> = driftguard::report::Format::value_variants()
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(
        rows, formats,
        "docs/src/reference/reports.md: one row per format, in order"
    );

    let snapshot = stdout(&run(
        driftguard()
            .args(["snapshot", "--db", "fixtures/shop.db"])
            .current_dir(root()),
        0,
    ));
    let value: serde_json::Value = serde_json::from_str(&snapshot).unwrap();
    let format = value["format"].as_str().unwrap();
    assert!(
        read("docs/src/reference/snapshot-format.md")
            .contains(&format!("\"format\": \"{format}\"")),
        "docs/src/reference/snapshot-format.md does not show the format {format}"
    );
}

// ---------------------------------------------------------------- policy file

/// The policy-file page shows the file `driftguard init` writes, as it is now.
#[test]
fn docs_policy_file_page_shows_the_starter_file() {
    let sb = crate::util::Sandbox::new();
    run(sb.cmd().args(["init", "starter.yml"]), 0);
    let written = sb.read("starter.yml");
    assert_eq!(written, driftguard::config::STARTER);
    check_region(
        "docs/src/reference/policy-file.md",
        "starter",
        &format!("```yaml\n{written}```\n"),
    );
}

// ---------------------------------------------------------------- links into the manual

const SITE: &str = "https://driftguard-cli.github.io/driftguard/";

/// Every link into the published manual, in the README and in the code (the
/// starter policy file `init` writes), names a page of docs/src. (`.ci/docs`
/// checks their #anchors against the built book.)
#[test]
fn docs_links_into_the_manual_name_its_pages() {
    let mut texts = vec![("README.md".to_string(), read("README.md"))];
    let mut sources = Vec::new();
    rust_files(&root().join("src"), &mut sources);
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        texts.push((name, text));
    }
    let mut found = 0;
    for (file, text) in &texts {
        for (at, _) in text.match_indices(SITE) {
            let rest = &text[at + SITE.len()..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '#'))
                .unwrap_or(rest.len());
            let page = &rest[..end];
            let source = match page.strip_suffix(".html") {
                Some(stem) => format!("{stem}.md"),
                None if page.is_empty() => "introduction.md".to_string(),
                None => panic!("{file}: {SITE}{page} is not a page of the manual"),
            };
            found += 1;
            assert!(
                root().join("docs/src").join(&source).is_file()
                    || BROUGHT_IN.contains(&source.as_str()),
                "{file} links to {SITE}{page}, but docs/src/{source} does not exist"
            );
        }
    }
    assert!(found > 10, "only {found} links into the manual found");
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------- the README

/// The README is a front page; the manual is in docs/.
#[test]
fn docs_readme_is_a_front_page_under_300_lines() {
    let lines = read("README.md").lines().count();
    assert!(
        lines < 300,
        "README.md has {lines} lines; move the detail into docs/src"
    );
}

/// The README's pre-deploy snippet is the pre-deploy page's script (the README
/// one is run by `action::readme_pre_deploy_script_branches_on_the_exit_code`).
#[test]
fn docs_pre_deploy_script_is_the_readmes() {
    let script = |text: &str, heading: &str| -> String {
        let section = text
            .split(heading)
            .nth(1)
            .unwrap_or_else(|| panic!("no {heading:?} section"));
        section
            .split("```sh\n")
            .nth(1)
            .and_then(|s| s.split("\n```").next())
            .expect("a sh block in the section")
            .to_string()
    };
    assert_eq!(
        script(&read("docs/src/ci/pre-deploy.md"), "\n## The script\n"),
        script(&read("README.md"), "\n## Pre-deploy shell script\n"),
        "the pre-deploy script differs between README.md and docs/src/ci/pre-deploy.md"
    );
}

/// Every page SUMMARY.md lists exists, and every page in docs/src is listed
/// (an unlisted page is not built, so its links are never checked).
#[test]
fn docs_summary_lists_every_page() {
    let summary = read("docs/src/SUMMARY.md");
    let listed: Vec<String> = summary
        .split("](")
        .skip(1)
        .filter_map(|s| s.split(')').next())
        .map(str::to_string)
        .collect();
    let src = root().join("docs/src");
    let mut pages = Vec::new();
    collect_pages(&src, &src, &mut pages);
    for page in &pages {
        assert!(
            listed.contains(page),
            "docs/src/{page} is not in SUMMARY.md"
        );
    }
    for page in &listed {
        // The three pages written on other branches are listed before they exist here.
        assert!(
            src.join(page).is_file() || BROUGHT_IN.contains(&page.as_str()),
            "SUMMARY.md lists {page}, which does not exist"
        );
    }
}

/// Pages SUMMARY.md lists that come with other work (install, the CI guides).
const BROUGHT_IN: &[&str] = &[];

fn collect_pages(dir: &Path, src: &Path, pages: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_symlink() {
            continue; // docs/src/images → docs/images
        }
        if path.is_dir() {
            collect_pages(&path, src, pages);
        } else if path.extension().is_some_and(|e| e == "md")
            && path.file_name().is_some_and(|n| n != "SUMMARY.md")
        {
            let rel = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            pages.push(rel);
        }
    }
}

/// The ```yaml blocks of a Markdown page.
fn yaml_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match current.as_mut() {
            None if line == "```yaml" => current = Some(String::new()),
            None => {}
            Some(_) if line == "```" => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

/// The `--flag` words of `text`.
fn long_flags(text: &str) -> std::collections::BTreeSet<String> {
    let mut flags = std::collections::BTreeSet::new();
    for (at, _) in text.match_indices("--") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '-') {
            continue;
        }
        let name: String = text[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        if name.starts_with(|c: char| c.is_ascii_lowercase()) {
            flags.insert(format!("--{name}"));
        }
    }
    flags
}

/// The `DRIFTGUARD_*` variable names of `text`.
fn driftguard_variables(text: &str) -> std::collections::BTreeSet<String> {
    text.match_indices("DRIFTGUARD_")
        .map(|(at, _)| {
            text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        })
        .collect()
}

/// The input names of an action.yml or of the `spec:` header of a GitLab component.
fn input_names(yaml: &serde_yaml::Value) -> Vec<String> {
    let inputs = yaml
        .get("inputs")
        .or_else(|| yaml.get("spec").and_then(|s| s.get("inputs")))
        .and_then(serde_yaml::Value::as_mapping)
        .expect("inputs");
    inputs
        .keys()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect()
}

/// What is wrong with a CI example: YAML that does not parse, a `--flag` the
/// command's `--help` does not list (`notify test` on lines that run it,
/// `check` elsewhere), a `DRIFTGUARD_*` variable `check --help` does not name,
/// an input the action or the GitLab component does not declare.
fn example_problems(block: &str, known: &KnownNames) -> Vec<String> {
    let mut problems = Vec::new();
    let doc: serde_yaml::Value = match serde_yaml::from_str(block) {
        Ok(doc) => doc,
        Err(e) => return vec![format!("not YAML: {e}")],
    };
    for line in block.lines() {
        // A line that runs driftguard: the flags after its command. A script
        // line that runs another program (`- cargo install --locked …`): none.
        // Any other line (`args:` and its continuation lines): check's.
        let (help, flags) = if let Some(at) = line.find("driftguard notify test") {
            (&known.notify_test_help, &line[at..])
        } else if let Some(at) = line.find("driftguard check") {
            (&known.check_help, &line[at..])
        } else if line.trim_start().starts_with("- ") || line.trim_start().starts_with("run:") {
            continue;
        } else {
            (&known.check_help, line)
        };
        for flag in long_flags(flags).difference(&long_flags(help)) {
            problems.push(format!(
                "{flag} is not a flag of driftguard (line `{line}`)"
            ));
        }
    }
    for var in driftguard_variables(block).difference(&driftguard_variables(&known.check_help)) {
        problems.push(format!("{var} is not a variable driftguard reads"));
    }
    let steps = doc.as_sequence().cloned().unwrap_or_default();
    for step in &steps {
        let Some(uses) = step.get("uses").and_then(serde_yaml::Value::as_str) else {
            continue;
        };
        let inputs = if uses.starts_with("driftguard-cli/driftguard@") {
            &known.action_inputs
        } else if uses.starts_with("driftguard-cli/driftguard/setup@") {
            &known.setup_inputs
        } else {
            continue;
        };
        for key in step
            .get("with")
            .and_then(serde_yaml::Value::as_mapping)
            .into_iter()
            .flatten()
        {
            let key = key.0.as_str().unwrap_or_default();
            if !inputs.iter().any(|i| i == key) {
                problems.push(format!("`{key}` is not an input of {uses}"));
            }
        }
    }
    let includes = doc.get("include").and_then(serde_yaml::Value::as_sequence);
    for include in includes.into_iter().flatten() {
        let names_component = ["remote", "component", "file"].iter().any(|k| {
            include
                .get(*k)
                .and_then(serde_yaml::Value::as_str)
                .is_some_and(|s| {
                    s.ends_with("templates/driftguard.yml") || s.contains("/driftguard@")
                })
        });
        if !names_component {
            continue;
        }
        for key in include
            .get("inputs")
            .and_then(serde_yaml::Value::as_mapping)
            .into_iter()
            .flatten()
        {
            let key = key.0.as_str().unwrap_or_default();
            if !known.component_inputs.iter().any(|i| i == key) {
                problems.push(format!(
                    "`{key}` is not an input of templates/driftguard.yml"
                ));
            }
        }
    }
    problems
}

struct KnownNames {
    check_help: String,
    notify_test_help: String,
    action_inputs: Vec<String>,
    setup_inputs: Vec<String>,
    component_inputs: Vec<String>,
}

fn known_names() -> KnownNames {
    let help = |args: &[&str]| stdout(&run(driftguard().args(args), 0));
    let yaml = |path: &str| -> serde_yaml::Value {
        // A component file is two documents: the `spec:` header comes first.
        let text = read(path);
        let first = text.split("\n---\n").next().unwrap_or_default().to_string();
        serde_yaml::from_str(&first).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    KnownNames {
        check_help: help(&["check", "--help"]),
        notify_test_help: help(&["notify", "test", "--help"]),
        action_inputs: input_names(&yaml("action.yml")),
        setup_inputs: input_names(&yaml("setup/action.yml")),
        component_inputs: input_names(&yaml("templates/driftguard.yml")),
    }
}

/// The notification examples page: every ```yaml block parses, and uses only
/// flags, variables and inputs that exist; one section per channel, and the
/// place for the email channel last.
#[test]
fn docs_notification_examples_use_real_flags_variables_and_inputs() {
    let page = read("docs/src/notification-examples.md");
    let known = known_names();
    let blocks = yaml_blocks(&page);
    assert!(blocks.len() >= 10, "{} yaml blocks", blocks.len());
    let mut problems = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        for problem in example_problems(block, &known) {
            problems.push(format!("yaml block {}: {problem}", i + 1));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/src/notification-examples.md:\n{}",
        problems.join("\n")
    );
    let headings: Vec<&str> = page.lines().filter(|l| l.starts_with("## ")).collect();
    for channel in [
        "## Signed webhook: the JSON report",
        "## Signed webhook: the Drift Scanner payload",
        "## Slack",
        "## Microsoft Teams",
        "## PagerDuty",
    ] {
        let at = page
            .find(&format!("{channel}\n"))
            .unwrap_or_else(|| panic!("no {channel}"));
        let section = &page[at..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
        let blocks = yaml_blocks(section);
        assert!(
            blocks
                .iter()
                .any(|b| b.contains("uses: driftguard-cli/driftguard@v1"))
                && blocks
                    .iter()
                    .any(|b| b.contains("templates/driftguard.yml")),
            "{channel}: a GitHub Actions step and a GitLab CI job"
        );
    }
    assert_eq!(headings.last(), Some(&"## Email"));
    // The checks above find what they look for: an invented flag, variable or
    // input is reported.
    let invented = "- uses: driftguard-cli/driftguard@v1\n  with:\n    args: --webhook https://x.example --notify-via-pigeon\n    colour: red\n  env:\n    DRIFTGUARD_PIGEON_URL: x\n- run: driftguard notify test --notify-on pass\n";
    let found = example_problems(invented, &known);
    for expected in [
        "--notify-via-pigeon",
        "DRIFTGUARD_PIGEON_URL",
        "`colour`",
        "--notify-on",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected} not reported: {found:?}"
        );
    }
    let gitlab = "include:\n  - remote: https://x.example/templates/driftguard.yml\n    inputs:\n      baseline: b.json\n      db-url: x\n";
    assert_eq!(
        example_problems(gitlab, &known),
        ["`db-url` is not an input of templates/driftguard.yml"]
    );
    assert!(example_problems("a: [", &known)[0].starts_with("not YAML"));
}
