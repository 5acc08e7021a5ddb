"""Evidence from an MLflow run (the ml-lifecycle[mlflow] extra): a local run
in a file store in a temporary folder, no server. The model card cites its
metrics and a parameter; `check`, `evidence --update` and an approval follow
the run. Slow tier: importing mlflow takes about a second per command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from conftest import BakedProject, filled

try:
    import mlflow
except ImportError:  # make venv installs it; under CI its absence is a failure
    if os.environ.get("CI"):
        raise
    pytest.skip(
        "mlflow is not installed (pip install 'ml-lifecycle[mlflow]')", allow_module_level=True
    )

pytestmark = pytest.mark.slow

MODEL_CARD = "docs/04-building/model-card.md"
TODAY = "2026-06-01"
CITING = (
    "Accuracy [0.87](evidence:run#accuracy) with [logreg](evidence:run#params.model), "
    "p95 latency [41](evidence:run#latency_ms) ms."
)


@pytest.fixture
def tracking(tmp_path, monkeypatch) -> dict[str, str]:
    """A file-store tracking URI in a temporary folder, for this process and
    for the commands the test runs (mlflow 3 asks for an opt-in to file stores)."""
    env = {
        "MLFLOW_TRACKING_URI": (tmp_path / "mlruns").as_uri(),
        "MLFLOW_ALLOW_FILE_STORE": "true",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def log_run(metrics: dict[str, float], params: dict[str, str]) -> str:
    mlflow.set_tracking_uri(None)  # the environment's, as set by `tracking`
    with mlflow.start_run() as run:
        mlflow.log_metrics(metrics)
        mlflow.log_params(params)
    return run.info.run_id


@pytest.fixture
def run_cited(baked, tmp_path, tracking) -> tuple[BakedProject, str]:
    target = tmp_path / "project"
    shutil.copytree(baked().path, target)
    project = BakedProject(target, baked().answers)
    run_id = log_run({"accuracy": 0.8712, "latency_ms": 41.0}, {"model": "logreg"})
    point_at(project, run_id)
    path = project.path / MODEL_CARD
    path.write_text(path.read_text("utf-8").replace("==TODO==", CITING, 1), "utf-8")
    return project, run_id


def point_at(project: BakedProject, run_id: str) -> None:
    path = project.path / "lifecycle.yml"
    text = path.read_text("utf-8").split("\nevidence:\n")[0]
    path.write_text(f"{text}\nevidence:\n  run: mlflow:runs:/{run_id}\n", "utf-8")


def cli(project: BakedProject, env: dict, *args: str) -> subprocess.CompletedProcess:
    return project.tool(*args, **env)


def test_a_run_is_consistent_then_stale_then_updated(run_cited, tracking):
    project, _ = run_cited
    result = cli(project, tracking, "evidence")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "3 cited values in 1 page; 0 problems."

    # A new run, with another result: the card is stale until updated.
    point_at(project, log_run({"accuracy": 0.8312, "latency_ms": 44.4}, {"model": "xgboost"}))
    result = cli(project, tracking, "evidence")
    assert result.returncode == 1
    line = next(
        n for n, text in enumerate(project.read(MODEL_CARD).splitlines(), 1) if "run#" in text
    )
    assert f"{MODEL_CARD}:{line}: says 0.87; run#accuracy is 0.8312" in result.stdout
    assert "says logreg; run#params.model is xgboost" in result.stdout
    result = cli(project, tracking, "evidence", "--update")
    assert result.returncode == 0, result.stdout
    assert CITING.replace("0.87", "0.83").replace("logreg", "xgboost").replace(
        "[41]", "[44]"
    ) in project.read(MODEL_CARD)


def test_an_approval_goes_stale_when_the_run_changes(run_cited, tracking):
    project, run_id = run_cited
    path = project.path / MODEL_CARD
    text = filled(path.read_text("utf-8"), "Done.").replace("owner: ''", "owner: ML")
    path.write_text(text, "utf-8")
    result = cli(project, tracking, "approve", MODEL_CARD, "--by", "QA", "--today", TODAY)
    assert result.returncode == 0, result.stderr

    def approval() -> str:
        report = json.loads(cli(project, tracking, "check", "--today", TODAY, "--json").stdout)
        return next(d for d in report["documents"] if d["path"] == MODEL_CARD)["approval"]

    assert approval() == "current"
    # A metric logged later on the same run: the cited values still match,
    # but the run the approval covered is not the same any more.
    mlflow.set_tracking_uri(None)
    with mlflow.start_run(run_id=run_id):
        mlflow.log_metric("recall", 0.8)
    assert cli(project, tracking, "evidence").returncode == 0
    assert approval() == "changed"


def test_an_unknown_run_is_one_line(run_cited, tracking):
    project, _ = run_cited
    point_at(project, "0123456789abcdef")
    result = cli(project, tracking, "evidence")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "cites run#accuracy, but mlflow:runs:/0123456789abcdef cannot be read from MLflow" in (
        result.stdout
    )
