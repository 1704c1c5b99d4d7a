"""Read a Python repository's own build and test configuration, print it as JSON.

Runs inside the sandbox, on the repository at the current directory, with the standard
library only (tomllib, configparser, ast): nothing of the repository is imported or run.
Every file read is capped; what cannot be read is reported, never guessed.
Output: one JSON object on stdout (see src/env/facts.ts for its schema).
"""
import ast
import configparser
import glob
import json
import os
import re
import shlex
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11: the facts say so and pyproject is not read
    tomllib = None

MAX_FILE = 1 << 20
SKIP_DIRS = {'.git', '.tox', '.nox', 'node_modules', '.venv', 'venv', 'build', 'dist', '__pycache__', '.eggs', 'site-packages'}
problems = []


def read(path):
    try:
        if not os.path.isfile(path) or os.path.islink(path) or os.path.getsize(path) > MAX_FILE:
            return None
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError as e:
        problems.append('%s: %s' % (path, e))
        return None


def ini(path):
    text = read(path)
    if text is None:
        return None
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text, path)
    except configparser.Error as e:
        problems.append('%s: %s' % (path, str(e).splitlines()[0]))
        return None
    return parser


def lines(value):
    """An INI multi-line value as its non-empty, uncommented lines (a trailing backslash continues a line)."""
    out = []
    pending = ''
    for line in (value or '').splitlines():
        line = line.split(' #', 1)[0].strip()
        if not line or line.startswith('#'):
            continue
        if line.endswith('\\'):
            pending += line[:-1].strip() + ' '
            continue
        out.append(pending + line)
        pending = ''
    if pending.strip():
        out.append(pending.strip())
    return out


def strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def pyproject_facts(facts):
    text = read('pyproject.toml')
    if text is None or tomllib is None:
        return {}
    try:
        data = tomllib.loads(text)
    except Exception as e:  # a broken pyproject is a fact, not a crash
        problems.append('pyproject.toml: %s' % e)
        return {}
    facts['files'].append('pyproject.toml')
    project = data.get('project') or {}
    build = data.get('build-system') or {}
    tool = data.get('tool') or {}
    facts['name'] = facts['name'] or (project.get('name') if isinstance(project.get('name'), str) else None)
    if isinstance(project.get('version'), str):
        facts['version'] = project['version']
    # PEP 639: `license = "MIT"` (an SPDX expression) needs backends newer than Debian bookworm's.
    facts['license_expression'] = isinstance(project.get('license'), str) or bool(project.get('license-files'))
    if isinstance(project.get('requires-python'), str):
        facts['requires_python'] = project['requires-python']
    facts['build_backend'] = build.get('build-backend') if isinstance(build.get('build-backend'), str) else None
    facts['build_requires'] += strings(build.get('requires'))
    add(facts, 'pyproject.toml [project] dependencies', 'runtime', strings(project.get('dependencies')))
    for extra, reqs in (project.get('optional-dependencies') or {}).items():
        add(facts, 'pyproject.toml [project.optional-dependencies] %s' % extra, 'extra:%s' % extra, strings(reqs))
    groups = data.get('dependency-groups') or {}
    for group in groups:
        add(facts, 'pyproject.toml [dependency-groups] %s' % group, 'group:%s' % group, group_requirements(groups, group, set()))
    for name, value in ((tool.get('poetry') or {}).get('dependencies') or {}).items():
        if name.lower() != 'python':
            add(facts, 'pyproject.toml [tool.poetry.dependencies]', 'runtime', [name])
    poetry = tool.get('poetry') or {}
    for group, body in (poetry.get('group') or {}).items():
        add(facts, 'pyproject.toml [tool.poetry.group.%s]' % group, 'group:%s' % group, list((body or {}).get('dependencies') or {}))
    add(facts, 'pyproject.toml [tool.poetry.dev-dependencies]', 'group:dev', list(poetry.get('dev-dependencies') or {}))
    pytest = ((tool.get('pytest') or {}).get('ini_options'))
    if isinstance(pytest, dict):
        facts['pytest'] = {'source': 'pyproject.toml [tool.pytest.ini_options]', **pytest_options(pytest)}
    tox = tool.get('tox')
    if isinstance(tox, dict):
        if isinstance(tox.get('legacy_tox_ini'), str):
            tox_ini(facts, tox['legacy_tox_ini'], 'pyproject.toml [tool.tox] legacy_tox_ini')
        else:
            base = tox.get('env_run_base') or {}
            for command in base.get('commands') or []:
                facts['test_commands'].append({'source': 'pyproject.toml [tool.tox.env_run_base]', 'command': ' '.join(c for c in command if isinstance(c, str)) if isinstance(command, list) else str(command)})
            add(facts, 'pyproject.toml [tool.tox.env_run_base] deps', 'test', strings(base.get('deps')))
    version_files = []
    hatch = tool.get('hatch') or {}
    vcs_hook = ((hatch.get('build') or {}).get('hooks') or {}).get('vcs') or {}
    if isinstance(vcs_hook.get('version-file'), str):
        version_files.append(vcs_hook['version-file'])
    scm = tool.get('setuptools_scm') or {}
    for key in ('write_to', 'version_file'):
        if isinstance(scm.get(key), str):
            version_files.append(scm[key])
    facts['version_files'] += version_files
    setuptools = tool.get('setuptools') or {}
    if isinstance(setuptools.get('package-dir'), dict) and isinstance(setuptools['package-dir'].get(''), str):
        facts['package_dir'] = setuptools['package-dir']['']
    if setuptools.get('ext-modules'):
        facts['compiled'].append('pyproject.toml [tool.setuptools] ext-modules')
    scripts = project.get('scripts') or {}
    facts['scripts'].update({k: v for k, v in scripts.items() if isinstance(v, str)})
    return data


def group_requirements(groups, name, seen):
    if name in seen:
        return []
    seen.add(name)
    out = []
    for item in groups.get(name) or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get('include-group'), str):
            out += group_requirements(groups, item['include-group'], seen)
    return out


def pytest_options(options):
    def listed(value):
        if isinstance(value, list):
            return [str(v) for v in value]
        if not isinstance(value, str):
            return []
        try:
            return shlex.split(value)
        except ValueError:
            return value.split()
    return {
        'addopts': listed(options.get('addopts')),
        'testpaths': listed(options.get('testpaths')),
        'required_plugins': listed(options.get('required_plugins')),
        'asyncio_mode': str(options['asyncio_mode']) if 'asyncio_mode' in options else None,
        'minversion': str(options['minversion']) if 'minversion' in options else None,
    }


def ini_pytest(parser, section, source):
    if parser is None or not parser.has_section(section):
        return None
    get = lambda key: parser.get(section, key) if parser.has_option(section, key) else None
    options = {k: v for k, v in (('addopts', get('addopts')), ('testpaths', get('testpaths')), ('required_plugins', get('required_plugins')),
                                 ('asyncio_mode', get('asyncio_mode')), ('minversion', get('minversion'))) if v is not None}
    return {'source': source, **pytest_options(options)}


def setup_cfg_facts(facts):
    parser = ini('setup.cfg')
    if parser is None:
        return
    facts['files'].append('setup.cfg')
    get = lambda s, k: parser.get(s, k) if parser.has_section(s) and parser.has_option(s, k) else None
    facts['name'] = facts['name'] or get('metadata', 'name')
    version = get('metadata', 'version')
    if version and not version.startswith(('attr:', 'file:')):
        facts['version'] = facts['version'] or version.strip()
    facts['requires_python'] = facts['requires_python'] or get('options', 'python_requires')
    add(facts, 'setup.cfg [options] install_requires', 'runtime', lines(get('options', 'install_requires')))
    add(facts, 'setup.cfg [options] tests_require', 'test', lines(get('options', 'tests_require')))
    if parser.has_section('options.extras_require'):
        for extra in parser.options('options.extras_require'):
            add(facts, 'setup.cfg [options.extras_require] %s' % extra, 'extra:%s' % extra, lines(parser.get('options.extras_require', extra)))
    package_dir = lines(get('options', 'package_dir'))
    for entry in package_dir:
        key, _, value = entry.partition('=')
        if key.strip() == '' and value.strip():
            facts['package_dir'] = value.strip()
    pytest = ini_pytest(parser, 'tool:pytest', 'setup.cfg [tool:pytest]')
    if pytest and not facts['pytest']:
        facts['pytest'] = pytest
    if parser.has_section('options.entry_points') and parser.has_option('options.entry_points', 'console_scripts'):
        for entry in lines(parser.get('options.entry_points', 'console_scripts')):
            name, _, target = entry.partition('=')
            if target:
                facts['scripts'][name.strip()] = target.strip()


def literal(node, names):
    """A literal value, following names bound to literals at module level; None when not literal."""
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    try:
        return ast.literal_eval(node)
    except Exception:
        pass
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left, names), literal(node.right, names)
        if isinstance(left, list) and isinstance(right, list):
            return left + right
    if isinstance(node, ast.Call) and getattr(node.func, 'id', getattr(node.func, 'attr', None)) == 'find_packages':
        for keyword in node.keywords:
            if keyword.arg == 'where':
                where = literal(keyword.value, names)
                if isinstance(where, str):
                    return {'find_packages_where': where}
        if node.args:
            where = literal(node.args[0], names)
            if isinstance(where, str):
                return {'find_packages_where': where}
    return None


def setup_py_facts(facts):
    text = read('setup.py')
    if text is None:
        return
    facts['files'].append('setup.py')
    try:
        tree = ast.parse(text, 'setup.py')
    except SyntaxError as e:
        problems.append('setup.py: does not parse on this Python: %s' % e.msg)
        facts['setup_py_parses'] = False
        return
    names = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            value = literal(statement.value, names)
            if value is not None:
                names[statement.targets[0].id] = value
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or getattr(node.func, 'id', getattr(node.func, 'attr', None)) != 'setup':
            continue
        for keyword in node.keywords:
            value = literal(keyword.value, names)
            if keyword.arg == 'name' and isinstance(value, str):
                facts['name'] = facts['name'] or value
            elif keyword.arg == 'version' and isinstance(value, str):
                facts['version'] = facts['version'] or value
            elif keyword.arg == 'python_requires' and isinstance(value, str):
                facts['requires_python'] = facts['requires_python'] or value
            elif keyword.arg == 'install_requires':
                add(facts, 'setup.py install_requires', 'runtime', strings(value))
            elif keyword.arg == 'tests_require':
                add(facts, 'setup.py tests_require', 'test', strings(value))
            elif keyword.arg == 'extras_require' and isinstance(value, dict):
                for extra, reqs in value.items():
                    add(facts, 'setup.py extras_require %s' % extra, 'extra:%s' % extra, strings(reqs))
            elif keyword.arg == 'package_dir' and isinstance(value, dict) and isinstance(value.get(''), str):
                facts['package_dir'] = value['']
            elif keyword.arg == 'ext_modules' or keyword.arg == 'cffi_modules' or keyword.arg == 'rust_extensions':
                facts['compiled'].append('setup.py %s' % keyword.arg)
            elif keyword.arg == 'entry_points' and isinstance(value, dict):
                for entry in strings(value.get('console_scripts')):
                    name, _, target = entry.partition('=')
                    if target:
                        facts['scripts'][name.strip()] = target.strip()


def requirement_file(path, seen, depth=0):
    if path in seen or depth > 5:
        return []
    seen.add(path)
    text = read(path)
    if text is None:
        return []
    out = []
    for line in text.splitlines():
        line = line.split(' #', 1)[0].strip()
        if not line or line.startswith('#'):
            continue
        match = re.match(r'^(-r|--requirement)\s*=?\s*(\S+)', line)
        if match:
            out += requirement_file(os.path.normpath(os.path.join(os.path.dirname(path), match.group(2))), seen, depth + 1)
        elif line.startswith('-') or '://' in line or line.startswith('.'):
            continue  # options, URLs, local paths: nothing an index or Debian can provide by name
        else:
            out.append(line)
    return out


TEST_WORDS = re.compile(r'(test|dev|ci|check)', re.I)


def requirements_facts(facts):
    candidates = sorted(set(glob.glob('requirements*.txt') + glob.glob('*requirements*.txt') + glob.glob('requirements/*.txt')
                            + glob.glob('requirements/*/*.txt') + glob.glob('tests/requirements*.txt') + glob.glob('test/requirements*.txt')))
    for path in candidates:
        if not os.path.isfile(path):
            continue
        base = os.path.basename(path)
        kind = 'runtime' if base in ('requirements.txt', 'requirements.in') and '/' not in path else ('test' if TEST_WORDS.search(path) else 'other')
        if re.search(r'(^|/)(doc|docs|lint|mypy|typing|release|publish)', path, re.I) or re.search(r'(doc|lint|mypy|typing|release)', base, re.I):
            kind = 'other'
        add(facts, path, kind, requirement_file(path, set()))


def tox_ini(facts, text, source):
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text, source)
    except configparser.Error as e:
        problems.append('%s: %s' % (source, str(e).splitlines()[0]))
        return None
    if parser.has_section('testenv'):
        deps = []
        for dep in lines(parser.get('testenv', 'deps', fallback='')):
            match = re.match(r'^-r\s*(\S+)', dep)
            if match:
                path = match.group(1).replace('{toxinidir}/', '')
                deps += requirement_file(path, set())
            elif not dep.startswith('-') and '{' not in dep:
                deps.append(dep)
        add(facts, '%s [testenv] deps' % source, 'test', deps)
        for command in lines(parser.get('testenv', 'commands', fallback='')):
            facts['test_commands'].append({'source': '%s [testenv] commands' % source, 'command': command})
    pytest = ini_pytest(parser, 'pytest', '%s [pytest]' % source)
    if pytest and not facts['pytest']:
        facts['pytest'] = pytest
    return parser


def noxfile_facts(facts):
    text = read('noxfile.py')
    if text is None:
        return
    facts['files'].append('noxfile.py')
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.attr == 'install':
                add(facts, 'noxfile.py session.install', 'test', [a for a in args if not a.startswith('-') and a != '.'])
            elif node.func.attr == 'run' and args:
                facts['test_commands'].append({'source': 'noxfile.py session.run', 'command': ' '.join(args)})


def workflow_facts(facts):
    for path in sorted(glob.glob('.github/workflows/*.yml') + glob.glob('.github/workflows/*.yaml')):
        text = read(path)
        if text is None:
            continue
        facts['files'].append(path)
        for line in text.splitlines():
            line = line.strip().lstrip('-').strip()
            match = re.search(r'pip install (.+)$', line)
            if match:
                names = [w for w in match.group(1).split() if not w.startswith('-') and not w.startswith('.') and '$' not in w and '/' not in w]
                add(facts, '%s pip install' % path, 'ci', [n.strip('"\'') for n in names])
            if re.search(r'(^|\s)(python\d?(\.\d+)? -m )?(pytest|unittest)(\s|$)', line) and 'pip' not in line:
                facts['test_commands'].append({'source': path, 'command': line[:300]})


def add(facts, source, kind, requirements):
    requirements = [r.strip() for r in requirements if isinstance(r, str) and r.strip()]
    if requirements:
        facts['requirements'].append({'source': source, 'kind': kind, 'items': requirements[:500]})


def layout_facts(facts):
    tests = 0
    unittest_files = 0
    test_dirs = set()
    top = []
    for root, dirs, files in os.walk('.'):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith('.'))
        for name in files:
            if re.match(r'^(test_.*|.*_test)\.py$', name):
                tests += 1
                test_dirs.add(root[2:].split('/')[0] if root != '.' else '.')
                if tests <= 2000:
                    text = read(os.path.join(root, name)) or ''
                    if 'unittest' in text and 'pytest' not in text:
                        unittest_files += 1
            if name.endswith('.pyx') or (name.endswith(('.c', '.cpp')) and root.startswith(('./src', './' + (facts['package_dir'] or '@')))):
                if len(facts['compiled']) < 5:
                    facts['compiled'].append(os.path.join(root, name)[2:])
    source_root = facts['package_dir'] or ('src' if os.path.isdir('src') and not os.path.isfile('src/__init__.py') else '.')
    if os.path.isdir(source_root):
        for name in sorted(os.listdir(source_root)):
            path = os.path.join(source_root, name)
            if os.path.isdir(path) and os.path.isfile(os.path.join(path, '__init__.py')) and name not in ('tests', 'test', 'docs'):
                top.append(name)
            elif name.endswith('.py') and name not in ('setup.py', 'conftest.py', 'noxfile.py') and source_root != '.':
                top.append(name[:-3])
    facts['source_root'] = source_root
    facts['packages'] = top
    facts['test_files'] = tests
    facts['unittest_files'] = unittest_files
    facts['test_dirs'] = sorted(test_dirs)
    facts['conftest'] = os.path.isfile('conftest.py')


def main():
    facts = {
        'python': '%d.%d.%d' % sys.version_info[:3], 'name': None, 'version': None, 'requires_python': None,
        'build_backend': None, 'build_requires': [], 'requirements': [], 'pytest': None, 'test_commands': [],
        'package_dir': None, 'source_root': '.', 'packages': [], 'compiled': [], 'scripts': {}, 'version_files': [],
        'test_files': 0, 'unittest_files': 0, 'test_dirs': [], 'conftest': False, 'files': [], 'problems': problems,
        'setup_py_parses': True, 'license_expression': False,
    }
    pyproject_facts(facts)
    setup_cfg_facts(facts)
    setup_py_facts(facts)
    requirements_facts(facts)
    text = read('tox.ini')
    if text is not None:
        facts['files'].append('tox.ini')
        tox_ini(facts, text, 'tox.ini')
    pytest_ini = ini('pytest.ini')
    if pytest_ini is not None:
        facts['files'].append('pytest.ini')
        facts['pytest'] = ini_pytest(pytest_ini, 'pytest', 'pytest.ini') or facts['pytest']
    noxfile_facts(facts)
    workflow_facts(facts)
    layout_facts(facts)
    json.dump(facts, sys.stdout)


if __name__ == '__main__':
    main()
