"""Class `edits`: documents as editors leave them (CRLF, mixed line ends,
a byte-order mark, lone CRs, no final line end, comments and odd quoting
in the lifecycle block, a flow-style block), edited by `approve` and
`evidence --update`. Either the command refuses and the file is as it was,
or it changes only what it must: every other byte stays, each line keeps
its own line end, and the encoding stays."""

from __future__ import annotations

from pathlib import Path

from package.tiny_projects import document

from hostile_suite.kit import (
    DATA,
    DOC,
    OWNER,
    REFUSED,
    Case,
    Failure,
    approve,
    evidence_update,
    project,
    refused_in_one_line,
    unchanged,
)

BODY = "# Requirements\n\n## Scope\n\nRoute tickets [0.87](evidence:eval#acc).\n"
BLOCKS = {
    "plain": None,
    "comments": "lifecycle:   # the block\n  phase: requirements   # id\n  document: requirements\n"
    "  status: 'draft'   # set by approve\n  owner: " + OWNER + "\n  performed_by: in-house\n"
    "  approved_by: ''  # who\n",
    "folded-owner": "lifecycle:\n  phase: requirements\n  document: requirements\n"
    "  status: draft\n  owner: >-\n    Alice\n    Smith\n  performed_by: in-house\n",
    "list-last": "lifecycle:\n  phase: requirements\n  document: requirements\n"
    "  status: draft\n  owner: Alice\n  performed_by: in-house\n  required_sections:\n"
    "    - Scope\n",
    "flow-block": "lifecycle: {phase: requirements, document: requirements, status: draft, "
    "owner: Alice, performed_by: in-house}\n",
    "status-as-list": "lifecycle:\n  phase: requirements\n  document: requirements\n"
    "  status: [draft]\n  owner: Alice\n  performed_by: in-house\n",
    "tabs-in-values": "lifecycle:\n  phase: requirements\n  document: requirements\n"
    "  status: draft\t\n  owner: Alice\n  performed_by: in-house\n",
    "four-space-indent": "lifecycle:\n    phase: requirements\n    document: requirements\n"
    "    status: draft\n    owner: Alice\n    performed_by: in-house\n",
    "keys-after-block": "lifecycle:\n  phase: requirements\n  document: requirements\n"
    "  status: draft\n  owner: Alice\n  performed_by: in-house\nhub_key: ~\ntags: [a]\n",
    "empty-values": "lifecycle:\n  phase: requirements\n  document: requirements\n"
    "  status:\n  owner: Alice\n  performed_by: in-house\n  last_reviewed:\n"
    "  approval_fingerprint:\n",
}
FORMS = {
    "lf": lambda text: text.encode("utf-8"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "mixed": lambda text: "".join(
        line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(text.split("\n")[:-1])
    ).encode("utf-8"),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "bom-crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    "no-final-newline": lambda text: text.rstrip("\n").encode("utf-8"),
    "lone-cr-in-body": lambda text: text.replace("Route tickets", "Route\rtickets").encode(),
    "trailing-blanks": lambda text: text.replace("\n", "  \n").encode("utf-8"),
}


def source(block: str) -> str:
    if BLOCKS[block] is None:
        return document("requirements", BODY, owner=OWNER)
    return f"---\ntitle: Requirements\n{BLOCKS[block]}---\n\n{BODY}"


def kept_lines(before: bytes, after: bytes) -> None:
    """Every line of the old file that the edit did not touch is still there,
    byte for byte (its line end included)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    lost = [line for line in old if line not in new]
    touched = (b"status", b"approved_by", b"last_reviewed", b"approval_fingerprint", b"[0.")
    if any(not any(word in line for word in touched) for line in lost):
        raise Failure(f"lines changed that the command had no business with: {lost[:2]}")
    if before.startswith(b"\xef\xbb\xbf") != after.startswith(b"\xef\xbb\xbf"):
        raise Failure("the byte-order mark changed")
    if b"\r\r" in after or (b"\r\n" not in before and b"\r\n" in after):
        raise Failure("line ends changed")


def edit_case(command: str, block: str, form: str) -> Case:
    def run(work: Path) -> str:
        root = project(work, evidence='{"acc": 0.9012}')
        raw = FORMS[form](source(block))
        (root / DOC).write_bytes(raw)
        result = approve(root) if command == "approve" else evidence_update(root)
        after = (root / DOC).read_bytes()
        if command == "approve" and result.status != 0:
            unchanged(root / DOC, raw)
            return refused_in_one_line(result)
        if command == "evidence" and after == raw:
            return REFUSED
        kept_lines(raw, after)
        if command == "evidence" and b"[0.90]" not in after:
            raise Failure("evidence --update changed the file but not the value")
        return DATA

    return Case("edits", f"{command}/{block}/{form}", run)


def cases() -> list[Case]:
    return [
        edit_case(command, block, form)
        for command in ("approve", "evidence")
        for block in BLOCKS
        for form in FORMS
        if command == "approve" or block in ("plain", "comments", "flow-block")
    ]
