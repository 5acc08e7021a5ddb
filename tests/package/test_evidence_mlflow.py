"""Evidence from an MLflow run (the ml-lifecycle[mlflow] extra), in-process
on a tiny project: one local file store for the whole test run, no server;
each test logs the runs it needs into it. A document cites a run's metrics
and a parameter; `evidence`, `evidence --update`, `approve` and `check`
follow the run. Slow tier: importing mlflow takes a second or two."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from ml_lifecycle import approval, cli

from .tiny_projects import LIFECYCLE_YML, doc_path, document, make_project

try:
    import mlflow
except ImportError:  # make venv installs it; under CI its absence is a failure
    if os.environ.get("CI"):
        raise
    pytest.skip(
        "mlflow is not installed (pip install 'ml-lifecycle[mlflow]')", allow_module_level=True
    )

pytestmark = pytest.mark.slow

TODAY = date(2026, 6, 1)
DOC = doc_path("validation")
CITING = (
    "Accuracy [0.87](evidence:run#accuracy) with [logreg](evidence:run#params.model), "
    "p95 latency [41](evidence:run#latency_ms) ms."
)


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory) -> str:
    """One file store for every MLflow test of the run (per worker)."""
    return (tmp_path_factory.mktemp("mlflow") / "mlruns").as_uri()  # MLflow makes it


@pytest.fixture
def tracking(mlflow_store, monkeypatch) -> str:
    """The shared store as the tracking URI, for mlflow and for the package
    (mlflow 3 asks for an opt-in to file stores)."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_store)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri(mlflow_store)
    yield mlflow_store
    mlflow.set_tracking_uri(None)


def log_run(metrics: dict[str, float], params: dict[str, str]) -> str:
    with mlflow.start_run() as run:
        mlflow.log_metrics(metrics)
        mlflow.log_params(params)
    return run.info.run_id


def point_at(root: Path, run_id: str) -> None:
    (root / "lifecycle.yml").write_text(
        f"{LIFECYCLE_YML}evidence:\n  run: mlflow:runs:/{run_id}\n", encoding="utf-8"
    )


@pytest.fixture
def run_cited(tmp_path, tracking) -> tuple[Path, str]:
    """A project whose V&V report cites a run of the shared store."""
    body = f"# V&V report\n\n{CITING}\n"
    root = make_project(tmp_path, {"validation": document("validation", body, owner="ML")})
    run_id = log_run({"accuracy": 0.8712, "latency_ms": 41.0}, {"model": "logreg"})
    point_at(root, run_id)
    return root, run_id


def run_cli(root: Path, capsys, *args: str) -> tuple[int, str]:
    status = cli.main(["--root", str(root), *args])
    return status, capsys.readouterr().out


def test_a_run_is_consistent_then_stale_then_updated(run_cited, capsys):
    root, _ = run_cited
    status, out = run_cli(root, capsys, "evidence")
    assert status == 0, out
    assert out.strip() == "3 cited values in 1 page; 0 problems."
    # A new run, with another result: the report is stale until updated.
    point_at(root, log_run({"accuracy": 0.8312, "latency_ms": 44.4}, {"model": "xgboost"}))
    status, out = run_cli(root, capsys, "evidence")
    assert status == 1
    lines = (root / DOC).read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "run#" in text)
    assert f"{DOC}:{line}: says 0.87; run#accuracy is 0.8312" in out
    assert "says logreg; run#params.model is xgboost" in out
    status, out = run_cli(root, capsys, "evidence", "--update")
    assert status == 0, out
    updated = CITING.replace("0.87", "0.83").replace("logreg", "xgboost").replace("[41]", "[44]")
    assert updated in (root / DOC).read_text()


def test_an_approval_covers_the_cited_values_of_the_run(run_cited, capsys):
    root, run_id = run_cited
    approval.approve(root, Path(DOC), "QA", TODAY)
    assert approval_state(root, capsys) == "current"
    # A metric the report does not cite, logged later on the same run: the
    # approval holds.
    with mlflow.start_run(run_id=run_id):
        mlflow.log_metric("recall", 0.8)
    assert approval_state(root, capsys) == "current"
    # The cited metric measured again, to the same rounded figure: stale.
    with mlflow.start_run(run_id=run_id):
        mlflow.log_metric("accuracy", 0.8701)
    assert run_cli(root, capsys, "evidence")[0] == 0
    assert approval_state(root, capsys) == "changed"


def approval_state(root: Path, capsys) -> str:
    _, out = run_cli(root, capsys, "check", "--today", TODAY.isoformat(), "--json")
    return next(d for d in json.loads(out)["documents"] if d["path"] == DOC)["approval"]


def test_an_unknown_run_is_one_line(run_cited, capsys):
    root, _ = run_cited
    point_at(root, "0123456789abcdef")
    status, out = run_cli(root, capsys, "evidence")
    assert status == 1 and "Traceback" not in out
    assert "cites run#accuracy, but mlflow:runs:/0123456789abcdef cannot be read from MLflow" in out
