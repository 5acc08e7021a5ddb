"""ml-lifecycle: the tooling behind a lifecycle documentation project.

The `ml-lifecycle` command (check, hub-card, dossier) and the MkDocs plugin
`lifecycle` read a project's `lifecycle.yml` and the front matter of its
documents; a project itself holds no code.
"""

# The one place the version is written: the build backend reads it from here.
__version__ = "0.1.0"
