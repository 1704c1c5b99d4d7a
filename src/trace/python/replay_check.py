"""Replay check for forager trace: call each recorded function again with its recorded
arguments and compare the repr of what it returns with the recorded return value.

An invocation is checked when it returned normally, none of its argument reprs or its
return repr was cut, every argument repr is a Python literal (ast.literal_eval), and the
function can be found by its module path and qualified name (module-level functions and
static methods; `<locals>` functions cannot). Prints one JSON object:
{"eligible", "equal", "mismatches": [...first 20], "skipped": {reason: count}}.

Usage: python3 replay_check.py ROOT TRACE_DIR   (run without the tracer active)
"""
import ast
import glob
import importlib
import inspect
import json
import os
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import forager_tracer  # noqa: E402  (for the same bounded repr as the trace)


def main(root, trace_dir):
    sys.path.insert(0, root)
    os.chdir(root)
    limits = forager_tracer._Limits(json.loads(os.environ.get("FORAGER_TRACE_LIMITS") or "{}"))
    tracer = forager_tracer._Tracer(trace_dir, root, limits, float("inf"))
    result = {"eligible": 0, "equal": 0, "mismatches": [], "skipped": {}}

    def skip(reason):
        result["skipped"][reason] = result["skipped"].get(reason, 0) + 1

    for path in sorted(glob.glob(os.path.join(trace_dir, "trace-*.jsonl"))):
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("type") != "invocation":
                    continue
                if record["outcome"] != "return":
                    skip("not_returned")
                    continue
                texts = list(record["args"].values()) + [record.get("return", "")]
                if any(forager_tracer.CUT in t for t in texts):
                    skip("cut_repr")
                    continue
                try:
                    args = {name: ast.literal_eval(text) for name, text in record["args"].items()}
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    skip("args_not_literal")
                    continue
                function = resolve(record["file"], record["qualname"])
                if function is None:
                    skip("not_found")
                    continue
                try:
                    positional, keywords = bind(function, args)
                except (TypeError, ValueError):
                    skip("signature")
                    continue
                result["eligible"] += 1
                try:
                    value = function(*positional, **keywords)
                    got = tracer.repr(value)
                except BaseException as error:  # the replay raised where the trace returned
                    got = "raised %r" % (error,)
                if got == record["return"]:
                    result["equal"] += 1
                elif len(result["mismatches"]) < 20:
                    result["mismatches"].append({"id": record["id"], "function": record["function"], "args": record["args"], "recorded": record["return"], "replayed": got})
    print(json.dumps(result))


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
    main(sys.argv[1], sys.argv[2])
