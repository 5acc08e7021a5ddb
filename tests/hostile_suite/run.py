"""Run the hostile suite: python -m hostile_suite.run [--out FILE] [--only CLASS]
(from tests/, or with tests/ on PYTHONPATH). Prints one line per class and
every failure; writes the counts as JSON with --out; exits 1 on a failure.

Each case gets a fresh work folder holding the project and, beside it, a
folder no command may touch; the whole run has a memory limit, each case a
time limit. After each case: the folder beside is as it was, no tool took
over MAX_SECONDS of CPU, and the process never held over MAX_MEMORY."""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hostile_suite import bounds, edits, escaping, evidence, git, identity, outputs, races, site
from hostile_suite.kit import BASELINE, TIMES, Failure, fresh, outside, snapshot

MAX_SECONDS = 5.0  # CPU, per tool and input
MAX_MEMORY = 500 * 1024 * 1024  # bytes of resident memory, at the peak of the run
HANG = 60  # seconds of wall time, per case: a hang fails the case
CLASSES = {
    "outputs": outputs,
    "races": races,
    "site": site,
    "git": git,
    "evidence": evidence,
    "bounds": bounds,
    "identity": identity,
    "escaping": escaping,
    "edits": edits,
}


class Hang(Exception):
    pass


def on_alarm(signum, frame):
    raise Hang(f"over {HANG} s")


def peak_memory() -> int:
    """Peak resident memory of this process, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def run_case(case, work: Path) -> tuple[str, str]:
    """(outcome, detail): REFUSED or DATA, or "failure" and why."""
    fresh(work)
    away = outside(work)
    BASELINE["outside"] = snapshot(away)
    TIMES.clear()
    signal.alarm(HANG)
    try:
        outcome = case.run(work)
    except (Failure, Hang) as error:
        return "failure", str(error)
    except Exception as error:
        return "failure", f"{type(error).__name__}: {error}"[:400]
    finally:
        signal.alarm(0)
    if snapshot(away) != BASELINE["outside"]:
        return "failure", "wrote outside the project"
    slow = {name: round(spent, 2) for name, spent in TIMES.items() if spent > MAX_SECONDS}
    if slow:
        return "failure", f"over {MAX_SECONDS} s: {slow}"
    return outcome, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", action="append", choices=sorted(CLASSES))
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    signal.signal(signal.SIGALRM, on_alarm)
    counts: dict[str, Counter] = {}
    failures: list[str] = []
    started = time.process_time()
    with tempfile.TemporaryDirectory(prefix="hostile-") as temporary:
        work = Path(temporary) / "work"
        work.mkdir()
        for name in args.only or CLASSES:
            tally = counts.setdefault(name, Counter())
            class_started = time.process_time()
            for case in CLASSES[name].cases():
                outcome, detail = run_case(case, work)
                tally["tried"] += 1
                tally[outcome] += 1
                if detail:
                    failures.append(f"{case.klass}/{case.name}: {detail}")
            print(
                f"{name:9s} tried {tally['tried']:4d}  refused cleanly {tally['refused']:4d}  "
                f"handled as data {tally['data']:4d}  failures {tally['failure']:3d}  "
                f"({time.process_time() - class_started:.1f} s)",
                flush=True,
            )
    peak = peak_memory()
    if peak > MAX_MEMORY:
        failures.append(f"the run held {peak // 2**20} MB at its peak, over {MAX_MEMORY // 2**20}")
    for failure in failures:
        print(f"FAILED {failure}")
    total = sum(tally["tried"] for tally in counts.values())
    seconds = time.process_time() - started
    print(f"{total} hostile inputs in {seconds:.1f} s CPU; peak memory {peak // 2**20} MB")
    if args.out:
        report = {
            "classes": {name: dict(tally) for name, tally in counts.items()},
            "failures": failures,
            "peak_memory_mb": peak // 2**20,
            "cpu_seconds": round(seconds, 1),
        }
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
