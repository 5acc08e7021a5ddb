"""The hostile-repository suite (issue 23): a thousand and more hostile
inputs by class, each run against the package's tools in-process on a tiny
project, with a folder beside it that nothing may touch.

    python -m hostile_suite.run --out results.json          # from tests/
    HOSTILE_SCALE=5 make test-hostile                       # more inputs

kit.py holds the project, the tools and the checks every case shares;
cases.py the cases, class by class; run.py runs them (each under a time
limit, the whole run under a memory limit) and counts the outcomes:
refused cleanly (one `error:` line, or a problem line naming the file),
handled as data (the tool did its work and the value stayed text), or a
failure (a crash, a traceback, a write outside the project, a lost edit,
over 5 s or over 500 MB). tests/test_hostile_suite.py runs it in the slow
tier and fails on any failure.
"""
