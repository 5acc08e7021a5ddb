"""MkDocs hooks for the guide: generate the template-derived content before
each build (guide/build.py), derive the navigation from the phases, serve
the assets a baked project ships and point the figure's raw HTML at them
from every page.

Builders that do not run MkDocs hooks run `python -m guide.build` first; the
snippets then come from build/guide/ as configured in mkdocs.yml.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from guide import build  # noqa: E402  (needs the repository root on sys.path)

SNIPPETS = "pymdownx.snippets"
_generated: dict[str, Path] = {}


def on_config(config):
    """Generate (or reuse) the content, and point the snippets extension at it
    by absolute path, so the build works from any working directory."""
    try:
        out = build.generate()
    except build.GuideBuildError as error:
        raise PluginError(f"guide: {error}") from error
    config.mdx_configs.setdefault(SNIPPETS, {})["base_path"] = [str(out)]
    _generated["out"] = out
    if config.nav is None:  # derived from cookiecutter.json's _phases
        config.nav = build.navigation(Path(config.docs_dir))
    return config


def on_files(files: Files, config) -> Files:
    """Add the figure and the stylesheet of a baked project, and the site of
    the high-risk worked example, to the guide."""
    out = _generated["out"]
    for path in (*build.ASSETS, *build.example_files(out)):
        files.append(File.generated(config, path, abs_src_path=str(out / path)))
    return files


def on_page_content(html: str, page, config, files) -> str:
    """The figure is raw HTML (figure.md), whose links name the assets from
    docs/ as Markdown links do. Zensical rewrites such links for the page's
    address; MkDocs leaves raw HTML alone, so do it here."""
    return re.sub(
        r'(?<= )(href|src|srcset)="(assets/lifecycle[^"]*)"',
        lambda m: f'{m[1]}="{get_relative_url(m[2], page.url)}"',
        html,
    )


def on_serve(server, config, builder):
    """Rebuild the preview when the template or the generator changes."""
    for path in (build.TEMPLATE_DIR, ROOT / "templates", ROOT / "cookiecutter.json"):
        server.watch(str(path))
    server.watch(str(build.example.FOLDER))
    server.watch(str(ROOT / "guide"))
    return server
