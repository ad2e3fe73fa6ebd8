#!/usr/bin/env bash
# Moves the major tag of a release (v1 for v1.2.3) to the release's commit and
# pushes it, so that `uses: driftguard-cli/driftguard@v1` runs the newest v1
# release's action, which installs that release's binary (action/install.sh
# reads the version from the Cargo.toml at the action's ref).
#
#   ci/move-major-tag.sh TAG [REMOTE]     REMOTE defaults to origin
#
# The tag only moves forward: a pre-release (v1.3.0-rc.1) leaves it alone, and
# so does a patch of an older line (v1.2.4 after v1.3.0). The release workflow
# runs this after the release (and its assets) is published.
set -euo pipefail

die() {
  echo "move-major-tag: $*" >&2
  exit 1
}

tag="${1:?usage: move-major-tag.sh TAG [REMOTE]}"
remote="${2:-origin}"
[[ "$tag" =~ ^v([0-9]+)\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "not a release tag: $tag"
major="v${BASH_REMATCH[1]}"
if [ -n "${BASH_REMATCH[2]}" ]; then
  echo "$tag is a pre-release: $major stays where it is"
  exit 0
fi

git fetch --quiet --force --tags "$remote"
newest="$(git tag --list "$major.*" | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1)"
if [ "$newest" != "$tag" ]; then
  echo "$newest is newer than $tag: $major stays where it is"
  exit 0
fi
commit="$(git rev-parse "refs/tags/$tag^{commit}")"
git tag --force "$major" "$commit" >/dev/null
git push --quiet --force "$remote" "refs/tags/$major:refs/tags/$major"
echo "$major now points at $tag ($commit)"
