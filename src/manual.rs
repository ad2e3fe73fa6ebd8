//! The manual pages: `driftguard.1` and one page per command
//! (`driftguard-check.1`, `driftguard-notify-test.1`, ...), rendered by
//! clap_mangen from the same clap definitions as `--help` (src/cli.rs), so
//! they cannot disagree with it. The release archives carry them
//! (ci/package.sh runs `driftguard man --out-dir`).

use std::path::Path;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::output;

/// `driftguard.1`, the page of the command itself.
pub fn page() -> Vec<u8> {
    let mut cli = command();
    cli.build();
    render(&cli, &subcommand_pages(&cli))
}

/// Every page as (file name, roff), `driftguard.1` first.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cli = command();
    cli.build();
    let mut pages = Vec::new();
    collect(&cli, &mut pages);
    pages
}

/// Writes [`pages`] into `dir` (created if missing), each file atomically;
/// returns how many were written.
pub fn write_pages(dir: &str) -> Result<usize> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::CantCreate(format!("cannot create the directory {dir}: {e}")))?;
    let pages = pages();
    for (name, roff) in &pages {
        let path = Path::new(dir).join(name);
        output::write_file(&path.to_string_lossy(), roff)?;
    }
    Ok(pages.len())
}

fn command() -> clap::Command {
    Cli::command().disable_help_subcommand(true)
}

fn collect(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
    let children = subcommand_pages(cmd);
    let name = page_name(cmd);
    pages.push((format!("{name}.1"), render(cmd, &children)));
    for sub in visible(cmd) {
        collect(sub, pages);
    }
}

fn visible(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// `driftguard-notify-test` for `driftguard notify test` (clap's display name
/// once the command is built).
fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_string()
}

fn subcommand_pages(cmd: &clap::Command) -> Vec<String> {
    visible(cmd).map(page_name).collect()
}

/// One page: clap_mangen's sections, then SEE ALSO with the other pages and
/// the manual's address (Cargo.toml's `homepage`).
fn render(cmd: &clap::Command, children: &[String]) -> Vec<u8> {
    let name = page_name(cmd);
    let man = Man::new(cmd.clone())
        .title(name.to_uppercase())
        .source(format!("driftguard {}", env!("CARGO_PKG_VERSION")))
        .manual("driftguard manual");
    let mut out = Vec::new();
    // Rendering into a Vec<u8> cannot fail.
    let _ = man.render(&mut out);
    let mut see_also: Vec<String> = Vec::new();
    if name != "driftguard" {
        see_also.push("driftguard(1)".into());
    }
    see_also.extend(children.iter().map(|c| format!("{c}(1)")));
    let mut roff = Roff::new();
    roff.control("SH", ["SEE ALSO"]);
    if !see_also.is_empty() {
        roff.text([roman(see_also.join(", "))]);
        roff.control("PP", [] as [&str; 0]);
    }
    roff.text([roman(format!("The manual: {}", env!("CARGO_PKG_HOMEPAGE")))]);
    // Without a second copy of the apostrophe preamble that `render` wrote.
    out.extend_from_slice(roff.to_roff().as_bytes());
    out
}
