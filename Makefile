# Carnet: `make run` to serve the site, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The stamp is newer than pyproject.toml once its pinned dependencies are installed:
# a second `make run` does not reinstall anything.
STAMP := $(VENV)/.installed
# Development values for the commands below (the settings' defaults are the production-safe ones).
MANAGE := DJANGO_DEBUG=1 $(BIN)/python manage.py
# The suite runs on every core (pytest-xdist), four at most: its tests start servers and browsers
# of their own. JOBS=0 runs it in one process (pdb, -s).
JOBS ?= auto
XDIST = -n $(JOBS) --maxprocesses 4

.PHONY: run test test-s3 test-clock test-multinode lint format install migrate messages sample static clean node snapshots

run: install messages migrate sample
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: install messages node
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The tests that touch media again, with media in an S3 bucket: moto's S3 server on loopback,
# started by the run (tests/support/s3.py), each test in a prefix of its own.
S3_TESTS ?= tests/images tests/porting tests/admin tests/site tests/public/test_feeds.py \
	tests/public/test_seo.py tests/security/test_security_files.py
test-s3: install messages
	CARNET_TEST_STORAGE=s3 $(BIN)/python -m pytest -q $(XDIST) -m "not browser" $(S3_TESTS) $(PYTEST_ARGS)

# The suite with the clock set to the instants where the site's zone (Paris) and UTC disagree
# on the day, the month or the year: New Year's Eve, a summer night, the two clock changes,
# 29 February. The browser tests run at the real time (their browser keeps its own clock), and
# the tests whose code runs in a child process (marked child_process) are left out: the frozen
# clock is this process's only, so there they would run at the real time again.
CLOCKS ?= 2026-12-31T23:30:00Z 2027-07-14T22:30:00Z 2027-03-28T00:45:00Z \
	2027-10-31T00:45:00Z 2028-02-29T23:30:00Z
test-clock: install messages
	@for clock in $(CLOCKS); do \
		echo "== make test-clock: the suite at $$clock"; \
		$(BIN)/python -m pytest -q $(XDIST) -m "not browser and not multinode and not child_process" --clock=$$clock $(PYTEST_ARGS) || exit 1; \
	done

# Carnet on several machines, on this one (tests/deploy/test_multinode.py): a PostgreSQL database,
# Redis, moto's S3 server, two gunicorn nodes and nginx (deploy/nginx.conf), all started by the
# test on free ports. `make test` runs it too (skipped with the reason where a part is missing);
# this target runs it alone and shows each phase's time (-s). Not in test-clock: its servers
# keep the real time.
test-multinode: install messages
	$(BIN)/python -m pytest -q -s -m multinode $(PYTEST_ARGS)

# Rewrite the public pages' golden HTML files (tests/public/snapshots/) after a change meant to
# change pages, on SQLite and on PostgreSQL (SNAPSHOTS_DATABASE_URL); review the diff.
SNAPSHOTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/carnet
snapshots: install messages
	CARNET_UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/public/test_snapshots.py
	DATABASE_URL=$(SNAPSHOTS_DATABASE_URL) CARNET_UPDATE_SNAPSHOTS=1 \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/public/test_snapshots.py

# Test-only checkers (Nu HTML Checker, axe-core), pinned in package-lock.json; installed only
# where npm exists (their tests skip with the reason otherwise, and fail in CI).
# --ignore-scripts: vnu-jar ships its jar; its install script would try to fetch a Java.
node: node_modules/.installed

node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else echo "npm not found: the HTML validity and accessibility tests will be skipped"; fi

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	touch $(STAMP)

# Compiled catalogues are build output (not committed): rebuilt when a .po changes.
messages: install locale/fr/LC_MESSAGES/django.mo

# polib, not compilemessages: a fresh machine may not have GNU gettext's msgfmt.
locale/fr/LC_MESSAGES/django.mo: locale/fr/LC_MESSAGES/django.po $(STAMP)
	$(MANAGE) compile_translations --verbosity 0

migrate: install
	$(MANAGE) migrate --noinput --verbosity 0

# Loads the user's real content through the importer; safe to run again (create or update by source file).
sample: migrate
	$(MANAGE) import_markdown fixtures/content

# Production's static files: DEBUG off, so collectstatic writes the manifest and the hashed,
# compressed names that whitenoise serves (with DJANGO_DEBUG=1 it writes neither, and every
# page would be a 500). Run it with the server's DJANGO_STATIC_ROOT; it also compiles the
# translations (French chrome). Needs no secret key.
static: install messages
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache db.sqlite3 db.sqlite3-wal db.sqlite3-shm
