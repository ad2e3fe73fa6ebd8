#!/usr/bin/env bash
# Regenerates the README's pictures from real runs of driftguard on the shipped
# SQLite fixture (fixtures/shop.db checked against fixtures/shop.baseline.json):
#
#   text-report.svg          the coloured text report (--color always) as an SVG
#                            terminal window
#   github-annotations.txt   the workflow commands of --format github, and
#   github-annotations.png   them rendered as a mock of GitHub's annotation list
#   step-summary.md          the Markdown report (the job summary), and
#   step-summary.png         it rendered with GitHub-like CSS
#
# Needs: python3 (3.11+), a Rust toolchain (unless DRIFTGUARD=path/to/binary is
# set), headless Chromium (`apt-get install chromium`; or CHROMIUM=path) and a
# colour emoji font for the summary's status icons (`apt-get install
# fonts-noto-color-emoji`). Fails loudly when one is missing.
#
# tests/it/images.rs fails when the text report, the annotations or the
# Markdown report no longer match these files: then run this script and commit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

die() {
    echo "docs/images/make.sh: $*" >&2
    exit 1
}

command -v python3 >/dev/null || die "python3 (3.11+) is required"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "python3 is $(python3 --version 2>&1); 3.11+ is required"

chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
    for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$candidate" >/dev/null; then
            chromium=$candidate
            break
        fi
    done
fi
[ -n "$chromium" ] && command -v "$chromium" >/dev/null \
    || die "headless Chromium is required to screenshot the HTML: apt-get install chromium (or set CHROMIUM=/path/to/chrome)"
if command -v fc-list >/dev/null && ! fc-list | grep -qi 'emoji'; then
    die "no colour emoji font: the step summary's icons would be empty boxes; apt-get install fonts-noto-color-emoji"
fi

if [ -n "${DRIFTGUARD:-}" ]; then
    driftguard=$DRIFTGUARD
else
    cargo build --quiet --locked || die "cargo build failed"
    driftguard=$root/target/debug/driftguard
fi
[ -x "$driftguard" ] || die "no driftguard binary at $driftguard"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same fixed environment render.py uses: no CI variables, no colour
# switches. The fixture has breaking drift: exit 1 and the summary line.
report() {
    local status=0
    env -i PATH="$PATH" LANG=C.UTF-8 COLUMNS=120 "$driftguard" check \
        --db fixtures/shop.db --baseline fixtures/shop.baseline.json "$@" 2>"$work/stderr" || status=$?
    [ "$status" -eq 1 ] && grep -q '^driftguard: result=breaking ' "$work/stderr" \
        || die "driftguard check $* exited $status, expected 1 (breaking): $(cat "$work/stderr")"
}

# Everything is made in $work and moved into docs/images only at the end, so
# a failure leaves the committed pictures alone.
python3 "$here/render.py" self-test >/dev/null
python3 "$here/render.py" text-svg --driftguard "$driftguard" >"$work/text-report.svg"
report --format github >"$work/github-annotations.txt"
report --format markdown >"$work/step-summary.md"
python3 "$here/render.py" annotations-html "$work/github-annotations.txt" >"$work/github-annotations.html"
python3 "$here/render.py" summary-html "$work/step-summary.md" >"$work/step-summary.html"

# Screenshots NAME.html at WIDTH CSS pixels (2x device pixels), as tall as its
# content: the page writes its height into its title, read back with --dump-dom.
shot() {
    local name=$1 width=$2 source=$3 height
    local flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
        --user-data-dir="$work/profile" --force-device-scale-factor=2)
    height=$("$chromium" "${flags[@]}" --window-size="$width,2000" --dump-dom \
        "file://$work/$name.html" 2>/dev/null | sed -n 's/.*<title>height=\([0-9]*\)<\/title>.*/\1/p')
    [ -n "$height" ] || die "chromium did not render $name.html"
    "$chromium" "${flags[@]}" --window-size="$width,$height" \
        --screenshot="$work/$name.png" "file://$work/$name.html" >/dev/null 2>&1 || true
    [ -s "$work/$name.png" ] || die "chromium wrote no screenshot of $name.html"
    # The PNG carries the text it was rendered from: tests/it/images.rs
    # compares that with driftguard's current output.
    python3 "$here/render.py" png-stamp "$work/$name.png" "$work/$source"
}
shot github-annotations 900 github-annotations.txt
shot step-summary 1000 step-summary.md

for file in text-report.svg github-annotations.txt github-annotations.png step-summary.md step-summary.png; do
    mv "$work/$file" "$here/$file"
done
echo "docs/images: regenerated text-report.svg, github-annotations.{txt,png}, step-summary.{md,png} with $driftguard"
