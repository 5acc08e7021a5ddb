"""The words every part of ml-lifecycle shares: file names, statuses,
performers, front-matter fields, the unfilled-prompt marker, Markdown escaping
and the Markdown extensions the site and the dossier both use.

The template's Jinja cannot import this module; tests compare its copies
(the `md_text` macro, the baked mkdocs.yml) with the values here.
"""

from __future__ import annotations

import re

PHASES_FILE = "lifecycle.yml"
# What to do when a command runs outside a project: one wording everywhere.
OUTSIDE_PROJECT = "run this in the project's folder, or pass --root DIR"
DOCS_DIR = "docs"
MARKER = "==TODO=="
# What a table of the site or the dossier shows for a value not given yet
# (an owner, a review date): one symbol everywhere.
NO_VALUE = "—"

STATUSES = ("draft", "in-review", "approved", "retired")
APPROVED = "approved"
# Statuses that claim the document is complete, so no prompt may stay unfilled.
FINISHED = ("in-review", "approved")
PERFORMERS = ("in-house", "third-party", "automated")
IN_HOUSE = "in-house"
DEFAULT_REVIEW_INTERVAL = 180

# The keys of a document's `lifecycle:` front-matter block.
KNOWN_FIELDS = (
    "phase",
    "document",
    "status",
    "owner",
    "performed_by",
    "provider",
    "last_reviewed",
    "review_interval_days",
    "required_sections",
    "approved_by",
    "approval_fingerprint",
)
# Written by `ml-lifecycle approve`: who approved, and a hash of the body as
# it was then (front matter excluded), so that a later edit shows.
APPROVED_BY = "approved_by"
FINGERPRINT = "approval_fingerprint"
FINGERPRINT_ALGORITHM = "sha256"

# Requirement traceability. A requirement is defined where its ID starts a
# table row of a requirements document, verified in a table row of the V&V
# report with one of RESULTS, and monitored in the monitoring plan's rows.
REQUIREMENT_PREFIX = "REQ-"
REQUIREMENTS_DOCUMENT = "requirements"
VALIDATION_DOCUMENT = "validation-report"
MONITORING_DOCUMENT = "monitoring-plan"
RESULTS = ("pass", "fail", "waived")
TRACEABILITY_PAGE = "traceability.md"
TRACEABILITY_TITLE = "Requirement traceability"

# Evidence-linked values (evidence.py). `lifecycle.yml` `evidence:` names each
# source: a JSON or CSV file inside the project, or an MLflow run. A document
# cites a value as a Markdown link `[0.87](evidence:eval#test.accuracy)`.
EVIDENCE_KEY = "evidence"
EVIDENCE_SCHEME = "evidence:"
EVIDENCE_FILE_KINDS = (".json", ".csv")
MLFLOW_PREFIX = "mlflow:runs:/"
MLFLOW_URI_VARIABLE = "MLFLOW_TRACKING_URI"
# The extra's one package, into the environment that runs ml-lifecycle (a baked
# project installs ml-lifecycle from git, so 'ml-lifecycle[mlflow]' names nothing).
MLFLOW_EXTRA = "python -m pip install mlflow-skinny"

# The reader's view leaves out what only helps while writing. `lifecycle.yml`
# `settings: reader_view:` picks it: auto (for documents in review or
# approved), always, or never.
READER_VIEWS = ("auto", "always", "never")
EXAMPLE_LEAD = "*Example:*"
# The first cell of a table row the template gives as an example ends with
# this; such a row still counts as a prompt to fill in.
EXAMPLE_ROW = "(example)"
PURPOSE_TITLE = "What this document is for"

# Pages at the top of docs/ that record the whole lifecycle, in the order the
# navigation and the dossier show them; other top-level pages follow by name.
CROSS_CUTTING_ORDER = (
    "iteration-log.md",
    "responsibilities.md",
    "supplier-register.md",
    "crosswalk.md",
    "traceability.md",
    "guide.md",
)
CROSS_CUTTING_TITLE = "Across the lifecycle"

# Characters that Markdown, HTML or one of MARKDOWN_EXTENSIONS reads as syntax
# somewhere in a line (`#` opens a heading, `:` a definition or emoji, `=` a
# mark, `+`/`!` list or admonition syntax). Written as numeric references,
# they show as typed wherever the text lands.
MARKDOWN_SYNTAX = frozenset("&<>\\`*_[]|{}~^=:+!#")

# The Markdown extensions of a project's site (its mkdocs.yml lists the same:
# a test compares them) and of the dossier, with their settings.
MARKDOWN_EXTENSIONS = (
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.mark",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.tasklist",
)
EXTENSION_CONFIGS = {
    "toc": {"permalink": True},
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.tasklist": {"custom_checkbox": True},
}


# At the start of a line, `-` opens a list or a rule, `?` a folded block
# (`??? note`), and digits followed by `.` or `)` an ordered list: that one
# character becomes a reference too.
BLOCK_START = re.compile(r"^(-|\?|\d+[.)])")


def md_escape(value: object) -> str:
    """Text that Markdown shows exactly as typed, on one line: runs of
    whitespace become one space, every syntax character a reference, and so
    does the character that would open a list or a block at the start."""
    text = " ".join(str(value).split())
    escaped = "".join(f"&#{ord(c)};" if c in MARKDOWN_SYNTAX else c for c in text)
    return BLOCK_START.sub(lambda m: m.group(1)[:-1] + f"&#{ord(m.group(1)[-1])};", escaped)
