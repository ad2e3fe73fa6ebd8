"""Checks the links of the built manual, offline.

    python3 .ci/check_links.py BOOK_DIR [README.md]

- Every relative `href` and `src` of every HTML page in BOOK_DIR must name a
  file of the book, and its `#fragment`, if any, an element `id` (or `name`)
  of that page. Links with a scheme (https:, mailto:) are not followed. The
  book's site URL (`site-url` in docs/book.toml, /driftguard/) counts as its
  root, for the absolute links of 404.html.
- Every link of the README into the published manual,
  https://driftguard-cli.github.io/driftguard/PATH[#fragment], must name a page
  (and element) of BOOK_DIR, so the front page never points at a page the book
  no longer has.

Prints every broken link with the page it is on, and exits 1 if there is one.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE = "https://driftguard-cli.github.io/driftguard/"
SITE_PATH = "/driftguard/"


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
            elif name in ("href", "src"):
                self.links.append(value)


def parse(path, cache={}):
    if path not in cache:
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        cache[path] = page
    return cache[path]


def resolve(book, page_path, link):
    """The file and fragment a link names, or None for a link not to check."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith("//"):
        return None
    path = unquote(parts.path)
    if path.startswith(SITE_PATH):
        target = book / path[len(SITE_PATH):]
    elif path.startswith("/"):
        target = book / path.lstrip("/")
    elif path:
        target = page_path.parent / path
    else:
        target = page_path
    if target.is_dir():
        target = target / "index.html"
    return target.resolve(), unquote(parts.fragment)


def check(book, target, fragment):
    """What is wrong with a resolved link, or None."""
    if not target.is_file():
        return "no such file"
    if not str(target).startswith(str(book)):
        return "outside the book"
    if fragment and target.suffix == ".html" and fragment not in parse(target).ids:
        return f"no element #{fragment}"
    return None


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    book = Path(sys.argv[1]).resolve()
    pages = sorted(book.rglob("*.html"))
    if not pages:
        sys.exit(f"check_links: no HTML pages in {book}")
    broken = []
    checked = 0
    for page_path in pages:
        for link in parse(page_path).links:
            resolved = resolve(book, page_path, link)
            if resolved is None:
                continue
            checked += 1
            problem = check(book, *resolved)
            if problem:
                broken.append(f"{page_path.relative_to(book)}: {link}: {problem}")
    if len(sys.argv) == 3:
        readme = Path(sys.argv[2])
        for link in re.findall(re.escape(SITE) + r"[^)\s>\"]*", readme.read_text(encoding="utf-8")):
            parts = urlsplit(link[len(SITE):])
            target = (book / unquote(parts.path)) if parts.path else book
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            problem = check(book, target.resolve(), unquote(parts.fragment))
            if problem:
                broken.append(f"{readme}: {link}: {problem}")
    for line in broken:
        print(f"broken link: {line}", file=sys.stderr)
    if broken:
        sys.exit(f"check_links: {len(broken)} broken of {checked} links")
    print(f"check_links: {checked} links in {len(pages)} pages, all resolve")


if __name__ == "__main__":
    main()
