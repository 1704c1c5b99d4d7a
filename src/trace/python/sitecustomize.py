"""Started by forager trace: PYTHONPATH puts this folder (outside the repository) first, so
every Python process of the traced command imports it at start-up and is traced into
$FORAGER_TRACE_DIR. Without FORAGER_TRACE_DIR it does nothing."""
import os

if os.environ.get("FORAGER_TRACE_DIR"):
    try:
        import forager_tracer

        forager_tracer.start()
    except Exception as error:  # never break the program under trace
        import sys

        sys.stderr.write("forager-trace: tracer not started: %r\n" % (error,))
