"""Enumerate the mutants of a repository's tested functions (standard library only, Python >= 3.9).

Usage: python3 mutate.py --trace TRACE.json --out CANDIDATES.json   (run at the repository root)

Reads the trace written by forager_trace.py, keeps functions that passing tests call (outside the
tests themselves), proposes ForagerAgent's five kinds of mutation for each, and writes those whose
edited text compiles and parses to exactly the intended AST, each as a line hunk of one file.
"""
import argparse
import ast
import copy
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mutations import PROPOSERS, Target  # noqa: E402
from source_edit import Alternatives, Source, apply_edits, function_edit, line_hunk  # noqa: E402


def is_test_file(path):
    parts = path.split("/")
    name = parts[-1]
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(p in ("tests", "test", "testing") for p in parts[:-1]))


def tracked_python_files():
    out = subprocess.run(["git", "ls-files", "-z", "--", "*.py"], check=True, capture_output=True).stdout
    return {p for p in out.decode("utf-8").split("\0") if p}


def owner(qualname):
    """A comprehension's or lambda's code object belongs to the function around it."""
    parts = qualname.split(".")
    while parts and parts[-1].startswith("<"):
        parts.pop()
        if parts and parts[-1] == "<locals>":
            parts.pop()
    return ".".join(parts)


def covered_functions(trace, tracked):
    """{(file, qualname): [passing test node ids]} for source (non-test) files in git."""
    covered = {}
    for test in trace["tests"]:
        if test["outcome"] != "passed":
            continue
        for path, qualname, _line in test["functions"]:
            name = owner(qualname)
            if name and path in tracked and not is_test_file(path):
                covered.setdefault((path, name), set()).add(test["nodeid"])
    return {key: sorted(tests) for key, tests in covered.items()}


def function_index(module):
    """qualname -> FunctionDef node, with Python's own qualname rules."""
    found = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                found.setdefault(name, child)
                visit(child, name + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            elif not isinstance(child, ast.Lambda):
                visit(child, prefix)
    visit(module, "")
    return found


def find_function(module, qualname):
    return function_index(module)[qualname]


def realise(path, text, module, target, proposal):
    """The mutated text of a proposal, or None when neither its edits nor the whole-function fallback give its AST."""
    kind, op, line, description, edits, transform = proposal
    expected = copy.deepcopy(module)
    transform(expected)
    want = ast.dump(expected)
    attempts = list(edits) if isinstance(edits, Alternatives) else [edits]
    if op != "remove_import":
        attempts.append(function_edit(target.src, target.func, target.func_in(expected)))
    for attempt in attempts:
        if not attempt:
            continue
        mutated = apply_edits(text, attempt)
        try:
            compile(mutated, path, "exec", dont_inherit=True)
            if ast.dump(ast.parse(mutated)) == want:
                return mutated
        except (SyntaxError, ValueError):
            continue
    return None


def enumerate_file(path, functions, emit):
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
        module = ast.parse(text)
        src = Source(text)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return
    index = function_index(module)
    for qualname, tests in functions:
        func = index.get(qualname)
        if func is None:
            continue
        target = Target(src, module, func, qualname, find_function)
        for propose in PROPOSERS:
            for proposal in propose(target):
                mutated = realise(path, text, module, target, proposal)
                if mutated is None or mutated == text:
                    continue
                kind, op, line, description, _edits, _transform = proposal
                emit({
                    "kind": kind, "op": op, "file": path, "function": qualname, "function_line": func.lineno,
                    "line": line, "description": description, "tests": tests,
                    "sha256": hashlib.sha256(mutated.encode("utf-8")).hexdigest(),
                    "hunk": line_hunk(text, mutated),
                })


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trace", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.trace, encoding="utf-8") as handle:
        trace = json.load(handle)
    covered = covered_functions(trace, tracked_python_files())
    by_file = {}
    for (path, qualname), tests in covered.items():
        by_file.setdefault(path, []).append((qualname, tests))
    candidates, seen = [], set()

    def emit(candidate):
        if candidate["sha256"] not in seen:
            seen.add(candidate["sha256"])
            candidates.append(candidate)
    for path in sorted(by_file):
        enumerate_file(path, sorted(by_file[path]), emit)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump({"functions": len(covered), "candidates": candidates}, handle)


if __name__ == "__main__":
    main()
