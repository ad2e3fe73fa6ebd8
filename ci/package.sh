#!/usr/bin/env bash
# Builds and packages one release archive; the release workflow runs it once
# per target, and the tests run it for the host, so what the action downloads
# is exactly what this script makes.
#
#   ci/package.sh TARGET TAG [OUT_DIR]   build TARGET in release mode and write
#       OUT_DIR/driftguard-TAG-TARGET.tar.gz (.zip for Windows), holding
#       driftguard-TAG-TARGET/
#         driftguard[.exe]
#         README.md CHANGELOG.md LICENSE LICENSE-MIT LICENSE-APACHE
#         completions/driftguard.{bash,zsh,fish,ps1,elv}   (driftguard completions SHELL)
#         man/driftguard.1, man/driftguard-COMMAND.1 ...   (driftguard man --out-dir)
#       and its checksum line in OUT_DIR/driftguard-TAG-TARGET.*.sha256
#   ci/package.sh --sums OUT_DIR         write OUT_DIR/SHA256SUMS from the archives
#       there, in `sha256sum` format (hex, two spaces, file name), sorted
#
# OUT_DIR defaults to dist. Environment:
#   DRIFTGUARD_BUILDER     cargo (default) or zigbuild (cargo-zigbuild: how the
#                          static musl builds are cross-compiled)
#   DRIFTGUARD_PREBUILT    package this binary instead of building one (the
#                          tests use the binary cargo test already built)
#   DRIFTGUARD_GENERATOR   a driftguard of the same version that runs on this
#                          machine, to write the completions and manual pages
#                          when the packaged binary cannot run here (default:
#                          the packaged binary itself; the release workflow
#                          runs the aarch64 Linux binary through qemu-user)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"

die() {
  echo "package.sh: $*" >&2
  exit 1
}

sha256_line() { # file-in-cwd
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1"
  else
    shasum -a 256 "$1"
  fi
}

if [ "${1:-}" = "--sums" ]; then
  out="${2:?usage: package.sh --sums OUT_DIR}"
  cd "$out"
  shopt -s nullglob
  archives=(driftguard-*.tar.gz driftguard-*.zip)
  [ "${#archives[@]}" -gt 0 ] || die "no driftguard-* archives in $out"
  for archive in "${archives[@]}"; do
    sha256_line "$archive"
  done | LC_ALL=C sort -k2 >SHA256SUMS.tmp
  mv SHA256SUMS.tmp SHA256SUMS
  cat SHA256SUMS
  exit 0
fi

target="${1:?usage: package.sh TARGET TAG [OUT_DIR]}"
tag="${2:?usage: package.sh TARGET TAG [OUT_DIR]}"
out="${3:-dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# A tag that does not match the crate's version would publish a binary whose
# --version disagrees with its archive name (and the action refuses those).
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)"
[ "$tag" = "v$version" ] || die "tag $tag does not match the version in Cargo.toml ($version)"

case "$target" in
  *-windows-*) exe=driftguard.exe ;;
  *) exe=driftguard ;;
esac

if [ -n "${DRIFTGUARD_PREBUILT:-}" ]; then
  binary="$DRIFTGUARD_PREBUILT"
else
  case "${DRIFTGUARD_BUILDER:-cargo}" in
    cargo) build=(cargo build) ;;
    zigbuild) build=(cargo zigbuild) ;;
    *) die "DRIFTGUARD_BUILDER must be cargo or zigbuild" ;;
  esac
  (cd "$ROOT" && "${build[@]}" --locked --release --target "$target")
  binary="${CARGO_TARGET_DIR:-$ROOT/target}/$target/release/$exe"
fi
[ -f "$binary" ] || die "no binary at $binary"

stem="driftguard-$tag-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$stem"
cp "$binary" "$stage/$stem/$exe"
chmod +x "$stage/$stem/$exe"
cp "$ROOT/README.md" "$ROOT/CHANGELOG.md" "$ROOT/LICENSE" "$ROOT/LICENSE-MIT" "$ROOT/LICENSE-APACHE" "$stage/$stem/"

# Completions and manual pages, written by the binary itself (they come from
# its clap definitions, so they match its flags exactly).
generator="${DRIFTGUARD_GENERATOR:-$binary}"
generated="$("$generator" --version 2>/dev/null)" \
  || die "cannot run $generator here to write the completions and manual pages; set DRIFTGUARD_GENERATOR to a driftguard $version that runs on this machine"
[ "$generated" = "driftguard $version" ] \
  || die "$generator is '$generated', not driftguard $version"
mkdir "$stage/$stem/completions" "$stage/$stem/man"
for shell in bash zsh fish powershell elvish; do
  case "$shell" in
    powershell) ext=ps1 ;;
    elvish) ext=elv ;;
    *) ext="$shell" ;;
  esac
  "$generator" completions "$shell" >"$stage/$stem/completions/driftguard.$ext" \
    || die "driftguard completions $shell failed"
  [ -s "$stage/$stem/completions/driftguard.$ext" ] || die "driftguard completions $shell wrote nothing"
done
"$generator" man --out-dir "$stage/$stem/man" 2>/dev/null || die "driftguard man --out-dir failed"
[ -s "$stage/$stem/man/driftguard.1" ] || die "driftguard man wrote no driftguard.1"
chmod 0644 "$stage/$stem"/completions/* "$stage/$stem"/man/*

case "$target" in
  *-windows-*)
    archive="$stem.zip"
    rm -f "$out/$archive"
    if command -v zip >/dev/null 2>&1; then
      (cd "$stage" && zip -qr -X "$out/$archive" "$stem")
    else
      (cd "$stage" && 7z a -tzip -bd "$out/$archive" "$stem" >/dev/null)
    fi
    ;;
  *)
    archive="$stem.tar.gz"
    # GNU tar (Linux, Git Bash) can sort names and hide the build user;
    # macOS's bsdtar cannot (and its bash 3.2 calls an empty array unbound). gzip -n leaves the time stamp out of the header.
    tar_flags=()
    if tar --version 2>/dev/null | grep -q 'GNU tar'; then
      tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner)
    fi
    (cd "$stage" && tar ${tar_flags[@]+"${tar_flags[@]}"} -cf - "$stem") | gzip -n >"$out/$archive"
    ;;
esac

(cd "$out" && sha256_line "$archive" >"$archive.sha256")
cat "$out/$archive.sha256"
