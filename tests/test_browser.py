"""The guide and a baked project's site in a real browser: headless Chromium
opens the guide's home page and a phase page, and the figure, the navigation
and the console are checked; the figure's text is measured on a phone and on a
desktop; axe-core (from node_modules) checks pages of both sites, in the light
and the dark colour scheme, for accessibility violations.

Chromium is driven over the DevTools protocol through a pipe
(--remote-debugging-pipe: commands on fd 3, replies on fd 4, each a JSON
message ending in a NUL byte), so no port is opened and nothing beyond the
standard library is needed. Screenshots and a PDF print land in artifacts/.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from conftest import EVERYTHING_ON, PHASES, TEMPLATE
from test_guide import build_guide

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = TEMPLATE / "artifacts"
# A safety net against a hung browser, not a performance limit.
REPLY_TIMEOUT = 60


def require_chromium() -> None:
    if Path(CHROMIUM).is_file():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")


class BrowserError(Exception):
    pass


def pipe_above(lowest: int) -> tuple[int, int]:
    """A close-on-exec pipe whose ends are numbered above `lowest`, so that
    moving them onto fds 3 and 4 in the child cannot overwrite one another."""
    ends = []
    for fd in os.pipe():
        ends.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest + 1))
        os.close(fd)
    return ends[0], ends[1]


class Chromium:
    """A headless Chromium and one page, over the DevTools pipe."""

    def __init__(self, profile: Path):
        to_child_r, self._to_child = pipe_above(4)
        self._from_child, from_child_w = pipe_above(4)

        def map_fds() -> None:  # runs in the child, before exec
            os.dup2(to_child_r, 3)  # dup2'd descriptors stay open across exec
            os.dup2(from_child_w, 4)

        args = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # close_fds=False: the child keeps only what is inheritable, i.e. fds
        # 0-4; Python opens every other descriptor close-on-exec.
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=map_fds,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict] = []
        target = next(
            t for t in self.send("Target.getTargets")["targetInfos"] if t["type"] == "page"
        )
        attached = self.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=self.session)

    def _read_message(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_child], [], [], REPLY_TIMEOUT)
            if not ready:
                raise BrowserError("Chromium did not answer")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method: str, **params) -> dict:
        return self.send(method, session=self.session, **params)

    def wait_for(self, method: str) -> dict:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            event = self._read_message()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def open(self, url: str) -> None:
        self.events.clear()
        self.page("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        result = self.page(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self) -> list[str]:
        errors = []
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text", "exception"))
            elif event.get("method") == "Runtime.consoleAPICalled" and params["type"] == "error":
                errors.append(" ".join(str(a.get("value", "")) for a in params["args"]))
            elif event.get("method") == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                errors.append(f"{entry.get('text')} {entry.get('url', '')}".strip())
        return errors

    def screenshot(self, path: Path, width: int = 1280, height: int = 1600) -> None:
        self.page(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=REPLY_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_child)
        os.close(self._from_child)


@contextlib.contextmanager
def serving(site: Path):
    """A built site, served on 127.0.0.1 by a thread of this process."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served_guide(tmp_path_factory):
    require_chromium()
    with serving(build_guide(tmp_path_factory.mktemp("guide") / "site")) as url:
        yield url


@pytest.fixture(scope="module")
def served_site(baked):
    """A baked project's site with every optional document and section, built
    strictly (the bake is shared with other tests, which only read it)."""
    require_chromium()
    with serving(baked(**EVERYTHING_ON).build()) as url:
        yield url


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with tempfile.TemporaryDirectory(prefix="guide-chromium-") as profile:
        chromium = Chromium(Path(profile))
        yield chromium
        chromium.close()


FIGURE = """(() => {
  const img = document.querySelector('img.lifecycle-figure');
  if (!img) return null;
  const box = img.getBoundingClientRect();
  return {src: img.getAttribute('src'), complete: img.complete,
          naturalWidth: img.naturalWidth, width: box.width, alt: img.alt,
          display: getComputedStyle(img).display};
})()"""

FIGURE_FILTER = "getComputedStyle(document.querySelector('img.lifecycle-figure')).filter"
MARK_BACKGROUND = """(() => { const m = document.querySelector('.md-typeset mark');
  return m ? getComputedStyle(m).backgroundColor : null; })()"""

NAVIGATION = """Array.from(document.querySelectorAll('nav.md-nav--primary .md-nav__link'))
  .map(a => ({text: a.textContent.trim().replace(/\\s+/g, ' '),
              visible: a.getBoundingClientRect().height > 0}))"""


def phase_titles() -> list[str]:
    return [f"{phase['number']}. {phase['title']}" for phase in PHASES]


def check_page(browser: Chromium, url: str, name: str) -> dict:
    open_in_scheme(browser, url, "light")  # whatever tests before it left
    figure = browser.evaluate(FIGURE)
    navigation = browser.evaluate(NAVIGATION)
    errors = browser.console_errors()
    browser.screenshot(ARTIFACTS / f"guide-{name}.png")
    return {"figure": figure, "navigation": navigation, "errors": errors}


def test_home_page_shows_the_figure_and_every_phase(browser, served_guide):
    result = check_page(browser, served_guide, "home")
    figure = result["figure"]
    assert figure is not None, "no lifecycle figure on the home page"
    assert figure["complete"] and figure["naturalWidth"] > 0, f"figure not rendered: {figure}"
    assert figure["width"] > 300, f"figure drawn too small: {figure}"
    assert "Design & development" in figure["alt"], "the figure has no useful alt text"
    visible = {link["text"] for link in result["navigation"] if link["visible"]}
    missing = [title for title in phase_titles() if title not in visible]
    assert missing == [], f"navigation does not show {missing}"
    assert result["errors"] == [], result["errors"]


def test_phase_page_shows_navigation_and_stub(browser, served_guide):
    phase = PHASES[3]
    result = check_page(browser, f"{served_guide}phases/{phase['folder']}/", "phase")
    texts = {link["text"] for link in result["navigation"]}
    assert set(phase_titles()) <= texts
    assert result["errors"] == [], result["errors"]
    stub = browser.evaluate(
        "Array.from(document.querySelectorAll('details.example summary'))"
        ".map(s => s.textContent.trim())"
    )
    assert any(f"{phase['folder']}/" in title for title in stub), stub
    # Open the stub and picture it too: its tabs and TODO markers must render.
    marks = browser.evaluate(
        "(() => { document.querySelectorAll('details.example').forEach(d => d.open = true);"
        " return document.querySelectorAll('details.example mark').length; })()"
    )
    assert marks > 0, "the stub's TODO markers are not rendered"
    # In light mode too, the TODO colours win over the theme's mark rule.
    assert browser.evaluate(MARK_BACKGROUND) == "rgb(252, 232, 178)"
    browser.screenshot(ARTIFACTS / "guide-phase-stub-open.png", height=2400)


# The figure is an <img>, so its text cannot be measured in the page: draw the
# SVG the <img> shows (currentSrc: the <picture> picks it) off-screen, read
# each text's font size in the SVG's own units and scale it by the width the
# <img> is drawn at over the width of the viewBox. There, each text must also
# keep clear of the edges of what holds it: its phase's box, or else the
# smallest other rectangle (a stage's panel, the figure's frame) around its
# anchor point, by CLEARANCE in the SVG's units.
CLEARANCE = 2
FIGURE_TEXT = """(async () => {
  const img = document.querySelector('img.lifecycle-figure');
  const link = img.closest('a[href]');
  const response = await fetch(img.currentSrc);
  const holder = document.createElement('div');
  holder.style.cssText = 'position: absolute; left: -10000px; top: 0; width: 960px';
  holder.innerHTML = await response.text();
  document.body.append(holder);
  const svg = holder.querySelector('svg');
  const width = img.getBoundingClientRect().width;
  const scale = width / svg.viewBox.baseVal.width;
  const smallest = selector => Math.min(...Array.from(svg.querySelectorAll(selector),
    text => parseFloat(getComputedStyle(text).fontSize))) * scale;
  const box = element => element.getBoundingClientRect();
  const unit = box(svg).width / svg.viewBox.baseVal.width;
  const areas = Array.from(svg.querySelectorAll('rect'))
    .filter(rect => !rect.closest('g.phase')).map(box)
    .sort((a, b) => a.width * a.height - b.width * b.height);
  const texts = [];
  for (const text of svg.querySelectorAll('text')) {
    const point = svg.createSVGPoint();
    point.x = text.x.baseVal[0].value;
    point.y = text.y.baseVal[0].value;
    const anchor = point.matrixTransform(text.getScreenCTM());
    const phase = text.closest('g.phase');
    const around = phase ? box(phase.querySelector('rect')) : areas.find(a =>
      anchor.x >= a.left && anchor.x <= a.right && anchor.y >= a.top && anchor.y <= a.bottom);
    const own = box(text);
    const clear = around ? Math.min(own.left - around.left, around.right - own.right,
      own.top - around.top, around.bottom - own.bottom) / unit : null;
    texts.push({text: text.textContent, clear: clear});
  }
  const result = {viewport: innerWidth, figureWidth: width,
    shown: new URL(img.currentSrc).pathname,
    label: smallest('text.label'), note: smallest('text.note'), text: smallest('text'),
    texts: texts,
    link: link && new URL(link.href).pathname, linkType: response.headers.get('content-type'),
    overflows: document.documentElement.scrollWidth > innerWidth};
  holder.remove();
  return result;
})()"""


def open_at_width(browser: Chromium, url: str, width: int) -> None:
    """Open `url` in a viewport `width` CSS px wide: a phone's below 600."""
    browser.page(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=900,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    browser.open(url)


def figure_text_at(browser: Chromium, url: str, width: int) -> dict:
    open_at_width(browser, url, width)
    result = browser.evaluate(FIGURE_TEXT)
    # How far each text keeps clear of its box or panel (none: no panel).
    texts = result.pop("texts")
    result["outside"] = [t for t in texts if t["clear"] is None or t["clear"] < CLEARANCE]
    result["clearance"] = min(t["clear"] for t in texts if t["clear"] is not None)
    return result


# The overview's status table, in the theme's scrolling wrapper: whether it
# hides columns, and whether the wrapper draws the edge shadows that say so.
STATUS_TABLE = """(() => {
  const intro = Array.from(document.querySelectorAll('.md-typeset p'))
    .find(p => p.textContent.startsWith('Status of every document'));
  const wrap = intro && intro.nextElementSibling;
  if (!wrap || !wrap.matches('.md-typeset__scrollwrap')) return null;
  const style = getComputedStyle(wrap);
  return {hidden: wrap.scrollWidth - wrap.clientWidth, image: style.backgroundImage,
          attachment: style.backgroundAttachment,
          columns: wrap.querySelectorAll('thead th').length};
})()"""


def test_a_wide_table_shows_that_it_scrolls(browser, served_site):
    """On a phone the status table scrolls sideways with no scroll bar: the
    edge shadows say so. On a desktop it fits: no column is hidden."""
    browser.page("Emulation.setEmulatedMedia", media="", features=[])
    found = {}
    try:
        for width in (390, 1280):
            open_at_width(browser, served_site, width)
            found[width] = browser.evaluate(STATUS_TABLE)
    finally:
        browser.page("Emulation.clearDeviceMetricsOverride")
    phone, desktop = found[390], found[1280]
    assert phone and desktop, found
    assert phone["hidden"] > 0, f"nothing to scroll at 390 px: {phone}"
    assert phone["image"].count("radial-gradient") == 2, phone
    assert phone["attachment"] == "local, local, scroll, scroll", phone
    assert desktop["hidden"] <= 0, f"the status table hides columns at 1280 px: {desktop}"


@pytest.mark.parametrize("site", ["guide", "baked"])
def test_figure_text_on_a_phone_and_on_a_desktop(browser, request, site):
    """At 390 px the page shows the stacked drawing, its text readable in the
    page; at 1280 px the wide one. Both link to the wide SVG, which a phone
    opens whole and zooms, and no text runs out of its box or panel."""
    url = request.getfixturevalue("served_guide" if site == "guide" else "served_site")
    browser.page("Emulation.setEmulatedMedia", media="", features=[])
    try:
        phone = figure_text_at(browser, url, 390)
        desktop = figure_text_at(browser, url, 1280)
    finally:
        browser.page("Emulation.clearDeviceMetricsOverride")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    measured = json.dumps({"390": phone, "1280": desktop}, indent=2)
    (ARTIFACTS / f"figure-text-{site}.json").write_text(measured + "\n")
    for result in (phone, desktop):
        assert result["link"] == "/assets/lifecycle.svg", f"no link to the full-size SVG: {result}"
        assert result["linkType"] == "image/svg+xml", result
        assert not result["overflows"], f"the page scrolls sideways: {result}"
        assert result["outside"] == [], f"text runs out of its box or panel: {result}"
    assert phone["shown"] == "/assets/lifecycle-narrow.svg", phone
    assert phone["figureWidth"] <= 390, f"the figure does not scale down: {phone}"
    assert phone["label"] >= 11, f"phase labels too small at 390 px: {phone}"
    assert phone["note"] >= 10, f"notes too small at 390 px: {phone}"
    assert desktop["shown"] == "/assets/lifecycle.svg", desktop
    # The floor: text in the page at 1280 px must not fall below 9 CSS px.
    assert desktop["text"] >= 9, f"figure text too small at 1280 px: {desktop}"
    assert desktop["label"] >= 10, f"phase labels too small at 1280 px: {desktop}"


AXE = TEMPLATE / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """axe.run(document, {resultTypes: ['violations', 'incomplete']}).then(result => ({
  violations: result.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})),
  untested: result.incomplete.filter(v => v.id === 'color-contrast').flatMap(v =>
    v.nodes.map(n => n.target.join(' ') + ': ' + ((n.any[0] || {}).message || '')))}))"""
# The scroll shadows of a wide table are background gradients on its wrapper,
# over which axe cannot tell a cell's background and so skips its contrast.
# They only shade the edges of a table that scrolls: taken off while axe runs,
# every cell's contrast is measured against the page's background.
NO_SCROLL_SHADOWS = """document.querySelectorAll('.md-typeset__scrollwrap')
  .forEach(wrap => wrap.style.setProperty('background', 'none', 'important'))"""
# Rules that the theme's own markup breaks, with why: a violation of one of
# them in the page's content (.md-typeset) is still ours.
THEME_RULES = {
    # The search overlay (.md-search) has role="dialog" but no accessible name.
    "aria-dialog-name": "mkdocs-material's search dialog",
    # Each section of the primary navigation is a <nav> labelled by its
    # section's title, and two nested ones can share a label.
    "landmark-unique": "mkdocs-material's nested navigation landmarks",
}


# The theme applies the scheme from a script, which also marks the media
# query it followed; wait up to 5 s for that mark.
SCHEME_WHEN_SETTLED = """new Promise(resolve => {
  const start = Date.now();
  (function poll() {
    if (document.body.hasAttribute('data-md-color-media') || Date.now() - start > 5000)
      resolve(document.body.getAttribute('data-md-color-scheme'));
    else setTimeout(poll, 100);
  })();
})"""
# The system's preference, and the theme's scheme it must lead to.
SCHEMES = {"light": "default", "dark": "slate"}


def open_in_scheme(browser: Chromium, url: str, preference: str) -> str:
    """Open `url` with the system asking for a light or dark scheme and no
    scheme stored by an earlier visit, so the theme's own script picks it from
    the media query; return the scheme the page settles on. The page shown
    before is left first: its script would store the scheme it had."""
    browser.open("about:blank")
    browser.page(
        "Emulation.setEmulatedMedia",
        media="",
        features=[{"name": "prefers-color-scheme", "value": preference}],
    )
    forget = browser.page("Page.addScriptToEvaluateOnNewDocument", source="localStorage.clear()")
    try:
        browser.open(url)
    finally:
        browser.page("Page.removeScriptToEvaluateOnNewDocument", identifier=forget["identifier"])
    return browser.evaluate(SCHEME_WHEN_SETTLED)


def axe_results(browser: Chromium, url: str, preference: str, width: int) -> dict:
    """axe-core's violations on `url` in the light or dark scheme, in a
    viewport `width` CSS px wide, and the elements whose contrast it could
    not measure. Every <details> is opened first: axe skips what a closed one
    hides, such as the guide's stubs with their grey example quotes."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing; run make node_modules/.installed")
        pytest.skip("axe-core is not installed (make node_modules/.installed)")
    browser.page(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=900,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    try:
        scheme = open_in_scheme(browser, url, preference)
        assert scheme == SCHEMES[preference], f"{url}: the {preference} scheme was not applied"
        browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        browser.evaluate(NO_SCROLL_SHADOWS)
        browser.evaluate(AXE.read_text("utf-8") + "\n;undefined")
        return browser.evaluate(AXE_RUN)
    finally:
        browser.page("Emulation.clearDeviceMetricsOverride")


def ours(violations: list[dict]) -> list[dict]:
    """The violations that are not the theme's own."""
    found = []
    for violation in violations:
        nodes = violation["nodes"]
        if violation["id"] in THEME_RULES:
            nodes = [node for node in nodes if "md-typeset" in node.split(": ", 1)[0]]
        if nodes:
            found.append({**violation, "nodes": nodes})
    return found


# Pages of both sites: each home page, and the requirements, whose grey
# example quotes hold links (in the guide, inside the stub's <details>).
AXE_PAGES = {
    "guide-home": ("served_guide", ""),
    "guide-phase": ("served_guide", f"phases/{PHASES[1]['folder']}/"),
    "site-home": ("served_site", ""),
    "site-document": ("served_site", f"{PHASES[1]['folder']}/requirements/"),
}
QUOTE_LINKS = """Array.from(document.querySelectorAll('blockquote a'))
  .filter(a => a.checkVisibility()).length"""


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
@pytest.mark.parametrize("preference", SCHEMES)
@pytest.mark.parametrize("page", AXE_PAGES)
def test_axe_finds_no_violation_of_ours(browser, request, page, preference, width):
    """On a phone, where wide tables and code scroll sideways (and must be
    reachable by keyboard), and on a desktop; with the contrast of every
    table cell measured."""
    site, path = AXE_PAGES[page]
    results = axe_results(browser, request.getfixturevalue(site) + path, preference, width)
    found = ours(results["violations"])
    assert found == [], json.dumps(found, indent=2)
    cells = [node for node in results["untested"] if " > td" in node or " > th" in node]
    if width < 600:  # cells scrolled out of a table's view are clipped: axe cannot see them
        cells = [node for node in cells if "partially obscured" not in node]
    assert cells == [], "axe could not measure the contrast of:\n" + "\n".join(cells[:10])
    assert browser.console_errors() == []
    if path:
        assert browser.evaluate(QUOTE_LINKS) > 0, "axe saw no link in an example quote"


def test_figure_in_dark_mode_and_in_print(browser, served_guide):
    scheme = open_in_scheme(browser, served_guide, "dark")
    figure = browser.evaluate(FIGURE)
    browser.screenshot(ARTIFACTS / "guide-home-dark.png")
    assert scheme == "slate", "the dark colour scheme was not applied"
    assert figure["naturalWidth"] > 0
    # The figure is darkened with the page, not left as a white box.
    assert "invert" in browser.evaluate(FIGURE_FILTER), "the figure stays white in dark mode"
    # Material's own mark rule must not win over the TODO colours.
    light_mark = browser.evaluate(MARK_BACKGROUND)
    assert light_mark in (None, "rgb(122, 79, 1)"), light_mark
    browser.page("Emulation.setEmulatedMedia", media="print", features=[])
    printed = browser.evaluate(FIGURE)
    assert printed["display"] != "none" and printed["width"] > 300, printed
    assert browser.evaluate(FIGURE_FILTER) == "none", "the printed figure is inverted"
    pdf = browser.page("Page.printToPDF", printBackground=True)["data"]
    (ARTIFACTS / "guide-home.pdf").write_bytes(base64.b64decode(pdf))
    assert browser.console_errors() == []


# --- print, search highlights, values to type --------------------------------------

# Each table of a page: how much of it its wrapper hides, and how far right
# its cells reach, against the page's width.
PRINTED_TABLES = """Array.from(document.querySelectorAll('.md-typeset table')).map(table => {
  const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
  const cells = Array.from(table.querySelectorAll('th, td'), cell => cell.getBoundingClientRect());
  return {columns: table.querySelectorAll('thead th').length,
          hidden: wrap.scrollWidth - wrap.clientWidth,
          right: Math.max(...cells.map(box => box.right)),
          page: document.documentElement.clientWidth};
})"""
# An A4 page's printable width in CSS px, as Chromium prints it by default.
A4_PRINTABLE = 718


@pytest.mark.parametrize("path", ["", "supplier-register/"], ids=["status", "suppliers"])
def test_printing_keeps_every_column_of_a_wide_table(browser, served_site, path):
    """Paper does not scroll: the status table and the supplier register
    print whole, their cells wrapped to the page's width."""
    browser.page(
        "Emulation.setDeviceMetricsOverride",
        width=A4_PRINTABLE,
        height=1000,
        deviceScaleFactor=1,
        mobile=False,
    )
    try:
        open_in_scheme(browser, served_site + path, "light")
        browser.page("Emulation.setEmulatedMedia", media="print", features=[])
        tables = browser.evaluate(PRINTED_TABLES)
        pdf = browser.page("Page.printToPDF", printBackground=True)["data"]
        name = path.strip("/") or "status"
        (ARTIFACTS / f"site-{name}.pdf").write_bytes(base64.b64decode(pdf))
    finally:
        browser.page("Emulation.setEmulatedMedia", media="", features=[])
        browser.page("Emulation.clearDeviceMetricsOverride")
    assert any(table["columns"] >= 6 for table in tables), tables
    for table in tables:
        assert table["hidden"] <= 1 and table["right"] <= table["page"] + 1, table


HIGHLIGHTS = """new Promise(resolve => {
  const start = Date.now();
  (function poll() {
    const found = document.querySelector('.md-typeset mark[data-md-highlight]');
    if (found || Date.now() - start > 5000) {
      const style = mark => mark && (s => ({background: s.backgroundColor,
        outline: s.outlineStyle, weight: s.fontWeight}))(getComputedStyle(mark));
      resolve({found: style(found),
               todo: style(document.querySelector('.md-typeset mark:not([data-md-highlight])'))});
    } else setTimeout(poll, 100);
  })();
})"""


def test_search_highlights_do_not_look_like_todo_markers(browser, served_site):
    """A page opened from a search result marks the words searched for:
    outlined, unfilled, unlike an unfilled prompt's filled marker."""
    open_in_scheme(browser, f"{served_site}{PHASES[3]['folder']}/model-card/?h=model", "light")
    marks = browser.evaluate(HIGHLIGHTS)
    found, todo = marks["found"], marks["todo"]
    assert found and todo, marks
    assert todo["background"] == "rgb(252, 232, 178)", todo
    assert found["background"] == "rgba(0, 0, 0, 0)" and found["outline"] == "solid", found
    assert found["weight"] != todo["weight"], marks


# Values on the options page that a reader types: each on one line.
BROKEN_VALUES = """Array.from(document.querySelectorAll('.md-typeset code.typed'))
  .filter(code => code.getClientRects().length > 1).map(code => code.textContent)"""


def test_the_options_page_never_breaks_a_value_to_type(browser, served_guide):
    """On a phone the options' tables are narrow; a key or a choice a reader
    types ("third_parties", "classification") stays whole."""
    browser.page("Emulation.setEmulatedMedia", media="", features=[])
    try:
        open_at_width(browser, f"{served_guide}options/", 390)
        count = browser.evaluate("document.querySelectorAll('.md-typeset code.typed').length")
        broken = browser.evaluate(BROKEN_VALUES)
    finally:
        browser.page("Emulation.clearDeviceMetricsOverride")
    assert count > 30, "the options page marks no value to type"
    assert broken == [], broken
