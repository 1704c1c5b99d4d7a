import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { normaliseName } from './requirements.js';

const EXCEPTIONS_FILE = join(PACKAGE_ROOT, 'src', 'env', 'debian', 'pydist-exceptions.tsv');
let exceptions: Map<string, string> | undefined;

/** Debian's own map of PyPI names to packages where the package is not `python3-<name>` (dh-python's fallback list). */
function exceptionTable(): Map<string, string> {
  if (exceptions) return exceptions;
  exceptions = new Map();
  for (const line of readFileSync(EXCEPTIONS_FILE, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, pkg] = line.split('\t');
    if (name && pkg && !exceptions.has(name)) exceptions.set(name, pkg);
  }
  return exceptions;
}

/**
 * Where a test environment wants another package than dh-python's table names: the table
 * maps setuptools to python3-pkg-resources (what code importing pkg_resources needs at run
 * time), but building and running tests wants setuptools itself; bookworm ships flit_core
 * in the `flit` package.
 */
const OVERRIDES: Record<string, string> = { setuptools: 'python3-setuptools', 'flit-core': 'flit', flit: 'flit' };

/** The Debian package that would provide a distribution: the exception table's, else `python3-<normalised name>`. */
export function debianPackageFor(distribution: string): string {
  const name = normaliseName(distribution);
  return OVERRIDES[name] ?? exceptionTable().get(name) ?? `python3-${name}`;
}

/**
 * Distributions named by what a module is imported as, where the two differ (a failed
 * import names the module, not the distribution). The common cases only; a module not
 * listed is taken as its own distribution name.
 */
const IMPORT_NAMES: Record<string, string> = {
  yaml: 'pyyaml', PIL: 'pillow', bs4: 'beautifulsoup4', dateutil: 'python-dateutil', attr: 'attrs', sklearn: 'scikit-learn',
  cv2: 'opencv-python', Crypto: 'pycryptodome', jwt: 'pyjwt', serial: 'pyserial', zmq: 'pyzmq', OpenSSL: 'pyopenssl',
  magic: 'python-magic', dns: 'dnspython', git: 'gitpython', google: 'protobuf', pkg_resources: 'setuptools', _pytest: 'pytest',
  pytest_benchmark: 'pytest-benchmark', pytest_mock: 'pytest-mock', pytest_asyncio: 'pytest-asyncio', xdist: 'pytest-xdist',
  typing_extensions: 'typing-extensions', docutils: 'docutils', markdown: 'markdown', lxml: 'lxml', mock: 'mock', six: 'six',
  hypothesis: 'hypothesis', freezegun: 'freezegun', tomli_w: 'tomli-w', ruamel: 'ruamel.yaml', importlib_metadata: 'importlib-metadata',
  importlib_resources: 'importlib-resources', backports: 'backports.zoneinfo', jinja2: 'jinja2', markupsafe: 'markupsafe',
  railroad: 'railroad-diagrams', pkg_about: 'pkg-about', sortedcontainers: 'sortedcontainers', nose: 'nose',
};

/** The distribution a top-level module name most likely comes from. */
export function distributionOfModule(module: string): string {
  const top = module.split('.')[0]!;
  return IMPORT_NAMES[top] ?? normaliseName(top.replace(/_/g, '-'));
}

/** pytest fixtures that only a plugin provides: a test asking for one names the missing plugin. */
export const FIXTURE_PLUGINS: Record<string, string> = {
  benchmark: 'pytest-benchmark', mocker: 'pytest-mock', event_loop: 'pytest-asyncio', httpserver: 'pytest-httpserver',
  snapshot: 'syrupy', datadir: 'pytest-datadir', freezer: 'pytest-freezer', subtests: 'pytest-subtests', requests_mock: 'requests-mock',
  aiohttp_client: 'pytest-aiohttp', fs: 'pyfakefs', responses: 'responses', respx_mock: 'respx', time_machine: 'time-machine',
  xprocess: 'pytest-xprocess', lazy_fixture: 'pytest-lazy-fixture', doctest_namespace: 'pytest',
};

/** pytest markers only a plugin registers: a suite that uses one (with unknown marks as errors) names the plugin. */
export const MARKER_PLUGINS: Record<string, string> = {
  no_cover: 'pytest-cov', asyncio: 'pytest-asyncio', benchmark: 'pytest-benchmark', timeout: 'pytest-timeout', django_db: 'pytest-django',
  mpl_image_compare: 'pytest-mpl', flaky: 'pytest-rerunfailures', httpserver: 'pytest-httpserver', trio: 'pytest-trio', anyio: 'anyio',
};
