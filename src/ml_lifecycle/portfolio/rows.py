"""One project as one row of the register, read with the checker itself
(`rules.check_project`, the same bounded and confined reader as `check`),
so that the register and the project's own `check --json` always agree.

A project that cannot be read faithfully becomes a row whose `error` says
why, in one line: no lifecycle.yml, a file the checker refuses to read (a
link out of the project, a YAML bomb, text that is not UTF-8, a file over
the size limit), a clone that failed, or anything unexpected. Reading never
stops the run.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ml_lifecycle.documents import Document, iso
from ml_lifecycle.evidence.findings import examine_page
from ml_lifecycle.limits import brief
from ml_lifecycle.portfolio import annex_viii
from ml_lifecycle.portfolio.answers import (
    read_answers,
    read_registration,
    read_site_url,
    web_address,
)
from ml_lifecycle.portfolio.members import Member
from ml_lifecycle.report import Report
from ml_lifecycle.repository import git_text
from ml_lifecycle.rules import check_project
from ml_lifecycle.vocabulary import PHASES_FILE, RESULTS

# Worst first: a phase's (and a system's) status is its least advanced
# document's. Retired documents count only when all are retired.
PROGRESS = ("draft", "in-review", "approved")
UNKNOWN = "unknown"  # a document whose status is missing or not a status
RETIRED = "retired"
ERROR = "error"
HIGH_RISK = "high"
TRACED = tuple(result for result in RESULTS if result != "fail")  # pass, waived


def worst_status(statuses: list[str]) -> str:
    """The least advanced of some documents' statuses; empty for none."""
    active = [status for status in statuses if status != RETIRED]
    if not statuses:
        return ""
    if not active:
        return RETIRED
    if any(status not in PROGRESS for status in active):
        return UNKNOWN
    return min(active, key=PROGRESS.index)


def identity(item: Member, answers: dict[str, str], site_url: str) -> dict:
    """Who and what the system is, from its answers."""
    fallback = Path(item.source.rstrip("/")).name.removesuffix(".git") or item.source
    return {
        "source": item.source,
        "error": None,
        "name": answers.get("project_name") or fallback,
        "description": answers.get("description", ""),
        "organisation": answers.get("organisation", ""),
        "owner": answers.get("owner_name", ""),
        "owner_email": answers.get("owner_email", ""),
        "task_kind": answers.get("task_kind", ""),
        "risk_level": answers.get("risk_level", ""),
        "role": answers.get("role", ""),
        "update_mode": answers.get("update_mode", ""),
        "repo_url": web_address(answers.get("repo_url", "")),
        "site_url": site_url,
    }


def empty_summary() -> dict:
    """The summary of a project that was not read."""
    return {
        "status": ERROR,
        "ok": False,
        "problems": 0,
        "phases": [],
        "documents": [],
        "approvals": [],
        "stale_approvals": 0,
        "overdue_reviews": 0,
        "unfilled_prompts": 0,
        "evidence_out_of_date": 0,
        "untraced_requirements": [],
        "last_change": None,
        "attention": [],
        "registration": [],
        "notes": [],
    }


def error_row(item: Member, message: str, answers: dict | None = None) -> dict:
    """The row of a project that could not be read."""
    row = {**identity(item, answers or {}, ""), **empty_summary(), "error": message}
    row["attention"] = [{"kind": "unreadable", "path": "", "detail": message}]
    return row


def read_member(item: Member, today: date) -> dict:
    """The member's row; never raises."""
    if item.error or item.path is None:
        return error_row(item, item.error or "not read")
    try:
        return project_row(item, today)
    except Exception as exc:  # one project must never stop the register
        return error_row(item, f"could not be read: {type(exc).__name__}: {brief(str(exc))}")


def project_row(item: Member, today: date) -> dict:
    root = item.path
    if not root.is_dir():
        return error_row(item, "is not a folder")
    if not (root / PHASES_FILE).is_file():
        return error_row(item, f"has no {PHASES_FILE}: not a lifecycle project")
    report = check_project(root, today)
    answers, notes = read_answers(root)
    refused = [problem for problem in report.problems if problem.refused]
    if refused:
        more = f" (and {len(refused) - 1} more refused)" if len(refused) > 1 else ""
        return error_row(item, f"{refused[0]}{more}", answers)
    site_url, site_notes = read_site_url(root)
    row = {**identity(item, answers, site_url), **empty_summary(), **summary(report)}
    row["last_change"] = last_change(root)
    row["notes"] = notes + site_notes
    if row["risk_level"] == HIGH_RISK:
        registration, registration_notes = read_registration(root)
        row["registration"] = annex_viii.fields(registration, answers)
        row["notes"] += registration_notes
    return row


def summary(report: Report) -> dict:
    """What the register shows of one checked project."""
    documents = [document_entry(report, doc) for doc in report.documents]
    approvals = [approval_entry(doc) for doc in report.documents if doc.status == "approved"]
    trace = report.traceability
    return {
        "status": worst_status([doc.status for doc in report.documents]),
        "ok": report.ok,
        "problems": len(report.problems),
        "phases": phase_entries(report),
        "documents": documents,
        "approvals": approvals,
        "stale_approvals": sum(entry["state"] != "current" for entry in approvals),
        "overdue_reviews": sum(doc.overdue for doc in report.documents),
        "unfilled_prompts": sum(doc.unfilled for doc in report.documents)
        + sum(report.pages.values()),
        "evidence_out_of_date": sum(entry["evidence_out_of_date"] for entry in documents),
        "untraced_requirements": [r.id for r in trace.requirements if r.result not in TRACED],
        "attention": attention(documents),
    }


def evidence_out_of_date(report: Report, doc: Document) -> int:
    """Cited values that do not match their evidence (the artefacts were
    read once by the check)."""
    if not doc.citations or doc.page is None:
        return 0
    return sum(bool(finding.problem) for finding in examine_page(report.project, doc.page))


def document_entry(report: Report, doc: Document) -> dict:
    """A document as `check --json` reports it, its problems counted."""
    return {
        "path": doc.path,
        "phase": doc.phase,
        "phase_number": doc.phase_number,
        "document": doc.document,
        "title": doc.title,
        "status": doc.status,
        "owner": doc.owner,
        "performed_by": doc.performed_by,
        "provider": doc.provider,
        "approved_by": doc.approved_by,
        "approval": doc.approval or None,
        "last_reviewed": iso(doc.last_reviewed),
        "review_interval_days": doc.review_interval_days,
        "next_review": iso(doc.next_review),
        "overdue": doc.overdue,
        "unfilled": doc.unfilled,
        "citations": doc.citations,
        "evidence_out_of_date": evidence_out_of_date(report, doc),
        "problems": len(doc.problems),
    }


def approval_entry(doc: Document) -> dict:
    """Who approved a document, when, and whether the approval still holds:
    current, changed (the text or its evidence changed since) or missing
    (approved by hand, with no fingerprint)."""
    return {
        "path": doc.path,
        "title": doc.title,
        "approved_by": doc.approved_by,
        "approved_on": iso(doc.last_reviewed),
        "state": doc.approval or "missing",
    }


def phase_entries(report: Report) -> list[dict]:
    """Each phase: its worst status, its documents, prompts and review dates."""
    entries = []
    for phase in report.phases:
        docs = [doc for doc in report.documents if doc.phase == phase.id]
        reviewed = [doc.last_reviewed for doc in docs if doc.last_reviewed]
        due = [doc.next_review for doc in docs if doc.next_review]
        entries.append(
            {
                "number": phase.number,
                "id": phase.id,
                "title": phase.title,
                "status": worst_status([doc.status for doc in docs]),
                "documents": len(docs),
                "unfilled": sum(doc.unfilled for doc in docs),
                "last_reviewed": iso(min(reviewed)) if reviewed else None,
                "next_review": iso(min(due)) if due else None,
                "overdue": any(doc.overdue for doc in docs),
            }
        )
    return entries


def attention(documents: list[dict]) -> list[dict]:
    """What needs someone: overdue reviews, approvals that no longer hold,
    cited values that differ from their evidence."""
    found = []
    for doc in documents:
        if doc["overdue"]:
            found.append(item("overdue", doc, f"review due {doc['next_review']}"))
        if doc["status"] == "approved" and doc["approval"] != "current":
            if doc["approval"] == "changed":
                detail = (
                    f"changed since its approval on {doc['last_reviewed'] or 'an unknown date'}"
                )
            else:
                detail = "approved by hand: no approval fingerprint"
            found.append(item("stale-approval", doc, detail))
        if doc["evidence_out_of_date"]:
            count = doc["evidence_out_of_date"]
            detail = (
                f"{count} cited value{'s differ' if count != 1 else ' differs'} from its evidence"
            )
            found.append(item("evidence", doc, detail))
    return found


def item(kind: str, doc: dict, detail: str) -> dict:
    return {"kind": kind, "path": doc["path"], "detail": detail}


def last_change(root: Path) -> dict | None:
    """The project's last commit (git), when the project is a repository of
    its own: a `.git` that is a file or a link (it would point git at
    another repository) is not followed."""
    marker = root / ".git"
    if marker.is_symlink() or not marker.is_dir():
        return None
    log = git_text(root, "log", "-1", "--no-show-signature", "--format=%H%x00%an%x00%aI", "--", ".")
    parts = (log or "").strip().split("\0")
    if len(parts) != 3:
        return None
    commit, author, when = parts
    return {"commit": commit, "author": author, "date": when}
