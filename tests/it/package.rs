//! What a release ships: the archives `ci/package.sh` makes (binary, shell
//! completions, manual pages, licences), the `cargo binstall` templates in
//! Cargo.toml that must name those archives, `driftguard man`, and the
//! container image's build context (`ci/image-context.sh`) and Dockerfile.
//!
//! The archives are made from the binary cargo built (`DRIFTGUARD_PREBUILT`),
//! exactly as the release workflow makes them from its builds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{Sandbox, driftguard, run, stderr, stdout};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_driftguard")
}

fn tag() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

/// The release targets, as action/install.sh maps runners to them.
const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

const SHELLS: &[(&str, &str)] = &[
    ("bash", "bash"),
    ("zsh", "zsh"),
    ("fish", "fish"),
    ("powershell", "ps1"),
    ("elvish", "elv"),
];

fn sh(cmd: &mut Command) -> Output {
    cmd.output().expect("run a command")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// `ci/package.sh TARGET TAG DIR` from the binary cargo built; the archive's path.
fn package(target: &str, dir: &Path) -> PathBuf {
    let out = sh(Command::new("bash")
        .arg(repo_root().join("ci/package.sh"))
        .args([target, &tag(), dir.to_str().unwrap()])
        .env("DRIFTGUARD_PREBUILT", binary()));
    assert!(out.status.success(), "package.sh: {}", text(&out.stderr));
    let ext = if target.contains("-windows-") {
        "zip"
    } else {
        "tar.gz"
    };
    let archive = dir.join(format!("driftguard-{}-{target}.{ext}", tag()));
    assert!(archive.is_file(), "{}", archive.display());
    archive
}

/// The archive's member paths (files only).
fn members(archive: &Path) -> BTreeSet<String> {
    let name = archive.to_str().unwrap();
    let out = if name.ends_with(".zip") {
        sh(Command::new("unzip").args(["-Z1", name]))
    } else {
        sh(Command::new("tar").args(["-tzf", name]))
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .filter(|l| !l.ends_with('/'))
        .map(str::to_string)
        .collect()
}

/// Every command path, from `--help`'s command lists, recursively: the pages
/// a manual must have (`driftguard`, `driftguard-check`, `driftguard-notify-test`, ...).
fn command_pages() -> BTreeSet<String> {
    fn walk(path: &mut Vec<String>, pages: &mut BTreeSet<String>) {
        pages.insert(
            std::iter::once("driftguard".to_string())
                .chain(path.iter().cloned())
                .collect::<Vec<_>>()
                .join("-"),
        );
        let help = stdout(&run(driftguard().args(path.iter()).arg("--help"), 0));
        let Some(list) = help.split("Commands:\n").nth(1) else {
            return;
        };
        let names: Vec<String> = list
            .lines()
            .take_while(|l| l.starts_with("  "))
            .filter(|l| !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|n| *n != "help")
            .map(str::to_string)
            .collect();
        for name in names {
            path.push(name);
            walk(path, pages);
            path.pop();
        }
    }
    let mut pages = BTreeSet::new();
    walk(&mut Vec::new(), &mut pages);
    pages
}

#[test]
fn release_archive_installs_binary_completions_and_man_pages() {
    let s = Sandbox::new();
    let archive = package("x86_64-unknown-linux-musl", &s.path("dist"));
    let stem = format!("driftguard-{}-x86_64-unknown-linux-musl", tag());

    // Exactly these files, all under one directory.
    let pages = command_pages();
    assert!(pages.len() >= 12, "{pages:?}");
    assert!(pages.contains("driftguard-notify-test"), "{pages:?}");
    let mut expected: BTreeSet<String> = [
        "driftguard",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ]
    .iter()
    .map(|f| format!("{stem}/{f}"))
    .collect();
    for (_, ext) in SHELLS {
        expected.insert(format!("{stem}/completions/driftguard.{ext}"));
    }
    for page in &pages {
        expected.insert(format!("{stem}/man/{page}.1"));
    }
    assert_eq!(members(&archive), expected);

    // Installed as docs/src/install.md says: unpack, binary to bin/, pages to
    // share/man/man1/, completions where the shells look.
    let unpacked = s.path("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let out = sh(Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dir = unpacked.join(&stem);
    let version = sh(Command::new(dir.join("driftguard")).arg("--version"));
    assert_eq!(
        text(&version.stdout).trim(),
        format!("driftguard {}", env!("CARGO_PKG_VERSION"))
    );

    // The completions are the binary's own, and bash loads its script.
    for (shell, ext) in SHELLS {
        let shipped = std::fs::read(dir.join(format!("completions/driftguard.{ext}"))).unwrap();
        let generated = run(driftguard().args(["completions", shell]), 0).stdout;
        assert_eq!(shipped, generated, "{shell}");
    }
    let bash = dir.join("completions/driftguard.bash");
    let out = sh(Command::new("bash")
        .arg("-c")
        .arg("source \"$1\" && complete -p driftguard")
        .arg("bash")
        .arg(&bash));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("driftguard"),
        "{}",
        text(&out.stdout)
    );

    // The manual pages: driftguard.1 is what `driftguard man` prints; each
    // page is roff with its own title, renders without a warning, and the
    // installed pages are found by man by name.
    let top = std::fs::read(dir.join("man/driftguard.1")).unwrap();
    assert_eq!(top, run(driftguard().arg("man"), 0).stdout);
    let man1 = s.path("prefix/share/man/man1");
    std::fs::create_dir_all(&man1).unwrap();
    for page in &pages {
        let file = dir.join(format!("man/{page}.1"));
        let roff = std::fs::read_to_string(&file).unwrap();
        let title = format!(".TH {} 1 ", page.to_uppercase());
        assert!(
            roff.lines().any(|l| l.starts_with(&title)),
            "{page}: no {title:?}"
        );
        assert!(roff.contains(".SH NAME\n"), "{page}");
        assert!(
            roff.contains(env!("CARGO_PKG_HOMEPAGE").replace('-', "\\-").as_str()),
            "{page}: links the manual"
        );
        let groff = sh(Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&file));
        assert!(groff.status.success(), "{page}");
        assert_eq!(text(&groff.stderr), "", "{page}: groff warnings");
        std::fs::copy(&file, man1.join(format!("{page}.1"))).unwrap();
    }
    let shown = sh(Command::new("man")
        .arg("-M")
        .arg(s.path("prefix/share/man"))
        .args(["-P", "cat", "driftguard-check"])
        .env("MANWIDTH", "80")
        .env("LC_ALL", "C.UTF-8"));
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let shown = text(&shown.stdout);
    assert!(shown.contains("DRIFTGUARD-CHECK(1)"), "{shown}");
    assert!(shown.contains("--baseline"), "{shown}");
    assert!(shown.contains("driftguard(1)"), "SEE ALSO: {shown}");
}

/// `[package.metadata.binstall]` (and its overrides) for `target`, as
/// cargo-binstall reads it: (pkg-url, bin-dir, pkg-fmt).
fn binstall_meta(target: &str) -> (String, String, String) {
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let mut section = String::new();
    let mut values = std::collections::BTreeMap::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.trim_matches(|c| c == '[' || c == ']').to_string();
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            continue;
        };
        let value = value.trim_matches('"').to_string();
        if section == "package.metadata.binstall" {
            values.entry(key.to_string()).or_insert(value);
        } else if section == format!("package.metadata.binstall.overrides.{target}") {
            values.insert(key.to_string(), value);
        }
    }
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    (get("pkg-url"), get("bin-dir"), get("pkg-fmt"))
}

/// cargo-binstall's template variables for this crate and target (the
/// templates use no others).
fn expand(template: &str, target: &str) -> String {
    let exe = if target.contains("-windows-") {
        ".exe"
    } else {
        ""
    };
    let expanded = template
        .replace("{ repo }", env!("CARGO_PKG_REPOSITORY"))
        .replace("{ name }", env!("CARGO_PKG_NAME"))
        .replace("{ version }", env!("CARGO_PKG_VERSION"))
        .replace("{ target }", target)
        .replace("{ bin }", "driftguard")
        .replace("{ binary-ext }", exe);
    assert!(!expanded.contains('{'), "unexpanded variable: {expanded}");
    expanded
}

#[test]
fn binstall_templates_name_every_release_archive_and_its_binary() {
    let s = Sandbox::new();
    let dist = s.path("dist");
    let base = format!(
        "{}/releases/download/{}/",
        env!("CARGO_PKG_REPOSITORY"),
        tag()
    );
    for target in TARGETS {
        let archive = package(target, &dist);
        let (pkg_url, bin_dir, pkg_fmt) = binstall_meta(target);
        assert!(!pkg_url.is_empty() && !bin_dir.is_empty(), "{target}");
        let windows = target.contains("-windows-");
        assert_eq!(pkg_fmt, if windows { "zip" } else { "tgz" }, "{target}");

        // The URL is the release asset's: the repository's releases, this
        // tag, the archive's exact name.
        let url = expand(&pkg_url, target);
        let name = archive.file_name().unwrap().to_str().unwrap();
        assert_eq!(url, format!("{base}{name}"), "{target}");

        // The binary is where bin-dir says.
        let bin = expand(&bin_dir, target);
        assert!(
            members(&archive).contains(&bin),
            "{target}: {bin} not in {name}"
        );
    }
}

#[test]
fn man_writes_every_page_or_fails_with_73() {
    let s = Sandbox::new();
    let out = run(s.cmd().args(["man", "--out-dir", "pages/man1"]), 0);
    assert!(
        stderr(&out).contains("wrote 15 manual pages to pages/man1"),
        "{}",
        stderr(&out)
    );
    let written: BTreeSet<String> = std::fs::read_dir(s.path("pages/man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let expected: BTreeSet<String> = command_pages()
        .into_iter()
        .map(|p| format!("{p}.1"))
        .collect();
    assert_eq!(written, expected);
    assert_eq!(expected.len(), 15);

    // A directory that cannot be made: a file is in the way.
    s.write("file", "x");
    let out = run(s.cmd().args(["man", "--out-dir", "file/man1"]), 73);
    assert!(
        stderr(&out).contains("cannot create the directory file/man1"),
        "{}",
        stderr(&out)
    );
    // A page that cannot be written: one is a directory.
    std::fs::create_dir_all(s.path("busy/driftguard-check.1")).unwrap();
    let out = run(s.cmd().args(["man", "--out-dir", "busy"]), 73);
    assert!(
        stderr(&out).contains("it is a directory"),
        "{}",
        stderr(&out)
    );
}

/// `ci/image-context.sh DIST TAG OUT` with only the linux/amd64 platform (the
/// only archive a test can make).
fn image_context(dist: &Path, out: &Path) -> Output {
    sh(Command::new("bash")
        .arg(repo_root().join("ci/image-context.sh"))
        .arg(dist)
        .arg(tag())
        .arg(out)
        .env("DRIFTGUARD_IMAGE_PLATFORMS", "linux/amd64"))
}

fn sums(dist: &Path) {
    let out = sh(Command::new("bash")
        .arg(repo_root().join("ci/package.sh"))
        .arg("--sums")
        .arg(dist));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn image_context_holds_the_checksummed_release_binary() {
    let s = Sandbox::new();
    let dist = s.path("dist");
    let archive = package("x86_64-unknown-linux-musl", &dist);
    sums(&dist);

    let context = s.path("image");
    let out = image_context(&dist, &context);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(context.join("linux/amd64/driftguard")).unwrap(),
        std::fs::read(binary()).unwrap()
    );
    assert_eq!(
        std::fs::read(context.join("Dockerfile")).unwrap(),
        std::fs::read(repo_root().join("Dockerfile")).unwrap()
    );

    // Both platforms are required by default; the arm64 archive is missing here.
    let out = sh(Command::new("bash")
        .arg(repo_root().join("ci/image-context.sh"))
        .arg(&dist)
        .arg(tag())
        .arg(s.path("image2")));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("aarch64-unknown-linux-musl"),
        "{}",
        text(&out.stderr)
    );

    // An archive that does not match SHA256SUMS is refused.
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&archive, bytes).unwrap();
    let out = image_context(&dist, &s.path("image3"));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("checksum mismatch"),
        "{}",
        text(&out.stderr)
    );
    assert!(!s.path("image3/linux/amd64/driftguard").exists());

    // An archive SHA256SUMS does not list is refused.
    std::fs::write(dist.join("SHA256SUMS"), "").unwrap();
    let out = image_context(&dist, &s.path("image4"));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("does not list"));
}

/// The Dockerfile's instructions, continuation lines joined, comments and
/// parser directives left out.
fn dockerfile() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo_root().join("Dockerfile")).unwrap();
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (op, args) = current.split_once(' ').unwrap_or((&current, ""));
        out.push((op.to_uppercase(), args.trim().to_string()));
        current.clear();
    }
    out
}

#[test]
fn dockerfile_copies_the_context_binary_onto_an_empty_base_as_non_root() {
    let s = Sandbox::new();
    let dist = s.path("dist");
    package("x86_64-unknown-linux-musl", &dist);
    sums(&dist);
    let context = s.path("image");
    assert!(image_context(&dist, &context).status.success());

    let instructions = dockerfile();
    let ops: Vec<&str> = instructions.iter().map(|(op, _)| op.as_str()).collect();
    let arg = |op: &str| -> Vec<&str> {
        instructions
            .iter()
            .filter(|(o, _)| o == op)
            .map(|(_, a)| a.as_str())
            .collect()
    };
    // One stage, on the empty image: nothing in it but what is copied.
    assert_eq!(arg("FROM"), ["scratch"]);
    assert_eq!(ops[0], "FROM");
    // Nothing runs at build time (there is no shell), so no emulator is
    // needed to build the arm64 image.
    assert!(!ops.contains(&"RUN"), "{ops:?}");
    assert!(!ops.contains(&"ADD"), "{ops:?}");

    // The one COPY takes the platform's binary from the context that
    // image-context.sh makes, to the path ENTRYPOINT runs.
    let copies = arg("COPY");
    assert_eq!(copies.len(), 1, "{copies:?}");
    let words: Vec<&str> = copies[0].split_whitespace().collect();
    let (flags, paths): (Vec<&str>, Vec<&str>) = words.iter().partition(|w| w.starts_with("--"));
    assert_eq!(flags, ["--chmod=0555"]);
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(arg("ARG").contains(&"TARGETPLATFORM"));
    let source = paths[0].replace("${TARGETPLATFORM}", "linux/amd64");
    assert!(
        context.join(&source).is_file(),
        "COPY {source}: not in the context"
    );
    let entry = arg("ENTRYPOINT");
    assert_eq!(entry.len(), 1);
    let entry: Vec<String> = serde_json::from_str(entry[0]).expect("ENTRYPOINT in exec form");
    assert_eq!(entry, [paths[1]]);

    // Not root, by number (there is no /etc/passwd in an empty image).
    let user = arg("USER");
    assert_eq!(user.len(), 1);
    let uid: u32 = user[0]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .expect("a numeric user");
    assert_ne!(uid, 0);

    // The image names its source repository (GHCR links the package to it).
    let labels = arg("LABEL").join(" ");
    assert!(
        labels.contains(&format!(
            "org.opencontainers.image.source=\"{}\"",
            env!("CARGO_PKG_REPOSITORY")
        )),
        "{labels}"
    );
    assert!(labels.contains(&format!(
        "org.opencontainers.image.licenses=\"{}\"",
        env!("CARGO_PKG_LICENSE")
    )));
}
