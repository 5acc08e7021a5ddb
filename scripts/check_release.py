"""Refuse a release whose versions disagree; write the pin a template takes
from an index.

    python scripts/check_release.py --tag v0.1.0 --dist dist --index-pin release/package-index.json

The release workflow runs this after building, before anything is published.
It compares the version written in each of these places and exits 1, with one
`error:` line per disagreement, unless they are all the same:

- the tag (`v` followed by the version; `--tag`, default $GITHUB_REF_NAME);
- `__version__` in src/ml_lifecycle/__init__.py, which the build reads;
- the file names of the sdist and the wheel in `--dist` (one of each).

With `--index-pin`, it then writes the value of `_package_index` (in
cookiecutter.json) that makes new bakes install this release from an index:
the version and the sha256 hash of both files. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ml-lifecycle"
VERSION_LINE = re.compile(r"""^__version__ = ["']([^"']+)["']$""", re.MULTILINE)
# ml_lifecycle-0.1.0.tar.gz, ml_lifecycle-0.1.0-py3-none-any.whl
DIST_NAME = re.compile(r"^ml_lifecycle-(?P<version>[^-]+?)(?:\.tar\.gz|-.+\.whl)$")


def package_version(root: Path = ROOT) -> str:
    text = (root / "src/ml_lifecycle/__init__.py").read_text(encoding="utf-8")
    match = VERSION_LINE.search(text)
    if not match:
        raise SystemExit("error: no __version__ line in src/ml_lifecycle/__init__.py")
    return match.group(1)


def dist_versions(dist: Path) -> dict[str, str]:
    """The version in each sdist and wheel file name, by file name."""
    return {
        path.name: match["version"]
        for path in sorted(dist.iterdir())
        if (match := DIST_NAME.match(path.name))
    }


def disagreements(tag: str, versions: dict[str, str], dists: dict[str, str] | None) -> list[str]:
    """One message per place whose version differs from the tag's."""
    if not tag.startswith("v"):
        return [f"tag {tag!r} is not a version tag: it must be v<version>, e.g. v1.2.0"]
    wanted = tag[1:]
    problems = [
        f"{place} says {version}, the tag {tag} says {wanted}"
        for place, version in versions.items()
        if version != wanted
    ]
    if dists is not None:
        kinds = [name.endswith(".whl") for name in dists]
        if kinds.count(True) != 1 or kinds.count(False) != 1:
            problems.append(f"expected one sdist and one wheel, found {sorted(dists) or 'none'}")
        problems += [
            f"{name} is version {version}, the tag {tag} says {wanted}"
            for name, version in dists.items()
            if version != wanted
        ]
    return problems


def index_pin(dist: Path, version: str) -> dict:
    """`_package_index` for cookiecutter.json: this version, from an index,
    with the hash of each file (pip then accepts only these files)."""
    hashes = [
        "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(dist.iterdir())
        if DIST_NAME.match(path.name)
    ]
    return {"version": version, "hashes": hashes, "index_url": ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default=os.environ.get("GITHUB_REF_NAME", ""))
    parser.add_argument("--dist", type=Path, help="folder holding the built sdist and wheel")
    parser.add_argument(
        "--index-pin", type=Path, help="write the _package_index value for this release here"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.tag:
        parser.error("no tag: pass --tag or set GITHUB_REF_NAME")
    versions = {"src/ml_lifecycle/__init__.py": package_version(args.root)}
    dists = dist_versions(args.dist) if args.dist else None
    problems = disagreements(args.tag, versions, dists)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{args.tag}: the package and the dists all say {args.tag[1:]}")
    if args.index_pin and args.dist:
        pin = json.dumps({"_package_index": index_pin(args.dist, args.tag[1:])}, indent=2)
        args.index_pin.parent.mkdir(parents=True, exist_ok=True)
        args.index_pin.write_text(pin + "\n", encoding="utf-8")
        print(f"Wrote {args.index_pin}: paste it into cookiecutter.json to bake from the index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
