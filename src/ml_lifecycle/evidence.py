"""Evidence-linked values: numbers in a document that come from an
evaluation artefact, and go stale when it changes.

`lifecycle.yml` names the sources (see project.py):

    evidence:
      eval: reports/eval.json          # a JSON file: dotted keys (test.accuracy, slices.0.f1)
      slices: reports/slices.csv       # a CSV file: column@row, the row by its first cell
      run: mlflow:runs:/0a1b2c3d       # an MLflow run: a metric or parameter name

A document cites a value as a Markdown link whose text is the value:
`[0.87](evidence:eval#test.accuracy)`. It reads as "0.87" on GitHub, in a
Zensical build and in the raw file. A cited number matches its source when
the source, rounded to the digits the document writes, is that number (0.87
matches 0.8712). What does not match is reported with its file and line; it
fails `check` once the document is in review or approved.

Evidence files are untrusted like every other file: read through limits.py
(inside the project, bounded size), and a file that is not valid JSON or CSV
is one line naming it, never a traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from ml_lifecycle import limits
from ml_lifecycle.documents import CODE_SPAN, FENCE
from ml_lifecycle.project import Problem, Project
from ml_lifecycle.vocabulary import (
    EVIDENCE_SCHEME,
    MLFLOW_EXTRA,
    MLFLOW_PREFIX,
    MLFLOW_URI_VARIABLE,
    PHASES_FILE,
    md_escape,
)

# [text](evidence:name#key): the text is the value, on one line, without brackets.
CITATION = re.compile(
    r"\[([^\[\]\n]{1,100})\]\("
    + re.escape(EVIDENCE_SCHEME)
    + r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})#([^()\s]{1,200})\)"
)
# A number as a document writes it: sign, thousands separators, decimals.
NUMBER = re.compile(r"[-+\N{MINUS SIGN}]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
MINUS = "\N{MINUS SIGN}"  # typographic minus, as some documents write it
HASH_SHOWN = 12  # hex digits of an artefact's hash in a note


@dataclass
class Artefact:
    """What one evidence source holds, read once per check."""

    name: str
    source: str
    data: object = None
    digest: str = ""  # sha256:<hex> of the file, or of an MLflow run's values
    modified: str = ""  # YYYY-MM-DD: the file's modification, the run's end
    error: str = ""  # why it cannot be read, one line naming the source
    url: str = ""  # where a site can link it, when it lives outside the docs

    @property
    def is_file(self) -> bool:
        return not self.source.startswith(MLFLOW_PREFIX)


@dataclass
class Citation:
    text: str  # the value as the document writes it
    name: str  # the evidence source
    key: str  # the path inside it
    start: int  # offsets of the text in the body
    end: int
    line: int  # file line

    @property
    def target(self) -> str:
        return f"{self.name}#{self.key}"


class Missing(Exception):
    """A cited key the artefact does not hold; str() says so in one line."""


# --- finding citations ------------------------------------------------------------


def mask_code(body: str) -> str:
    """The body with fenced code and code spans blanked with spaces: the same
    length and lines, so offsets found in it hold in the body."""

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    if "```" in body or "~~~" in body:
        body = FENCE.sub(blank, body)
    return CODE_SPAN.sub(blank, body) if "`" in body else body


def citations(body: str, first_line: int = 1) -> list[Citation]:
    """The citations in a body outside code; `first_line` is the body's file line."""
    if EVIDENCE_SCHEME not in body:
        return []
    masked = mask_code(body)
    return [
        Citation(
            m.group(1),
            m.group(2),
            m.group(3),
            m.start(1),
            m.end(1),
            first_line + masked.count("\n", 0, m.start()),
        )
        for m in CITATION.finditer(masked)
    ]


# --- reading artefacts ----------------------------------------------------------------


def artefact(project: Project, name: str) -> Artefact | None:
    """The artefact `lifecycle.yml` names `name`, read once per check; None
    when no source of that name is declared."""
    if name not in project.evidence:
        return None
    if name not in project.artefacts:
        source = project.evidence[name]
        found = Artefact(name, source)
        if source.startswith(MLFLOW_PREFIX):
            read_mlflow(found)
        else:
            read_file(project.root, found)
        project.artefacts[name] = found
    return project.artefacts[name]


def read_file(root: Path, found: Artefact) -> None:
    path = root / found.source
    try:
        data = limits.read_bytes(path, root)
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        found.error = f"{found.source} is missing (evidence {found.name} in {PHASES_FILE})"
        return
    except limits.Refused as exc:
        found.error = f"{found.source} {exc}"
        return
    except UnicodeDecodeError as exc:
        found.error = f"{found.source} is not UTF-8 text (byte {exc.start})"
        return
    except OSError as exc:
        found.error = f"{found.source} cannot be read: {exc.strerror or exc}"
        return
    found.digest = "sha256:" + hashlib.sha256(data).hexdigest()
    try:
        stamp = os.stat(path).st_mtime
        found.modified = datetime.fromtimestamp(stamp, timezone.utc).date().isoformat()
    except (OSError, OverflowError, ValueError):
        found.modified = ""
    try:
        found.data = parse_json(text) if path.suffix.lower() == ".json" else parse_csv(text)
    except ValueError as exc:
        found.error = f"{found.source} {exc}"


def parse_json(text: str) -> object:
    """JSON, or ValueError with one line. Deep nesting is refused before
    Python's parser would recurse too far."""
    depth = deepest = 0
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', "", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    if deepest > limits.MAX_YAML_DEPTH:
        raise ValueError(f"is nested more than {limits.MAX_YAML_DEPTH} levels deep: not read")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except (RecursionError, ValueError) as exc:
        raise ValueError(f"is not valid JSON: {limits.brief(str(exc))}") from None


def parse_csv(text: str) -> list[list[str]]:
    """A CSV file's rows (header first), or ValueError with one line."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as exc:
        raise ValueError(f"is not valid CSV: {exc}") from None
    if not rows:
        raise ValueError("is not valid CSV: it is empty")
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise ValueError(
                f"is not valid CSV: row {number} has {len(row)} cells, the header {width}"
            )
    return rows


def read_mlflow(found: Artefact) -> None:
    """An MLflow run's metrics and parameters, from the tracking server (or
    store) that MLFLOW_TRACKING_URI names."""
    run_id = found.source[len(MLFLOW_PREFIX) :]
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        found.error = f"{found.source} is an MLflow run; mlflow is not installed: {MLFLOW_EXTRA}"
        return
    try:
        run = MlflowClient().get_run(run_id)
    except Exception as exc:  # mlflow raises many kinds; none may escape as a traceback
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        found.error = f"{found.source} cannot be read from MLflow: {limits.brief(detail)}"
        return
    values = {"metrics": dict(run.data.metrics), "params": dict(run.data.params)}
    found.data = values
    found.digest = (
        "sha256:" + hashlib.sha256(json.dumps(values, sort_keys=True).encode("utf-8")).hexdigest()
    )
    ended = run.info.end_time or run.info.start_time
    if ended:
        found.modified = datetime.fromtimestamp(ended / 1000, timezone.utc).date().isoformat()
    uri = os.environ.get(MLFLOW_URI_VARIABLE, "")
    if uri.startswith(("http://", "https://")):
        found.url = f"{uri.rstrip('/')}/#/experiments/{run.info.experiment_id}/runs/{run_id}"


# --- looking values up --------------------------------------------------------------


def lookup(found: Artefact, key: str) -> object:
    """The value at `key` in an artefact. Raises Missing."""
    if not found.is_file:
        return lookup_run(found.data, key)
    if isinstance(found.data, list):
        return lookup_csv(found.data, key)
    return lookup_json(found.data, key)


def leaf(value: object, key: str) -> object:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None or isinstance(value, (dict, list)):
        raise Missing(f"{key} is not a single value")
    return value


def lookup_json(data: object, key: str) -> object:
    """A dotted key; a key that itself holds dots is found too (longest first)."""
    parts, node, at = key.split("."), data, 0
    while at < len(parts):
        if isinstance(node, dict):
            end = next(
                (j for j in range(len(parts), at, -1) if ".".join(parts[at:j]) in node), None
            )
            if end is None:
                raise Missing(f"no key {'.'.join(parts[: at + 1])}")
            node, at = node[".".join(parts[at:end])], end
        elif isinstance(node, list) and parts[at].isdigit() and int(parts[at]) < len(node):
            node, at = node[int(parts[at])], at + 1
        else:
            raise Missing(f"no key {'.'.join(parts[: at + 1])}")
    return leaf(node, key)


def lookup_csv(rows: list[list[str]], key: str) -> object:
    """`column@row`: the column by its header, the row by its first cell (or,
    when no first cell is that, its number counting from 1 below the header)."""
    column, at, row = key.rpartition("@")
    if not at or not column:
        raise Missing(f"{key} is not column@row")
    header = [cell.strip() for cell in rows[0]]
    if column not in header:
        raise Missing(f"no column {column}")
    body = rows[1:]
    found = next((r for r in body if r[0].strip() == row), None)
    if found is None and row.isdigit() and 1 <= int(row) <= len(body):
        found = body[int(row) - 1]
    if found is None:
        raise Missing(f"no row {row}")
    return number_or_text(found[header.index(column)])


def lookup_run(data: dict, key: str) -> object:
    """A metric, else a parameter; `metrics.x` and `params.x` pick one."""
    for kind in ("metrics", "params"):
        if key.startswith(kind + ".") and key[len(kind) + 1 :] in data[kind]:
            return number_or_text(data[kind][key[len(kind) + 1 :]])
    for kind in ("metrics", "params"):
        if key in data[kind]:
            return number_or_text(data[kind][key])
    raise Missing(f"no metric or parameter {key}")


def number_or_text(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            return text
    return value


# --- comparing and rewriting ----------------------------------------------------------


def as_decimal(value: object) -> Decimal | None:
    """A source value as a Decimal, None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def cited_number(text: str) -> tuple[Decimal, int] | None:
    """(value, digits after the point) of a cited number, None for other text."""
    match = NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    plain = match.group(0).replace(",", "").replace(MINUS, "-")
    return Decimal(plain), len(match.group(1) or "")


def rounded(value: Decimal, digits: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def matches(text: str, value: object) -> bool:
    """Whether a cited text states a source value, at the precision written."""
    cited, number = cited_number(text), as_decimal(value)
    if cited is None or number is None:
        return text.strip() == str(value).strip()
    return rounded(number, cited[1]) == cited[0]


def shown_value(value: object) -> str:
    """A source value on one line, cut short: text without quotes."""
    text = " ".join(str(value).split())
    short = limits.SHOWN_CHARS
    return text if len(text) <= short else text[: short - 1] + "…"


def restated(text: str, value: object) -> str:
    """The source value written as the document wrote the old one: the same
    number of decimals, thousands separators and sign style."""
    cited, number = cited_number(text), as_decimal(value)
    if cited is None or number is None:
        return " ".join(str(value).split())
    digits = cited[1]
    new = f"{rounded(number, digits):{',' if ',' in text else ''}.{digits}f}"
    if MINUS in text:
        new = new.replace("-", MINUS)
    lead = text[: len(text) - len(text.lstrip())]
    return lead + new + text[len(text.rstrip()) :]


# --- what check reports ----------------------------------------------------------------


@dataclass
class Finding:
    """One citation and what its source holds."""

    citation: Citation
    value: object = None
    problem: str = ""  # empty when the citation is consistent
    stale: bool = False  # the source holds another value: --update rewrites it

    @property
    def current(self) -> bool:
        return not self.problem


def examine(project: Project, citation: Citation) -> Finding:
    """Compare one citation with its source."""
    found = artefact(project, citation.name)
    if found is None:
        message = f"cites evidence {citation.name}, which {PHASES_FILE} does not declare"
        return Finding(citation, problem=message)
    if found.error:
        return Finding(citation, problem=f"cites {citation.target}, but {found.error}")
    try:
        value = lookup(found, citation.key)
    except Missing as exc:
        return Finding(citation, problem=f"cites {citation.target}: {found.source} has {exc}")
    if matches(citation.text, value):
        return Finding(citation, value)
    message = (
        f"says {citation.text.strip()}; {citation.target} is {shown_value(value)} "
        "(`ml-lifecycle evidence --update` rewrites it)"
    )
    return Finding(citation, value, message, stale=True)


def examine_body(project: Project, body: str, first_line: int) -> list[Finding]:
    return [examine(project, citation) for citation in citations(body, first_line)]


def problems(path: str, findings: list[Finding]) -> list[Problem]:
    return [Problem(path, f.citation.line, f.problem) for f in findings if f.problem]


def cited_digests(project: Project, body: str) -> dict[str, str]:
    """The hash of each artefact a body cites (what an approval covers); a
    source that cannot be read counts as its error."""
    digests = {}
    for citation in citations(body):
        found = artefact(project, citation.name)
        if found is None:
            digests[citation.name] = "undeclared"
        else:
            digests[citation.name] = found.digest or "unreadable"
    return digests


def number_of(value: object) -> Decimal | None:
    """A value, or a cited text, as a number (None when it is none)."""
    if isinstance(value, str):
        cited = cited_number(value)
        return cited[0] if cited else None
    return as_decimal(value)


# --- the site: each value linked to its artefact, with a note -----------------------


def note(found: Artefact | None, name: str) -> str:
    """A footnote on the source of cited values: what it is, its date, its hash."""
    if found is None:
        return f"Evidence {name}: not declared in {PHASES_FILE}."
    if found.error:
        return f"Evidence {name}: {md_escape(found.error)}."
    kind = "MLflow run" if not found.is_file else "file"
    parts = [f"{kind} {md_escape(found.source)}"]
    if found.modified:
        parts.append(f"dated {found.modified}")
    parts.append(f"sha256 {found.digest.partition(':')[2][:HASH_SHOWN]}")
    return f"Evidence *{name}*: " + ", ".join(parts) + "."


def render(markdown: str, project: Project, page: Path, docs_dir: Path, repo_url: str = "") -> str:
    """Markdown whose citations show their value, linked to the artefact where
    the site can link it, with a footnote per source: source, date and hash.
    A value that no longer matches its source shows the source's value too."""
    found = citations(markdown)
    if not found:
        return markdown
    notes = {f"evidence-{c.name}": note(artefact(project, c.name), c.name) for c in found}
    for citation in reversed(found):
        finding = examine(project, citation)
        source = artefact(project, citation.name)
        label = f"evidence-{citation.name}"
        href = link(source, project.root, page, docs_dir, repo_url) if source else ""
        shown = f"[{citation.text}]({href})" if href else citation.text
        if finding.stale:
            value = finding.value
            value = str(value) if as_decimal(value) is not None else md_escape(value)
            shown += f" *(evidence: {value})*"
        start = citation.start - 1  # the link's "["; its key holds no ")"
        end = markdown.index(")", citation.end) + 1
        markdown = markdown[:start] + shown + f"[^{label}]" + markdown[end:]
    definitions = "\n\n".join(f"[^{label}]: {text}" for label, text in notes.items())
    return markdown.rstrip("\n") + "\n\n" + definitions + "\n"


def plain_values(markdown: str) -> str:
    """Markdown whose citations are their values as text (the dossier: one
    file that links no artefact)."""
    for citation in reversed(citations(markdown)):
        end = markdown.index(")", citation.end) + 1
        markdown = markdown[: citation.start - 1] + citation.text + markdown[end:]
    return markdown


def link(found: Artefact, root: Path, page: Path, docs_dir: Path, repo_url: str) -> str:
    """Where the site can link an artefact: a file published with the site
    (relative to the page, for MkDocs to resolve), else the file in the
    repository on GitHub or GitLab, else an MLflow server's run page."""
    if not found.is_file:
        return found.url
    path = (root / found.source).absolute()
    if path.is_relative_to(docs_dir.absolute()):
        return Path(os.path.relpath(path, page.absolute().parent)).as_posix()
    repo = repo_url.rstrip("/")
    if repo.startswith("https://github.com/"):
        return f"{repo}/blob/HEAD/{found.source}"
    if repo.startswith("https://gitlab.com/"):
        return f"{repo}/-/blob/HEAD/{found.source}"
    return ""


# --- the Hub export: model-index values from cited evidence ----------------------------

TARGET = re.compile(re.escape(EVIDENCE_SCHEME) + r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})#(\S{1,200})")


def metric_of(key: str) -> str:
    """What a key names: `accuracy` in test.accuracy, accuracy@test, metrics.accuracy."""
    name = key.split("@")[0] if "@" in key else key
    return name.rsplit(".", 1)[-1].casefold()


def chosen_citation(metric: dict, cited: list[Citation]) -> Citation | str | None:
    """The citation a model-index metric takes its value from: the one its
    value names (`value: evidence:eval#test.accuracy`), else the one citation
    in the card whose key names its type or name. A string says why none."""
    value = metric.get("value")
    if isinstance(value, str) and (match := TARGET.fullmatch(value.strip())):
        return Citation("", match.group(1), match.group(2), 0, 0, 0)
    if value not in (None, ""):
        return None
    names = {str(metric.get(k) or "").casefold() for k in ("type", "name")} - {""}
    matching = {c.target: c for c in cited if metric_of(c.key).casefold() in names}
    if len(matching) > 1:
        return (
            f"several cited values could fill {'/'.join(sorted(names))} "
            f"({', '.join(sorted(matching))}): set its value to evidence:NAME#KEY"
        )
    return next(iter(matching.values()), None)


def hub_value(text: str, value: object) -> object:
    """A value for model-index: a number, rounded as the card cites it."""
    number, cited = as_decimal(value), cited_number(text) if text else None
    if number is None:
        return value
    if cited is not None:
        number = rounded(number, cited[1])
    return float(number) if "." in str(number) or "E" in str(number) else int(number)


def fill_model_index(meta: dict, body: str, project: Project) -> list[str]:
    """Fill model-index metric values from the evidence the card cites; the
    warnings to show (a metric whose evidence cannot be read stays as it was)."""
    index = meta.get("model-index")
    if not isinstance(index, list):
        return []
    cited = citations(body)
    warnings = []
    metrics = [
        metric
        for model in index
        if isinstance(model, dict)
        for result in (model.get("results") or [])
        if isinstance(result, dict)
        for metric in (result.get("metrics") or [])
        if isinstance(metric, dict)
    ]
    for metric in metrics:
        chosen = chosen_citation(metric, cited)
        if isinstance(chosen, str):
            warnings.append(f"model-index: {chosen}")
        if not isinstance(chosen, Citation):
            continue
        finding = examine(project, chosen) if chosen.text else None
        found = artefact(project, chosen.name)
        try:
            if found is None or found.error:
                raise Missing(found.error if found else f"no evidence {chosen.name} is declared")
            value = lookup(found, chosen.key)
        except Missing as exc:
            warnings.append(f"model-index: {chosen.target} gives no value: {exc}")
            continue
        metric["value"] = hub_value(chosen.text, value)
        if finding is not None and finding.stale:
            warnings.append(
                f"model-index: the card says {chosen.text.strip()} for {chosen.target}; "
                f"the Hub gets the evidence's {metric['value']} "
                "(`ml-lifecycle evidence --update` rewrites the card)"
            )
    return warnings


# --- ml-lifecycle evidence [--update] ----------------------------------------------------


@dataclass
class PageEvidence:
    path: str  # relative to the project
    findings: list[Finding]
    updated: list[tuple[Citation, str]]  # (citation, its new text)


def update_text(text: str, body_start: int, findings: list[Finding]) -> tuple[str, list]:
    """The text with each stale cited value rewritten, and what was rewritten;
    nothing else changes."""
    updated = []
    for finding in sorted(findings, key=lambda f: f.citation.start, reverse=True):
        if not finding.stale:
            continue
        citation = finding.citation
        new = restated(citation.text, finding.value)
        start, end = body_start + citation.start, body_start + citation.end
        text = text[:start] + new + text[end:]
        updated.append((citation, new))
    return text, updated[::-1]


def survey(project: Project, paths: list[Path], update: bool) -> tuple[list[PageEvidence], list]:
    """Every page's citations compared with their sources (and, with
    `update`, stale values rewritten in place), and the pages that could not
    be read, as Problems."""
    from ml_lifecycle.documents import split_front_matter

    pages, unreadable = [], []
    for path in paths:
        rel = path.relative_to(project.root).as_posix()
        try:
            raw = limits.read_bytes(path, project.root).decode("utf-8")
        except (limits.Refused, OSError, UnicodeDecodeError) as exc:
            unreadable.append(Problem(rel, None, f"not read: {exc}"))
            continue
        if EVIDENCE_SCHEME not in raw:
            continue
        crlf = "\r\n" in raw
        text = raw.replace("\r\n", "\n")
        parts = split_front_matter(text)
        body, first = (parts[1], parts[2]) if parts else (text, 1)
        findings = examine_body(project, body, first)
        updated: list = []
        if update and any(f.stale for f in findings):
            new, updated = update_text(text, len(text) - len(body), findings)
            path.write_bytes((new.replace("\n", "\r\n") if crlf else new).encode("utf-8"))
        pages.append(PageEvidence(rel, findings, updated))
    return pages, unreadable
