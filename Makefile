# Entry points for people and CI. Everything installs into .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
SCREENSHOTS := $(CURDIR)/test-artifacts/screenshots

.PHONY: install checkers run test lint format migrations-check

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Test-only checkers from the npm registry (pinned in package-lock.json): the Nu Html Checker
# and axe-core. Without npm their tests skip on a developer's machine; CI requires them.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
		echo "npm not found: the HTML and accessibility checks will be skipped."; \
	fi

checkers: $(NODE_STAMP)

## run: set up, load the demo network and serve it on http://127.0.0.1:8000/
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## test: set up, lint, check migrations, run the whole suite (browser tests included)
test: install checkers lint migrations-check
	@$(BIN)/python -m pytest; status=$$?; \
	echo "Browser screenshots (375 px and 1280 px): $(SCREENSHOTS)/"; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
