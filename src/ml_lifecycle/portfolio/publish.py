"""The register written from its spool in one pass, system by system in
name order: register.json, register.csv (schema.py), each system's page,
and the `--require` violations; then the other pages and the site build.
Only the summaries (register.SUMMARY_KEYS) are in memory at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ml_lifecycle import __version__
from ml_lifecycle.portfolio import gate, schema, site
from ml_lifecycle.portfolio.output import OutputFolder
from ml_lifecycle.portfolio.register import Spool

OUT_JSON, OUT_CSV, OUT_SCHEMA, OUT_SITE = (
    "register.json",
    "register.csv",
    "register.schema.json",
    "site",
)


@dataclass
class Published:
    entries: list[dict]  # each system's summary, with its id, in name order
    written: list[Path] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def publish(
    out: OutputFolder,
    spool: Spool,
    today: dt.date,
    title: str,
    rules: list[gate.Rule],
    with_site: bool,
) -> Published:
    """Write everything; OSError or OutputError when a file cannot be
    written, RuntimeError when the site does not build."""
    done = Published(spool.entries())
    with out.scratch("site") as scratch:
        docs = site.prepare(scratch, done.entries, today.isoformat(), title) if with_site else None
        write_data(out, spool, today, rules, done, docs)
        done.written.append(out.write(OUT_SCHEMA, schema.schema_json().encode("utf-8")))
        if docs is not None:
            site.add_downloads(docs, done.written)
            done.written.append(out.replace_folder(OUT_SITE, site.build(scratch)))
    return done


def write_data(
    out: OutputFolder, spool: Spool, today: dt.date, rules: list, done: Published, docs
) -> None:
    """register.json and register.csv, each system's page, the violations."""
    generator = f"ml-lifecycle {__version__}"
    with out.writer(OUT_JSON) as json_file, out.writer(OUT_CSV) as csv_file:
        json_file.write(schema.json_head(today.isoformat(), generator))
        table = schema.csv_writer(csv_file)
        for index, entry in enumerate(done.entries):
            row, text = spool.row(entry)
            json_file.write(text if index == 0 else ",\n" + text)
            table.writerow(schema.csv_cells(row))
            done.violations += gate.row_violations(rules, row)
            if docs is not None:
                site.add_system(docs, row)
        json_file.write(schema.json_tail())
    done.written += [out.path / OUT_JSON, out.path / OUT_CSV]
