//! One repository identity: Cargo.toml's `repository` says where driftguard
//! lives, and every link to the project — in the README, the manual, the
//! action and its examples, the GitLab templates, the workflows and CI
//! scripts, the Dockerfile, the source (such as `init`'s starter file) — must
//! name that repository, its GitHub Pages site and its container image. No
//! `OWNER` placeholder may remain.
//!
//! A link to another project's repository is fine when its owner is listed in
//! [`THIRD_PARTY`]; any other github.com owner is taken for a stale or
//! mistyped name of ours.

use std::path::{Path, PathBuf};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Owners of repositories driftguard links to or uses that are not driftguard
/// (compared case-insensitively), and the owners that examples make up.
const THIRD_PARTY: &[&str] = &[
    "actions",
    "github",
    "docker",
    "dtolnay",
    "swatinem",
    "rust-lang",
    "rust-cross",
    "rustsec",
    "embarkstudios",
    "cargo-bins",
    "clap-rs",
    "rustls",
    "octokit",
    "sigstore",
    "taiki-e",
    "firecow",
    "keepachangelog",
    // Made-up repositories of a driftguard user, in examples and tests.
    "acme",
    "octocat",
    "my-org",
];

/// github.com paths that are not `owner/repository`.
const GITHUB_PAGES: &[&str] = &[
    "orgs",
    "settings",
    "features",
    "marketplace",
    "user-attachments",
    "login",
    "apps",
    "sponsors",
    "topics",
    "search",
    "enterprise",
];

struct Identity {
    owner: String,
    name: String,
}

fn identity() -> Identity {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let path = repository
        .strip_prefix("https://github.com/")
        .expect("Cargo.toml's repository is a GitHub repository");
    let (owner, name) = path.split_once('/').expect("owner/name");
    assert!(
        !name.contains('/') && !name.is_empty() && !owner.is_empty(),
        "{repository}"
    );
    Identity {
        owner: owner.to_string(),
        name: name.to_string(),
    }
}

/// The files that link to the project.
fn scanned_files() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for name in [
        "README.md",
        "CONTRIBUTING.md",
        "CHANGELOG.md",
        "SECURITY.md",
        "Dockerfile",
        "action.yml",
    ] {
        let path = root.join(name);
        if path.is_file() {
            files.push(path);
        }
    }
    // Other actions in the repository (setup/action.yml, ...).
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path().join("action.yml");
        if path.is_file() {
            files.push(path);
        }
    }
    for dir in [
        "action",
        "templates",
        "ci",
        ".github/workflows",
        "docs",
        "src",
    ] {
        walk(&root.join(dir), &mut files);
    }
    files
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            // docs/book is the built manual, not a source.
            if name != "book" && name != "node_modules" {
                walk(&path, files);
            }
        } else if [".md", ".rs", ".yml", ".yaml", ".sh", ".py", ".toml"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || !name.contains('.')
        {
            files.push(path);
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// The `owner/name` after each occurrence of `prefix` in `line`.
fn repositories_after<'a>(line: &'a str, prefix: &str) -> Vec<(&'a str, Option<&'a str>)> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        let owner_len = after
            .find(|c: char| !is_name_char(c))
            .unwrap_or(after.len());
        let owner = after[..owner_len].trim_end_matches('.');
        let name = after[owner_len..].strip_prefix('/').map(|tail| {
            let len = tail.find(|c: char| !is_name_char(c)).unwrap_or(tail.len());
            tail[..len].trim_end_matches('.').trim_end_matches(".git")
        });
        found.push((owner, name));
        rest = after;
    }
    found
}

/// Every problem in `text` (one file): stale owners, placeholders, other
/// names of ours.
fn problems(text: &str, id: &Identity) -> Vec<String> {
    let ours = |owner: &str, name: &str| {
        owner.eq_ignore_ascii_case(&id.owner) && name.eq_ignore_ascii_case(&id.name)
    };
    let third_party = |owner: &str| THIRD_PARTY.iter().any(|t| t.eq_ignore_ascii_case(owner));
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = |what: String| format!("line {}: {what}: {}", n + 1, line.trim());

        let mut rest = line;
        while let Some(i) = rest.find("OWNER") {
            let before = rest[..i].chars().next_back();
            let after = rest[i + 5..].chars().next();
            let boundary =
                |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
            if boundary(before) && boundary(after) {
                out.push(at("an OWNER placeholder".into()));
            }
            rest = &rest[i + 5..];
        }

        for (owner, name) in repositories_after(line, "github.com/") {
            let Some(name) = name.filter(|n| !n.is_empty()) else {
                continue;
            };
            if owner.is_empty()
                || third_party(owner)
                || GITHUB_PAGES.contains(&owner)
                || ours(owner, name)
                // api.github.com/repos/OWNER/NAME: the owner is the next part.
                || owner == "repos"
            {
                continue;
            }
            out.push(at(format!("github.com/{owner}/{name}")));
        }
        for (owner, name) in repositories_after(line, "api.github.com/repos/") {
            if let Some(name) = name.filter(|n| !n.is_empty() && !n.starts_with('$'))
                && !owner.is_empty()
                && !owner.starts_with('$')
                && !third_party(owner)
                && !ours(owner, name)
            {
                out.push(at(format!("api.github.com/repos/{owner}/{name}")));
            }
        }
        for (owner, name) in repositories_after(line, "ghcr.io/") {
            if let Some(name) = name.filter(|n| !n.is_empty())
                && !third_party(owner)
                && !ours(owner, name)
            {
                out.push(at(format!("ghcr.io/{owner}/{name}")));
            }
        }

        // `uses: OWNER/NAME@REF` and `uses: OWNER/NAME/PATH@REF`.
        let trimmed = line.trim_start().trim_start_matches("- ");
        if let Some(spec) = trimmed.strip_prefix("uses:") {
            let spec = spec.trim().trim_matches(|c| c == '"' || c == '\'');
            if !spec.starts_with("./") && !spec.starts_with("docker://") {
                let path = spec.split('@').next().unwrap_or(spec);
                let mut parts = path.split('/');
                let owner = parts.next().unwrap_or("");
                let name = parts.next().unwrap_or("");
                if !third_party(owner) && !ours(owner, name) {
                    out.push(at(format!("uses: {owner}/{name}")));
                }
            }
        }

        // GitHub Pages: OWNER.github.io/NAME is the manual's address only
        // when it is ours.
        let mut rest = line;
        while let Some(i) = rest.find(".github.io") {
            let host_start = rest[..i]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(0, |j| j + 1);
            let owner = &rest[host_start..i];
            let after = &rest[i + ".github.io".len()..];
            let site = after
                .strip_prefix('/')
                .map(|t| &t[..t.find(|c: char| !is_name_char(c)).unwrap_or(t.len())])
                .unwrap_or("");
            if !owner.is_empty() && !third_party(owner) && !ours(owner, site) {
                out.push(at(format!("{owner}.github.io/{site}")));
            }
            rest = after;
        }
    }
    out
}

#[test]
fn cargo_toml_defines_the_identity_once() {
    let id = identity();
    let pages = format!(
        "https://{}.github.io/{}/",
        id.owner.to_ascii_lowercase(),
        id.name
    );
    assert_eq!(env!("CARGO_PKG_HOMEPAGE"), pages);
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("documentation = \"{pages}\"")),
        "documentation is the manual at {pages}"
    );
    // The SARIF report names the project by the same address.
    assert_eq!(
        env!("CARGO_PKG_REPOSITORY"),
        format!("https://github.com/{}/{}", id.owner, id.name)
    );
}

#[test]
fn every_link_to_the_project_names_cargo_toml_repository() {
    let id = identity();
    let files = scanned_files();
    for must in ["README.md", "action.yml", "src/config.rs", "Dockerfile"] {
        assert!(
            files.iter().any(|f| f.ends_with(must)),
            "{must} is not scanned"
        );
    }
    let mut all = Vec::new();
    let mut links = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // not text
        };
        // This file names the placeholder it looks for.
        if file.ends_with("tests/it/identity.rs") {
            continue;
        }
        links += text.matches(&format!("{}/{}", id.owner, id.name)).count();
        let rel = file
            .strip_prefix(repo_root())
            .unwrap()
            .display()
            .to_string();
        all.extend(
            problems(&text, &id)
                .into_iter()
                .map(|p| format!("{rel}: {p}")),
        );
    }
    assert!(
        all.is_empty(),
        "links that do not name {}/{} (Cargo.toml's repository); if one is another \
         project's, add its owner to THIRD_PARTY in tests/it/identity.rs:\n{}",
        id.owner,
        id.name,
        all.join("\n")
    );
    assert!(links >= 5, "only {links} links to the repository found");
}

#[test]
fn stale_names_placeholders_and_other_owners_are_found() {
    let id = Identity {
        owner: "driftguard-cli".into(),
        name: "driftguard".into(),
    };
    // Each line with the number of problems in it.
    let bad = [
        ("uses: OWNER/driftguard@v1", 2),
        ("  - uses: driftguard/driftguard@v0.1.0", 1),
        ("      uses: someone/driftguard/setup@v1", 1),
        (
            "see https://github.com/driftguard/driftguard#the-policy-file",
            1,
        ),
        (
            "base=\"https://github.com/OWNER/driftguard/releases/download/$TAG\"",
            2,
        ),
        (
            "https://owner.github.io/driftguard/reference/policy-file.html",
            1,
        ),
        ("https://driftguard-cli.github.io/other/", 1),
        ("docker run ghcr.io/driftguard/driftguard:0.1.0", 1),
        (
            "curl https://api.github.com/repos/driftguard/driftguard/releases",
            1,
        ),
        ("the OWNER placeholder", 1),
        (
            "https://github.com/driftguard-cli/other and https://github.com/x/driftguard",
            2,
        ),
    ];
    for (line, count) in bad {
        assert_eq!(
            problems(line, &id).len(),
            count,
            "{line}: {:?}",
            problems(line, &id)
        );
    }
    let good = [
        "uses: driftguard-cli/driftguard@v1",
        "uses: driftguard-cli/driftguard/setup@v1",
        "- uses: actions/checkout@v4",
        "uses: ./",
        "https://github.com/driftguard-cli/driftguard/releases/download/v0.1.0/x.tar.gz",
        "https://github.com/rust-cross/cargo-zigbuild",
        "https://driftguard-cli.github.io/driftguard/install.html",
        "ghcr.io/driftguard-cli/driftguard:0.1.0",
        "api.github.com/repos/$GITHUB_REPOSITORY/issues",
        "OWNER_ID=1 and OWNERS",
        "https://github.com/acme/shop/blob/main/schema.json",
    ];
    for line in good {
        assert_eq!(problems(line, &id), Vec::<String>::new(), "{line}");
    }
}
