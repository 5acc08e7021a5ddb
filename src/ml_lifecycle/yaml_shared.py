"""YAML read once per distinct text in a process, for commands that read
many files: the same front matter recurs in copies of a document and in
every project baked from one template, and so does `lifecycle.yml`.

`load_shared(text)` is `limits.load_yaml_node(text)` (screened, bounded,
dates kept as text), its result shared by every caller that reads the same
text: read it, never change it. A text that fails fails the same way each
time, with an exception of its own. Bounded (least recently used entries go
first) and in memory only: nothing a repository or a CI cache holds can
supply an entry.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from ml_lifecycle import limits

SHARED_TEXTS = 512  # a front matter with its nodes: up to some tens of KB


def load_shared(text: str) -> tuple[object, yaml.Node | None]:
    """The data and the node tree of one YAML document. Raises
    limits.Refused or yaml.YAMLError, as load_yaml_node does."""
    found = _loaded(text, limits.MAX_YAML_DEPTH)
    if isinstance(found, Exception):
        raise found.with_traceback(None)  # a traceback of its own each time
    return found


@lru_cache(maxsize=SHARED_TEXTS)
def _loaded(text: str, *_limits: int) -> tuple[object, yaml.Node | None] | Exception:
    try:
        return limits.load_yaml_node(text)
    except (limits.Refused, yaml.YAMLError) as exc:
        return exc
