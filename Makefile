# Entry points for people and CI. Everything installs into .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
SCREENSHOTS := $(CURDIR)/test-artifacts/screenshots

WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * os.cpu_count() + 1)')
PRODUCTION := DJANGO_SETTINGS_MODULE=tipsite.settings.production
# The demo accounts (README's passwords) exist only where these are asked for explicitly.
DEMO := DJANGO_SETTINGS_MODULE=tipsite.settings.development DEMO_ACCOUNTS=true

SIZE ?= full
# The port `make run` and `make serve` listen on (development links in e-mails follow it).
PORT ?= 8000

.PHONY: install checkers run serve test lint format migrations-check deploy-check bench

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

## run: set up, load the demo network and serve it on http://127.0.0.1:8000/ (PORT=8001: another port)
run: install
	$(DEMO) $(BIN)/python manage.py migrate --noinput
	$(DEMO) $(BIN)/python manage.py seed_demo
	$(DEMO) PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## serve: production settings under gunicorn on http://127.0.0.1:8000 or PORT (plain HTTP, to try it
## here; behind TLS leave HTTPS unset). SECRET_KEY defaults to one kept in .secret_key.
## migrate runs the database checks first: it stops here while an account still has a demo
## password from `make run` (tipsite/checks.py), and so does tipsite.wsgi.
## migrate also makes the table the workers share their cache through when REDIS_URL is unset
## (REDIS_URL=redis://... make serve puts it in Redis); README, "How fresh pages are".
serve: install
	@test -s .secret_key || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > .secret_key
	@$(PRODUCTION) SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" HTTPS="$${HTTPS:-false}" \
	SERVE_MEDIA="$${SERVE_MEDIA:-true}" sh -c '\
		$(BIN)/python manage.py migrate --noinput && \
		$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
		exec $(BIN)/gunicorn tipsite.wsgi:application --bind 127.0.0.1:$(PORT) \
			--workers $(WORKERS) --timeout 30 --graceful-timeout 10'

## bench: build the benchmark network and load it with wrk beside a stock Django project: crawl,
## zipf and hot rows (SIZE=quick: ~1 minute). Uses $$DATABASE_URL (PostgreSQL) when set, else
## bench/data/bench.sqlite3. See bench/README.md.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/suite.py --size $(SIZE)

## deploy-check: Django's deployment checklist against the production settings
deploy-check: install
	$(PRODUCTION) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=tips.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

## test: set up, lint, check migrations and deployment settings, run the whole suite
test: install checkers lint migrations-check deploy-check
	@$(BIN)/python -m pytest; status=$$?; \
	echo "Browser screenshots (375 px and 1280 px): $(SCREENSHOTS)/"; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
