# QA Center — two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PORT   ?= 8000

.PHONY: demo test venv dev-venv engine lint migrations-check messages serve worker beat bench clean

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

## engine: compile the engine's hot modules with Cython (a no-op when up to date; without a C
## compiler the pure-Python engine runs, same results; CI, QA_REQUIRE_SERVICES=1, needs it built)
engine: venv
	$(PY) -m scoring.engine.build $(if $(filter 1,$(QA_REQUIRE_SERVICES)),--strict)

## demo: set up, migrate, seed the demo hotline and serve it on http://127.0.0.1:$(PORT).
## It does not wait for the engine's compile: the pure-Python engine (same results) scores the
## demo's calls, and the compiled engine is built in the background for the next start.
demo: venv
	$(PY) manage.py migrate --no-input
	QA_DEMO=1 $(PY) manage.py seed_demo
	@mkdir -p var
	@if $(PY) -m scoring.engine.build --status >/dev/null 2>&1; then :; else \
	  echo "  Compiling the compliance engine in the background (log: var/engine-build.log);"; \
	  echo "  until it is done, and until the next start, the pure-Python engine runs (same results)."; \
	  nohup $(PY) -m scoring.engine.build > var/engine-build.log 2>&1 & fi
	@echo ""
	@echo "  QA Center demo: http://127.0.0.1:$(PORT)/"
	@echo ""
	QA_DEMO=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: lint, check migrations, run every test, then the engine's tests on its pure-Python modules
test: dev-venv engine
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(VENV)/bin/pytest
	QA_ENGINE_PURE=1 $(VENV)/bin/pytest tests/scoring/engine -q

lint: dev-venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## messages: collect translatable strings into locale/ (then translate locale/zh_Hans/…/django.po)
messages: dev-venv
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

serve: venv engine
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: venv engine
	$(VENV)/bin/celery -A qa_center worker -l info

beat: venv
	$(VENV)/bin/celery -A qa_center beat -l info

bench: dev-venv engine
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles build scoring/engine/*.so scoring/engine/_compiled.json
