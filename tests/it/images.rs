//! The README's pictures (docs/images) must show what driftguard prints today.
//! They are made by docs/images/make.sh from real runs on the shop fixture;
//! these tests fail when the text report, the GitHub annotations or the
//! Markdown report change until the pictures are regenerated.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{driftguard, run, stdout};

const REGENERATE: &str = "the README's pictures no longer match driftguard's output: run docs/images/make.sh and commit docs/images";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn images(name: &str) -> PathBuf {
    root().join("docs/images").join(name)
}

fn committed(name: &str) -> String {
    std::fs::read_to_string(images(name))
        .unwrap_or_else(|e| panic!("read docs/images/{name}: {e}; {REGENERATE}"))
}

/// `python3 docs/images/render.py ARGS`; python3 is required, not optional.
fn render_py(args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(images("render.py"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("run python3 (needed to check docs/images): {e}"));
    assert!(
        out.status.success(),
        "render.py {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("render.py prints UTF-8")
}

/// The run the pictures show, from the repository root like make.sh.
fn shop_report(format: &str) -> String {
    let out = run(
        driftguard().current_dir(root()).args([
            "check",
            "--db",
            "fixtures/shop.db",
            "--baseline",
            "fixtures/shop.baseline.json",
            "--format",
            format,
        ]),
        1,
    );
    stdout(&out)
}

/// The text (iTXt chunk `driftguard-source`) make.sh stored in a PNG: what
/// the picture was rendered from.
fn png_source(name: &str) -> String {
    let data = std::fs::read(images(name)).unwrap_or_else(|e| panic!("read {name}: {e}"));
    assert!(
        data.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{name} is not a PNG"
    );
    let mut pos = 8;
    while pos + 8 <= data.len() {
        let len = u32::from_be_bytes(data[pos..pos + 4].try_into().unwrap()) as usize;
        let kind = &data[pos + 4..pos + 8];
        let body = &data[pos + 8..pos + 8 + len];
        if kind == b"iTXt"
            && let Some(text) = body.strip_prefix(b"driftguard-source\0\0\0\0\0".as_slice())
        {
            return String::from_utf8(text.to_vec()).expect("UTF-8 source");
        }
        pos += 12 + len;
    }
    panic!("{name} carries no driftguard-source chunk; {REGENERATE}");
}

#[test]
fn images_text_report_svg_is_current() {
    let svg = render_py(&["text-svg", "--driftguard", env!("CARGO_BIN_EXE_driftguard")]);
    // Nothing that differs between machines or runs may reach the picture.
    assert!(
        !svg.contains(env!("CARGO_MANIFEST_DIR")) && !svg.contains("/target/"),
        "the SVG holds a local path:\n{svg}"
    );
    assert!(
        svg == committed("text-report.svg"),
        "docs/images/text-report.svg differs from the current text report; {REGENERATE}\n--- regenerated\n{svg}"
    );
}

#[test]
fn images_annotations_are_current() {
    let now = shop_report("github");
    assert!(
        now == committed("github-annotations.txt"),
        "docs/images/github-annotations.txt differs from `--format github`; {REGENERATE}\n--- now\n{now}"
    );
    assert!(
        png_source("github-annotations.png") == now,
        "docs/images/github-annotations.png was rendered from other annotations; {REGENERATE}"
    );
}

#[test]
fn images_step_summary_is_current() {
    let now = shop_report("markdown");
    assert!(
        now == committed("step-summary.md"),
        "docs/images/step-summary.md differs from `--format markdown`; {REGENERATE}\n--- now\n{now}"
    );
    assert!(
        png_source("step-summary.png") == now,
        "docs/images/step-summary.png was rendered from another summary; {REGENERATE}"
    );
}

/// The converters' own checks: XML escaping, colours and cell positions,
/// refusing escape codes they cannot draw, workflow-command unescaping, the
/// Markdown subset, the PNG stamp.
#[test]
fn images_render_py_self_test() {
    assert!(render_py(&["self-test"]).contains("self-test: ok"));
}

/// The README shows every picture, next to the line saying where they come from.
#[test]
fn images_are_shown_in_the_readme() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("read README.md");
    for name in [
        "text-report.svg",
        "github-annotations.png",
        "step-summary.png",
    ] {
        assert!(
            readme.contains(&format!("docs/images/{name}\""))
                || readme.contains(&format!("(docs/images/{name})")),
            "README.md does not show docs/images/{name}"
        );
        assert!(images(name).is_file(), "docs/images/{name} is missing");
    }
    let words = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("produced by [`docs/images/make.sh`](docs/images/make.sh) from real runs"),
        "README.md no longer says where its pictures come from"
    );
}
