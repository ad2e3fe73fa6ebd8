#!/usr/bin/env bash
# Installs driftguard for the GitHub Action (action.yml), in two phases so the
# workflow can cache the download in between:
#
#   install.sh resolve   which release and archive this runner needs, and where
#                        it is installed; writes step outputs (tag, target,
#                        archive, dir, cache-key, skip)
#   install.sh install   downloads the archive and the release's SHA256SUMS,
#                        verifies the archive's SHA-256 against it, unpacks the
#                        binary into dir (unless a cache restored it), and puts
#                        it on PATH; writes the output `path`
#   install.sh target    prints the target triple for RUNNER_OS / RUNNER_ARCH
#
# With INPUT_BINARY set nothing is downloaded: the binary at that path (or the
# command of that name on PATH) is checked to run and used as it is — for
# self-hosted runners that provide driftguard, and for testing the action.
#
# Inputs, all from the environment (action.yml passes its inputs here with
# `env:`, never by interpolating them into a script):
#   INPUT_VERSION      a release tag (v0.1.0, or 0.1.0), `latest`, or empty
#                      (the default): the release of the action's own ref,
#                      see own_version below
#   DRIFTGUARD_ACTION_REF  the ref the action was taken at (github.action_ref:
#                      v1, v1.2.3, a branch or a commit SHA; empty for a local
#                      `uses: ./...`)
#   INPUT_BINARY       use this binary instead of downloading one
#   INPUT_REPOSITORY   owner/name of the repository whose releases to use;
#                      default: the repository the action was taken from
#                      (DRIFTGUARD_ACTION_REPOSITORY, from github.action_repository,
#                      else the runner's GITHUB_ACTION_REPOSITORY)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH  (the runner's)
#   RUNNER_TOOL_CACHE  where versions are installed (default: RUNNER_TEMP)
#   GITHUB_SERVER_URL  https://github.com unless on GitHub Enterprise Server
#   DRIFTGUARD_RELEASE_BASE_URL  download from BASE/TAG/FILE instead of the
#                      repository's releases (a mirror; file:// URLs work,
#                      which is how the tests run without a network)
#   DRIFTGUARD_TARGET  use this target triple instead of the detected one
set -euo pipefail

# The action's own files: action/install.sh lives one level below the root,
# for the main action and for setup/ alike.
ACTION_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() {
  echo "::error title=driftguard install::$*" >&2
  exit 1
}

# Paths handed to the runner (GITHUB_PATH, outputs) in the OS's own form: on
# Windows, Git Bash's /d/a/... becomes D:\a\..., which PowerShell and cmd steps
# and other actions understand.
native() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi
}

output() { # key value: a step output, or stdout outside a runner
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  else
    printf '%s=%s\n' "$1" "$2"
  fi
}

# The release targets, by the runner's OS and architecture. Linux builds are
# static (musl), so they run on any distribution, Alpine included.
target() {
  if [ -n "${DRIFTGUARD_TARGET:-}" ]; then
    echo "$DRIFTGUARD_TARGET"
    return
  fi
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) die "no driftguard release for RUNNER_OS='${RUNNER_OS:-}' RUNNER_ARCH='${RUNNER_ARCH:-}' (Linux X64/ARM64, macOS X64/ARM64, Windows X64); build it from source and pass its path as the binary input" ;;
  esac
}

archive_name() { # tag target
  case "$2" in
    *-windows-*) echo "driftguard-$1-$2.zip" ;;
    *) echo "driftguard-$1-$2.tar.gz" ;;
  esac
}

exe_name() { # target
  case "$1" in
    *-windows-*) echo driftguard.exe ;;
    *) echo driftguard ;;
  esac
}

repository() {
  local repo="${INPUT_REPOSITORY:-${DRIFTGUARD_ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}}"
  [ -n "$repo" ] || die "cannot tell which repository publishes driftguard's releases; set the repository input (owner/name)"
  echo "$repo"
}

repository_or_mirror() {
  if [ -n "${DRIFTGUARD_RELEASE_BASE_URL:-}" ]; then echo "$DRIFTGUARD_RELEASE_BASE_URL"; else repository; fi
}

fetch() { # url file
  curl --proto '=https,file' --tlsv1.2 --fail --silent --show-error --location \
    --retry 3 --connect-timeout 20 --output "$2" "$1" \
    || die "could not download $1"
}

# The release the action installs when the version input is empty: the one it
# was itself taken at, so `uses: driftguard-cli/driftguard@v1` needs no second
# pin. A ref that is a release tag (v1.2.3) is that release. Any other ref — a
# major tag such as v1 (which the release workflow moves to the newest v1.x.y
# release commit), a commit SHA, a branch — is the version in the Cargo.toml of
# the action's own files at that ref: the crate's version, which is the release
# tag on every release commit (ci/package.sh refuses a tag that differs). No
# API call, no token, and the binary always matches the action's scripts.
# A local action (`uses: ./`) has no ref: it installs the latest release.
own_version() {
  local ref="${DRIFTGUARD_ACTION_REF:-}"
  if [ -z "$ref" ]; then
    echo "version: the action has no ref (a local uses: ./...), so the latest release" >&2
    echo latest
    return
  fi
  if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    echo "version: $ref, the action's own ref" >&2
    echo "$ref"
    return
  fi
  local version
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ACTION_ROOT/Cargo.toml" 2>/dev/null | head -n 1)"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
    || die "cannot tell which release the action at ref '$ref' installs (no version in its Cargo.toml); set the version input (a tag such as v1.2.3, or latest)"
  echo "version: v$version, the release of the action's ref $ref" >&2
  echo "v$version"
}

# `latest` becomes a tag by following the releases/latest redirect (no API
# token needed); a bare version number gets its `v`.
tag() {
  local version="${INPUT_VERSION:-}"
  [ -n "$version" ] || version="$(own_version)"
  if [ "$version" = latest ]; then
    [ -z "${DRIFTGUARD_RELEASE_BASE_URL:-}" ] \
      || die "version 'latest' cannot be resolved against DRIFTGUARD_RELEASE_BASE_URL; give a tag such as v0.1.0"
    local url
    url="$(curl --proto '=https' --fail --silent --show-error --location --retry 3 \
      --output /dev/null --write-out '%{url_effective}' \
      "${GITHUB_SERVER_URL:-https://github.com}/$(repository)/releases/latest")" \
      || die "could not find the latest release of $(repository)"
    case "$url" in
      */releases/tag/*) version="${url##*/releases/tag/}" ;;
      *) die "$(repository) has no published release" ;;
    esac
  fi
  # The tag becomes part of URLs and of the install directory: nothing but a
  # version number gets through.
  [[ "$version" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
    || die "version must be a release tag such as v1.2.3, or latest (or empty: the action's own release); got '$version'"
  echo "v${version#v}"
}

sha256_of() { # file
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# The digest SHA256SUMS lists for NAME (sha256sum format: hex, two spaces or a
# space and `*`, the file name). Exactly one line must name the archive.
expected_sha256() { # sums-file name
  local lines
  lines="$(awk -v name="$2" '($2 == name || $2 == "*" name) && $1 ~ /^[0-9a-fA-F]{64}$/ { print tolower($1) }' "$1")"
  [ -n "$lines" ] || die "SHA256SUMS does not list $2"
  [ "$(printf '%s\n' "$lines" | wc -l)" -eq 1 ] || die "SHA256SUMS lists $2 more than once"
  echo "$lines"
}

use_binary() { # the binary input: a path, or a command name on PATH
  local bin="$INPUT_BINARY"
  case "$bin" in
    */* | *\\*) ;;
    *) bin="$(command -v "$bin")" || die "binary '$INPUT_BINARY' is not on PATH" ;;
  esac
  if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
    die "binary '$INPUT_BINARY' is not an executable file"
  fi
  bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
  local version
  version="$("$bin" --version)" || die "'$bin --version' failed"
  echo "using $version at $bin"
  native "$(dirname "$bin")" >>"${GITHUB_PATH:-/dev/null}"
  output path "$(native "$bin")"
  output version "${version#driftguard }"
}

resolve() {
  if [ -n "${INPUT_BINARY:-}" ]; then
    output skip true
    return
  fi
  local tag target dir
  tag="$(tag)"
  target="$(target)"
  dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?RUNNER_TEMP is not set}}/driftguard/$tag/$target"
  echo "driftguard $tag for $target"
  output skip false
  output tag "$tag"
  output target "$target"
  output archive "$(archive_name "$tag" "$target")"
  output dir "$dir"
  output cache-key "driftguard-$tag-$target"
}

install() {
  if [ -n "${INPUT_BINARY:-}" ]; then
    use_binary
    return
  fi
  local tag target dir archive exe
  tag="$(tag)"
  target="$(target)"
  archive="$(archive_name "$tag" "$target")"
  exe="$(exe_name "$target")"
  dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?RUNNER_TEMP is not set}}/driftguard/$tag/$target"

  if [ -x "$dir/$exe" ] && [ -f "$dir/.verified" ]; then
    echo "driftguard $tag for $target restored from the cache ($(cat "$dir/.verified"))"
  else
    local base sum actual
    base="${DRIFTGUARD_RELEASE_BASE_URL:-${GITHUB_SERVER_URL:-https://github.com}/$(repository)/releases/download}"
    work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/driftguard-install.XXXXXX")"
    echo "downloading $base/$tag/$archive"
    curl --proto '=https,file' --tlsv1.2 --fail --silent --show-error --location \
      --retry 3 --connect-timeout 20 --output "$work/$archive" "$base/$tag/$archive" \
      || die "could not download $base/$tag/$archive: is $tag a release of $(repository_or_mirror)? Set the version input to a released tag (or latest)"
    fetch "$base/$tag/SHA256SUMS" "$work/SHA256SUMS"
    sum="$(expected_sha256 "$work/SHA256SUMS" "$archive")"
    actual="$(sha256_of "$work/$archive")"
    [ "$actual" = "$sum" ] \
      || die "checksum mismatch for $archive: SHA256SUMS says $sum, the download is $actual; refusing to install it"
    echo "sha256 verified: $actual  $archive"

    mkdir -p "$work/unpacked"
    case "$archive" in
      *.zip)
        if command -v unzip >/dev/null 2>&1; then
          unzip -q "$work/$archive" -d "$work/unpacked"
        else
          7z x -bd -y "-o$work/unpacked" "$work/$archive" >/dev/null
        fi
        ;;
      *) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
    esac
    local stem="${archive%.zip}"
    stem="${stem%.tar.gz}"
    [ -f "$work/unpacked/$stem/$exe" ] || die "$archive does not contain $stem/$exe"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$work/unpacked/$stem/$exe" "$dir/$exe"
    chmod +x "$dir/$exe"
    echo "$actual  $archive" >"$dir/.verified"
  fi

  local version
  version="$("$dir/$exe" --version)" || die "the installed driftguard does not run on this runner"
  [ "$version" = "driftguard ${tag#v}" ] || die "$archive holds '$version', not driftguard ${tag#v}"
  native "$dir" >>"${GITHUB_PATH:-/dev/null}"
  output path "$(native "$dir/$exe")"
  output version "${tag#v}"
  echo "installed $version at $dir/$exe"
}

work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

case "${1:-}" in
  resolve) resolve ;;
  install) install ;;
  target) target ;;
  *) die "usage: install.sh resolve|install|target" ;;
esac
