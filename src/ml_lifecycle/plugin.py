"""The MkDocs plugin `lifecycle` (`plugins: [search, lifecycle]` in mkdocs.yml).

Once per build (and per rebuild under `mkdocs serve`) it runs the checker and:

- derives the navigation when mkdocs.yml has no `nav:`: the overview, then
  each stage with its phases ("4. Building") and their documents in
  lifecycle order, then the pages that span the lifecycle; a document added to
  a phase folder appears with no other edit;
- opens each lifecycle document's page with a status box, and shows
  documents in review or approved in the reader's view (reader_view.py);
- fills the placeholders of derived.py: the status table on the overview, the
  responsibilities table and the supplier summary;
- adds the requirement traceability page when the requirements define IDs;
- shows each cited evidence value linked to its artefact where the site can
  link it, with a footnote naming the source, its date and its hash
  (evidence.py).

Nothing here fails the build (`ml-lifecycle check` is the gate), except what
the checker refuses to read: a page, folder or file whose real path is outside
the project (building would publish it), a page over the size limit, or front
matter that would blow up MkDocs' own YAML parser (limits.py).

Settings (mkdocs.yml): `enabled` (default true) turns the plugin off, for a
quick preview; `today` (YYYY-MM-DD) checks the documents as on that day
instead of the day of the build, as `ml-lifecycle check --today` does, so
that an archived site or a worked example keeps the statuses of its day.
Messages go to the logger `mkdocs.plugins.lifecycle`. Event priorities are
explicit: the checker runs late in on_files, after other plugins have added
or removed pages; the page transforms run early in
on_page_markdown, on the Markdown as written, before other plugins change it.

Values from front matter and lifecycle.yml are data: a page's title,
subtitle and description and the navigation's section titles reach the theme
HTML-escaped, and so does the site name, exactly once.
"""

from __future__ import annotations

import html
import logging
from datetime import date
from pathlib import Path

from markupsafe import Markup, escape
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ml_lifecycle import derived, limits
from ml_lifecycle.documents import Document, parse_date
from ml_lifecycle.evidence.site import render as render_evidence
from ml_lifecycle.limits import is_inside, outside_message
from ml_lifecycle.markdown_model import parse, tame_long_lines
from ml_lifecycle.project import cross_cutting_order
from ml_lifecycle.reader_view import reader_view, shows_reader_view
from ml_lifecycle.report import Report
from ml_lifecycle.rules import check_project
from ml_lifecycle.vocabulary import (
    CROSS_CUTTING_TITLE,
    EVIDENCE_SCHEME,
    PHASES_FILE,
    TRACEABILITY_PAGE,
)

OVERVIEW = "index.md"
# Front-matter keys mkdocs-material prints into HTML without escaping.
PRINTED_META = ("title", "subtitle", "description")
log = logging.getLogger("mkdocs.plugins.lifecycle")


class LifecycleConfig(Config):
    enabled = config_options.Type(bool, default=True)
    today = config_options.Optional(config_options.Type((str, date)))


class LifecyclePlugin(BasePlugin[LifecycleConfig]):
    def __init__(self) -> None:
        self.report: Report | None = None
        self.by_source: dict[str, Document] = {}
        self.pages: dict[str, int] = {}
        self.page_titles: dict[str, str] = {}
        self.read: dict = {}  # the check's model of each page, by source

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not self.config.enabled:
            return config
        # Remember whether the user wrote a nav, before this plugin fills one in
        # (under `mkdocs serve` the same config object is reused for rebuilds).
        self.own_nav = config.nav is None or getattr(self, "own_nav", False)
        # The baked mkdocs.yml holds the name HTML-escaped and the theme escapes
        # it again in places (the logo's tooltip): mark it as escaped once.
        if config.site_name and not isinstance(config.site_name, Markup):
            config.site_name = html_text(config.site_name)
        # MkDocs walks docs_dir following every link before any plugin sees a
        # file: stop before it walks a folder linked to / or reads /etc/passwd.
        refuse_links_out(Path(config.docs_dir), project_root(config))
        return config

    @event_priority(-50)  # after other plugins have added or removed pages
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        root = project_root(config)
        refuse_outside(files, Path(config.docs_dir), root)
        try:
            today = parse_date(self.config.today) or date.today()
        except ValueError:
            message = f"lifecycle: today {self.config.today!r} is not a date (YYYY-MM-DD)"
            raise PluginError(message) from None
        self.report = check_project(root, today)
        refused = [problem for problem in self.report.problems if problem.refused]
        if refused:
            raise PluginError(
                "lifecycle: refusing to build: "
                + "; ".join(str(problem) for problem in refused[:10])
                + ("" if len(refused) <= 10 else f"; and {len(refused) - 10} more")
            )
        if self.report.problems:
            count = len(self.report.problems)
            log.info(f"{count} problem(s) found; `ml-lifecycle check` lists them")
        docs_dir = Path(config.docs_dir)
        self.by_source = in_docs_dir({d.path: d for d in self.report.documents}, root, docs_dir)
        self.pages = in_docs_dir(self.report.pages, root, docs_dir)
        self.page_titles = in_docs_dir(self.report.page_titles, root, docs_dir)
        self.read = in_docs_dir(self.report.read, root, docs_dir)
        add_traceability_page(files, self.report, config)
        if self.own_nav:
            config.nav = navigation(self.report, self.by_source, page_sources(files))
        return files

    @event_priority(50)  # on the Markdown as written, before other plugins change it
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if not self.config.enabled:
            return markdown
        markdown = tame_long_lines(markdown)
        if self.report is None:
            return markdown
        escape_meta(page)
        source = page.file.src_uri
        doc = self.by_source.get(source)
        if doc is not None or EVIDENCE_SCHEME in markdown:
            markdown = self.transform(markdown, page, doc, config)
        return derived.fill_placeholders(
            markdown, self.report, source, self.by_source, self.pages, self.page_titles
        )

    def transform(self, markdown: str, page: Page, doc: Document | None, config) -> str:
        """The reader's view, cited values and the status box, from the
        Markdown model the check made of the page (parsed again only when
        another plugin changed the Markdown, or for cited values in the
        reader's view)."""
        read = self.read.get(page.file.src_uri)
        model = read.window(markdown) if read is not None else None
        model = model or parse(markdown, front_matter=False)
        if shows_reader_view(self.report.project, doc):
            view = reader_view(model)
            model = parse(view, front_matter=False) if EVIDENCE_SCHEME in view else None
            markdown = view
        if model is not None and model.citations and page.file.abs_src_path:
            path, docs_dir = Path(page.file.abs_src_path), Path(config.docs_dir)
            markdown = render_evidence(
                model, self.report.project, path, docs_dir, config.repo_url or ""
            )
        if doc is not None:  # citations keep the lines: the H1 is where it was
            title = (model or parse(markdown, front_matter=False)).h1()
            markdown = derived.add_status_box(markdown, title, doc)
        return markdown

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        if self.config.enabled:
            server.watch(str(project_root(config) / PHASES_FILE))
        return server


def add_traceability_page(files: Files, report: Report, config: MkDocsConfig) -> None:
    """A page built from the requirement trace, unless the project has no
    requirement IDs yet or a page of that name of its own."""
    if not report.traceability.requirements or files.get_file_from_path(TRACEABILITY_PAGE):
        return
    content = derived.traceability_page(report, TRACEABILITY_PAGE)
    files.append(File.generated(config, TRACEABILITY_PAGE, content=content))


def project_root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def refuse_links_out(docs_dir: Path, root: Path) -> None:
    """Stop the build when a link under docs_dir leads out of the project."""
    if not docs_dir.is_dir():
        return
    _, outside = limits.walk_markdown(docs_dir, root)
    if outside:
        link = outside[0]
        where = link.relative_to(root).as_posix() if link.is_relative_to(root) else str(link)
        more = f" (and {len(outside) - 1} more)" if len(outside) > 1 else ""
        raise PluginError(
            f"lifecycle: {where} {outside_message(link, root)}{more}: refusing to publish it; "
            "copy what it holds into the project instead"
        )


def html_text(value: object) -> Markup:
    """Text as HTML, escaped exactly once: the template bakes some values
    (the site name, the overview's title) already escaped, for themes that
    print them as they are."""
    return Markup(escape(html.unescape(str(value))))


def escape_meta(page: Page) -> None:
    """Front-matter text that the theme prints as HTML, escaped once."""
    for key in PRINTED_META:
        value = page.meta.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            page.meta[key] = html_text(value)


def refuse_outside(files: Files, docs_dir: Path, root: Path) -> None:
    """Stop the build before it reads or copies a file that a link places in
    docs/ but that lives outside the project (theme files live elsewhere)."""
    docs_dir = docs_dir.absolute()
    for file in files:
        path = Path(file.abs_src_path) if file.abs_src_path else None
        if path and path.is_relative_to(docs_dir) and not is_inside(path, root):
            raise PluginError(
                f"lifecycle: {file.src_uri} is a link to "
                f"{Path(file.abs_src_path).resolve()}, outside the project {root}: "
                "refusing to publish it; copy the file into the project instead"
            )


def in_docs_dir(by_path: dict, root: Path, docs_dir: Path) -> dict:
    """Entries keyed by project path, re-keyed by their path in docs_dir
    (as MkDocs names page sources); those outside docs_dir are left out."""
    docs_dir = docs_dir.resolve()
    found = {}
    for path, value in by_path.items():
        source = (root / path).absolute()
        if source.is_relative_to(docs_dir):
            found[source.relative_to(docs_dir).as_posix()] = value
    return found


def page_sources(files: Files) -> list[str]:
    return sorted(file.src_uri for file in files.documentation_pages())


def navigation(report: Report, by_source: dict[str, Document], sources: list[str]) -> list:
    """The site's navigation in lifecycle order: overview, stages with their
    phases and documents, then every other page."""
    present = set(sources)
    docs_by_id = {id(doc): source for source, doc in by_source.items() if source in present}
    placed: set[str] = set()
    nav: list = [{"Overview": OVERVIEW}] if OVERVIEW in present else []
    placed.add(OVERVIEW)
    stages: dict[str, list] = {}
    for phase in report.phases:
        entries = []
        for doc in report.documents:
            source = docs_by_id.get(id(doc))
            if doc.phase == phase.id and source and source not in placed:
                entries.append(page_entry(doc, source))
                placed.add(source)
        if entries:
            stage = html_text(report.project.stage_title(phase.stage)) if phase.stage else ""
            title = html_text(f"{phase.number}. {phase.title}")
            stages.setdefault(stage, []).append({title: entries})
    for stage, phases in stages.items():
        nav += [{stage: phases}] if stage else phases
    others = [s for s in sources if s not in placed and not s.endswith("README.md")]
    others.sort(key=lambda s: (s.count("/"), *cross_cutting_order(s)))
    if others:
        nav.append({CROSS_CUTTING_TITLE: others})
    return nav


def page_entry(doc: Document, source: str):
    """A nav entry; titled from front matter, else MkDocs takes the page's H1."""
    if doc.title and doc.title != Path(source).stem:
        return {html_text(doc.title): source}
    return source
