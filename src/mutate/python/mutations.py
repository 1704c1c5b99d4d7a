"""ForagerAgent's five mutation kinds, each proposed as text edits plus the AST change they must equal.

A proposal is (kind, op, line, description, edits, transform): `edits` change the source text,
`transform(module)` makes the same change on a copy of the module's AST; the caller checks that
the edited text parses to exactly the transformed AST.
"""
import ast
from itertools import combinations

from source_edit import header_edit, operator_edit, parenthesised, remove_statements_edit

SCOPE_STOP = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)
STATEMENT_LISTS = ("body", "orelse", "finalbody")

BINOPS = {
    ast.Add: ["Sub"], ast.Sub: ["Add"], ast.Mult: ["Div", "FloorDiv"], ast.Div: ["Mult", "FloorDiv"],
    ast.FloorDiv: ["Div", "Mult"], ast.Mod: ["FloorDiv"], ast.Pow: ["Mult"], ast.LShift: ["RShift"],
    ast.RShift: ["LShift"], ast.BitOr: ["BitAnd"], ast.BitAnd: ["BitOr"], ast.BitXor: ["BitOr"],
}
COMPARES = {
    ast.Lt: ["LtE", "Gt"], ast.LtE: ["Lt"], ast.Gt: ["GtE", "Lt"], ast.GtE: ["Gt"], ast.Eq: ["NotEq"],
    ast.NotEq: ["Eq"], ast.Is: ["IsNot"], ast.IsNot: ["Is"], ast.In: ["NotIn"], ast.NotIn: ["In"],
}
SYMBOLS = {
    "Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "FloorDiv": "//", "Mod": "%", "Pow": "**",
    "LShift": "<<", "RShift": ">>", "BitOr": "|", "BitAnd": "&", "BitXor": "^",
    "Lt": "<", "LtE": "<=", "Gt": ">", "GtE": ">=", "Eq": "==", "NotEq": "!=", "Is": "is",
    "IsNot": "is not", "In": "in", "NotIn": "not in", "And": "and", "Or": "or",
}
UNARY = {ast.USub: ("UAdd", "+"), ast.UAdd: ("USub", "-"), ast.Not: (None, ""), ast.Invert: (None, "")}
MAX_VARIABLE_PAIRS = 8


def scope_nodes(func):
    """The function's own nodes, breadth first; nested defs and classes are listed but not entered."""
    out, queue = [], list(func.body)
    while queue:
        node = queue.pop(0)
        out.append(node)
        if not isinstance(node, SCOPE_STOP):
            queue.extend(ast.iter_child_nodes(node))
    return out


def locations(func):
    """id(statement) -> (parent, field, index) for statements in the function's own lists."""
    where = {}
    for parent in [func] + scope_nodes(func):
        if isinstance(parent, SCOPE_STOP) and parent is not func:
            continue
        for field in STATEMENT_LISTS:
            body = getattr(parent, field, None)
            for index, child in enumerate(body if isinstance(body, list) else []):
                if isinstance(child, ast.stmt):
                    where[id(child)] = (parent, field, index)
    return where


class Target:
    """The function being mutated, and how to find the same function and nodes in a copy of its module."""

    def __init__(self, src, module, func, qualname, find):
        self.src, self.module, self.func, self.qualname, self.find = src, module, func, qualname, find
        self.nodes = scope_nodes(func)

    def node_in(self, module, index):
        return scope_nodes(self.find(module, self.qualname))[index]

    def func_in(self, module):
        return self.find(module, self.qualname)


def remove_from_list(module_func, statement):
    parent, field, index = locations(module_func)[id(statement)]
    body = getattr(parent, field)
    del body[index]
    if not body:
        body.append(ast.Pass())


def propose_functions(t):
    body = t.func.body
    first = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str) else 0
    rest = body[first:]
    if rest and not (len(rest) == 1 and isinstance(rest[0], ast.Pass)):
        def transform(module, first=first):
            f = t.func_in(module)
            f.body = f.body[:first] + [ast.Pass()]
        yield ("functions", "body_pass", rest[0].lineno, f"replaced the body of {t.qualname} with pass",
               remove_statements_edit(t.src, rest[0], rest[-1], True), transform)
    if len(rest) >= 3:
        keep = len(rest) // 2
        def transform(module, first=first, keep=keep):
            f = t.func_in(module)
            f.body = f.body[:first + keep]
        yield ("functions", "drop_tail", rest[keep].lineno, f"removed the last {len(rest) - keep} statements of {t.qualname}",
               remove_statements_edit(t.src, rest[keep], rest[-1], False), transform)
    where = locations(t.func)
    for index, node in enumerate(t.nodes):
        if isinstance(node, COMPOUND) and id(node) in where:
            parent, field, at = where[id(node)]
            siblings = getattr(parent, field)
            def transform(module, index=index):
                f = t.func_in(module)
                remove_from_list(f, t.node_in(module, index))
            yield ("functions", "drop_block", node.lineno, f"removed the {type(node).__name__.lower()} block at line {node.lineno} of {t.qualname}",
                   remove_statements_edit(t.src, node, node, len(siblings) == 1), transform)


def is_method(t):
    parent_is_class = any(isinstance(n, ast.ClassDef) and t.func in n.body for n in ast.walk(t.module))
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in t.func.decorator_list)
    return parent_is_class and not static


def propose_arguments(t):
    positional = t.func.args.posonlyargs + t.func.args.args
    skip_first = is_method(t)
    for index, arg in enumerate(positional):
        if index == 0 and skip_first:
            continue
        yield from remove_parameter(t, "positional", index, arg.arg)
    for index, arg in enumerate(t.func.args.kwonlyargs):
        yield from remove_parameter(t, "keyword", index, arg.arg)
    for index, node in enumerate(t.nodes):
        if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args):
            continue
        for i in range(len(node.args) - 1):
            a, b = node.args[i], node.args[i + 1]
            text_a, text_b = t.src.segment(a), t.src.segment(b)
            if text_a == text_b:
                continue
            (sa, ea), (sb, eb) = t.src.span(a), t.src.span(b)
            def transform(module, index=index, i=i):
                call = t.node_in(module, index)
                call.args[i], call.args[i + 1] = call.args[i + 1], call.args[i]
            callee = ast.unparse(node.func)[:60]
            yield ("arguments", "swap_call_args", a.lineno, f"swapped arguments {i + 1} and {i + 2} of the call to {callee} in {t.qualname}",
                   [(sa, ea, text_b), (sb, eb, text_a)], transform)


def remove_parameter(t, where, index, name):
    def change(args):
        if where == "keyword":
            del args.kwonlyargs[index]
            del args.kw_defaults[index]
            return
        positional = args.posonlyargs + args.args
        first_default = len(positional) - len(args.defaults)
        if index >= first_default:
            del args.defaults[index - first_default]
        if index < len(args.posonlyargs):
            del args.posonlyargs[index]
        else:
            del args.args[index - len(args.posonlyargs)]

    def transform(module):
        change(t.func_in(module).args)

    import copy
    new_func = copy.deepcopy(t.func)
    change(new_func.args)
    edits = header_edit(t.src, t.func, new_func)
    if edits:
        yield ("arguments", "remove_parameter", t.func.lineno, f"removed parameter {name} from {t.qualname}", edits, transform)


def propose_variables(t):
    names = set(a.arg for a in t.func.args.posonlyargs + t.func.args.args + t.func.args.kwonlyargs)
    loads = {}
    for index, node in enumerate(t.nodes):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node.ctx, ast.Load):
                loads.setdefault(node.id, []).append(index)
    used = sorted(n for n in names if n in loads and n not in ("self", "cls"))
    for a, b in list(combinations(used, 2))[:MAX_VARIABLE_PAIRS]:
        indices = sorted(loads[a] + loads[b])
        edits = []
        for i in indices:
            start, end = t.src.span(t.nodes[i])
            edits.append((start, end, b if t.nodes[i].id == a else a))

        def transform(module, indices=indices, a=a, b=b):
            for i in indices:
                node = t.node_in(module, i)
                node.id = b if node.id == a else a
        line = t.nodes[indices[0]].lineno
        yield ("variables", "swap_variables", line, f"swapped every use of {a} and {b} in {t.qualname}", edits, transform)


def bound_names(stmt):
    return [(alias, alias.asname or alias.name.split(".")[0]) for alias in stmt.names if alias.name != "*"]


def propose_statements(t):
    where = locations(t.func)
    for index, node in enumerate(t.nodes):
        if isinstance(node, ast.Return) and node.value is not None and id(node) in where:
            parent, field, _ = where[id(node)]
            def transform(module, index=index):
                remove_from_list(t.func_in(module), t.node_in(module, index))
            yield ("statements", "remove_return", node.lineno, f"removed the return at line {node.lineno} of {t.qualname}",
                   remove_statements_edit(t.src, node, node, len(getattr(parent, field)) == 1), transform)
    loaded = {n.id for n in t.nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    module_imports = [(i, s) for i, s in enumerate(t.module.body) if isinstance(s, (ast.Import, ast.ImportFrom))]
    for at, stmt in module_imports:
        for alias_index, (alias, bound) in enumerate(bound_names(stmt)):
            if bound not in loaded:
                continue
            yield from remove_import(t, at, stmt, alias_index, bound)


def remove_import(t, at, stmt, alias_index, bound):
    def change(module):
        target = module.body[at]
        if len(target.names) == 1:
            del module.body[at]
            if not module.body:
                module.body.append(ast.Pass())
        else:
            del target.names[alias_index]
    if len(stmt.names) == 1:
        edits = remove_statements_edit(t.src, stmt, stmt, len(t.module.body) == 1)
    else:
        import copy
        smaller = copy.deepcopy(stmt)
        del smaller.names[alias_index]
        start, end = t.src.span(stmt)
        edits = [(start, end, ast.unparse(smaller))]
    yield ("statements", "remove_import", stmt.lineno, f"removed the import of {bound} (line {stmt.lineno}), used by {t.qualname}", edits, change)


def propose_operators(t):
    src = t.src
    for index, node in enumerate(t.nodes):
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in BINOPS:
            left, right = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.target, node.value)
            gap = (src.span(left)[1], src.span(right)[0])
            for name in BINOPS[type(node.op)]:
                text = SYMBOLS[name] + ("=" if isinstance(node, ast.AugAssign) else "")
                edits = operator_edit(src, [gap], text)
                if isinstance(node, ast.BinOp):
                    edits = parenthesised(src, node, edits)
                def transform(module, index=index, name=name):
                    t.node_in(module, index).op = getattr(ast, name)()
                if edits:
                    yield ("operators", "binary", node.lineno, f"replaced {type(node.op).__name__} with {name} at line {node.lineno} of {t.qualname}", edits, transform)
        elif isinstance(node, ast.Compare):
            operands = [node.left] + node.comparators
            for i, op in enumerate(node.ops):
                gap = (src.span(operands[i])[1], src.span(operands[i + 1])[0])
                for name in COMPARES.get(type(op), []):
                    edits = operator_edit(src, [gap], SYMBOLS[name])
                    def transform(module, index=index, i=i, name=name):
                        t.node_in(module, index).ops[i] = getattr(ast, name)()
                    if edits:
                        yield ("operators", "comparison", node.lineno, f"replaced {type(op).__name__} with {name} at line {node.lineno} of {t.qualname}", edits, transform)
        elif isinstance(node, ast.BoolOp):
            name = "Or" if isinstance(node.op, ast.And) else "And"
            gaps = [(src.span(a)[1], src.span(b)[0]) for a, b in zip(node.values, node.values[1:])]
            edits = parenthesised(src, node, operator_edit(src, gaps, SYMBOLS[name]))
            def transform(module, index=index, name=name):
                t.node_in(module, index).op = getattr(ast, name)()
            if edits:
                yield ("operators", "boolean", node.lineno, f"replaced {type(node.op).__name__} with {name} at line {node.lineno} of {t.qualname}", edits, transform)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
            name, text = UNARY[type(node.op)]
            edits = operator_edit(src, [(src.span(node)[0], src.span(node.operand)[0])], text)

            def transform(module, index=index, name=name):
                unary = t.node_in(module, index)
                if name:
                    unary.op = getattr(ast, name)()
                else:
                    replace_child(t.func_in(module), unary, unary.operand)
            what = f"replaced {type(node.op).__name__} with {name}" if name else f"removed {type(node.op).__name__}"
            if edits:
                yield ("operators", "unary", node.lineno, f"{what} at line {node.lineno} of {t.qualname}", edits, transform)


def replace_child(func, old, new):
    for parent in [func] + scope_nodes(func):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return


PROPOSERS = [propose_functions, propose_arguments, propose_variables, propose_statements, propose_operators]
