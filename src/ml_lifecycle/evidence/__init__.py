"""Evidence-linked values: numbers in a document that come from an
evaluation artefact, and go stale when it changes.

`lifecycle.yml` names the sources (see project.py):

    evidence:
      eval: reports/eval.json          # a JSON file: dotted keys (test.accuracy, slices.0.f1)
      slices: reports/slices.csv       # a CSV file: column@row, the row by its first cell
      run: mlflow:runs:/0a1b2c3d       # an MLflow run: a metric or parameter name

A document cites a value as a Markdown link whose text is the value:
`[0.87](evidence:eval#test.accuracy)`. It reads as "0.87" on GitHub, in a
Zensical build and in the raw file. A cited number matches its source when
the source, rounded to the digits the document writes, is that number (0.87
matches 0.8712). What does not match is reported with its file and line; it
fails `check` once the document is in review or approved.

The package by concern: sources.py reads the artefacts, values.py looks
values up and compares them, findings.py is what `check` reports, site.py
shows citations in the site and the dossier, hub.py fills the Hub card's
model-index, update.py is `ml-lifecycle evidence [--update]`. Citations
themselves are found by the Markdown model (markdown_model.py).

Evidence files are untrusted like every other file: read through limits.py
(inside the project, bounded size), and a file that is not valid JSON or CSV
is one line naming it, never a traceback.
"""
