import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BACKENDS, createProvider } from '../../src/providers/index.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
/**
 * The backend folders: only they may use engine code (dockerode, docker-modem). Each may
 * reach another backend only through its public surface (Podman reuses Docker's
 * Engine-API code through docker/index.ts), never its internals.
 */
const BACKEND_FOLDERS = ['docker', 'podman', 'unsandboxed'];
/** The one place backends are listed may name their public surfaces (their index). */
const REGISTRY = 'providers/index.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file names: static imports and re-exports, side-effect imports, import() calls and types. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) out.push(match[1]!);
  return out;
}

/** The backend folder a source path is in, or undefined. */
function backendOf(rel: string): string | undefined {
  return BACKEND_FOLDERS.find((folder) => rel === folder || rel.startsWith(`${folder}/`));
}

/** What a file at `rel` (under src/) imports that it may not: engine code outside a backend, or a backend's internals from outside it. */
function leaksIn(rel: string, text: string): string[] {
  const home = backendOf(rel);
  return specifiers(text).filter((spec) => {
    if (spec === 'dockerode' || spec.startsWith('dockerode/') || spec === 'docker-modem') return home === undefined;
    if (!spec.startsWith('.')) return false;
    const target = relative(SRC, resolve(dirname(join(SRC, rel)), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
    const backend = backendOf(target);
    if (!backend || backend === home) return false;
    return !(target === `${backend}/index.ts` && (home !== undefined || rel === REGISTRY));
  });
}

/** `file imports spec` for every leak under src/. */
function engineLeaks(): string[] {
  return sourceFiles(SRC).flatMap((file) => {
    const rel = relative(SRC, file).split('\\').join('/');
    return leaksIn(rel, readFileSync(file, 'utf8')).map((spec) => `${rel} imports ${spec}`);
  });
}

describe('the sandbox provider seam', () => {
  it('nothing outside a backend folder imports engine code (dockerode, a backend), and backends reach each other only through their index', () => {
    expect(engineLeaks()).toEqual([]);
  });

  it('the scan sees what it looks for: it finds dockerode inside the Docker folder', () => {
    const engine = readFileSync(join(SRC, 'docker/engine.ts'), 'utf8');
    expect(specifiers(engine)).toContain('dockerode');
    expect(specifiers("const m = await import('../images/index.js');\nexport { x } from \"./y.js\";")).toEqual(['./y.js', '../images/index.js']);
  });

  it('lists Docker and Podman in the provider registry: a backend is one folder plus one line there', () => {
    expect(Object.keys(BACKENDS)).toEqual(['docker', 'podman', 'unsandboxed']);
    for (const name of ['docker', 'podman'] as const) {
      expect(BACKENDS[name]({}).name).toBe(name);
      const provider = createProvider(name);
      expect(provider.name).toBe(name);
      for (const op of ['ping', 'health', 'version', 'prepareImage', 'findImage', 'start', 'reap', 'requireFreeSpace', 'setup', 'recordImageUse', 'evictImages'] as const) {
        expect(typeof provider[op]).toBe('function');
      }
    }
  });

  it('the scan catches a backend reaching into another\'s internals, and code outside any backend reaching its index', () => {
    expect(leaksIn('podman/backend.ts', "import { x } from '../docker/container.js';")).toEqual(['../docker/container.js']);
    expect(leaksIn('podman/backend.ts', "import { x } from '../docker/index.js';")).toEqual([]);
    expect(leaksIn('runner/run-task.ts', "import { x } from '../podman/index.js';")).toEqual(['../podman/index.js']);
    expect(leaksIn('providers/index.ts', "import { x } from '../podman/index.js';")).toEqual([]);
    expect(leaksIn('runner/run-task.ts', "import Docker from 'dockerode';")).toEqual(['dockerode']);
    expect(leaksIn('podman/libpod.ts', "import type Docker from 'dockerode';")).toEqual([]);
  });
});
