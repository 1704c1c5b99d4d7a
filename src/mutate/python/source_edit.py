"""Text edits located by the AST and the tokenizer, so that a mutation changes only its own tokens."""
import ast
import copy
import io
import tokenize

BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


class Source:
    """A file's text with offsets for AST positions (UTF-8 byte columns) and tokens (character columns)."""

    def __init__(self, text):
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))

    def offset(self, line, col):
        prefix = self.lines[line - 1].encode("utf-8")[:col].decode("utf-8", errors="replace")
        return self.starts[line - 1] + len(prefix)

    def span(self, node):
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def token_offset(self, position):
        return self.starts[position[0] - 1] + position[1]

    def segment(self, node):
        start, end = self.span(node)
        return self.text[start:end]

    def line_start(self, offset):
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset):
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end


def apply_edits(text, edits):
    """Apply (start, end, replacement) edits; they must not overlap."""
    out = text
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + replacement + out[end:]
    return out


class Alternatives(list):
    """Several edit lists for one change, tried in order (e.g. without, then with parentheses)."""


def parenthesised(src, node, edits):
    """The same edits with the node wrapped in parentheses, for an operator whose precedence changed."""
    if not edits:
        return edits
    start, end = src.span(node)
    return Alternatives([edits, edits + [(start, start, "("), (end, end, ")")]])


def operator_edit(src, gaps, replacement):
    """Replace the operator tokens found between operands (parentheses and comments stay)."""
    edits = []
    for gap_start, gap_end in gaps:
        found = [
            t for t in src.tokens
            if t.type in (tokenize.OP, tokenize.NAME)
            and t.string not in ("(", ")")
            and src.token_offset(t.start) >= gap_start
            and src.token_offset(t.end) <= gap_end
        ]
        if not found:
            return None
        start = src.token_offset(found[0].start)
        end = src.token_offset(found[-1].end)
        if replacement == "":
            while end < gap_end and src.text[end] in " \t":
                end += 1
        edits.append((start, end, replacement))
    return edits


def remove_statements_edit(src, first, last, need_pass):
    """Remove statements first..last: whole lines when they are alone on them, else the segment."""
    start, _ = src.span(first)
    _, end = src.span(last)
    line_start = src.line_start(start)
    line_end = src.line_end(end)
    before = src.text[line_start:start]
    after = src.text[end:line_end].strip()
    if before.strip() == "" and (after == "" or after.startswith("#")):
        removal_end = min(line_end + 1, len(src.text))
        return [(line_start, removal_end, f"{before}pass\n" if need_pass else "")]
    return [(start, end, "pass")]


def header_end(src, func):
    """Offset just past the colon that ends a def's signature (bracket depth 0)."""
    start, _ = src.span(func)
    depth = 0
    for token in src.tokens:
        if src.token_offset(token.start) < start or token.type != tokenize.OP:
            continue
        depth += BRACKETS.get(token.string, 0)
        if token.string == ":" and depth == 0:
            return src.token_offset(token.end)
    return None


def header_edit(src, func, new_func):
    """Replace a def's signature (not its decorators or body) with the unparsed signature of new_func."""
    end = header_end(src, func)
    if end is None:
        return None
    shell = copy.copy(new_func)
    shell.body = [ast.Pass()]
    shell.decorator_list = []
    text = ast.unparse(shell)
    suffix = "\n    pass"
    if not text.endswith(suffix):
        return None
    start, _ = src.span(func)
    return [(start, end, text[: -len(suffix)])]


def function_edit(src, func, new_func):
    """The fallback: the whole function (decorators included) unparsed and spliced by line range."""
    first = func.decorator_list[0].lineno if func.decorator_list else func.lineno
    line_start = src.starts[first - 1]
    _, end = src.span(func)
    indent = src.text[line_start:src.offset(func.lineno, func.col_offset)]
    if indent.strip() != "":
        return None
    body = ast.unparse(new_func).split("\n")
    return [(line_start, end, "\n".join(indent + line if line else line for line in body))]


def line_hunk(before, after):
    """The changed lines: start index, lines deleted, lines inserted (split on newlines)."""
    a = before.split("\n")
    b = after.split("\n")
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return {"start": prefix, "delete": len(a) - prefix - suffix, "insert": b[prefix:len(b) - suffix]}
