# 码上监督 — the two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# the development WeChat stand-in (app/wechat/standin.py) that `make run` starts; WECHAT_STANDIN=0 to do without
WECHAT_STANDIN ?= 1
WECHAT_PORT ?= 5001

.PHONY: run wechat-standin test test-sqlite test-postgres venv system-deps lint migrate seed lock clean

# requirements.lock pins every package, transitive ones included; requirements*.txt name what we ask for.
$(BIN)/.installed: requirements.txt requirements-dev.txt requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet -r requirements-dev.txt --constraint requirements.lock
	touch $@

venv: $(BIN)/.installed

system-deps:
	@bash tools/system-deps.sh

migrate: venv
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask demo seed

GUNICORN = $(BIN)/gunicorn --workers $(WORKERS) --worker-class sync --timeout 120 --bind $(HOST):$(PORT) \
	--access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms' wsgi:app

run: system-deps seed
	@echo "码上监督 正在 http://$(HOST):$(PORT)/ 运行（Ctrl+C 退出）"
	@# gunicorn sync workers, not `flask run`: the threaded development server segfaults under concurrent
	@# console requests (docs/deployment.md, "The development server"). WORKERS=1 for a single process.
ifeq ($(WECHAT_STANDIN),1)
	@# WeChat is the development stand-in on 127.0.0.1 (README.md, "Try the mini-program path"); it stops with us
	@$(BIN)/python -m app.wechat.standin --port $(WECHAT_PORT) --app-url http://$(HOST):$(PORT) & standin=$$!; \
	trap 'kill $$standin 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	WECHAT_APPID=wxstandin0000001 WECHAT_SECRET=standin-secret-not-for-production \
	WECHAT_API_BASE=http://127.0.0.1:$(WECHAT_PORT)/ WECHAT_TEMPLATE_REPORT_UPDATE=DEV-REPORT-UPDATE \
	$(GUNICORN)
else
	$(GUNICORN)
endif

# the stand-in alone (another terminal, or with WECHAT_STANDIN=0 and your own gunicorn)
wechat-standin: venv
	$(BIN)/python -m app.wechat.standin --port $(WECHAT_PORT) --app-url http://$(HOST):$(PORT)

test: system-deps venv
	$(BIN)/ruff check .
	@echo "== SQLite"
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(BIN)/pytest; fi

test-sqlite: venv
	env -u TEST_DATABASE_URL $(BIN)/pytest

test-postgres: venv
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/mss_test} $(BIN)/pytest

lint: venv
	$(BIN)/ruff check .

# Refresh the lock: resolve requirements-dev.txt (which includes requirements.txt) in a scratch venv and pin
# everything it installed. Review the diff, run `make test`, commit requirements.lock.
lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m venv "$$tmp/venv" && "$$tmp/venv/bin/pip" install --quiet --upgrade pip && \
	"$$tmp/venv/bin/pip" install --quiet -r requirements-dev.txt && \
	{ echo "# Every package of the development venv, pinned; \`make lock\` rewrites this file (docs/dependencies.md)."; \
	  echo "# Production: pip install -r requirements.txt --constraint requirements.lock"; \
	  "$$tmp/venv/bin/pip" freeze --exclude-editable | LC_ALL=C sort -f; } > requirements.lock
	@echo "requirements.lock 已更新：请检查差异并运行 make test"

clean:
	rm -rf $(VENV) instance
