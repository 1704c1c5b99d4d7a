"""pytest plugin for forager trace (`-p forager_tracer_pytest`): before each test, start
tracing again if CPython switched it off (a RecursionError inside the trace function)."""
import forager_tracer


def pytest_runtest_setup(item):
    forager_tracer.rearm()
