"""Every member read into a row, on every core, in a stable order.

Projects are read in worker processes, a chunk at a time (each process keeps
its own shared pages and front matters: markdown_shared.py). A worker that
dies (a crash in a C library on hostile input, say) takes only its chunk
down: those members are read again one by one, each in a process of its
own, and a member that kills that one too becomes an error row. Only rows,
small dictionaries, come back: memory does not grow with the pages read.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

from ml_lifecycle.portfolio.members import Member
from ml_lifecycle.portfolio.rows import error_row, read_member

# Below this many members, reading in this process is quicker than starting
# worker processes.
IN_PROCESS = 8
WARM_UP = 4  # projects read before forking, per worker
CHUNKS_PER_WORKER = 32  # small enough that no worker waits long for the last


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read_chunk(members: list[Member], today: date) -> list[dict]:
    return [read_member(item, today) for item in members]


def context() -> multiprocessing.context.BaseContext:
    """Worker processes forked from this one while it runs a single thread
    (quickest: every module is loaded already); else started from a clean
    server process where there is one (a fork copies no other thread's
    locks), else spawned."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        found = multiprocessing.get_context("forkserver")
        found.set_forkserver_preload(["ml_lifecycle.portfolio.rows"])
        return found
    return multiprocessing.get_context("spawn")


def chunks(count: int, jobs: int) -> list[range]:
    size = max(1, count // (jobs * CHUNKS_PER_WORKER))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def read_rows(members: list[Member], today: date, jobs: int) -> Iterator[dict]:
    """Each member's row, as the workers finish them (in no set order)."""
    if jobs <= 1 or len(members) < IN_PROCESS:
        yield from (read_member(item, today) for item in members)
        return
    started = context()
    first = 0
    if started.get_start_method() == "fork":
        # A few projects read here first: forked workers start with the
        # pages they share with the others (a template's stubs) parsed.
        first = min(WARM_UP * jobs, len(members) // 4)
        yield from (read_member(item, today) for item in members[:first])
    missing = set(range(first, len(members)))
    try:
        with ProcessPoolExecutor(jobs, mp_context=started) as pool:
            futures = {
                pool.submit(read_chunk, [members[first + i] for i in part], today): [
                    first + i for i in part
                ]
                for part in chunks(len(members) - first, jobs)
            }
            for future in as_completed(futures):
                part = futures.pop(future)
                try:
                    found = future.result()
                except BrokenProcessPool:
                    continue
                missing.difference_update(part)
                yield from found
    except BrokenProcessPool:
        pass
    for index in sorted(missing):
        yield read_alone(members[index], today)


def read_alone(item: Member, today: date) -> dict:
    """A member read in a process of its own, after a worker died."""
    try:
        with ProcessPoolExecutor(1, mp_context=context()) as pool:
            return pool.submit(read_member, item, today).result()
    except BrokenProcessPool:
        return error_row(item, "the process reading it stopped: not read")


def slug(name: str) -> str:
    """A name as lowercase ASCII letters and digits between hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in ascii_name).split()
    return "-".join(words)[:60].strip("-") or "system"


# What the register's pages need of every row at once (the rest of a row is
# read back from the spool, one row at a time).
SUMMARY_KEYS = (
    "source",
    "error",
    "name",
    "owner",
    "task_kind",
    "risk_level",
    "status",
    "attention",
    "registration",
)


class Spool:
    """Rows kept on disk as they come, one JSON line each, and a small
    summary of each in memory: memory does not grow with what a row holds."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "w+b")  # noqa: SIM115 (closed by close())
        self.summaries: list[dict] = []

    def add(self, row: dict) -> None:
        line = json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n"
        offset = self.file.seek(0, os.SEEK_END)
        self.file.write(line)
        summary = {key: row[key] for key in SUMMARY_KEYS}
        self.summaries.append({**summary, "_at": (offset, len(line))})

    def entries(self) -> list[dict]:
        """The summaries sorted by name (then source), each with a unique id."""
        return sorted_with_ids(self.summaries)

    def row(self, entry: dict) -> tuple[dict, str]:
        """The whole row of a summary, its id first, and the same as JSON."""
        offset, length = entry["_at"]
        self.file.seek(offset)
        line = self.file.read(length).decode("utf-8").rstrip("\n")
        text = '{"id": ' + json.dumps(entry["id"]) + ", " + line[1:]
        return {"id": entry["id"], **json.loads(line)}, text

    def close(self) -> None:
        self.file.close()


def sorted_with_ids(rows: Iterable[dict]) -> list[dict]:
    """Rows sorted by name (then source), each given a unique id."""
    ordered = sorted(rows, key=lambda row: (row["name"].casefold(), row["name"], row["source"]))
    taken: set[str] = set()
    for row in ordered:
        base = slug(row["name"])
        found, number = base, 1
        while found in taken:
            number += 1
            found = f"{base}-{number}"
        taken.add(found)
        row["id"] = found
    return ordered
