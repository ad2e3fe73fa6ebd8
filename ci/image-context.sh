#!/usr/bin/env bash
# Makes the build context of the container image (Dockerfile) from release
# archives made by ci/package.sh:
#
#   ci/image-context.sh DIST_DIR TAG OUT_DIR
#
# For each platform, the archive's SHA-256 is checked against DIST_DIR/SHA256SUMS
# and its binary unpacked to OUT_DIR/<platform>/driftguard (the path the
# Dockerfile copies for TARGETPLATFORM); the Dockerfile is copied to
# OUT_DIR/Dockerfile. Environment:
#   DRIFTGUARD_IMAGE_PLATFORMS  the platforms, default "linux/amd64 linux/arm64"
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"

die() {
  echo "image-context.sh: $*" >&2
  exit 1
}

dist="${1:?usage: image-context.sh DIST_DIR TAG OUT_DIR}"
tag="${2:?usage: image-context.sh DIST_DIR TAG OUT_DIR}"
out="${3:?usage: image-context.sh DIST_DIR TAG OUT_DIR}"
[ -f "$dist/SHA256SUMS" ] || die "no SHA256SUMS in $dist"
mkdir -p "$out"

for platform in ${DRIFTGUARD_IMAGE_PLATFORMS:-linux/amd64 linux/arm64}; do
  case "$platform" in
    linux/amd64) target=x86_64-unknown-linux-musl ;;
    linux/arm64) target=aarch64-unknown-linux-musl ;;
    *) die "no release target for the platform $platform" ;;
  esac
  stem="driftguard-$tag-$target"
  archive="$stem.tar.gz"
  [ -f "$dist/$archive" ] || die "no $archive in $dist"
  line="$(awk -v name="$archive" '$2 == name' "$dist/SHA256SUMS")"
  [ -n "$line" ] || die "SHA256SUMS does not list $archive"
  (cd "$dist" && printf '%s\n' "$line" | sha256sum --check --strict --quiet) \
    || die "checksum mismatch for $archive"
  mkdir -p "$out/$platform"
  rm -f "$out/$platform/driftguard"
  tar -xzf "$dist/$archive" -C "$out/$platform" --strip-components=1 "$stem/driftguard" \
    || die "$archive holds no $stem/driftguard"
  echo "$platform: $archive"
done
cp "$ROOT/Dockerfile" "$out/Dockerfile"
