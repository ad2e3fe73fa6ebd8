#!/usr/bin/env bash
# Runs `driftguard check` for the GitHub Action (action.yml) and exits with
# driftguard's own exit code, so the step fails exactly when driftguard says
# so: 1 breaking, 2 warning (per fail-on), >= 64 could not check.
#
# driftguard itself, seeing GITHUB_ACTIONS=true, writes the step outputs
# (result, severity, breaking, warnings, infos, exit-code), the job summary and
# the annotations. This script adds the report-file outputs, and `result=error`
# plus `exit-code` when driftguard stopped before giving a verdict.
#
# Inputs, all from the environment (never interpolated into the script):
#   DRIFTGUARD_BIN            the driftguard to run (from install.sh)
#   INPUT_CONFIG, INPUT_ENV, INPUT_BASELINE, INPUT_FAIL_ON, INPUT_FORMAT
#                             passed as --config, --env, --baseline, --fail-on,
#                             --format when not empty
#   INPUT_ARGS                more arguments, split on whitespace and line
#                             breaks; no quotes, globs or variables are expanded
#   INPUT_WORKING_DIRECTORY   where to run (default: the current directory)
#   INPUT_REPORT_DIR          when set, also write report.json, report.md,
#                             junit.xml and driftguard.sarif there
#   INPUT_COMMENT             true: also write the Markdown report for the
#                             pull-request comment (action/comment.py) and
#                             give its path as the output comment-report
# The database URL comes from the workflow's environment (DRIFTGUARD_DATABASE_URL
# or DATABASE_URL, usually from a secret), or from the policy file.
set -uo pipefail

die() {
  echo "::error title=driftguard::$*" >&2
  exit 64
}

output() {
  printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:-/dev/null}"
}

# Report paths in the OS's own form (D:\a\... rather than Git Bash's /d/a/...
# on Windows), for upload-artifact and the like.
native() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi
}

bin="${DRIFTGUARD_BIN:-driftguard}"
if [ -n "${INPUT_WORKING_DIRECTORY:-}" ]; then
  cd "$INPUT_WORKING_DIRECTORY" || die "working-directory '$INPUT_WORKING_DIRECTORY' does not exist"
fi

args=(check)
[ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
[ -z "${INPUT_ENV:-}" ] || args+=(--env "$INPUT_ENV")
[ -z "${INPUT_BASELINE:-}" ] || args+=(--baseline "$INPUT_BASELINE")
[ -z "${INPUT_FAIL_ON:-}" ] || args+=(--fail-on "$INPUT_FAIL_ON")
[ -z "${INPUT_FORMAT:-}" ] || args+=(--format "$INPUT_FORMAT")

if [ -n "${INPUT_REPORT_DIR:-}" ]; then
  mkdir -p "$INPUT_REPORT_DIR" || die "cannot create report-dir '$INPUT_REPORT_DIR'"
  report_dir="$(cd "$INPUT_REPORT_DIR" && pwd)"
  reports=(json=report.json markdown=report.md junit=junit.xml sarif=driftguard.sarif)
  for report in "${reports[@]}"; do
    args+=(--report "${report%%=*}=$report_dir/${report#*=}")
  done
fi

case "${INPUT_COMMENT:-false}" in
  true)
    if [ -n "${report_dir:-}" ]; then
      comment_report="$report_dir/report.md"
    else
      comment_report="$(mktemp "${RUNNER_TEMP:-/tmp}/driftguard-comment.XXXXXX")" \
        || die "cannot create a temporary file for the comment's report"
      rm -f "$comment_report" # driftguard writes it; no report left means no verdict
      args+=(--report "markdown=$comment_report")
    fi
    # Given before the check runs, so the comment step also runs (and says so
    # on the pull request) when driftguard could not check.
    output comment-report "$comment_report"
    ;;
  false | "") ;;
  *) die "comment must be true or false; got '$INPUT_COMMENT'" ;;
esac

if [ -n "${INPUT_ARGS:-}" ]; then
  set -f # an argument like '*.tmp_*' is a driftguard glob, not a file pattern
  # shellcheck disable=SC2206 # splitting on whitespace is the documented behaviour
  extra=($INPUT_ARGS)
  set +f
  args+=(${extra[@]+"${extra[@]}"}) # bash 3.2 (macOS) calls an empty array unbound
fi

outputs_before=0
[ -z "${GITHUB_OUTPUT:-}" ] || outputs_before="$(wc -c <"$GITHUB_OUTPUT" 2>/dev/null || echo 0)"

"$bin" "${args[@]}"
code=$?

# driftguard writes `result` only after a verdict; without one, say so, so a
# later step can tell "could not check" from "no drift".
if [ -n "${GITHUB_OUTPUT:-}" ] && ! tail -c "+$((outputs_before + 1))" "$GITHUB_OUTPUT" 2>/dev/null | grep -q '^result='; then
  output result error
  output exit-code "$code"
fi

if [ -n "${report_dir:-}" ]; then
  output report-dir "$(native "$report_dir")"
  for report in "${reports[@]}"; do
    file="$report_dir/${report#*=}"
    [ ! -f "$file" ] || output "${report%%=*}-report" "$(native "$file")"
  done
fi

exit "$code"
