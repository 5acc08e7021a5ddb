# ml-lifecycle: a cookiecutter template for ML lifecycle documentation.
# `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help venv demo demo-serve labels lock test test-fast lint format guide guide-zensical guide-serve bench bench-portfolio clean

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

bench: $(BIN)/.installed ## Time bake, site build and checker against their targets
	$(BIN)/python scripts/benchmark.py

bench-portfolio: $(BIN)/.installed ## Time the register of 1,000 projects and check at 10,000 documents
	$(BIN)/python scripts/benchmark_portfolio.py

clean: ## Remove the virtual environment and build output
	rm -rf $(VENV) build site node_modules
