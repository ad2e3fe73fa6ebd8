#!/usr/bin/env python3
"""Renders the README's pictures from real runs of driftguard on the shipped
SQLite fixture (fixtures/shop.db against fixtures/shop.baseline.json).

Python 3.11+, standard library only. Subcommands:

  text-svg --driftguard BIN      the coloured text report as an SVG terminal
                                 window, on standard output (byte-identical for
                                 the same report: tests/it/images.rs checks it)
  annotations-html FILE          HTML mock of GitHub's annotation list, built
                                 from the workflow commands in FILE (the output
                                 of `--format github`)
  summary-html FILE              the Markdown report in FILE as HTML with
                                 GitHub-like CSS (the job summary)
  png-stamp PNG SOURCE           stores the text of SOURCE (what PNG was
                                 rendered from) in PNG as an iTXt chunk
  self-test                      checks the converters (run by the test suite)

docs/images/make.sh runs them and screenshots the HTML with headless Chromium.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The run every picture shows, relative to the repository root.
CHECK_ARGS = [
    "check",
    "--db",
    "fixtures/shop.db",
    "--baseline",
    "fixtures/shop.baseline.json",
]

# ---------------------------------------------------------------------------
# ANSI SGR -> SVG terminal window
# ---------------------------------------------------------------------------

# GitHub's dark palette, so the picture looks at home on github.com.
FOREGROUND = "#c9d1d9"
BACKGROUND = "#0d1117"
PALETTE = {
    30: "#484f58",
    31: "#ff7b72",
    32: "#3fb950",
    33: "#d29922",
    34: "#58a6ff",
    35: "#bc8cff",
    36: "#39c5cf",
    37: "#b1bac4",
    90: "#6e7681",
    91: "#ffa198",
    92: "#56d364",
    93: "#e3b341",
    94: "#79c0ff",
    95: "#d2a8ff",
    96: "#56d4dd",
    97: "#f0f6fc",
}

FONT_SIZE = 14
CELL_WIDTH = 8.4  # 0.6 em: the advance of common monospace fonts
LINE_HEIGHT = 20
PAD = 16
TITLE_BAR = 34
FONT_FAMILY = (
    "ui-monospace, SFMono-Regular, 'SF Mono', Menlo, Consolas, "
    "'DejaVu Sans Mono', 'Liberation Mono', monospace"
)

SGR = re.compile(r"\x1b\[([0-9;]*)m")


class Style:
    __slots__ = ("fg", "bold", "dim", "italic", "underline")

    def __init__(self) -> None:
        self.fg: str | None = None
        self.bold = False
        self.dim = False
        self.italic = False
        self.underline = False

    def key(self) -> tuple:
        return (self.fg, self.bold, self.dim, self.italic, self.underline)

    def apply(self, params: str) -> None:
        codes = [int(c) if c else 0 for c in params.split(";")] if params else [0]
        for code in codes:
            if code == 0:
                self.__init__()
            elif code == 1:
                self.bold = True
            elif code == 2:
                self.dim = True
            elif code == 3:
                self.italic = True
            elif code == 4:
                self.underline = True
            elif code == 22:
                self.bold = self.dim = False
            elif code == 23:
                self.italic = False
            elif code == 24:
                self.underline = False
            elif code in PALETTE:
                self.fg = PALETTE[code]
            elif code == 39:
                self.fg = None
            else:
                # A code the picture cannot show: fail rather than draw it wrong.
                raise ValueError(f"unsupported SGR code {code}")


def parse_ansi(text: str) -> list[list[tuple[tuple, str]]]:
    """Splits text into lines of (style key, text) runs. Styles carry over
    line ends, as in a terminal."""
    style = Style()
    lines: list[list[tuple[tuple, str]]] = []
    for raw in text.split("\n"):
        runs: list[tuple[tuple, str]] = []
        pos = 0
        for m in SGR.finditer(raw):
            if m.start() > pos:
                runs.append((style.key(), raw[pos : m.start()]))
            style.apply(m.group(1))
            pos = m.end()
        if pos < len(raw):
            runs.append((style.key(), raw[pos:]))
        for _, chunk in runs:
            bad = [c for c in chunk if ord(c) < 0x20 or ord(c) == 0x7F]
            if bad:
                raise ValueError(
                    f"unsupported control character {ord(bad[0]):#04x} in {chunk!r}"
                )
        lines.append(runs)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def num(value: float) -> str:
    """Fixed, locale-free number formatting: at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def ansi_to_svg(text: str, title: str) -> str:
    lines = parse_ansi(text)
    columns = max((sum(len(t) for _, t in runs) for runs in lines), default=0)
    width = 2 * PAD + columns * CELL_WIDTH
    height = TITLE_BAR + 2 * PAD + len(lines) * LINE_HEIGHT - (LINE_HEIGHT - FONT_SIZE)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(width)}" '
        f'height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" '
        f'role="img" aria-label="{xml_escape(title)}">',
        f"<title>{xml_escape(title)}</title>",
        f'<rect width="100%" height="100%" rx="8" fill="{BACKGROUND}"/>',
        f'<rect width="100%" height="{TITLE_BAR}" rx="8" fill="#161b22"/>',
        f'<rect y="{TITLE_BAR - 8}" width="100%" height="8" fill="#161b22"/>',
        '<circle cx="20" cy="17" r="6" fill="#ff5f56"/>',
        '<circle cx="40" cy="17" r="6" fill="#ffbd2e"/>',
        '<circle cx="60" cy="17" r="6" fill="#27c93f"/>',
        f'<text x="{num(width / 2)}" y="22" text-anchor="middle" fill="#8b949e" '
        f'font-family="{xml_escape(FONT_FAMILY)}" font-size="12">'
        f"{xml_escape(title)}</text>",
        f'<g font-family="{xml_escape(FONT_FAMILY)}" font-size="{FONT_SIZE}" '
        f'fill="{FOREGROUND}">',
    ]
    for i, runs in enumerate(lines):
        y = TITLE_BAR + PAD + FONT_SIZE + i * LINE_HEIGHT - 3
        spans = []
        col = 0
        for (fg, bold, dim, italic, underline), chunk in runs:
            # One tspan per stretch of text between runs of two or more
            # spaces, placed on its own cell: renderers collapse spaces in
            # SVG text, so alignment must not depend on them.
            for part in re.finditer(r"\S+(?: \S+)*", chunk):
                attrs = f' x="{num(PAD + (col + part.start()) * CELL_WIDTH)}"'
                if fg:
                    attrs += f' fill="{fg}"'
                if bold:
                    attrs += ' font-weight="bold"'
                if dim:
                    attrs += ' opacity="0.6"'
                if italic:
                    attrs += ' font-style="italic"'
                if underline:
                    attrs += ' text-decoration="underline"'
                spans.append(f"<tspan{attrs}>{xml_escape(part.group(0))}</tspan>")
            col += len(chunk)
        if spans:
            out.append(f'<text y="{num(y)}">{"".join(spans)}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def run_driftguard(driftguard: str, extra: list[str]) -> subprocess.CompletedProcess:
    """Runs the binary from the repository root in a fixed environment: no
    CI variables, no colour switches, a fixed terminal width (the report is
    not a terminal, so it is not wrapped anyway)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "COLUMNS": "120",
    }
    proc = subprocess.run(
        [driftguard, *CHECK_ARGS, *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    # The fixture has breaking drift: exit 1 and the summary line saying so.
    if proc.returncode != 1 or not re.search(r"^driftguard: result=breaking ", proc.stderr, re.M):
        sys.exit(
            f"render.py: driftguard exited {proc.returncode} without a breaking verdict "
            "(expected exit 1 and result=breaking):\n"
            f"{proc.stderr}"
        )
    return proc


def text_svg(driftguard: str) -> str:
    proc = run_driftguard(driftguard, ["--color", "always"])
    command = "driftguard " + " ".join(CHECK_ARGS)
    # The prompt, the report on stdout, then the summary line on stderr: what
    # a terminal shows.
    screen = f"\x1b[32m$\x1b[0m {command}\n{proc.stdout}{proc.stderr}"
    return ansi_to_svg(screen, "driftguard check: text report (fixtures/shop.db)")


# ---------------------------------------------------------------------------
# GitHub workflow commands -> annotation list (HTML)
# ---------------------------------------------------------------------------

COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


PROPERTY_ESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}
DATA_ESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n"}


def unescape_property(value: str) -> str:
    # The toolkit's escaping for properties: %, CR, LF, ':' and ','.
    return re.sub(r"%(?:25|0D|0A|3A|2C)", lambda m: PROPERTY_ESCAPES[m.group(0)], value)


def unescape_data(value: str) -> str:
    return re.sub(r"%(?:25|0D|0A)", lambda m: DATA_ESCAPES[m.group(0)], value)


def parse_annotations(text: str) -> list[dict]:
    annotations = []
    for line in text.splitlines():
        m = COMMAND.match(line)
        if not m:
            raise ValueError(f"not an annotation workflow command: {line!r}")
        props = {}
        if m.group(2):
            for part in m.group(2).split(","):
                key, _, value = part.partition("=")
                props[key] = unescape_property(value)
        annotations.append(
            {"level": m.group(1), "props": props, "message": unescape_data(m.group(3))}
        )
    return annotations


ICONS = {
    # Octicons x-circle-fill, alert-fill, info (16px), as GitHub uses.
    "error": (
        "#cf222e",
        "M2.343 13.657A8 8 0 1 1 13.658 2.343 8 8 0 0 1 2.343 13.657ZM6.03 4.97a.751.751 0 0 0-1.042.018.751.751 0 0 0-.018 1.042L6.94 8 4.97 9.97a.749.749 0 0 0 .326 1.275.749.749 0 0 0 .734-.215L8 9.06l1.97 1.97a.749.749 0 0 0 1.275-.326.749.749 0 0 0-.215-.734L9.06 8l1.97-1.97a.749.749 0 0 0-.326-1.275.749.749 0 0 0-.734.215L8 6.94Z",
    ),
    "warning": (
        "#9a6700",
        "M6.457 1.047c.659-1.234 2.427-1.234 3.086 0l6.082 11.378A1.75 1.75 0 0 1 14.082 15H1.918a1.75 1.75 0 0 1-1.543-2.575Zm1.763.707a.25.25 0 0 0-.44 0L1.698 13.132a.25.25 0 0 0 .22.368h12.164a.25.25 0 0 0 .22-.368Zm.53 3.996v2.5a.75.75 0 0 1-1.5 0v-2.5a.75.75 0 0 1 1.5 0ZM9 11a1 1 0 1 1-2 0 1 1 0 0 1 2 0Z",
    ),
    "notice": (
        "#0969da",
        "M0 8a8 8 0 1 1 16 0A8 8 0 0 1 0 8Zm8-6.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13ZM6.5 7.75A.75.75 0 0 1 7.25 7h1a.75.75 0 0 1 .75.75v2.75h.25a.75.75 0 0 1 0 1.5h-2a.75.75 0 0 1 0-1.5h.25v-2h-.25a.75.75 0 0 1-.75-.75ZM8 6a1 1 0 1 1 0-2 1 1 0 0 1 0 2Z",
    ),
}

PAGE_CSS = """
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; background: #f6f8fa; color: #1f2328;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif,
    "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
  font-size: 14px; line-height: 1.5; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
.card > h2 { margin: 0; padding: 16px; font-size: 16px; font-weight: 600; border-bottom: 1px solid #d0d7de; }
.card > h2 small { display: block; font-size: 12px; font-weight: 400; color: #656d76; }
.caption { margin: 8px 2px 0; font-size: 12px; color: #656d76; }
code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
"""

ANNOTATIONS_CSS = """
.annotation { display: flex; gap: 8px; padding: 12px 16px; border-top: 1px solid #d8dee4; }
.annotation:first-of-type { border-top: 0; }
.annotation svg { flex: none; margin-top: 3px; }
.annotation .body { min-width: 0; flex: 1; }
.annotation .title { font-weight: 600; }
.annotation .where { font-size: 12px; color: #656d76; }
.annotation pre { margin: 6px 0 0; padding: 8px 12px; background: #f6f8fa; border-radius: 6px;
  font-size: 12px; white-space: pre-wrap; word-break: break-word; }
"""


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def annotations_html(text: str) -> str:
    annotations = parse_annotations(text)
    counts = {level: sum(a["level"] == level for a in annotations) for level in ICONS}
    summary = ", ".join(
        plural(counts[level], word)
        for level, word in (("error", "error"), ("warning", "warning"), ("notice", "notice"))
        if counts[level]
    )
    items = []
    for a in annotations:
        color, path = ICONS[a["level"]]
        props = a["props"]
        where = props.get("file", "")
        if "line" in props:
            where += f"#L{props['line']}"
        items.append(
            '<div class="annotation">'
            f'<svg width="16" height="16" viewBox="0 0 16 16" fill="{color}"><path d="{path}"/></svg>'
            '<div class="body">'
            f'<div class="title">{html.escape(props.get("title", a["level"].capitalize()))}</div>'
            f'<div class="where">schema-drift: {html.escape(where)}</div>'
            f'<pre>{html.escape(a["message"])}</pre>'
            "</div></div>"
        )
    command = "driftguard " + " ".join(CHECK_ARGS) + " --format github"
    return page(
        "Annotations",
        f'<div class="card"><h2>Annotations<small>{html.escape(summary)}</small></h2>'
        + "".join(items)
        + "</div>"
        + '<p class="caption">Rendered by docs/images/make.sh from the workflow commands that '
        f"<code>{html.escape(command)}</code> printed, styled like GitHub&#39;s annotation "
        "list (a mock, not a screenshot of GitHub).</p>",
        ANNOTATIONS_CSS,
    )


# ---------------------------------------------------------------------------
# Markdown (the subset the markdown report uses) -> HTML
# ---------------------------------------------------------------------------

SUMMARY_CSS = """
.markdown-body { padding: 16px 24px 8px; }
.markdown-body h2 { margin: 0 0 16px; padding-bottom: .3em; font-size: 1.5em; font-weight: 600;
  border-bottom: 1px solid #d8dee4; }
.markdown-body h3 { margin: 24px 0 16px; font-size: 1.25em; font-weight: 600; }
.markdown-body p, .markdown-body ul, .markdown-body table { margin: 0 0 16px; }
.markdown-body ul { padding-left: 2em; }
.markdown-body code { padding: .2em .4em; font-size: 85%; background: rgba(175,184,193,.2); border-radius: 6px; }
.markdown-body table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; }
.markdown-body th, .markdown-body td { padding: 6px 13px; border: 1px solid #d0d7de; }
.markdown-body th { font-weight: 600; }
.markdown-body tr:nth-child(2n) { background: #f6f8fa; }
"""

INLINE = re.compile(r"\\([!-/:-@\[-`{-~])|`([^`]+)`|\*\*(.+?)\*\*")


def inline(text: str) -> str:
    """Backslash escapes, code spans and strong emphasis, the only inline
    forms the markdown report writes."""
    out = []
    pos = 0
    for m in INLINE.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        if m.group(1) is not None:
            out.append(html.escape(m.group(1)))
        elif m.group(2) is not None:
            out.append(f"<code>{html.escape(m.group(2))}</code>")
        else:
            out.append(f"<strong>{inline(m.group(3))}</strong>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def split_row(line: str) -> list[str]:
    cells, cell, i = [], "", 0
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            cell += body[i : i + 2]
            i += 2
            continue
        if body[i] == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += body[i]
        i += 1
    cells.append(cell.strip())
    return cells


def markdown_to_html(text: str) -> str:
    blocks: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif m := re.match(r"^<details><summary>(.*)</summary>$", line):
            # The folded revert script: GitHub shows the summary, closed.
            blocks.append(f"<details><summary>{html.escape(m.group(1))}</summary>")
            i += 1
        elif line == "</details>":
            blocks.append("</details>")
            i += 1
        elif m := re.match(r"^(`{3,})", line):
            fence, code = m.group(1), []
            i += 1
            while i < len(lines) and not (lines[i].startswith(fence) and not lines[i].strip("`").strip()):
                code.append(lines[i])
                i += 1
            i += 1
            blocks.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
        elif m := re.match(r"^(#{1,6}) (.*)$", line):
            level = len(m.group(1))
            blocks.append(f"<h{level}>{inline(m.group(2))}</h{level}>")
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(split_row(lines[i]))
                i += 1
            head, body = rows[0], rows[2:]
            blocks.append(
                "<table><thead><tr>"
                + "".join(f"<th>{inline(c)}</th>" for c in head)
                + "</tr></thead><tbody>"
                + "".join(
                    "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>"
                    for row in body
                )
                + "</tbody></table>"
            )
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{inline(lines[i][2:])}</li>")
                i += 1
            blocks.append("<ul>" + "".join(items) + "</ul>")
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not re.match(r"^(#|\||- |<details>|</details>|```)", lines[i]):
                hard = lines[i].endswith("  ")
                para.append(inline(lines[i].rstrip()) + ("<br>" if hard else ""))
                i += 1
            blocks.append("<p>" + "\n".join(para) + "</p>")
    return "\n".join(blocks)


def summary_html(text: str) -> str:
    command = "driftguard " + " ".join(CHECK_ARGS) + " --format markdown"
    return page(
        "Job summary",
        '<div class="card"><h2>schema-drift summary</h2>'
        f'<div class="markdown-body">{markdown_to_html(text)}</div></div>'
        '<p class="caption">Rendered by docs/images/make.sh: the Markdown report of '
        f"<code>{html.escape(command)}</code> (what driftguard appends to "
        "<code>$GITHUB_STEP_SUMMARY</code>) with GitHub-like CSS; not a screenshot of GitHub.</p>",
        SUMMARY_CSS,
    )


def page(title: str, body: str, css: str) -> str:
    # The page reports its height in the title, so make.sh can size the
    # screenshot to the content (read with --dump-dom).
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{PAGE_CSS}{css}</style></head>\n<body>{body}\n"
        "<script>document.title = 'height=' + "
        "Math.ceil(document.documentElement.getBoundingClientRect().height);</script>"
        "</body></html>\n"
    )


# ---------------------------------------------------------------------------
# PNG source stamp
# ---------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STAMP_KEYWORD = b"driftguard-source"


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks, pos = [], len(PNG_SIGNATURE)
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def png_stamp(png: bytes, source: str) -> bytes:
    """Adds the text the picture was rendered from as an iTXt chunk (UTF-8,
    uncompressed), replacing an earlier stamp, so tests/it/images.rs can tell
    a picture that no longer matches driftguard's output."""
    chunk = STAMP_KEYWORD + b"\0\0\0\0\0" + source.encode("utf-8")
    out = bytearray(PNG_SIGNATURE)
    for kind, body in png_chunks(png):
        if kind == b"iTXt" and body.startswith(STAMP_KEYWORD + b"\0"):
            continue
        if kind == b"IEND":
            for k, b in ((b"iTXt", chunk), (kind, body)):
                out += len(b).to_bytes(4, "big") + k + b
                out += zlib.crc32(k + b).to_bytes(4, "big")
            break
        out += len(body).to_bytes(4, "big") + kind + body
        out += zlib.crc32(kind + body).to_bytes(4, "big")
    return bytes(out)


# ---------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------


def self_test() -> None:
    svg = ansi_to_svg("a \x1b[1;31mB<&>'\"\x1b[0m c\n\x1b[32mgreen\x1b[0m\n\n", "t<>")
    assert '<tspan x="16">a</tspan>' in svg, svg
    assert (
        f'<tspan x="{num(16 + 2 * CELL_WIDTH)}" fill="{PALETTE[31]}" font-weight="bold">'
        "B&lt;&amp;&gt;&apos;&quot;</tspan>"
    ) in svg, svg
    assert f'<tspan x="{num(16 + 9 * CELL_WIDTH)}">c</tspan>' in svg, svg
    assert f'fill="{PALETTE[32]}">green</tspan>' in svg, svg
    assert "<title>t&lt;&gt;</title>" in svg, svg
    assert svg.count("<text y=") == 2, "trailing empty lines are dropped"
    assert svg == ansi_to_svg("a \x1b[1;31mB<&>'\"\x1b[0m c\n\x1b[32mgreen\x1b[0m\n\n", "t<>")
    for bad in ("\x1b[38;5;1mx", "\x1b[41mx", "a\tb", "\x1b[2Jx"):
        try:
            ansi_to_svg(bad, "t")
        except ValueError:
            pass
        else:
            raise AssertionError(f"accepted {bad!r}")
    a = parse_annotations("::error file=a%2Cb.json,line=3,title=T%3A x::m%250A%0Anext")
    assert a == [
        {"level": "error", "props": {"file": "a,b.json", "line": "3", "title": "T: x"},
         "message": "m%0A\nnext"}
    ], a
    md = markdown_to_html("## ❌ A `x<y`\n\n| a | b |\n|---|---|\n| c\\_d \\| e | **f** |\n\nl1  \nl2\n")
    assert "<h2>❌ A <code>x&lt;y</code></h2>" in md, md
    assert "<td>c_d | e</td><td><strong>f</strong></td>" in md, md
    assert "<p>l1<br>\nl2</p>" in md, md
    md = markdown_to_html("<details><summary>SQL <b></summary>\n\n````sql\nA <x>;\n```\nB;\n````\n\n</details>\n")
    assert md == "<details><summary>SQL &lt;b&gt;</summary>\n<pre><code>A &lt;x&gt;;\n```\nB;</code></pre>\n</details>", md
    png = PNG_SIGNATURE + b"\0\0\0\0IEND" + zlib.crc32(b"IEND").to_bytes(4, "big")
    stamped = png_stamp(png_stamp(png, "old"), "new ✓")
    assert png_chunks(stamped) == [(b"iTXt", STAMP_KEYWORD + b"\0\0\0\0\0new \xe2\x9c\x93"), (b"IEND", b"")]
    print("render.py self-test: ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("text-svg")
    p.add_argument("--driftguard", required=True)
    sub.add_parser("annotations-html").add_argument("file")
    sub.add_parser("summary-html").add_argument("file")
    p = sub.add_parser("png-stamp")
    p.add_argument("png")
    p.add_argument("source")
    sub.add_parser("self-test")
    args = parser.parse_args()
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    if args.cmd == "text-svg":
        sys.stdout.write(text_svg(args.driftguard))
    elif args.cmd == "annotations-html":
        sys.stdout.write(annotations_html(Path(args.file).read_text(encoding="utf-8")))
    elif args.cmd == "summary-html":
        sys.stdout.write(summary_html(Path(args.file).read_text(encoding="utf-8")))
    elif args.cmd == "png-stamp":
        png = Path(args.png)
        source = Path(args.source).read_text(encoding="utf-8")
        png.write_bytes(png_stamp(png.read_bytes(), source))
    else:
        self_test()


if __name__ == "__main__":
    main()
