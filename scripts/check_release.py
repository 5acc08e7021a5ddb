"""Refuse a release whose versions disagree.

    python scripts/check_release.py --tag v0.1.0 --dist dist

The release workflow runs this after building, before anything is published.
It compares the version written in each of these places and exits 1, with one
`error:` line per disagreement, unless they are all the same:

- the tag (`v` followed by the version; `--tag`, default $GITHUB_REF_NAME);
- `__version__` in src/ml_lifecycle/__init__.py, which the build reads;
- `_package_version` in cookiecutter.json;
- the `ml-lifecycle==` pin in requirements-docs.txt of a project baked now
  with the default answers (what a team would get);
- the file names of the sdist and the wheel in `--dist` (one of each).

It needs cookiecutter to bake; everything else is the standard library.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ml-lifecycle"
VERSION_LINE = re.compile(r"""^__version__ = ["']([^"']+)["']$""", re.MULTILINE)
PIN = re.compile(rf"^{re.escape(PACKAGE)}==(\S+)", re.MULTILINE)
# ml_lifecycle-0.1.0.tar.gz, ml_lifecycle-0.1.0-py3-none-any.whl
DIST_NAME = re.compile(r"^ml_lifecycle-(?P<version>[^-]+?)(?:\.tar\.gz|-.+\.whl)$")


def package_version(root: Path = ROOT) -> str:
    text = (root / "src/ml_lifecycle/__init__.py").read_text(encoding="utf-8")
    match = VERSION_LINE.search(text)
    if not match:
        raise SystemExit("error: no __version__ line in src/ml_lifecycle/__init__.py")
    return match.group(1)


def template_version(root: Path = ROOT) -> str:
    config = json.loads((root / "cookiecutter.json").read_text(encoding="utf-8"))
    return config["_package_version"]


def baked_pin(root: Path = ROOT) -> str:
    """The version a project baked from this checkout pins."""
    from cookiecutter.main import cookiecutter

    with tempfile.TemporaryDirectory(prefix="release-bake-") as folder:
        config = Path(folder) / "config.yaml"
        config.write_text(
            f"cookiecutters_dir: {json.dumps(str(Path(folder) / 'clones'))}\n"
            f"replay_dir: {json.dumps(str(Path(folder) / 'replay'))}\n",
            encoding="utf-8",
        )
        project = cookiecutter(
            str(root),
            no_input=True,
            output_dir=str(Path(folder) / "out"),
            config_file=str(config),
        )
        requirements = (Path(project) / "requirements-docs.txt").read_text(encoding="utf-8")
    match = PIN.search(requirements)
    if not match:
        raise SystemExit(f"error: a baked requirements-docs.txt does not pin {PACKAGE}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default=os.environ.get("GITHUB_REF_NAME", ""))
    parser.add_argument("--dist", type=Path, help="folder holding the built sdist and wheel")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.tag:
        parser.error("no tag: pass --tag or set GITHUB_REF_NAME")
    versions = {
        "src/ml_lifecycle/__init__.py": package_version(args.root),
        "cookiecutter.json _package_version": template_version(args.root),
        "a baked requirements-docs.txt": baked_pin(args.root),
    }
    dists = dist_versions(args.dist) if args.dist else None
    problems = disagreements(args.tag, versions, dists)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{args.tag}: the package, the template's pin and the dists all say {args.tag[1:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
