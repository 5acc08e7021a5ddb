# ml-lifecycle: a cookiecutter template for ML lifecycle documentation.
# `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help venv demo demo-serve labels lock test test-fast test-hostile lint format guide guide-zensical guide-serve bench bench-portfolio clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements-dev.txt requirements-release.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

venv: $(BIN)/.installed ## Create .venv with the pinned tools

demo: $(BIN)/.installed ## Bake a project with the default answers and build its site
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input . --output-dir $(DEMO)
	cd $(DEMO)/* && $(CURDIR)/$(BIN)/mkdocs build --strict --quiet
	@echo "Baked project: $$(ls -d $(DEMO)/*)"
	@echo "View its site: make demo-serve (http://127.0.0.1:8000); opened from disk,"
	@echo "               site/index.html has no search and its links show folders."

demo-serve: $(BIN)/.installed ## Preview the demo project's site (run `make demo` first)
	cd $(DEMO)/* && $(CURDIR)/$(BIN)/mkdocs serve

labels: ## Derive the choice labels shown at the prompts from cookiecutter.json's help
	$(PYTHON) scripts/prompt_labels.py

lock: $(BIN)/.installed ## Lock the site tools a bake installs, hashed, from pyproject.toml (needs the index)
	$(BIN)/python scripts/lock_docs.py

# markdownlint-cli2 comes from npm. Without npm the Markdown lint test is
# skipped locally; under CI it fails instead.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the markdownlint test will be skipped"; \
	fi

test: $(BIN)/.installed node_modules/.installed ## Run the whole test suite: lint, fast and slow tiers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -m "not fast_only" -n auto --dist worksteal

test-fast: $(BIN)/.installed ## Run the fast tier only
	$(BIN)/pytest -n auto --dist worksteal

test-hostile: $(BIN)/.installed ## Run the hostile suite with pages near their limits, and 400 hostile answer sets
	cd tests && HOSTILE_SCALE=$${HOSTILE_SCALE:-2} PYTHONPATH=. $(CURDIR)/$(BIN)/python -m hostile_suite.run
	HOSTILE_SCALE=$${HOSTILE_SCALE:-2} $(BIN)/pytest -m slow -n auto --dist worksteal tests/test_hostile.py

lint: $(BIN)/.installed ## Lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed ## Format the Python code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

guide: $(BIN)/.installed ## Build the template's own guide into site/ (strict)
	$(BIN)/python -m guide.build
	$(BIN)/mkdocs build --strict
	@echo "Guide built in site/; preview it with 'make guide-serve'."

guide-zensical: $(BIN)/.installed ## Build the guide with Zensical (it runs no MkDocs hooks)
	$(BIN)/python -m guide.build
	$(BIN)/zensical build
	$(BIN)/python -m guide.build --site site
	@echo "Guide built with Zensical: site/index.html"

guide-serve: $(BIN)/.installed ## Preview the guide at http://127.0.0.1:8000
	$(BIN)/python -m guide.build
	$(BIN)/mkdocs serve

# The bake's baseline: cookiecutter-data-science at a fixed tag, baked with its
# `ccds` command. Both bakes run in one small environment: cookiecutter as the
# README pins it, and ccds with its one extra dependency.
BENCH := build/bench
CCDS_TAG := v2.3.0
$(BENCH)/cookiecutter-data-science:
	git clone --quiet --depth 1 --branch $(CCDS_TAG) https://github.com/drivendataorg/cookiecutter-data-science $@

$(BENCH)/venv/.installed: $(BENCH)/cookiecutter-data-science constraints.txt
	$(PYTHON) -m venv $(BENCH)/venv
	$(BENCH)/venv/bin/pip install --quiet -c constraints.txt cookiecutter==2.7.1 tomlkit==0.15.3
	$(BENCH)/venv/bin/pip install --quiet --no-deps ./$(BENCH)/cookiecutter-data-science
	@touch $@

bench: $(BIN)/.installed $(BENCH)/venv/.installed ## Time bake, site build and checker against their targets
	$(BIN)/python scripts/benchmark.py --ccds $(BENCH)/cookiecutter-data-science --bake-python $(BENCH)/venv/bin/python

bench-portfolio: $(BIN)/.installed ## Time the register of 1,000 projects and check at 10,000 documents
	$(BIN)/python scripts/benchmark_portfolio.py

clean: ## Remove the virtual environment and build output
	rm -rf $(VENV) build site node_modules
