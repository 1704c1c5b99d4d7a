"""Replay check for forager trace: call each recorded function again with its recorded
arguments and compare the repr of what it returns with the recorded return value.

An invocation is checked when it returned normally, is not a generator or coroutine, none of its argument reprs or its
return repr was cut, every argument repr is a Python literal (ast.literal_eval), and the
function can be found by its module path and qualified name (module-level functions and
static methods; `<locals>` functions cannot). Prints one JSON object:
{"eligible", "equal", "mismatches": [...first 20], "skipped": {reason: count}}.

Usage: python3 replay_check.py ROOT TRACE_DIR   (run without the tracer active)
"""
import ast
import importlib
import inspect
import json
import os
import signal
import sys

CALL_S = 5.0  # one replayed call's time; past it the call is stopped and the invocation skipped (timeout)


class _Timeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import forager_tracer  # noqa: E402  (for the same bounded repr as the trace)


def main(root, source, output):
    with open(source, encoding="utf-8", errors="replace") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    sys.path.insert(0, root)
    os.chdir(root)
    limits = forager_tracer._Limits(json.loads(os.environ.get("FORAGER_TRACE_LIMITS") or "{}"))
    tracer = forager_tracer._Tracer(os.devnull, root, limits, float("inf"))
    result = {"eligible": 0, "equal": 0, "mismatches": [], "skipped": {}, "results": {}}

    def skip(record, reason):
        result["skipped"][reason] = result["skipped"].get(reason, 0) + 1
        result["results"][record["id"]] = {"status": "skipped", "reason": reason}

    for record in records:
        if record["outcome"] != "return":
            skip(record, "not_returned")
            continue
        if record.get("generator"):
            skip(record, "generator")  # calling it again makes a generator, not what it returned at its end
            continue
        texts = list(record["args"].values()) + [record.get("return", "")]
        if any(forager_tracer.CUT in t for t in texts):
            skip(record, "cut_repr")
            continue
        try:
            args = {name: ast.literal_eval(text) for name, text in record["args"].items()}
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            skip(record, "args_not_literal")
            continue
        function = resolve(record["file"], record["qualname"])
        if function is None:
            skip(record, "not_found")
            continue
        try:
            positional, keywords = bind(function, args)
        except (TypeError, ValueError):
            skip(record, "signature")
            continue
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, CALL_S)
        try:
            value = function(*positional, **keywords)
            signal.setitimer(signal.ITIMER_REAL, 0)
            got = tracer.repr(value)
        except _Timeout:
            skip(record, "timeout")
            continue
        except BaseException as error:  # the replay raised where the trace returned
            got = "raised %r" % (error,)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        result["eligible"] += 1
        if got == record["return"]:
            result["equal"] += 1
            result["results"][record["id"]] = {"status": "equal"}
        else:
            result["results"][record["id"]] = {"status": "mismatch", "replayed": got[:1000]}
            if len(result["mismatches"]) < 20:
                result["mismatches"].append({"id": record["id"], "function": record["function"], "args": record["args"], "recorded": record["return"], "replayed": got})
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


def resolve(file, qualname):
    if "<locals>" in qualname or not file.endswith(".py"):
        return None
    module_name = file[:-3].replace("/", ".")
    if module_name.endswith(".__init__"):
        module_name = module_name[: -len(".__init__")]
    try:
        target = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = inspect.getattr_static(target, part)
    except Exception:
        return None
    if isinstance(target, staticmethod):
        target = target.__func__
    return target if inspect.isfunction(target) else None


def bind(function, args):
    positional, keywords = [], {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name not in args:
            raise TypeError("argument %s not recorded" % name)
        value = args[name]
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional.append(value)
        elif parameter.kind == parameter.VAR_POSITIONAL:
            positional.extend(value)
        elif parameter.kind == parameter.VAR_KEYWORD:
            keywords.update(value)
        else:
            keywords[name] = value
    return positional, keywords


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
