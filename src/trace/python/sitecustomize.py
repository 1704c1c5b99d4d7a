"""Started by forager trace: PYTHONPATH puts this folder (outside the repository) first, so
every Python process of the traced command imports it at start-up and is traced into
$FORAGER_TRACE_DIR. The sitecustomize it shadows (Debian's, or the repository's own) still
runs, first. Without FORAGER_TRACE_DIR it does nothing else."""
import os
import sys


def _run_shadowed():
    here = os.path.dirname(os.path.realpath(__file__))
    for entry in sys.path:
        folder = os.path.realpath(entry or os.getcwd())
        path = os.path.join(folder, "sitecustomize.py")
        if folder != here and os.path.isfile(path):
            with open(path, "rb") as handle:
                code = compile(handle.read(), path, "exec")
            exec(code, {"__name__": "sitecustomize", "__file__": path, "__builtins__": __builtins__})
            return


try:
    _run_shadowed()
except Exception as error:  # theirs failing must not stop the program, as with site.py
    sys.stderr.write("forager-trace: the shadowed sitecustomize failed: %r\n" % (error,))

if os.environ.get("FORAGER_TRACE_DIR"):
    try:
        import forager_tracer

        forager_tracer.start()
    except Exception as error:  # never break the program under trace
        sys.stderr.write("forager-trace: tracer not started: %r\n" % (error,))
