"""In-process tests of the ml_lifecycle package on tiny projects (no bake,
no subprocess). A package, so that its module names never meet the
template tests' (tests/test_checker.py and this test_checker.py)."""
