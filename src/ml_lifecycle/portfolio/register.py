"""Every member read into a row, on every core, in a stable order.

Projects are read in worker processes, a chunk at a time (each process keeps
its own shared pages and front matters: markdown_shared.py). A worker that
dies (a crash in a C library on hostile input, say) takes only its chunk
down: those members are read again one by one, each in a process of its
own, and a member that kills that one too becomes an error row. Only rows,
small dictionaries, come back: memory does not grow with the pages read.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from ml_lifecycle.portfolio.members import Member
from ml_lifecycle.portfolio.rows import error_row, read_member

# Below this many members, reading in this process is quicker than starting
# worker processes.
IN_PROCESS = 8
CHUNKS_PER_WORKER = 8


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read_chunk(members: list[Member], today: date) -> list[dict]:
    return [read_member(item, today) for item in members]


def context() -> multiprocessing.context.BaseContext:
    """Worker processes started from a clean server process where there is
    one (no copy of this process's threads), else spawned."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        found = multiprocessing.get_context("forkserver")
        found.set_forkserver_preload(["ml_lifecycle.portfolio.rows"])
        return found
    return multiprocessing.get_context("spawn")


def chunks(count: int, jobs: int) -> list[range]:
    size = max(1, count // (jobs * CHUNKS_PER_WORKER))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def read_all(members: list[Member], today: date, jobs: int) -> list[dict]:
    """Each member's row, in the members' order."""
    if jobs <= 1 or len(members) < IN_PROCESS:
        return read_chunk(members, today)
    rows: list[dict | None] = [None] * len(members)
    try:
        with ProcessPoolExecutor(jobs, mp_context=context()) as pool:
            futures = {
                pool.submit(read_chunk, [members[i] for i in part], today): part
                for part in chunks(len(members), jobs)
            }
            for future in as_completed(futures):
                try:
                    for index, row in zip(futures[future], future.result(), strict=True):
                        rows[index] = row
                except BrokenProcessPool:
                    continue
    except BrokenProcessPool:
        pass
    for index in (i for i, row in enumerate(rows) if row is None):
        rows[index] = read_alone(members[index], today)
    return rows


def read_alone(item: Member, today: date) -> dict:
    """A member read in a process of its own, after a worker died."""
    try:
        with ProcessPoolExecutor(1, mp_context=context()) as pool:
            return pool.submit(read_member, item, today).result()
    except BrokenProcessPool:
        return error_row(item, "the process reading it stopped: not read")


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "system"


def with_ids(rows: Iterable[dict]) -> list[dict]:
    """Rows sorted by name (then source), each with a unique id first."""
    ordered = sorted(rows, key=lambda row: (row["name"].casefold(), row["name"], row["source"]))
    taken: set[str] = set()
    result = []
    for row in ordered:
        base = slug(row["name"])
        found, number = base, 1
        while found in taken:
            number += 1
            found = f"{base}-{number}"
        taken.add(found)
        result.append({"id": found, **row})
    return result
