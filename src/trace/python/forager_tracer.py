"""forager's Python execution tracer (standard library only, Python 3.8+; written for 3.11).

Loaded by sitecustomize.py from a folder outside the repository. Records, for each sampled
invocation of a function defined in the repository (not the standard library, not
site-packages, not test files unless asked), the call with its arguments, every line event
with the locals that changed since the previous event, yields and resumes of generators,
exceptions, and the return value, as one JSON line per invocation in
$FORAGER_TRACE_DIR/trace-<pid>.jsonl. The first line of each file describes the process;
the last one says how tracing ended. Each line is `MAC JSON`: the first 32 hex digits of
HMAC-SHA256(key, "<pid>\0<n>\0" + JSON bytes), n the line's number in the file, so the
harvester refuses lines and files no tracer of this run wrote (docs/traces.md says what
this cannot stop).

Environment:
  FORAGER_TRACE_DIR     where to write (required)
  FORAGER_TRACE_KEY     the run's key, hex (required; the harvester makes one per run)
  FORAGER_TRACE_ROOT    the repository root (default: the working directory)
  FORAGER_TRACE_LIMITS  JSON: max_events, max_invocations, repr_len, max_bytes, repr_ms, seed,
                        include_tests
  FORAGER_TRACE_DEADLINE  Unix time after which tracing stops (wall-time limit)

Reprs longer than repr_len characters are cut to repr_len characters followed by CUT.
"""
import _thread
import atexit
import dis
import hashlib
import hmac
import inspect
import json
import os
import signal
import sys
import threading
import time

CUT = "\u2026[cut]"
_RESUME = dis.opmap.get("RESUME")
_YIELD = dis.opmap["YIELD_VALUE"]
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
_ATOMIC = (int, float, bool, type(None), complex)
_MISS = object()
_HERE = os.path.dirname(os.path.realpath(__file__))


class _Limits:
    def __init__(self, raw):
        self.max_events = int(raw.get("max_events", 1000))
        self.max_invocations = int(raw.get("max_invocations", 20))
        self.repr_len = int(raw.get("repr_len", 200))
        self.max_bytes = int(raw.get("max_bytes", 64 * 1024 * 1024))
        self.repr_ms = float(raw.get("repr_ms", 50))
        self.seed = int(raw.get("seed", 0))
        self.include_tests = bool(raw.get("include_tests", False))


class _ReprTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _ReprTimeout()


class _Function:
    __slots__ = ("file", "qualname", "firstlineno", "key", "calls", "recorded", "source", "source_line", "args")

    def __init__(self, code, file):
        self.file = file
        self.qualname = getattr(code, "co_qualname", code.co_name)
        self.firstlineno = code.co_firstlineno
        self.key = "%s:%s:%d" % (file, self.qualname, self.firstlineno)
        self.calls = 0
        self.recorded = 0
        self.source = None
        self.source_line = code.co_firstlineno
        count = code.co_argcount + code.co_kwonlyargcount
        count += bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
        self.args = code.co_varnames[:count]
        try:
            lines, start = inspect.getsourcelines(code)
            self.source = "".join(lines)
            self.source_line = start or 1
        except (OSError, TypeError, IndentationError, SyntaxError):
            pass


class _Tracer:
    def __init__(self, out_dir, root, limits, deadline, key=b""):
        self.out_dir = out_dir
        self.key = key
        self.lines = 0
        self.root = os.path.realpath(root)
        self.limits = limits
        self.deadline = deadline
        self.codes = {}
        self.functions = {}
        self.active = {}
        self.stopped = False
        self.stop_reason = None
        self.fd = None
        self.pending = []
        self.pending_bytes = 0
        self.written = 0
        self.sequence = 0
        self.invocations = 0
        self.events = 0
        self.cuts = {}
        self.slow_reprs = set()
        self.described = set()
        self.lock = _thread.allocate_lock()
        self.main = threading.main_thread()
        self.pid = os.getpid()

    # ---- which code is the repository's --------------------------------------------------
    def classify(self, code):
        path = code.co_filename
        info = None
        name = code.co_name
        wanted = code.co_flags & inspect.CO_OPTIMIZED and (not name.startswith("<") or name == "<lambda>")
        if wanted and path and not path.startswith("<"):
            real = os.path.realpath(path)
            if real.startswith(self.root + os.sep) and not real.startswith(_HERE + os.sep):
                rel = os.path.relpath(real, self.root).replace(os.sep, "/")
                parts = rel.split("/")
                if "site-packages" not in parts and "dist-packages" not in parts and (self.limits.include_tests or not _is_test(parts)):
                    info = _Function(code, rel)
        self.codes[code] = info
        return info

    # ---- sampling: reproducible by seed ----------------------------------------------------
    def sample(self, function, index):
        cap = self.limits.max_invocations
        if function.recorded >= cap:
            return False
        first = (cap + 1) // 2
        if index < first:
            return True
        digest = hashlib.blake2b(("%d|%s|%d" % (self.limits.seed, function.key, index)).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2.0 ** 64 < first / (index + 1.0)

    # ---- the global trace function (call events) --------------------------------------------
    def on_call(self, frame, event, arg):
        if self.stopped:
            return None
        try:
            return self._on_call(frame)
        except Exception:  # e.g. RecursionError near the limit: skip this call, keep tracing
            self.count_cut("tracer_error")
            return None

    def _on_call(self, frame):
        code = frame.f_code
        function = self.codes.get(code, _MISS)
        if function is _MISS:
            function = self.classify(code)
        if function is None:
            return None
        record = self.active.get(frame)
        if record is not None:
            return record.resume(frame)
        if code.co_flags & _GENERATOR_FLAGS and not _first_entry(frame):
            return None  # a generator resumed whose first entry was not sampled
        index = function.calls
        function.calls += 1
        if not self.sample(function, index):
            return None
        if time.time() > self.deadline:
            self.stop("wall_time")
            return None
        function.recorded += 1
        record = _Invocation(self, function, frame, index)
        self.active[frame] = record
        return record.trace

    # ---- bounded reprs ----------------------------------------------------------------------
    def repr(self, value):
        text = self._repr(value, 0, set())
        limit = self.limits.repr_len
        return text if len(text) <= limit else text[:limit] + CUT

    def _repr(self, value, depth, seen):
        kind = type(value)
        limit = self.limits.repr_len
        if kind in _ATOMIC:
            try:
                return repr(value)
            except ValueError:  # an int past the digit limit
                return "<int of %d bits>" % value.bit_length()
        if kind is str or kind is bytes:
            return repr(value) if len(value) <= limit else repr(value[:limit]) + CUT
        if kind in (list, tuple, dict, set, frozenset):
            if id(value) in seen:
                return "{...}" if kind is dict else "[...]"
            if depth > 8:
                return CUT
            seen.add(id(value))
            try:
                return self._container(value, kind, depth, seen, limit)
            finally:
                seen.discard(id(value))
        return self._object(value, kind)

    def _container(self, value, kind, depth, seen, limit):
        parts = []
        size = 0
        cut = False
        items = value.items() if kind is dict else value
        for item in items:
            if size > limit:
                cut = True
                break
            if kind is dict:
                text = self._repr(item[0], depth + 1, seen) + ": " + self._repr(item[1], depth + 1, seen)
            else:
                text = self._repr(item, depth + 1, seen)
            parts.append(text)
            size += len(text) + 2
        body = ", ".join(parts) + (", " + CUT if cut else "")
        if kind is list:
            return "[" + body + "]"
        if kind is tuple:
            return "(" + body + ("," if len(parts) == 1 and not cut else "") + ")"
        if kind is dict:
            return "{" + body + "}"
        if not parts and not cut:
            return kind.__name__ + "()"
        return ("{" + body + "}") if kind is set else ("frozenset({" + body + "})")

    def _object(self, value, kind):
        name = "%s.%s" % (getattr(kind, "__module__", "?"), getattr(kind, "__qualname__", kind.__name__))
        method = getattr(kind, "__repr__", None)
        if method is object.__repr__:
            return "<%s object>" % name  # no address: the same state gives the same text
        if kind in self.slow_reprs:
            return "<%s: repr timed out after %g ms>" % (name, self.limits.repr_ms)
        if threading.current_thread() is not self.main:
            try:
                return repr(value) if getattr(method, "__module__", None) == "builtins" else "<%s: repr not called off the main thread>" % name
            except Exception as error:
                return "<%s: repr raised %s>" % (name, type(error).__name__)
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            return "<%s: repr not called, the program's interval timer is running>" % name
        try:
            previous = signal.signal(signal.SIGALRM, _on_alarm)
        except (ValueError, OSError):
            return "<%s: repr not called>" % name
        try:
            signal.setitimer(signal.ITIMER_REAL, self.limits.repr_ms / 1000.0)
            try:
                return str(repr(value))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _ReprTimeout:
            self.slow_reprs.add(kind)
            self.count_cut("repr_timeout")
            return "<%s: repr timed out after %g ms>" % (name, self.limits.repr_ms)
        except BaseException as error:
            return "<%s: repr raised %s>" % (name, type(error).__name__)
        finally:
            signal.signal(signal.SIGALRM, previous)

    # ---- output -----------------------------------------------------------------------------
    def count_cut(self, reason):
        self.cuts[reason] = self.cuts.get(reason, 0) + 1

    def emit(self, line):
        with self.lock:
            if self.fd is None:
                if self.stop_reason == "fork":
                    return
                os.makedirs(self.out_dir, exist_ok=True)
                self.fd = os.open(os.path.join(self.out_dir, "trace-%d.jsonl" % self.pid), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                self._append(json.dumps({"type": "process", "pid": self.pid, "ppid": os.getppid(), "python": sys.version.split()[0], "implementation": sys.implementation.name, "argv": [a[:200] for a in sys.argv[:20]], "root": self.root}))
            text = json.dumps(line, ensure_ascii=False)
            over = self.written + len(text) > self.limits.max_bytes - 4096 and line.get("type") != "end"
            if over:
                self.count_cut("bytes")
            else:
                self._append(text)
            if self.pending_bytes > 256 * 1024:
                self._flush()
        if over and not self.stopped:
            self.stop("bytes")

    def _append(self, text):
        """One line, signed: its bytes are exactly what the MAC covers (lone surrogates replaced first)."""
        data = text.encode("utf-8", "replace")
        mac = hmac.new(self.key, b"%d\0%d\0" % (self.pid, self.lines) + data, hashlib.sha256).hexdigest()[:32]
        self.lines += 1
        data = mac.encode("ascii") + b" " + data + b"\n"
        self.pending.append(data)
        self.pending_bytes += len(data)
        self.written += len(data)

    def _flush(self):
        if self.fd is not None and self.pending:
            data = b"".join(self.pending)
            self.pending = []
            self.pending_bytes = 0
            while data:
                data = data[os.write(self.fd, data):]

    def stop(self, reason):
        """Stop tracing: open invocations are written as unfinished, then a last line."""
        if self.stopped:
            return
        self.stopped = True
        self.stop_reason = reason
        sys.settrace(None)
        threading.settrace(None)
        for record in list(self.active.values()):
            record.finish("unfinished", None, cut=reason)
        self.active.clear()
        self.emit({"type": "end", "reason": reason, "invocations": self.invocations, "events": self.events, "bytes": self.written, "cuts": self.cuts,
                   "functions": {f.key: [f.calls, f.recorded] for f in self.functions.values()}})
        with self.lock:
            self._flush()


class _Invocation:
    __slots__ = ("tracer", "function", "frame", "id", "record", "events", "previous", "pending_exception", "cut", "done")

    def __init__(self, tracer, function, frame, index):
        tracer.sequence += 1
        tracer.functions[function.key] = function
        self.tracer = tracer
        self.function = function
        self.frame = frame
        self.id = "%d-%d" % (tracer.pid, tracer.sequence)
        self.events = []
        self.previous = {}
        self.pending_exception = False
        self.cut = None
        self.done = False
        test = os.environ.get("PYTEST_CURRENT_TEST")
        parent = _enclosing(tracer, frame)
        thread = threading.current_thread()
        changed = self.changed(frame)
        args = {name: changed[name] for name in function.args if name in changed}
        self.record = {"type": "invocation", "id": self.id, "pid": tracer.pid, "thread": thread.name, "main_thread": thread is tracer.main,
                       "file": function.file, "qualname": function.qualname, "firstlineno": function.firstlineno,
                       "call_index": index, "test": test.rsplit(" (", 1)[0] if test else None,
                       "parent": parent.id if parent else None, "parent_event": len(parent.events) if parent else None,
                       "generator": bool(frame.f_code.co_flags & _GENERATOR_FLAGS), "args": args}
        self.add("call", frame.f_lineno, changed)

    def changed(self, frame):
        values = frame.f_locals
        previous = self.previous
        out = {}
        for name, value in values.items():
            last = previous.get(name)
            if last is not None and last[0] is value and type(value) in _ATOMIC + (str, bytes):
                continue
            text = self.tracer.repr(value)
            if last is None or last[1] != text:
                out[name] = text
            previous[name] = (value, text)
        return out

    def add(self, kind, line, changed, value=None):
        event = {"event": kind, "line": line, "locals": changed}
        if value is not None:
            event["value"] = value
        self.events.append(event)

    def trace(self, frame, event, arg):
        tracer = self.tracer
        if tracer.stopped or self.done:
            return None
        try:
            self._trace(frame, event, arg)
        except Exception:  # e.g. RecursionError near the limit: lose this event, keep tracing
            tracer.count_cut("tracer_error")
        return self.trace

    def _trace(self, frame, event, arg):
        tracer = self.tracer
        if event == "line":
            self.pending_exception = False
            if len(self.events) >= tracer.limits.max_events:
                self.cut_events(frame)
                return
            self.add("line", frame.f_lineno, self.changed(frame))
        elif event == "return":
            line = frame.f_lineno
            if self.pending_exception and arg is None:
                self.finish("exception", None)
            elif self.record["generator"] and frame.f_lasti >= 0 and frame.f_code.co_code[frame.f_lasti] == _YIELD:
                self.add("yield", line, self.changed(frame) if self.cut is None else {}, tracer.repr(arg))
            else:
                self.add("return", line, self.changed(frame) if self.cut is None else {}, tracer.repr(arg))
                self.finish("return", self.events[-1]["value"])
        elif event == "exception":
            self.pending_exception = True
            value = arg[1]
            text = tracer.repr(value) if value is not None else arg[0].__name__
            if self.cut is None and len(self.events) < tracer.limits.max_events:
                self.add("exception", frame.f_lineno, self.changed(frame), text)
            self.record["exception"] = text

    def resume(self, frame):
        if self.cut is None:
            if len(self.events) >= self.tracer.limits.max_events:
                self.cut_events(frame)
            else:
                self.add("resume", frame.f_lineno, self.changed(frame))
        return self.trace

    def cut_events(self, frame):
        if self.cut is None:
            self.cut = {"reason": "events", "line": frame.f_lineno, "after_events": len(self.events)}
            self.tracer.count_cut("events")
        frame.f_trace_lines = False

    def finish(self, outcome, value, cut=None):
        if self.done:
            return
        self.done = True
        tracer = self.tracer
        tracer.active.pop(self.frame, None)
        self.frame = None
        record = self.record
        record["outcome"] = outcome
        if outcome == "return":
            record["return"] = value
            record.pop("exception", None)
        elif outcome == "unfinished":
            record.pop("exception", None)
        if cut is not None and self.cut is None:
            self.cut = {"reason": cut, "after_events": len(self.events)}
            tracer.count_cut(cut)
        record["cut"] = self.cut
        record["events"] = self.events
        tracer.invocations += 1
        tracer.events += len(self.events)
        function = self.function
        if function.key not in tracer.described:
            tracer.described.add(function.key)
            tracer.emit({"type": "function", "key": function.key, "file": function.file, "qualname": function.qualname,
                         "firstlineno": function.firstlineno, "source": function.source, "source_line": function.source_line})
        record["function"] = function.key
        tracer.emit(record)


def _is_test(parts):
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(p in ("tests", "test", "testing") for p in parts[:-1])


def _first_entry(frame):
    """Whether a generator frame is starting (RESUME 0) rather than resuming after a yield."""
    if _RESUME is None or frame.f_lasti < 0:
        return True
    code = frame.f_code.co_code
    return code[frame.f_lasti] == _RESUME and code[frame.f_lasti + 1] == 0


def _enclosing(tracer, frame):
    """The recorded invocation this frame was called from (nearest on the stack), if any."""
    back = frame.f_back
    while back is not None:
        record = tracer.active.get(back)
        if record is not None:
            return record
        back = back.f_back
    return None


_tracer = None


def start():
    """Start tracing this process (and its threading threads); idempotent."""
    global _tracer
    if _tracer is not None:
        return _tracer
    limits = _Limits(json.loads(os.environ.get("FORAGER_TRACE_LIMITS") or "{}"))
    deadline = float(os.environ.get("FORAGER_TRACE_DEADLINE") or time.time() + 3600)
    key = bytes.fromhex(os.environ["FORAGER_TRACE_KEY"])
    _tracer = tracer = _Tracer(os.environ["FORAGER_TRACE_DIR"], os.environ.get("FORAGER_TRACE_ROOT") or os.getcwd(), limits, deadline, key)
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork)
    _thread.start_new_thread(_watch_deadline, (tracer,))
    threading.settrace(tracer.on_call)
    sys.settrace(tracer.on_call)
    return tracer


def rearm():
    """Tracing was switched off under us (CPython does that when the trace function itself
    hits the recursion limit): invocations no longer on the stack are written as cut, and
    tracing starts again. Called by the pytest plugin before each test."""
    tracer = _tracer
    if tracer is None or tracer.stopped or sys.gettrace() is not None:
        return False
    tracer.count_cut("tracer_lost")
    live = set()
    frame = sys._getframe()
    while frame is not None:
        live.add(frame)
        frame = frame.f_back
    for key, record in list(tracer.active.items()):
        if key not in live and not record.record["generator"]:
            record.finish("unfinished", None, cut="tracer_lost")
    sys.settrace(tracer.on_call)
    return True


def _at_exit():
    tracer = _tracer
    if tracer is None or tracer.stop_reason == "fork":
        return
    if not tracer.stopped and sys.gettrace() is None:
        tracer.count_cut("tracer_replaced")  # a RecursionError in the tracer, or another tracer took over
    tracer.stop("exit")


def _after_fork():
    """A forked child is not traced (its parent's buffer is dropped, never written twice)."""
    tracer = _tracer
    tracer.stopped = True
    tracer.stop_reason = "fork"
    tracer.pending = []
    tracer.fd = None
    tracer.active = {}
    sys.settrace(None)
    threading.settrace(None)


def _watch_deadline(tracer):
    while not tracer.stopped:
        left = tracer.deadline - time.time()
        if left <= 0:
            tracer.stop("wall_time")
            return
        time.sleep(min(left, 1.0))
        with tracer.lock:
            tracer._flush()
