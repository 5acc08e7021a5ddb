"""Evidence sources: the artefacts `lifecycle.yml` names (JSON or CSV files
inside the project, MLflow runs), each read once per command."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from ml_lifecycle import limits
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import MLFLOW_EXTRA, MLFLOW_PREFIX, MLFLOW_URI_VARIABLE, PHASES_FILE


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
    if json_depth(text) > limits.MAX_YAML_DEPTH:
        raise ValueError(f"is nested more than {limits.MAX_YAML_DEPTH} levels deep: not read")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except (RecursionError, ValueError) as exc:
        raise ValueError(f"is not valid JSON: {limits.brief(str(exc))}") from None


def json_depth(text: str) -> int:
    """How deep brackets nest outside strings: one pass, however the
    strings and escapes run (a pattern over them backtracked for minutes)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


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
    store = file_store()
    if store is not None:
        refused = store_refusal(store, run.info.experiment_id, run_id)
        if refused:
            found.error = f"{found.source}: the MLflow store's {refused}: not read"
            return
    values = {"metrics": dict(run.data.metrics), "params": dict(run.data.params)}
    found.data = values
    found.digest = (
        "sha256:" + hashlib.sha256(json.dumps(values, sort_keys=True).encode("utf-8")).hexdigest()
    )
    ended = run.info.end_time or run.info.start_time
    try:
        stamp = datetime.fromtimestamp(ended / 1000, timezone.utc) if ended else None
    except (OverflowError, OSError, ValueError, TypeError):  # a store can hold any number
        stamp = None
    found.modified = stamp.date().isoformat() if stamp else ""
    uri = os.environ.get(MLFLOW_URI_VARIABLE, "")
    if uri.startswith(("http://", "https://")):
        found.url = f"{uri.rstrip('/')}/#/experiments/{run.info.experiment_id}/runs/{run_id}"


def file_store() -> Path | None:
    """The folder of MLflow's runs when it keeps them in files (a file: URI
    or a path), else None (a server or a database: its values are screened
    all the same, values.py)."""
    import mlflow

    uri = mlflow.get_tracking_uri()
    if uri.startswith("file:"):
        return Path(url2pathname(urlparse(uri).path))
    if "://" in uri or uri.startswith(("sqlite:", "databricks", "postgresql:", "mysql:")):
        return None
    return Path(uri)


def store_refusal(store: Path, experiment: str, run_id: str) -> str:
    """Why a run's files in a file store cannot be trusted: MLflow reads a
    parameter file that is a link (to /etc/passwd, say) or a hard link as
    it reads any other, and its value would be published. Empty when none."""
    folder = store / str(experiment) / run_id
    if not limits.is_inside(folder, store):
        return f"run folder {experiment}/{run_id} links outside the store"
    for name in ("meta.yaml", "params", "metrics", "tags"):
        for path in [folder / name, *walk_entries(folder / name)]:
            try:
                info = os.lstat(path)
            except OSError:
                continue
            what = path.relative_to(store).as_posix()
            if stat.S_ISLNK(info.st_mode):
                return f"{limits.brief(what)} is a link"
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                return f"{limits.brief(what)} is not a regular file"
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                return f"{limits.brief(what)} is a hard link (a file with several names)"
    return ""


def walk_entries(folder: Path) -> list[Path]:
    """Every entry under a folder, links not followed."""
    found = []
    for top, folders, files in os.walk(folder, followlinks=False):
        found += [Path(top) / name for name in (*folders, *files)]
    return found
