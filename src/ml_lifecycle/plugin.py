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

A lifecycle document whose front matter is missing or unreadable gets a
warning (the site cannot tell its status), which fails a strict build.
Nothing else here fails the build (`ml-lifecycle check` is the gate), except
what the checker refuses to read: a page, folder or file whose real path is outside
the project (building would publish it), a file with several names (a hard
link, whose other name may be outside), a page over the size limit, or front
matter that would blow up MkDocs' own YAML parser (limits.py); and a
`site_dir` that a build must not empty (MkDocs empties it first, through a
link too): a link, the project itself or a folder holding it, one holding
the docs, one inside .git, or one outside the project. A folder outside
that the user typed (--site-dir) is fine when emptying it loses nothing but
a build: new, empty, or an earlier site.

Settings (mkdocs.yml): `enabled` (default true) turns the plugin off, for a
quick preview. `today` (YYYY-MM-DD) checks the documents as on that day
instead of the day of the build, as `ml-lifecycle check --today` does, so
that an archived site or a worked example keeps the statuses of its day.
`project` names the folder holding lifecycle.yml when it is not
mkdocs.yml's own: `..` or `../..` (a site in docs/ of a repository whose
lifecycle.yml is at its top, as `ml-lifecycle adopt` writes it).

In a shared site, lifecycle.yml's `docs:` names a sub-folder of docs_dir
(`lifecycle/`, say) and the plugin keeps to it: whoever made the rest of
the navigation (a hand-written `nav:`, a nav plugin such as literate-nav or
awesome-pages, or MkDocs' default), the plugin replaces only the entries of
its folder, with its own section in their place (at the first of them, with
the title it had), and transforms only the pages of its folder.

Messages go to the logger `mkdocs.plugins.lifecycle`. Event
priorities are explicit: the checker runs late in on_files, after other
plugins have added or removed pages; the page transforms run early in
on_page_markdown, on the Markdown as written, before other plugins change it.

Values from front matter and lifecycle.yml are data: a page's title,
subtitle, description, author and status (which the theme puts in the
navigation) and the navigation's section titles reach the theme
HTML-escaped, and so does the site name, exactly once; an `icon` the theme
lacks stops the build in one line (the theme would fail on it with a
traceback). A generated box ends
with a line at the margin, so that the page's own text never continues it.
"""

from __future__ import annotations

import html
import logging
import os
from datetime import date
from pathlib import Path

import yaml
from markupsafe import Markup, escape
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import get_navigation
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
    MARKER,
    PHASES_FILE,
    TRACEABILITY_PAGE,
)

OVERVIEW = "index.md"
# Front-matter keys mkdocs-material prints into HTML without escaping.
PRINTED_META = ("title", "subtitle", "description", "author", "status")
log = logging.getLogger("mkdocs.plugins.lifecycle")


class LifecycleConfig(Config):
    enabled = config_options.Type(bool, default=True)
    project = config_options.Type(str, default="")
    today = config_options.Optional(config_options.Type((str, date)))


# How far up `project` may climb from mkdocs.yml's folder.
MAX_CLIMB = 3
# A shared site's section, when nothing names it.
SECTION_TITLE = "Lifecycle"


class LifecyclePlugin(BasePlugin[LifecycleConfig]):
    def __init__(self) -> None:
        self.report: Report | None = None
        # The documents' folder inside docs_dir ("lifecycle/"), empty when the
        # documents fill docs_dir (a baked project's site).
        self.folder = ""
        self.by_source: dict[str, Document] = {}
        self.pages: dict[str, int] = {}
        self.page_titles: dict[str, str] = {}
        self.read: dict = {}  # the check's model of each page, by source

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not self.config.enabled:
            return config
        self.root = project_root(config, self.config.project)
        refuse_site_dir(config, self.root)
        # Remember whether the user wrote a nav, before this plugin fills one in
        # (under `mkdocs serve` the same config object is reused for rebuilds).
        self.own_nav = config.nav is None or getattr(self, "own_nav", False)
        # The baked mkdocs.yml holds the name HTML-escaped and the theme escapes
        # it again in places (the logo's tooltip): mark it as escaped once.
        if config.site_name and not isinstance(config.site_name, Markup):
            config.site_name = html_text(config.site_name)
        # An unfilled prompt in the footer (the organisation left at the
        # template's placeholder) stands out as it does in a page.
        if config.copyright and MARKER in config.copyright:
            config.copyright = config.copyright.replace(MARKER, "<mark>TODO</mark>")
        # MkDocs walks docs_dir following every link before any plugin sees a
        # file: stop before it walks a folder linked to / or reads /etc/passwd.
        refuse_links_out(Path(config.docs_dir), self.root)
        return config

    @event_priority(-50)  # after other plugins have added or removed pages
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        root = self.root
        refuse_outside(files, Path(config.docs_dir), root)
        try:
            today = parse_date(self.config.today) or date.today()
        except ValueError:
            message = f"lifecycle: today {self.config.today!r} is not a date (YYYY-MM-DD)"
            raise PluginError(message) from None
        self.report = check_project(root, today)
        self.folder = documents_folder(self.report.project.docs, Path(config.docs_dir))
        refused = [problem for problem in self.report.problems if problem.refused]
        if refused:
            raise PluginError(
                "lifecycle: refusing to build: "
                + "; ".join(str(problem) for problem in refused[:10])
                + ("" if len(refused) <= 10 else f"; and {len(refused) - 10} more")
            )
        # A document whose front matter is missing or unreadable has no status,
        # owner or title for the site to show: a warning, which fails a strict
        # build. Every other problem belongs to `check`.
        unread = [p for doc in self.report.documents if doc.front is None for p in doc.problems]
        for problem in unread:
            log.warning(f"lifecycle: {problem}")
        if self.report.problems:
            count = len(self.report.problems)
            log.info(f"{count} problem(s) found; `ml-lifecycle check` lists them")
        docs_dir = Path(config.docs_dir)
        self.by_source = in_docs_dir({d.path: d for d in self.report.documents}, root, docs_dir)
        self.pages = in_docs_dir(self.report.pages, root, docs_dir)
        self.page_titles = in_docs_dir(self.report.page_titles, root, docs_dir)
        self.read = in_docs_dir(self.report.read, root, docs_dir)
        add_traceability_page(files, self.report, config, self.folder)
        if self.own_nav and not self.folder:
            config.nav = navigation(self.report, self.by_source, page_sources(files))
        return files

    @event_priority(-50)  # after nav plugins (literate-nav, awesome-pages) made theirs
    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        """In a shared site: the site's navigation as it was made, with the
        documents' folder as this plugin's section."""
        if not self.config.enabled or self.report is None or not self.folder:
            return nav
        section = navigation(self.report, self.by_source, page_sources(files), self.folder)
        data, placed = shared_navigation(nav.items, self.folder, section)
        if not placed:
            log.info(
                f"the navigation lists no page of {self.folder}: add an entry such as "
                f"`- {SECTION_TITLE}: {self.folder}{OVERVIEW}` where the section belongs"
            )
            return nav
        for file in files.documentation_pages():
            if file.src_uri.startswith(self.folder):
                file.page = None  # made again, with the titles of the section
        written, config.nav = config.nav, data
        try:
            return get_navigation(files, config)
        finally:
            config.nav = written

    @event_priority(50)  # on the Markdown as written, before other plugins change it
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if not self.config.enabled:
            return markdown
        if not page.file.src_uri.startswith(self.folder):
            return markdown  # a page of the shared site that is not the lifecycle's
        markdown = tame_long_lines(markdown)
        if self.report is None:
            return markdown
        escape_meta(page)
        refuse_unknown_icon(page, config)
        source = page.file.src_uri
        doc = self.by_source.get(source)
        if doc is not None or EVIDENCE_SCHEME in markdown:
            try:
                markdown = self.transform(markdown, page, doc, config)
            except limits.Refused as error:  # the reader's view can be longer than the page
                raise PluginError(f"lifecycle: {source} {error}: refusing to build") from None
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
            server.watch(str(self.root / PHASES_FILE))
        return server


def add_traceability_page(
    files: Files, report: Report, config: MkDocsConfig, folder: str = ""
) -> None:
    """A page built from the requirement trace, unless the project has no
    requirement IDs yet or a page of that name of its own."""
    source = folder + TRACEABILITY_PAGE
    if not report.traceability.requirements or files.get_file_from_path(source):
        return
    content = derived.traceability_page(report, TRACEABILITY_PAGE)
    files.append(File.generated(config, source, content=content))


def project_root(config: MkDocsConfig, climb: str = "") -> Path:
    """The folder holding lifecycle.yml: mkdocs.yml's, or the one `project`
    names above it (only `..` steps: a repository's mkdocs.yml cannot make
    the plugin read or publish from elsewhere)."""
    here = Path(config.config_file_path).resolve().parent
    steps = [step for step in climb.replace("\\", "/").split("/") if step not in ("", ".")]
    if any(step != ".." for step in steps) or len(steps) > MAX_CLIMB:
        raise PluginError(
            f"lifecycle: project {limits.brief(climb)} must name a folder above mkdocs.yml's "
            f"with '..' steps only (at most {MAX_CLIMB}), e.g. project: .."
        )
    root = here.parents[len(steps) - 1] if steps else here
    if steps and not (root / PHASES_FILE).is_file():
        raise PluginError(
            f"lifecycle: project {climb!r} leads to {root}, which holds no {PHASES_FILE}"
        )
    return root


def documents_folder(documents: Path, docs_dir: Path) -> str:
    """Where the documents are in the site: "" when they fill docs_dir, else
    their sub-folder with a final slash ("lifecycle/")."""
    documents, docs_dir = Path(os.path.abspath(documents)), Path(os.path.abspath(docs_dir))
    if documents == docs_dir:
        return ""
    if not documents.is_relative_to(docs_dir):
        raise PluginError(
            f"lifecycle: the documents' folder {documents} (docs: in {PHASES_FILE}) is not "
            f"inside the site's docs_dir {docs_dir}: refusing to build"
        )
    return documents.relative_to(docs_dir).as_posix() + "/"


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


def site_dir_problem(site_dir: Path, root: Path, docs_dir: Path, typed: bool = False) -> str:
    """Why a build must not empty `site_dir`; empty when it may. A folder
    inside the project, as written, must stay there with every link followed;
    one outside is refused when the repository's mkdocs.yml names it, and
    accepted when the user typed it (--site-dir) and emptying it loses
    nothing but a build."""
    if site_dir.is_symlink():
        return "is a link"
    try:
        real, root, docs = site_dir.resolve(), root.resolve(), docs_dir.resolve()
    except (OSError, RuntimeError):
        return "is reached through a link loop"
    if root.is_relative_to(real):
        return "is the project's folder, or a folder holding it"
    if docs.is_relative_to(real):
        return "holds the docs folder"
    if real.is_relative_to(root / ".git"):
        return "is inside .git"
    inside_as_written = Path(os.path.abspath(site_dir)).is_relative_to(root)
    if real.is_relative_to(root):
        return ""
    if inside_as_written or not typed:
        return f"leads outside the project (to {real})"
    if not new_or_built(real):
        return f"is outside the project and holds files but no built site ({real})"
    return ""


# What every MkDocs build writes at the top of its site.
BUILT_SITE = ("sitemap.xml.gz", "sitemap.xml")


def new_or_built(folder: Path) -> bool:
    """Whether emptying a folder loses nothing but a build: it does not
    exist, holds only hidden entries (which MkDocs keeps), or holds a site
    MkDocs built."""
    try:
        entries = [entry.name for entry in os.scandir(folder)]
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if all(name.startswith(".") for name in entries):
        return True
    return any((folder / name).is_file() for name in BUILT_SITE)


def typed_site_dir(config: MkDocsConfig, root: Path) -> bool:
    """Whether site_dir comes from the command line (or `mkdocs serve`'s own
    folder), not from the repository's mkdocs.yml: then it is the user's."""
    try:
        data = limits.load_yaml(limits.read_text(Path(config.config_file_path)), limits.TagsIgnored)
    except (OSError, UnicodeDecodeError, limits.Refused, yaml.YAMLError):
        return False
    if not isinstance(data, dict) or "INHERIT" in data:
        return False
    written = data.get("site_dir", "site")
    if not isinstance(written, str):
        return False
    return os.path.abspath(root / written) != os.path.abspath(config.site_dir)


def refuse_site_dir(config: MkDocsConfig, root: Path) -> None:
    """Stop the build before MkDocs empties a site_dir it must not."""
    site_dir = Path(config.site_dir)
    why = site_dir_problem(site_dir, root, Path(config.docs_dir), typed_site_dir(config, root))
    if why:
        shown = site_dir.relative_to(root) if site_dir.is_relative_to(root) else site_dir
        raise PluginError(
            f"lifecycle: site_dir {shown} {why}: refusing to build, since a build empties "
            "site_dir first; set site_dir to a new folder inside the project, such as site"
        )


def html_text(value: object) -> Markup:
    """Text as HTML, escaped exactly once: the template bakes some values
    (the site name, the overview's title) already escaped, for themes that
    print them as they are."""
    return Markup(escape(html.unescape(str(value))))


def escape_meta(page: Page) -> None:
    """Front-matter values that the theme prints as HTML, escaped once (a
    list or a mapping as its text: the theme would print its repr)."""
    for key in PRINTED_META:
        value = page.meta.get(key)
        if value is not None and not isinstance(value, Markup):
            page.meta[key] = html_text(value)


def refuse_unknown_icon(page: Page, config: MkDocsConfig) -> None:
    """A front-matter `icon` the theme does not have, one line: the theme
    includes `.icons/<icon>.svg` as a template, and a name it lacks (or one
    climbing out with ..) stops the build with a traceback."""
    icon = page.meta.get("icon")
    folders = [Path(folder) / ".icons" for folder in config.theme.dirs]
    folders = [folder for folder in folders if folder.is_dir()]
    if icon is None or not folders:
        return
    parts = icon.split("/") if isinstance(icon, str) and "\0" not in icon else [""]
    named = all(part not in ("", ".", "..") and "\\" not in part for part in parts)
    if named and any((folder / f"{icon}.svg").is_file() for folder in folders):
        return
    raise PluginError(
        f"lifecycle: {page.file.src_uri}: front-matter icon {limits.brief(icon)} is not an icon "
        "of the theme: refusing to build; name one, such as material/file-document"
    )


def refuse_outside(files: Files, docs_dir: Path, root: Path) -> None:
    """Stop the build before it reads or copies a file that a link places in
    docs/ but that lives outside the project (theme files live elsewhere),
    or a hard link, whose other name may be outside."""
    docs_dir = docs_dir.absolute()
    for file in files:
        path = Path(file.abs_src_path) if file.abs_src_path else None
        if not path or not path.is_relative_to(docs_dir):
            continue
        if not is_inside(path, root):
            raise PluginError(
                f"lifecycle: {file.src_uri} is a link to "
                f"{Path(file.abs_src_path).resolve()}, outside the project {root}: "
                "refusing to publish it; copy the file into the project instead"
            )
        if names(path) > 1:
            raise PluginError(
                f"lifecycle: {file.src_uri} is a hard link (one file with {names(path)} names, "
                "which may lie outside the project): refusing to publish it; copy the file instead"
            )


def names(path: Path) -> int:
    """How many names (hard links) a file has."""
    try:
        return os.stat(path).st_nlink
    except OSError:
        return 1


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


def navigation(
    report: Report, by_source: dict[str, Document], sources: list[str], folder: str = ""
) -> list:
    """The site's navigation in lifecycle order: overview, stages with their
    phases and documents, then every other page (of `folder`, in a shared
    site)."""
    sources = [source for source in sources if source.startswith(folder)]
    present = set(sources)
    docs_by_id = {id(doc): source for source, doc in by_source.items() if source in present}
    placed: set[str] = set()
    overview = folder + OVERVIEW
    nav: list = [{"Overview": overview}] if overview in present else []
    placed.add(overview)
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
    others.sort(key=lambda s: (s.count("/"), *cross_cutting_order(s[len(folder) :])))
    if others:
        nav.append({CROSS_CUTTING_TITLE: others})
    return nav


def shared_navigation(items: list, folder: str, section: list) -> tuple[list, bool]:
    """A navigation as data (as `nav:` is written), with every entry of
    `folder` left out and `section` in the place of the first of them,
    titled as that entry was (a section's title, a page's own title in
    `nav:`), else SECTION_TITLE. Whether it was placed."""
    placed = False

    def walk(entries: list) -> list:
        nonlocal placed
        out = []
        for item in entries:
            if only_folder(item, folder):
                if not placed:
                    placed = True
                    out.append({entry_title(item) or SECTION_TITLE: section})
            elif item.is_section:
                out.append({item.title: walk(item.children)})
            else:
                out.append(as_data(item))
        return out

    return walk(items), placed


def only_folder(item, folder: str) -> bool:
    """A page of the folder, or a section holding pages of it and nothing else."""
    if item.is_page:
        return item.file.src_uri.startswith(folder)
    if item.is_section:
        return bool(item.children) and all(only_folder(child, folder) for child in item.children)
    return False


def entry_title(item) -> str | None:
    """The title a nav entry was given: a section's, or a page's own in `nav:`."""
    return item.title if item.is_section else vars(item).get("title")


def as_data(item):
    """A page or a link as `nav:` would write it."""
    if item.is_page:
        title = vars(item).get("title")
        return {title: item.file.src_uri} if title is not None else item.file.src_uri
    return {item.title: item.url} if item.title is not None else item.url


def page_entry(doc: Document, source: str):
    """A nav entry; titled from front matter, else MkDocs takes the page's H1."""
    if doc.title and doc.title != Path(source).stem:
        return {html_text(doc.title): source}
    return source
