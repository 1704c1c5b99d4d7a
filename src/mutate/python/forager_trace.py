"""pytest plugin for `forager tasks mutate`: which functions each test calls, and test selection.

Loaded with `-p forager_trace` (through PYTEST_ADDOPTS) from a folder outside the repository,
standard library only. Environment:
  FORAGER_TRACE_OUT  write {"tests": [{nodeid, outcome, functions: [[file, qualname, line]]}]} here
  FORAGER_SELECT     a file of node ids, one a line: every other collected test is deselected
  FORAGER_ROOT       the repository root (default: the working directory)
"""
import json
import os
import sys
import threading

import pytest

_TRACE_OUT = os.environ.get("FORAGER_TRACE_OUT")
_SELECT = os.environ.get("FORAGER_SELECT")
_ROOT = os.path.realpath(os.environ.get("FORAGER_ROOT") or os.getcwd())
_calls = {}
_outcomes = {}


def pytest_collection_modifyitems(config, items):
    if not _SELECT:
        return
    with open(_SELECT, encoding="utf-8") as handle:
        wanted = {line.strip() for line in handle if line.strip()}
    kept = [item for item in items if item.nodeid in wanted]
    dropped = [item for item in items if item.nodeid not in wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not _TRACE_OUT:
        yield
        return
    seen = set()

    def profile(frame, event, arg):
        # Code objects are hashable and cheap to keep; paths are resolved once at the end.
        if event == "call":
            seen.add(frame.f_code)

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        _calls[item.nodeid] = seen


def pytest_runtest_logreport(report):
    before = _outcomes.get(report.nodeid)
    if report.failed:
        _outcomes[report.nodeid] = "failed"
    elif report.skipped and before != "failed":
        _outcomes[report.nodeid] = "skipped"
    elif report.when == "call" and report.passed and before is None:
        _outcomes[report.nodeid] = "passed"


_paths = {}


def _relative(filename):
    if filename not in _paths:
        path = os.path.realpath(filename)
        inside = not filename.startswith("<") and path.startswith(_ROOT + os.sep) and os.path.isfile(path)
        _paths[filename] = os.path.relpath(path, _ROOT).replace(os.sep, "/") if inside else None
    return _paths[filename]


def pytest_sessionfinish(session, exitstatus):
    if not _TRACE_OUT:
        return
    tests = []
    for nodeid in sorted(_outcomes):
        functions = set()
        for code in _calls.get(nodeid, ()):
            path = _relative(code.co_filename)
            if path is not None:
                functions.add((path, code.co_qualname, code.co_firstlineno))
        tests.append({"nodeid": nodeid, "outcome": _outcomes[nodeid], "functions": sorted(functions)})
    with open(_TRACE_OUT, "w", encoding="utf-8") as handle:
        json.dump({"root": _ROOT, "tests": tests}, handle)
