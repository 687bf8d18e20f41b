# The course's commands. Each one creates the virtual environment (.venv) first if it is missing
# or older than pyproject.toml, so a fresh clone needs nothing installed by hand but Python 3.10+.
#
#   make demo        release + sample submissions + autograde + feedback + grade table (main job)
#   make test        the test suite (what CI runs)
#   make test-fast   the fast layer (unit tests, record/replay, the CLI): under a minute on 2 cores
#   make help        every target

PYTHON3 ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp

# Data: $GAN_DATA_DIR if set; else ../shared/data when it exists (the offline MNIST copy this
# project's CI machines carry); else the loader's default cache folder, downloading on first use.
GAN_DATA_DIR ?= $(wildcard $(abspath ../shared/data))
ifneq ($(strip $(GAN_DATA_DIR)),)
export GAN_DATA_DIR
endif

.PHONY: help venv demo release samples autograde feedback export report pieces answers kit classifiers notebooks benchmark benchmark-grading test formgrade clean test-fast

help:
	@echo "make demo        set up, then release every assignment, autograde the bundled sample submissions,"
	@echo "                 write feedback and grades.csv, and print the grade table"
	@echo "make test        run the test suite"
	@echo "make test-fast   the fast layer: every test not marked slow (no sandbox, kernel or nbgrader run), under a minute on 2 cores"
	@echo "make release     nbgrader generate_assignment for every assignment -> release/"
	@echo "make autograde   grade every submission under submitted/ in the sandbox, in parallel (Dask), into"
	@echo "                 nbgrader's gradebook; AUTOGRADE_ARGS='--student ID', '--scheduler tcp://HOST:8786', '--force'"
	@echo "make feedback    nbgrader generate_feedback (HTML) -> feedback/"
	@echo "make export      nbgrader export -> grades.csv, and beside it the grades per check, per student,"
	@echo "                 for Canvas's import and as a roster (Gradescope, Moodle)"
	@echo "make report      grade table with the whole reason for every lost point (python -m course report --help)"
	@echo "make formgrade   open JupyterLab with nbgrader's formgrader to grade written answers"
	@echo "make pieces      rewrite each notebook's given copy of earlier solutions (the 'pieces' cell) from them"
	@echo "make answers     regenerate answers/ (visible) and answers/hidden/ (grader only) from the solutions"
	@echo "make kit         the student kit in build/student-kit/: helpers, visible answers, release (after make release)"
	@echo "make classifiers retrain the sample-quality classifier (helpers/weights/mnist.npz) from the data on disk"
	@echo "make notebooks   execute every source notebook headless (SMOKE=1 for the quick setting)"
	@echo "make benchmark   training speed against a CS231n-style loop, the DCGAN race, the series' run time"
	@echo "                 (about 25 min on 2 cores; BENCHMARK_ARGS=--quick for a 1-minute try)"
	@echo "make benchmark-grading  stock nbgrader autograde against our engine on 1, 2 and all workers, same"
	@echo "                 submissions (GRADING_ARGS='--copies 4')"
	@echo "make clean       remove nbgrader's generated folders, the gradebook and build/"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) -m course demo

release: $(STAMP)
	$(PY) -m course release

samples: $(STAMP)
	$(PY) -m course samples

autograde: $(STAMP)
	$(PY) -m course autograde $(AUTOGRADE_ARGS)

feedback: $(STAMP)
	$(PY) -m course feedback

export: $(STAMP)
	$(PY) -m course export --to grades.csv

report: $(STAMP)
	$(PY) -m course report

pieces: $(STAMP)
	$(PY) -m course pieces

answers: $(STAMP)
	$(PY) -m course answers

kit: $(STAMP)
	$(PY) -m course kit

classifiers: $(STAMP)
	$(PY) -m course classifiers --dataset mnist

notebooks: $(STAMP)
	$(PY) -m course notebooks $(if $(SMOKE),--smoke,)

benchmark: $(STAMP)
	$(PY) -m course benchmark --out build/benchmark.md $(BENCHMARK_ARGS)

benchmark-grading: $(STAMP)
	$(PY) -m course benchmark-grading --out build/benchmark-grading.md $(GRADING_ARGS)

# One pytest worker per core; each test file runs whole on one worker, so a module's course,
# batch or sandbox fixture is built once. PYTEST_ARGS="-n 0" runs them all in this process.
test: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile -m "not slow" -q $(PYTEST_ARGS)

formgrade: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR)

clean:
	rm -rf release submitted autograded feedback grading gradebook.db grades.csv build
