"""Checks that a bake's example answers agree with the fact sheets.

The fact sheets (`templates/facts/`, read by `lifecycle_facts.py`) describe
one fictional system per task kind. `problems(project, answers)` reads a
baked project and the sheet for its answers and returns one line per place
where the documents disagree with the sheet or with each other:

- ids: the requirements specification defines exactly the requirements the
  sheet gives this bake, and every requirement or harm ID an example cites
  is defined in the bake;
- verdicts: a result stated as pass or fail agrees with the requirement's
  threshold and measurement (computed here, not taken from the renderer);
  the V&V report's "which requirements failed" names exactly the failing
  ones;
- numbers: a number stated next to a requirement, in its unit, is its
  threshold, its measurement or a value the sheet lists for it; a quantity
  the sheet defines is stated only as defined;
- rated by people: a metric that people rate is never said to be measured
  automatically or more often than it is rated;
- documents: an example names no document, page or section the bake lacks;
- foreign texts: no sentence the sheets write only for other answers
  (another task kind, update mode, risk level or set of third parties)
  appears in the bake;
- third-party facts: what an example says about the base model's licence or
  card is the sheet's fact.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE))
try:
    import lifecycle_facts as facts
finally:
    sys.path.remove(str(TEMPLATE))

READ = facts.folder_reader(TEMPLATE / "templates")
PHASES = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["_phases"]
STUBS = TEMPLATE / "{{cookiecutter.project_slug|slugify or 'unnamed'}}" / "docs"
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
QUOTE_BLOCK = re.compile(r"(?:^> .*\n?)+", re.MULTILINE)
REQ = re.compile(r"\bREQ-\d{3}\b")
HARM = re.compile(r"\bH-\d{2}\b")
VERDICT = re.compile(r"\b(pass(?:es|ed)?|fail(?:s|ed)?)\b")
HEADING = re.compile(r"^#{2,3} (.+?)\s*$", re.MULTILINE)
QUOTED = re.compile(r'"([^"]{4,80})"')
CADENCES = {"hourly": 0, "daily": 1, "nightly": 1, "weekly": 2, "monthly": 3, "quarterly": 4}
DAYS = {"daily": 1, "weekly": 7, "monthly": 28, "quarterly": 90}
WINDOW = re.compile(r"\b(?:for|after|over|within) (\d+|one|two|three) (hours?|days?)\b")
SMALL = {"one": 1, "two": 2, "three": 3}
MIN_CLAUSE = 25  # shorter clauses ("must", "pass") say too little to belong to anyone
FAILED_QUESTION = "Which requirements failed"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(*`])")
CLAUSE_END = re.compile(r";\s+|(?<=[.!?])\s+(?=[A-Z\"(*`])")
BASE_MODEL_WORDS = ("base model", "provider", "pretrained", "foundation model")
# A clause that tells what a model card says (not one that only files the card).
CARD_CLAIM = re.compile(
    r"\bcard\b.*\b(?:says?|states?|lists?|warns?|describes?|reports?|documents?|names?|notes?)\b",
    re.IGNORECASE,
)
LOWER_START = re.compile(r"[a-z]{2,}\b(?![-_/.\d])")  # not "k = 5" nor "support-tickets"
# Pages that only some bakes have, besides the phases' documents.
OPTIONAL_PAGES = {
    "Supplier register": "supplier-register.md",
    "Compliance crosswalk": "crosswalk.md",
}


# --- reading a bake -------------------------------------------------------------


class Bake:
    """The documents of a baked project, and their example answers."""

    def __init__(self, project: Path):
        docs = project / "docs"
        self.documents = {
            path.relative_to(docs).as_posix(): FRONT_MATTER.sub(
                "", path.read_text(encoding="utf-8")
            )
            for path in sorted(docs.rglob("*.md"))
        }
        self._blocks: list[tuple[str, str, str]] | None = None
        self._read: dict[str, str] | None = None

    def doc(self, name: str) -> str:
        return next(
            text for path, text in self.documents.items() if path.rsplit("/", 1)[-1] == name
        )

    def blocks(self, name: str | None = None) -> list[tuple[str, str, str]]:
        """(document, question, example) for every prompt with an example."""
        if self._read is not self.documents:  # parsed once, again after a test swaps them
            self._blocks = [block for path in self.documents for block in self._parse(path)]
            self._read = self.documents
        return [block for block in self._blocks if not name or block[0].endswith(name)]

    def _parse(self, path: str) -> Iterator[tuple[str, str, str]]:
        text = self.documents[path]
        for block in QUOTE_BLOCK.findall(text):
            joined = " ".join(line[2:] for line in block.splitlines())
            if "*Example:*" in joined:
                question, example = joined.split("*Example:*", 1)
                yield path, question.strip(), example.strip()
        for row in re.findall(r"^\|.*\(example\)\*.*\|$", text, re.MULTILINE):
            cells = [c.strip(" *") for c in row.strip("|").split("|")]
            yield path, "", "; ".join(c.replace(" (example)", "") for c in cells if c)

    def examples(self, name: str | None = None) -> list[tuple[str, str]]:
        return [(path, example) for path, _, example in self.blocks(name)]

    def headings(self) -> set[str]:
        return {h for text in self.documents.values() for h in HEADING.findall(text)}


@functools.cache
def clauses(text: str) -> tuple[str, ...]:
    """A text split at semicolons and sentence ends, each part normalised."""
    parts = (normal(part) for part in CLAUSE_END.split(text))
    return tuple(part for part in parts if part)


@functools.cache
def sentences(text: str) -> tuple[str, ...]:
    return tuple(normal(part) for part in SENTENCE_END.split(text))


def normal(text: str) -> str:
    return " ".join(text.split()).strip(" .*")


# --- the sheet's side ---------------------------------------------------------------


def sheet_for(answers: dict) -> facts.Examples:
    return facts.examples_for(answers, READ)


def passes(spec: dict, measured: float) -> bool:
    """The verdict, computed here from the sheet's threshold and measurement."""
    threshold = spec["threshold"]
    if spec["op"] == "between":
        return float(threshold[0]) <= measured <= float(threshold[1])
    if spec["op"] == ">=":
        return measured >= float(threshold)
    return measured <= float(threshold)


def measurements(sheet: facts.Examples) -> dict[str, tuple[dict, float]]:
    """Each requirement of the bake that has a threshold: its spec and its
    measured value as a number."""
    found = {}
    for rid, spec in sheet.sheet["requirements"].items():
        if rid in sheet.namespace and "op" in spec:
            value = facts.fill(str(spec["measured"]), sheet.namespace, rid)
            found[rid] = (spec, float(value.replace(",", "")))
    return found


def number_pattern(unit: str) -> re.Pattern:
    """A regex that finds numbers written in a requirement's unit."""
    if unit.strip() == "{}":  # bare numbers: only decimals, which counts and IDs are not
        return re.compile(r"(?<![\w.-])(-?\d+\.\d+)(?![\d.]|\s?%)")
    before, after = unit.split("{}")
    start = "" if before else r"(?<![\w.-])"
    end = r"(?!\w)" if after[-1:].isalnum() else ""
    return re.compile(
        start + re.escape(before) + r"(-?\d[\d,]*(?:\.\d+)?)" + re.escape(after) + end
    )


def allowed_numbers(spec: dict, measured: float) -> set[float]:
    threshold = spec.get("threshold")
    values = list(threshold) if isinstance(threshold, list) else [threshold]
    values += [spec.get("earlier"), *spec.get("also", [])]
    return {float(v) for v in values if v is not None} | {measured}


# --- the checks ---------------------------------------------------------------------


def id_problems(bake: Bake, sheet: facts.Examples) -> list[str]:
    in_play = {rid for rid in sheet.namespace if rid.startswith("REQ-")}
    defined = {
        rid
        for _, example in bake.examples("requirements.md")
        for rid in re.findall(r"\b(REQ-\d{3}):", example)
    }
    found = []
    if defined != in_play:
        found.append(
            f"requirements.md defines {sorted(defined - in_play)} that the sheet does not give "
            f"this bake, and lacks {sorted(in_play - defined)}"
        )
    harms = {h for _, example in bake.examples() for h in re.findall(r"\b(H-\d{2}):", example)}
    for path, example in bake.examples():
        for rid in sorted(set(REQ.findall(example)) - defined):
            found.append(f"{path}: cites {rid}, which this bake does not define")
        for harm in sorted(set(HARM.findall(example)) - harms):
            found.append(f"{path}: cites {harm}, which no document of this bake defines")
    return found


def verdict_problems(bake: Bake, sheet: facts.Examples) -> list[str]:
    measured = measurements(sheet)
    found = []
    for path, example in bake.examples():
        if not path.endswith(("validation-report.md", "model-card.md")):
            continue
        for part in set(clauses(example) + sentences(example)):
            cited = set(REQ.findall(part))
            verdicts = VERDICT.findall(part)
            if len(cited) != 1 or not verdicts or cited.isdisjoint(measured):
                continue
            rid = cited.pop()
            stated = verdicts[0].startswith("pass")
            if stated != passes(*measured[rid]):
                found.append(f"{path}: says {rid} {verdicts[0]}: {part!r}")
    failing = {rid for rid, (spec, value) in measured.items() if not passes(spec, value)}
    for path, question, example in bake.blocks("validation-report.md"):
        if FAILED_QUESTION in question and set(REQ.findall(example)) != failing:
            found.append(
                f"{path}: lists {sorted(set(REQ.findall(example)))} as failed; the sheet's "
                f"thresholds and measurements fail {sorted(failing)}"
            )
    return found


def cited_requirements(part: str, sheet: facts.Examples, measured: dict) -> set[str]:
    cited = set(REQ.findall(part)) & set(measured)
    for rid in measured:
        for phrase in sheet.sheet["requirements"][rid].get("recognise", []):
            if phrase.lower() in part.lower():
                cited.add(rid)
    return cited


def number_problems(bake: Bake, sheet: facts.Examples) -> list[str]:
    measured = measurements(sheet)
    tolerance = float(re.findall(r"\d+(?:\.\d+)?", sheet.get("system.machine_tolerance"))[0])
    found = []
    for path, example in bake.examples():
        for part in clauses(example):
            by_pattern: dict[str, set[float]] = {}
            for rid in cited_requirements(part, sheet, measured):
                spec, value = measured[rid]
                unit = facts.fill(spec.get("unit", "{}"), sheet.namespace, rid)
                key = number_pattern(unit).pattern
                by_pattern.setdefault(key, set()).update(allowed_numbers(spec, value))
            for pattern, allowed in by_pattern.items():
                for match in re.finditer(pattern, part):
                    number = float(match.group(1).replace(",", ""))
                    # "N worse" is a change, held to the sheet's tolerance, not a level
                    change = re.match(r"\s+worse\b", part[match.end() :])
                    if number not in ({tolerance} if change else allowed):
                        found.append(
                            f"{path}: states {match.group(1)} next to a requirement: {part!r}"
                        )
    found += quantity_problems(bake, sheet)
    return found


def quantity_problems(bake: Bake, sheet: facts.Examples) -> list[str]:
    """Quantities the sheet defines are stated as defined; one it does not
    define for this bake is not stated at all."""
    found = []
    for rule in sheet.sheet.get("quantities", []):
        try:
            value = facts.fill("{" + rule["fact"] + "}", sheet.namespace, rule["fact"])
        except facts.FactError:
            value = None
        for path, example in bake.examples():
            for match in re.finditer(rule["pattern"], example):
                stated = next(group for group in match.groups() if group)
                if value is None or stated != value:
                    found.append(
                        f"{path}: states {match.group(0)!r}; the sheet's {rule['fact']} is {value}"
                    )
    return found


def rating_problems(bake: Bake, sheet: facts.Examples) -> list[str]:
    """A metric rated by people is not measured automatically, nor more often
    than it is rated. A clause is judged when every requirement it cites is
    rated by people (a cadence word could belong to another one)."""
    found = []
    rated = {
        rid: spec
        for rid, spec in sheet.sheet["requirements"].items()
        if spec.get("measured_by") == "people" and rid in sheet.namespace
    }
    for path, example in bake.examples():
        for part in set(clauses(example) + sentences(example)):
            cited = set(REQ.findall(part))
            if not cited or not cited <= set(rated):
                continue
            cadence = min((rated[rid].get("cadence", "weekly") for rid in cited), key=CADENCES.get)
            names = ", ".join(sorted(cited))
            if "automatic" in part.lower():
                found.append(f"{path}: {names} rated by people, not automatically: {part!r}")
            for word, rank in CADENCES.items():
                if re.search(rf"\b{word}\b", part, re.IGNORECASE) and rank < CADENCES[cadence]:
                    found.append(f"{path}: {names} rated {cadence}, not {word}: {part!r}")
            for amount, span in WINDOW.findall(part):
                count = SMALL.get(amount) or int(amount)
                days = count / 24 if span.startswith("hour") else count
                if days < DAYS[cadence]:
                    found.append(f"{path}: {names} rated {cadence}; {amount} {span} cannot show it")
    return sorted(set(found))


@functools.cache
def stub_headings() -> frozenset[str]:
    """Every section heading any stub can have."""
    return frozenset(
        h for path in STUBS.rglob("*") if path.is_file() for h in HEADING.findall(path.read_text())
    )


def prose_problems(bake: Bake) -> list[str]:
    """An example reads as a sentence: it opens with a capital (or a name,
    number or code) and never ends a sentence twice."""
    found = []
    for path, question, example in bake.blocks():
        if question and LOWER_START.match(example):
            found.append(f"{path}: an example opens in lower case: {example[:60]!r}")
        if re.search(r"\.\.(?!\.)", example.replace("…", "")):
            found.append(f"{path}: a sentence ends twice: {example!r}")
    return found


def document_problems(bake: Bake, answers: dict) -> list[str]:
    present = {path.rsplit("/", 1)[-1] for path in bake.documents}
    missing = {
        doc["title"]: f"{doc['id']}.md"
        for phase in PHASES
        for doc in phase["documents"]
        if f"{doc['id']}.md" not in present
    }
    missing.update({title: page for title, page in OPTIONAL_PAGES.items() if page not in present})
    headings = bake.headings()
    found = []
    for path, example in bake.examples():
        for title in missing:
            if title.lower() in example.lower():
                found.append(f"{path}: names the {title.lower()}, which this bake lacks")
        for quoted in QUOTED.findall(example):
            if quoted in stub_headings() and quoted not in headings:
                found.append(f"{path}: names the section {quoted!r}, which this bake lacks")
    return found


def third_party_problems(bake: Bake, sheet: facts.Examples) -> list[str]:
    """What examples say about the base model's licence and card is the
    sheet's fact, printed from it, not a paraphrase."""
    base = sheet.namespace.get("base")
    if not base:
        return []
    card_facts = clauses(base["card_gap"]) + clauses(base["card_limits"])
    found = []
    for path, question, example in bake.blocks():
        # an answer to a question about the base model speaks of it throughout
        asked = any(word in question.lower() for word in BASE_MODEL_WORDS)
        for part in clauses(example):
            lowered = part.lower()
            named = any(word in lowered for word in BASE_MODEL_WORDS) or base["id"] in part
            if "licence" in lowered and named and base["licence"] not in part:
                found.append(f"{path}: speaks of the base model's licence without it: {part!r}")
            card_fact = any(f.lower() in lowered for f in card_facts)
            if CARD_CLAIM.search(part) and (named or asked) and not card_fact:
                found.append(
                    f"{path}: says what the base model's card says, not as the sheet does: {part!r}"
                )
    return found


# --- foreign texts --------------------------------------------------------------------


def rendered(sheet: facts.Examples, texts: Iterator[tuple[str, str]]) -> frozenset[str]:
    """The clauses of these texts, rendered with the sheet's facts; a text
    that needs a fact this answer set lacks is left out."""
    found = set()
    for key, text in texts:
        try:
            value = facts.fill(text, sheet.namespace, key)
        except facts.FactError:
            continue
        found.update(clause for clause in clauses(value) if len(clause) >= MIN_CLAUSE)
    return frozenset(found)


def applying_texts(sheet: facts.Examples, raw: dict) -> Iterator[tuple[str, str]]:
    """The texts of a raw sheet (a file) that apply to the sheet's answers."""
    for key, text in (raw.get("examples") or {}).items():
        yield key, str(text)
    for slot, items in (raw.get("questions") or {}).items():
        for item in items:
            yield slot, item["example"]
    for rid in raw.get("requirements") or {}:
        if rid in sheet.namespace:
            yield rid, "{" + rid + ".definition}"
    for section, values in sheet.chosen.items():
        for value in values:
            for part, body in facts.section_bodies(raw, section, value):
                for key, text in (body.get("examples") or {}).items():
                    yield f"{section}.{part}.{key}", str(text)


@functools.cache
def own_clauses(kind: str, update_mode: str, risk_level: str, third_parties: str) -> frozenset:
    """Every clause the sheets give a bake with these answers."""
    answers = dict(
        task_kind=kind, update_mode=update_mode, risk_level=risk_level, third_parties=third_parties
    )
    sheet = sheet_for(answers)
    found = frozenset()
    for name in ("common", kind):
        found |= rendered(sheet, applying_texts(sheet, READ(f"{facts.FACTS_FOLDER}/{name}.yaml")))
    return found


def alternatives(answers: dict) -> Iterator[tuple[str, dict]]:
    """The answer sets that differ from these in one option the sheets read."""
    for option, values in [
        ("task_kind", facts.TASK_KINDS),
        ("update_mode", facts.UPDATE_MODES),
        ("risk_level", facts.RISK_LEVELS),
        ("third_parties", facts.THIRD_PARTIES),
    ]:
        for value in values:
            if value != answers[option]:
                yield f"{option} {value}", {**answers, option: value}


def key(answers: dict) -> tuple[str, str, str, str]:
    return (
        answers["task_kind"],
        answers["update_mode"],
        answers["risk_level"],
        answers["third_parties"],
    )


def foreign_problems(bake: Bake, answers: dict) -> list[str]:
    """Sentences the sheets write only for other answers (another task kind,
    update mode, risk level or set of third parties) do not appear."""
    own = own_clauses(*key(answers))
    foreign: dict[str, str] = {}
    for label, other in alternatives(answers):
        for clause in own_clauses(*key(other)) - own:
            foreign.setdefault(clause, label)
    found = []
    for path, example in bake.examples():
        for clause in clauses(example):
            if clause in foreign:
                found.append(f"{path}: {clause!r} belongs to {foreign[clause]}")
    return found


# --- all of them -----------------------------------------------------------------------


def check(bake: Bake, answers: dict, sheet: facts.Examples | None = None) -> list[str]:
    """Every disagreement between a bake's examples and its fact sheet."""
    sheet = sheet or sheet_for(answers)
    return (
        id_problems(bake, sheet)
        + verdict_problems(bake, sheet)
        + number_problems(bake, sheet)
        + rating_problems(bake, sheet)
        + document_problems(bake, answers)
        + prose_problems(bake)
        + third_party_problems(bake, sheet)
        + foreign_problems(bake, answers)
    )


def problems(project: Path, answers: dict) -> list[str]:
    """`check` for a baked project."""
    return check(Bake(project), answers)
