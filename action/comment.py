#!/usr/bin/env python3
"""Posts driftguard's Markdown report as a pull-request comment for the GitHub
Action (action.yml, input `comment: true`), and on later runs updates that same
comment instead of adding one per push.

The comment is found again by a hidden marker on its first line,

    <!-- driftguard-comment key="KEY" -->

where KEY (percent-encoded, so it can never close the HTML comment) is the
comment-key input, by default the env and working-directory inputs: two
checks on one pull request keep two comments. Only a comment written by the
token's own account carries weight: the login of GET /user when the token is a
person's, else (the workflow's GITHUB_TOKEN or a GitHub App's token, for which
GET /user answers 403) a comment by a bot account. A marker pasted into
someone else's comment is ignored.

Only these GitHub REST endpoints are used (shapes from GitHub's OpenAPI
description; tests/it/github_api/operations.json keeps the part used):
    GET   /user                                          users/get-authenticated
    GET   /repos/{owner}/{repo}/issues/{n}/comments      issues/list-comments
    POST  /repos/{owner}/{repo}/issues/{n}/comments      issues/create-comment
    PATCH /repos/{owner}/{repo}/issues/comments/{id}     issues/update-comment

This script never fails the job: every problem (not a pull request, no token,
an API error, a network error) is a line or a warning in the log and exit 0.
The token is only ever sent to GITHUB_API_URL over https: no redirects are
followed, and pagination links to any other address are not.

Environment:
    DRIFTGUARD_COMMENT_REPORT   the Markdown report driftguard wrote (missing
                                when driftguard could not check)
    DRIFTGUARD_EXIT_CODE        driftguard's exit code, for that case
    DRIFTGUARD_COMMENT_KEY      the comment-key input
    INPUT_ENV, INPUT_WORKING_DIRECTORY   the default key
    DRIFTGUARD_GITHUB_TOKEN     the github-token input
    GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL,
    GITHUB_SERVER_URL, GITHUB_RUN_ID, GITHUB_OUTPUT      (the runner's)
    SSL_CERT_FILE               a CA bundle to trust instead of the system's
"""

import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

# GitHub refuses longer comment bodies (422).
MAX_BODY = 65536
# Pages of 100 comments read at most when looking for the previous comment.
MAX_PAGES = 50
PR_EVENTS = ("pull_request", "pull_request_target")


def escape_command(text):
    """A workflow-command value: no line break can start a new command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def warn(message):
    print(f"::warning title=driftguard comment::{escape_command(message)}", flush=True)


def say(message):
    print(f"driftguard comment: {escape_command(message)}", flush=True)


class Skip(Exception):
    """No comment this time; the message says why (a warning)."""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would carry the token elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Api:
    def __init__(self, base, token):
        self.base = base
        self.origin = urllib.parse.urlsplit(base)
        self.token = token
        self.opener = urllib.request.build_opener(NoRedirects)

    def same_api(self, url):
        """Whether url is under the API's base address (scheme, host, port, path)."""
        parts = urllib.parse.urlsplit(url)
        return (
            parts.scheme == "https"
            and parts.netloc == self.origin.netloc
            and (parts.path + "/").startswith(self.origin.path.rstrip("/") + "/")
        )

    def call(self, method, url, body=None):
        """(status, headers, decoded JSON); raises urllib errors."""
        if not self.same_api(url):
            raise Skip(f"refusing to send the token to {url}: not under {self.base}")
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", "driftguard-action")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with self.opener.open(request, timeout=30) as response:
            raw = response.read()
            return response.status, response.headers, json.loads(raw) if raw else None


def api_error(what, error):
    if isinstance(error, urllib.error.HTTPError):
        message = ""
        try:
            message = str(json.loads(error.read() or b"{}").get("message", ""))[:300]
        except (ValueError, AttributeError, OSError):
            pass
        hint = ""
        if error.code in (401, 403, 404):
            hint = (
                " (the token needs pull-requests: write, or issues: write; pull"
                " requests from forks get a read-only token)"
            )
        return Skip(f"{what}: HTTP {error.code} {message}{hint}".rstrip())
    reason = getattr(error, "reason", error)
    return Skip(f"{what}: {reason}")


def next_link(headers):
    """The rel="next" address of a Link header, if any."""
    for part in (headers.get("Link") or "").split(","):
        match = re.match(r'\s*<([^>]*)>\s*;(.*)$', part)
        if match and re.search(r'(^|;)\s*rel="?next"?\s*(;|$)', match.group(2)):
            return match.group(1)
    return None


def marker(key):
    # Percent-encoded with `-` too: no `--` or `-->` can occur inside.
    encoded = urllib.parse.quote(key, safe="").replace("-", "%2D")
    return f'<!-- driftguard-comment key="{encoded}" -->'


def comment_body(mark):
    path = os.environ.get("DRIFTGUARD_COMMENT_REPORT", "")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            report = f.read().strip()
    except OSError:
        code = os.environ.get("DRIFTGUARD_EXIT_CODE", "") or "unknown"
        report = (
            "### driftguard could not check this commit\n\n"
            f"driftguard stopped before a verdict (exit code {code}); the job log says why."
        )
    footer = ""
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    run_id = os.environ.get("GITHUB_RUN_ID", "")
    if run_id.isdigit() and server.startswith("https://"):
        footer = f"\n\n<sub>[driftguard, workflow run {run_id}]({server}/{repo}/actions/runs/{run_id})</sub>"
    head = mark + "\n"
    room = MAX_BODY - len(head) - len(footer)
    if len(report) > room:
        note = "\n\n… (report truncated to GitHub's comment size; the job summary has all of it)"
        cut = report[: room - len(note)]
        cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
        report = cut + note
    return head + report + footer


def pull_request_number():
    name = os.environ.get("GITHUB_EVENT_NAME", "")
    if name not in PR_EVENTS:
        say(f"not a pull request event ({name or 'none'}): no comment posted")
        return None
    try:
        with open(os.environ["GITHUB_EVENT_PATH"], encoding="utf-8") as f:
            number = json.load(f)["pull_request"]["number"]
    except (KeyError, OSError, ValueError, TypeError) as e:
        raise Skip(f"cannot read the pull request's number from GITHUB_EVENT_PATH: {e}")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise Skip("the event's pull_request.number is not a number")
    return number


def output(key, value):
    path = os.environ.get("GITHUB_OUTPUT")
    if path and "\n" not in value and "\r" not in value:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{key}={value}\n")


def main():
    number = pull_request_number()
    if number is None:
        return
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        raise Skip(f"GITHUB_REPOSITORY is not owner/name: '{repo}'")
    base = os.environ.get("GITHUB_API_URL", "").rstrip("/") or "https://api.github.com"
    if not base.startswith("https://"):
        raise Skip(f"GITHUB_API_URL must be an https:// address, not {base}: the token is not sent in the clear")
    token = os.environ.get("DRIFTGUARD_GITHUB_TOKEN", "")
    if not token:
        raise Skip("no github-token: no comment posted")

    key = os.environ.get("DRIFTGUARD_COMMENT_KEY", "")
    if not key:
        env = os.environ.get("INPUT_ENV", "")
        directory = os.environ.get("INPUT_WORKING_DIRECTORY", "") or "."
        key = f"env={env} dir={directory}"
    mark = marker(key)
    body = comment_body(mark)
    api = Api(base, token)

    # Whose comment may be updated: this token's user, or a bot's.
    me = None
    try:
        status, _, user = api.call("GET", f"{base}/user")
        if status == 200 and isinstance(user, dict) and isinstance(user.get("login"), str):
            me = user["login"]
    except urllib.error.HTTPError as e:
        if e.code not in (401, 403, 404):
            raise api_error("GET /user", e)
    except urllib.error.URLError as e:
        raise api_error("GET /user", e)

    def ours(comment):
        user = comment.get("user") or {}
        if me is not None:
            return user.get("login") == me
        return user.get("type") == "Bot"

    comments_url = f"{base}/repos/{repo}/issues/{number}/comments"
    found = None
    url = f"{comments_url}?per_page=100"
    for _ in range(MAX_PAGES):
        try:
            _, headers, page = api.call("GET", url)
        except (urllib.error.URLError, OSError) as e:
            raise api_error("listing the pull request's comments", e)
        if not isinstance(page, list):
            raise Skip("listing the pull request's comments: the answer is not a list")
        for comment in page:
            if (
                isinstance(comment, dict)
                and isinstance(comment.get("body"), str)
                and mark in comment["body"]
                and ours(comment)
                and isinstance(comment.get("id"), int)
            ):
                found = comment
                break
        url = next_link(headers)
        if found is not None or url is None:
            break
        if not api.same_api(url):
            raise Skip(f"the comments' next page is not under {base}: {url}")

    try:
        if found is None:
            _, _, made = api.call("POST", comments_url, {"body": body})
            say(f"posted the report on pull request #{number}")
        elif found["body"] == body:
            made = found
            say(f"the comment on pull request #{number} is already up to date")
        else:
            _, _, made = api.call("PATCH", f"{base}/repos/{repo}/issues/comments/{found['id']}", {"body": body})
            say(f"updated the report on pull request #{number}")
    except (urllib.error.URLError, OSError) as e:
        raise api_error("posting the comment" if found is None else "updating the comment", e)
    if isinstance(made, dict) and isinstance(made.get("html_url"), str):
        output("url", made["html_url"])
        say(made["html_url"])


if __name__ == "__main__":
    try:
        main()
    except Skip as e:
        warn(str(e))
    except Exception as e:  # never fail the job over a comment
        warn(f"no comment posted: {type(e).__name__}: {e}")
    sys.exit(0)
