# Two commands set everything up on a fresh machine with Python >= 3.11:
#   make run    virtualenv, dependencies, SQLite database with the demo data, server on 127.0.0.1:$PORT
#   make test   the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ENV := DJANGO_DEBUG=1

.PHONY: run test venv migrate messages lint bench

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

migrate: venv
	$(DEMO_ENV) $(PY) manage.py migrate --noinput

# The jobs' worker (imports, exports, mail) runs beside the server and stops with it.
run: migrate
	$(DEMO_ENV) $(PY) manage.py load_demo --if-empty
	$(DEMO_ENV) $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: venv
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Re-extract and compile the Chinese catalogue after changing user-facing strings.
messages: venv
	$(DEMO_ENV) $(PY) manage.py makemessages -l zh_Hans --no-location -i '.venv/*' -i 'bench/*' -i 'tests/*'
	$(DEMO_ENV) $(PY) manage.py compilemessages -l zh_Hans

# Every benchmark on the local PostgreSQL (scratch database nmsurvey_bench); see README.
bench: venv
	$(PY) bench/bench_import.py
	$(PY) bench/bench_reports.py
	$(PY) bench/bench_save.py
	$(PY) bench/bench_load.py --double --floor
	$(PY) bench/bench_lighthouse.py
