"""Measure how long baking, the site build and the ml-lifecycle command take.

    .venv/bin/python scripts/benchmark.py            # every part (make bench)
    .venv/bin/python scripts/benchmark.py checker    # one part: bake, site, checker

Each part is a function registered with @part("name"); it bakes what it needs
into a temporary folder, measures medians of several runs on this machine and
returns rows for the summary table, which compares each median (of wall
clock and, for bake and site, of CPU time) with its baseline or limit
(PASS/FAIL). Targets: a bake with nothing cached at most
0.7 x a cookiecutter-data-science bake; a site built with the `lifecycle`
plugin at most 1.1 x the same site without it, at 14 and at 200 documents;
the checker under 1 s at 1,000 documents. This is a measurement, not a test:
it always exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

try:
    import resource
except ImportError:  # Windows: no CPU times of child processes
    resource = None

from ml_lifecycle import project as project_module
from ml_lifecycle import rules

TEMPLATE = Path(__file__).resolve().parent.parent
# A part returns the results that go into the summary table.
PARTS: dict[str, Callable[[argparse.Namespace], list]] = {}


def part(name: str):
    """Register a benchmark part under `name`."""

    def register(function: Callable[[argparse.Namespace], list]):
        PARTS[name] = function
        return function

    return register


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    """Median wall-clock time of `repeat` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bake(output: Path, **answers: str) -> Path:
    """A project baked from this template with the given answers (quietly)."""
    context = [f"{key}={value}" for key, value in answers.items()]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output)]
    subprocess.run([*command, str(TEMPLATE), *context], capture_output=True, check=True)
    [project] = output.iterdir()
    return project


# --- checker -------------------------------------------------------------------


@part("checker")
def checker(args: argparse.Namespace) -> list[Result]:
    """`ml-lifecycle check` on a default bake with 10 and 1,000 documents:
    the command as a user runs it, and check_project() in-process with the C
    YAML parser and with PyYAML's pure-Python one."""
    print(f"checker: median of {args.repeat} runs, in seconds")
    print(f"{'documents':>9}  {'command':>8}  {'in-process':>10}  {'pure-Python YAML':>16}")
    results = []
    with tempfile.TemporaryDirectory(prefix="benchmark-checker-") as tmp:
        baked = bake(Path(tmp) / "baked")
        fast_loader = project_module.Loader
        for count in (10, 1000):
            project = project_with(baked, count, Path(tmp) / f"docs-{count}")
            command = [sys.executable, "-m", "ml_lifecycle", "check", "--root", str(project)]
            result = subprocess.run(command, capture_output=True, text=True, env=measured_env())
            assert result.returncode == 0, result.stdout[-2000:]
            assert len(rules.check_project(project).documents) == count

            def run_command(command=command):
                subprocess.run(command, capture_output=True, check=True, env=measured_env())

            def run_in_process(project=project):
                rules.check_project(project)

            cli = median_seconds(run_command, args.repeat)
            in_process = median_seconds(run_in_process, args.repeat)
            # rules.py bound the Loader at import: swap it there.
            rules.Loader = project_module.make_loader(yaml.SafeLoader)
            pure = median_seconds(run_in_process, args.repeat)
            rules.Loader = fast_loader
            print(f"{count:>9}  {cli:>8.3f}  {in_process:>10.3f}  {pure:>16.3f}")
            name = f"checker, {count:,} documents"
            limit = count >= 1000  # the target: under a second at 1,000 documents
            results.append(Result.limit(name, cli, 1.0) if limit else Result.info(name, cli))
    libyaml = "yes" if getattr(yaml, "__with_libyaml__", False) else "no"
    print(f"PyYAML {yaml.__version__}, C parser available: {libyaml}")
    return results


# --- bake and site ----------------------------------------------------------------

BUILD_ENV = {"NO_MKDOCS_2_WARNING": "1"}
# Measured commands run as on a user's machine, where Python keeps the
# bytecode of the modules it imports (pip compiles an installed package's).
UNSET_ENV = ("PYTHONDONTWRITEBYTECODE",)


class Timing(NamedTuple):
    """Medians of one command: wall clock, and the CPU time of its processes
    (the command and every process it starts), which other work on a shared
    machine disturbs far less."""

    wall: float
    cpu: float


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children."""
    if resource is None:  # Windows
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paired_medians(
    ours: Callable[[], object], baseline: Callable[[], object], repeat: int
) -> tuple[Timing, Timing]:
    """Medians of two commands run turn about (after one warm-up each), so
    that a change in the machine's load affects both alike."""
    ours()
    baseline()
    found: tuple[list, list] = ([], [])
    for _ in range(repeat):
        for function, times in ((ours, found[0]), (baseline, found[1])):
            wall, cpu = time.perf_counter(), children_cpu()
            function()
            times.append((time.perf_counter() - wall, children_cpu() - cpu))
    return tuple(Timing(*map(statistics.median, zip(*times, strict=True))) for times in found)


def measured_env(**variables: str) -> dict[str, str]:
    """The environment of a measured command."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET_ENV}
    return {**env, **BUILD_ENV, **variables}


def run_quietly(command: list[str], cwd: Path | None = None, **variables: str) -> None:
    env = measured_env(**variables)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: {' '.join(command)} failed: {result.stderr.strip()[-500:]}")


def timed_bake(command: list[str], output: Path, clean: Path | None = None) -> Callable[[], None]:
    """A bake command with `--no-input`, into a fresh output folder each time.
    `clean` is a template folder whose Python bytecode is removed first, so
    that nothing at all is kept from an earlier bake."""

    def run() -> None:
        shutil.rmtree(output, ignore_errors=True)
        if clean is not None:  # the extension's and the hooks' bytecode
            for folder in (clean / "__pycache__", clean / "hooks" / "__pycache__"):
                shutil.rmtree(folder, ignore_errors=True)
        # Run from the output's parent: `python -m` puts the working folder
        # first on sys.path, and this checkout's lifecycle_sandbox.py would
        # stand in for the --template's own.
        work = output.parent
        work.mkdir(parents=True, exist_ok=True)
        run_quietly([*command, "--no-input", "-o", str(output)], cwd=work, HOME=str(work))

    return run


@part("bake")
def bake_part(args: argparse.Namespace) -> list[Result]:
    """A default bake of this template against a default bake of
    cookiecutter-data-science (its `ccds` command on a local clone), both with
    the interpreter of --bake-python, each into a fresh folder. Nothing is
    cached between our bakes: the template keeps no compiled code, and its
    Python bytecode is removed before each one."""
    python = str(args.bake_python.absolute())
    if not (args.ccds / "ccds.json").is_file():
        raise SystemExit(f"error: no clone of cookiecutter-data-science in {args.ccds}; see --ccds")
    with tempfile.TemporaryDirectory(prefix="benchmark-bake-") as tmp:
        template, ccds_clone = args.template.resolve(), args.ccds.resolve()
        ours = timed_bake(
            [python, "-m", "cookiecutter", str(template)], Path(tmp) / "ours" / "out",
            clean=template,
        )  # fmt: skip
        ccds = timed_bake([python, "-m", "ccds", str(ccds_clone)], Path(tmp) / "ccds" / "out")
        mine, base = paired_medians(ours, ccds, args.repeat)
    name = "bake, default answers, nothing cached"
    return [
        Result.ratio(name, mine.wall, "cookiecutter-data-science", base.wall, 0.7),
        Result.ratio(f"{name} (CPU)", mine.cpu, "cookiecutter-data-science", base.cpu, 0.7),
    ]


def project_with(baked: Path, count: int, target: Path) -> Path:
    """A copy of `baked` holding `count` lifecycle documents: its own, plus
    copies of them spread over the phase folders."""
    shutil.copytree(baked, target, ignore=shutil.ignore_patterns("site", "__pycache__"))
    phases = yaml.safe_load((target / "lifecycle.yml").read_text(encoding="utf-8"))["phases"]
    originals = [
        path
        for phase in phases
        for path in sorted((target / "docs" / phase["folder"]).glob("*.md"))
    ]
    for index in range(count - len(originals)):
        source = originals[index % len(originals)]
        shutil.copyfile(source, source.with_name(f"{source.stem}-copy-{index}.md"))
    return target


def without_plugin(project: Path, target: Path) -> Path:
    """The same project with the `lifecycle` plugin taken out of mkdocs.yml."""
    shutil.copytree(project, target)
    config = target / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\n  - lifecycle\n" in text, "mkdocs.yml no longer lists the plugin as expected"
    config.write_text(text.replace("\n  - lifecycle\n", "\n"), encoding="utf-8")
    return target


@part("site")
def site_part(args: argparse.Namespace) -> list[Result]:
    """A project's site built with the `lifecycle` plugin against the same
    site built without it, at 14 and at 200 documents: the cost of the plugin
    alone (theme, extensions and pages are the same). Zensical's build of the
    default project for reference."""
    results = []
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    with tempfile.TemporaryDirectory(prefix="benchmark-site-") as tmp:
        baked = bake(Path(tmp) / "baked")
        for count in (14, 200):
            pages = len(list((baked / "docs").rglob("*.md")))
            lifecycle_documents = count - (pages - 10)
            project = project_with(baked, lifecycle_documents, Path(tmp) / f"with-{count}")
            bare = without_plugin(project, Path(tmp) / f"without-{count}")
            assert len(list((project / "docs").rglob("*.md"))) == count

            def build_with(project=project) -> None:
                run_quietly([*mkdocs, "-d", str(Path(tmp) / "site")], cwd=project)

            def build_without(bare=bare) -> None:
                run_quietly([*mkdocs, "-d", str(Path(tmp) / "site-bare")], cwd=bare)

            ours, base = paired_medians(build_with, build_without, args.repeat)
            label = f"site build, {count} pages"
            without = "the same without the plugin"
            results.append(Result.ratio(label, ours.wall, without, base.wall, 1.1))
            results.append(Result.ratio(f"{label} (CPU)", ours.cpu, without, base.cpu, 1.1))
        zensical = Path(sys.executable).with_name("zensical")
        if zensical.is_file():
            project = Path(tmp) / "with-14"

            def build_zensical() -> None:
                run_quietly([str(zensical), "build", "--clean"], cwd=project)

            seconds = median_seconds(build_zensical, args.repeat)
            results.append(Result.info("site build with Zensical, 14 pages", seconds))
    return results


# --- summary ---------------------------------------------------------------------


@dataclass
class Result:
    """One measured median, compared with a baseline or a limit."""

    name: str
    seconds: float
    baseline: str = ""
    base_seconds: float | None = None
    target: str = ""
    passed: bool | None = None  # None: for information only

    @classmethod
    def ratio(cls, name, seconds, baseline, base_seconds, max_ratio) -> Result:
        passed = seconds <= max_ratio * base_seconds
        return cls(name, seconds, baseline, base_seconds, f"<= {max_ratio} x", passed)

    @classmethod
    def limit(cls, name, seconds, max_seconds) -> Result:
        return cls(name, seconds, target=f"< {max_seconds:g} s", passed=seconds < max_seconds)

    @classmethod
    def info(cls, name, seconds, baseline="", base_seconds=None) -> Result:
        return cls(name, seconds, baseline, base_seconds)

    def cells(self) -> list[str]:
        has_base = self.base_seconds is not None
        ratio = f"{self.seconds / self.base_seconds:.2f}" if has_base else ""
        verdict = {True: "PASS", False: "FAIL", None: ""}[self.passed]
        return [
            self.name,
            f"{self.seconds:.3f}",
            self.baseline,
            f"{self.base_seconds:.3f}" if has_base else "",
            ratio,
            self.target,
            verdict,
        ]


def summary(results: list[Result], repeat: int) -> str:
    """The results as a Markdown table (it reads as plain text too)."""
    header = ["Measurement", "Median (s)", "Baseline", "Baseline (s)", "Ratio", "Target", "Result"]
    rows = [header, *(result.cells() for result in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    missed = sum(result.passed is False for result in results)
    verdict = "All targets met." if not missed else f"{missed} target(s) missed."
    python = ".".join(str(n) for n in sys.version_info[:3])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {python}, load {load:.1f}"
    lines = [line(header), rule, *(line(row) for row in rows[1:])]
    return "\n".join([f"Medians of {repeat} runs on {machine}.", "", *lines, "", verdict])


# --- command line ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure how long the project's tools take.")
    parser.add_argument("parts", nargs="*", help=f"parts to run: {', '.join(PARTS)} (all)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (5)")
    parser.add_argument(
        "--template", type=Path, default=TEMPLATE, help="the template to bake (this checkout)"
    )
    parser.add_argument(
        "--ccds",
        type=Path,
        default=TEMPLATE / "build" / "bench" / "cookiecutter-data-science",
        help="a clone of cookiecutter-data-science, the bake's baseline (make bench makes one)",
    )
    parser.add_argument(
        "--bake-python",
        type=Path,
        default=Path(sys.executable),
        help="the Python both bakes run with, with cookiecutter and ccds (make bench makes one)",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.parts if name not in PARTS]
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
    results = []
    for name in args.parts or list(PARTS):
        print(f"running {name}...", file=sys.stderr)
        results += PARTS[name](args) or []
    print()
    print(summary(results, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
