"""Measure `ml-lifecycle portfolio` and `ml-lifecycle check` at scale.

    .venv/bin/python scripts/benchmark_portfolio.py          # make bench-portfolio
    .venv/bin/python scripts/benchmark_portfolio.py --repeat 1 --projects 100

Targets (issue 27), each the median of --repeat runs of the command as a user
runs it, on two worker processes:

- the register's data (`portfolio --no-site`) of 1,000 projects of 12
  documents each, from local folders: under 3 s;
- the register's site for the same projects: under 1 minute;
- `check` on one project of 10,000 documents: under 2 s;
- peak memory at 100 and at 1,000 projects: flat (reported, with the
  largest worker's).

The projects are copies of high-risk bakes of each task kind (12 documents),
each with answers of its own (name, owner, risk level) and front matter of
its own in every document (status, owner, last review, approval), as many
teams' projects would hold. Bodies repeat across projects, as unfilled stubs
do; `--distinct` gives every document a body of its own too (the worst
case: every page parsed). This is a measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from ml_lifecycle.documents import body_fingerprint
from ml_lifecycle.markdown_model import split_front_matter

TEMPLATE = Path(__file__).resolve().parent.parent
TASK_KINDS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["task_kind"]
OWNERS = [f"Owner {n}" for n in range(40)]
STATUSES = ("draft", "draft", "in-review", "approved")
RISKS = ("minimal", "limited", "high")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
# Runs the command in a process of its own and reports, on its last line,
# the peak memory (KB) and the CPU time (s) of that process and of the
# largest of its children (the workers, MkDocs) and all of them.
MEASURED = """
import resource, sys
from ml_lifecycle.cli import main
status = main(sys.argv[1:])
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime
print(f"MEASURED {own.ru_maxrss} {kids.ru_maxrss} {cpu[0]} {cpu[1]}", file=sys.stderr)
"""


def bake(output: Path, **answers: str) -> Path:
    context = [f"{key}={value}" for key, value in answers.items()]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output)]
    subprocess.run([*command, str(TEMPLATE), *context], capture_output=True, check=True, env=ENV)
    [project] = output.iterdir()
    return project


def median_seconds(command: list[str], repeat: int) -> float:
    """Median wall-clock time of a command, after one warm-up run."""
    subprocess.run(command, capture_output=True, env=ENV)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def front_fields(status: str, owner: str, reviewed: str, body: str) -> dict[str, str]:
    fields = {"status": status, "owner": f"'{owner}'"}
    if status == "approved":
        fields.update(
            approved_by="'Reviewer'",
            last_reviewed=reviewed,
            approval_fingerprint=body_fingerprint(body),
        )
    return fields


def with_fields(text: str, fields: dict[str, str]) -> str:
    """A document whose lifecycle fields are set (or added) as given."""
    front, body, _ = split_front_matter(text)
    lines = front.split("\n")
    for key, value in fields.items():
        index = next((i for i, line in enumerate(lines) if line.startswith(f"  {key}:")), None)
        if index is None:
            at = lines.index("lifecycle:") + 1
            lines.insert(at, f"  {key}: {value}")
        else:
            lines[index] = f"  {key}: {value}"
    return "---\n" + "\n".join(lines) + "---\n" + body


def make_project(variant: Path, target: Path, number: int, chance: random.Random, distinct: bool):
    shutil.copytree(variant, target)
    answers_path = target / ".cookiecutter-answers.yaml"
    data = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    context = data["default_context"]
    owner = chance.choice(OWNERS)
    context.update(
        project_name=f"System {number:04d}", owner_name=owner, risk_level=chance.choice(RISKS)
    )
    answers_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    for path in sorted((target / "docs").glob("0*/*.md")):
        text = path.read_text(encoding="utf-8")
        if distinct:
            text += f"\nProject {number}, {path.stem}.\n"
        body = split_front_matter(text)[1]
        status = chance.choice(STATUSES)
        reviewed = f"2026-{chance.randint(1, 11):02d}-{chance.randint(1, 28):02d}"
        fields = front_fields(status, chance.choice([owner, *OWNERS[:3]]), reviewed, body)
        path.write_text(with_fields(text, fields), encoding="utf-8")


def make_portfolio(variants: list[Path], folder: Path, count: int, distinct: bool) -> Path:
    chance = random.Random(27)
    folder.mkdir(parents=True)
    for number in range(count):
        variant = variants[number % len(variants)]
        make_project(variant, folder / f"system-{number:04d}", number, chance, distinct)
    return folder


def big_project(variant: Path, target: Path, count: int) -> Path:
    """A copy of a bake holding `count` documents: copies of its own."""
    shutil.copytree(variant, target)
    originals = sorted((target / "docs").glob("0*/*.md"))
    for index in range(count - len(originals)):
        source = originals[index % len(originals)]
        shutil.copyfile(source, source.with_name(f"{source.stem}-copy-{index}.md"))
    return target


def measured(arguments: list[str]) -> tuple[float, float, float, float]:
    """Peak memory (MB) of the command's own process and of its largest
    child, and the CPU seconds of the process and of all its children."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *arguments], capture_output=True, text=True, env=ENV
    )
    line = next(line for line in done.stderr.splitlines() if line.startswith("MEASURED "))
    own, child, own_cpu, children_cpu = (float(value) for value in line.split()[1:])
    return own / 1024, child / 1024, own_cpu, children_cpu


def portfolio(folder: Path, out: Path, jobs: int, site: bool) -> list[str]:
    command = ["portfolio", "--clones", str(folder), "--out", str(out), "--jobs", str(jobs)]
    return command + ([] if site else ["--no-site"])


def run(args: argparse.Namespace) -> list[tuple[str, float, str, bool | None]]:
    cli = [sys.executable, "-m", "ml_lifecycle"]
    results = []
    with tempfile.TemporaryDirectory(prefix="benchmark-portfolio-") as tmp:
        root = Path(tmp)
        print("baking one high-risk project per task kind...", file=sys.stderr)
        variants = [
            bake(root / "bakes" / kind, task_kind=kind, risk_level="high") for kind in TASK_KINDS
        ]
        documents = len(list(variants[0].glob("docs/0*/*.md")))
        for count in (100, args.projects):
            folder = make_portfolio(variants, root / f"p{count}", count, args.distinct)
            command = [*cli, *portfolio(folder, root / "out", args.jobs, False)]
            data = median_seconds(command, args.repeat)
            own, worker, own_cpu, workers_cpu = measured(
                portfolio(folder, root / "m", args.jobs, False)
            )
            label = f"register data, {count:,} projects x {documents} documents"
            target = count >= 1000
            results.append((label, data, "< 3 s" if target else "", data < 3 if target else None))
            results.append(
                (f"  CPU, main process + {args.jobs} workers", own_cpu + workers_cpu, "", None)
            )
            results.append((f"  peak memory at {count:,}, main process", own, "flat", None))
            results.append((f"  peak memory at {count:,}, largest worker", worker, "flat", None))
            if count == args.projects:
                command = [*cli, *portfolio(folder, root / "out-site", args.jobs, True)]
                site = median_seconds(command, max(1, args.repeat // 2))
                results.append(
                    (f"register data and site, {count:,} projects", site, "< 60 s", site < 60)
                )
        project = big_project(variants[0], root / "big", 10_000)
        check = median_seconds([*cli, "check", "--root", str(project)], args.repeat)
        results.append(("check, one project of 10,000 documents", check, "< 2 s", check < 2))
    return results


def summary(results: list, repeat: int) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    python = platform.python_version()
    lines = [
        f"Medians of {repeat} runs on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {python}, load {load:.1f}.",
        "",
        "| Measurement | Value | Target | Result |",
        "| --- | ---: | --- | --- |",
    ]
    for name, value, target, passed in results:
        shown = f"{value:.0f} MB" if "memory" in name else f"{value:.2f} s"
        verdict = {True: "PASS", False: "FAIL", None: ""}[passed]
        lines.append(f"| {name.strip()} | {shown} | {target} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (3)")
    parser.add_argument("--projects", type=int, default=1000, help="projects (1,000)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--distinct", action="store_true", help="a body of its own per document")
    args = parser.parse_args(argv)
    print(summary(run(args), args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
