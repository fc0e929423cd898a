# The README's two commands: `make run` (set up, migrate, load the demo, start the app)
# and `make test` (install test tools, start PostgreSQL and run the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run serve test bench demo lint clean

$(VENV)/.installed: requirements.txt
	@echo ">>> 首次安装依赖（约 1–2 分钟，逐个显示进度）/ installing the pinned dependencies (1–2 minutes the first time)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	@echo ">>> 安装测试工具 / installing the test tools"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m campaign demo --if-empty
	$(VENV)/bin/streamlit run dashboard.py --server.port $(PORT)

# Like run, without the demo data (a real deployment; the app migrates on start). Refuses
# to start (python -m campaign check-deploy) on a database nobody can enter, printing the one
# command to run first (python -m campaign init: migrates and creates the first administrator),
# and while any account still has the demo password.
serve: $(VENV)/.installed
	$(PY) -m campaign check-deploy
	$(VENV)/bin/streamlit run dashboard.py --server.port $(PORT)

test: $(VENV)/.dev-installed
	bash scripts/test.sh

demo: $(VENV)/.installed
	$(PY) -m campaign demo --replace

bench: $(VENV)/.dev-installed
	$(PY) -m campaign bench validate --rows 100000

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check campaign data_access ui pages dashboard.py tests

clean:
	rm -rf $(VENV) data
