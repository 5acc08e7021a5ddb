"""A built site served the way GitHub Pages serves a project site: under a
sub-path, with the site's own 404.html for every missing path. Tests fetch its
pages and follow every link on them."""

from __future__ import annotations

import functools
import html as html_text
import http.server
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

LINK = re.compile(r'(?:href|src)="([^"]+)"')


def serve_under(site: Path, prefix: str):
    """Serve `site` at http://127.0.0.1:PORT/prefix/; every other path is a
    404 with the site's 404.html. Call `.shutdown()` on the result."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def translate_path(self, path):
            if not path.startswith(f"/{prefix}/"):
                return str(site / "does-not-exist")
            return super().translate_path(path[len(prefix) + 1 :])

        def send_error(self, code, message=None, explain=None):
            if code != 404:
                return super().send_error(code, message, explain)
            body = (site / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    handler = functools.partial(Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def links_of(html: str, page_url: str, base: str, site_url: str) -> list[tuple[str, str]]:
    """Each link of a page that stays on the site, with the local URL it
    reaches: links to `site_url` are served from `base` instead."""
    found = []
    for link in dict.fromkeys(html_text.unescape(link) for link in LINK.findall(html)):
        if link.startswith(("#", "mailto:", "data:")):
            continue
        if link.startswith(site_url):
            target = base + urllib.parse.urlsplit(site_url).path + link[len(site_url) :]
        elif link.startswith(("http://", "https://", "//")):
            continue  # another site
        else:
            target = urllib.parse.urljoin(page_url, link)
        found.append((link, target.split("#", 1)[0]))
    return found


def dead_links(site: Path, site_url: str, pages: tuple[str, ...]) -> dict[str, list[str]]:
    """Serve `site` where `site_url` (https://owner.github.io/repo/) puts it
    and follow every link of each of `pages` (paths under the site, a missing
    one served as the 404 page): the links that do not load, by page."""
    site_url = site_url.rstrip("/") + "/"
    prefix = urllib.parse.urlsplit(site_url).path.strip("/")
    server = serve_under(site, prefix)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    dead: dict[str, list[str]] = {}
    try:
        for page in pages:
            page_url = f"{base}/{prefix}/{page}"
            status, html = fetch(page_url)
            assert status in (200, 404), (page, status)
            links = links_of(html, page_url, base, site_url)
            assert any(link.endswith(".css") for link, _ in links), f"{page} has no styles"
            dead[page] = [link for link, target in links if fetch(target)[0] != 200]
    finally:
        server.shutdown()
    return {page: links for page, links in dead.items() if links}
