"""The Hub export: model-index metric values from the evidence a card cites."""

from __future__ import annotations

from ml_lifecycle.evidence.findings import TARGET, examine
from ml_lifecycle.evidence.sources import artefact
from ml_lifecycle.evidence.values import Missing, as_decimal, cited_number, lookup, rounded
from ml_lifecycle.markdown_model import Citation
from ml_lifecycle.project import Project


def metric_of(key: str) -> str:
    """What a key names: `accuracy` in test.accuracy, accuracy@test, metrics.accuracy."""
    name = key.split("@")[0] if "@" in key else key
    return name.rsplit(".", 1)[-1].casefold()


def chosen_citation(metric: dict, cited: list[Citation]) -> Citation | str | None:
    """The citation a model-index metric takes its value from: the one its
    value names (`value: evidence:eval#test.accuracy`), else the one citation
    in the card whose key names its type or name. A string says why none."""
    value = metric.get("value")
    if isinstance(value, str) and (match := TARGET.fullmatch(value.strip())):
        return Citation("", match.group(1), match.group(2), 0, None, None)
    if value not in (None, ""):
        return None
    names = {str(metric.get(k) or "").casefold() for k in ("type", "name")} - {""}
    matching = {c.target: c for c in cited if metric_of(c.key).casefold() in names}
    if len(matching) > 1:
        return (
            f"several cited values could fill {'/'.join(sorted(names))} "
            f"({', '.join(sorted(matching))}): set its value to evidence:NAME#KEY"
        )
    return next(iter(matching.values()), None)


def hub_value(text: str, value: object) -> object:
    """A value for model-index: a number, rounded as the card cites it."""
    number, cited = as_decimal(value), cited_number(text) if text else None
    if number is None:
        return value
    if cited is not None:
        number = rounded(number, cited[1])
    return float(number) if "." in str(number) or "E" in str(number) else int(number)


def fill_model_index(meta: dict, cited: list[Citation], project: Project) -> list[str]:
    """Fill model-index metric values from the evidence the card cites; the
    warnings to show (a metric whose evidence cannot be read stays as it was)."""
    index = meta.get("model-index")
    if not isinstance(index, list):
        return []
    warnings = []
    metrics = [
        metric
        for model in index
        if isinstance(model, dict)
        for result in (model.get("results") or [])
        if isinstance(result, dict)
        for metric in (result.get("metrics") or [])
        if isinstance(metric, dict)
    ]
    for metric in metrics:
        chosen = chosen_citation(metric, cited)
        if isinstance(chosen, str):
            warnings.append(f"model-index: {chosen}")
        if not isinstance(chosen, Citation):
            continue
        finding = examine(project, chosen) if chosen.text else None
        found = artefact(project, chosen.name)
        try:
            if found is None or found.error:
                raise Missing(found.error if found else f"no evidence {chosen.name} is declared")
            value = lookup(found, chosen.key)
        except Missing as exc:
            warnings.append(f"model-index: {chosen.target} gives no value: {exc}")
            continue
        metric["value"] = hub_value(chosen.text, value)
        if finding is not None and finding.stale:
            warnings.append(
                f"model-index: the card says {chosen.text.strip()} for {chosen.target}; "
                f"the Hub gets the evidence's {metric['value']} "
                "(`ml-lifecycle evidence --update` rewrites the card)"
            )
    return warnings
