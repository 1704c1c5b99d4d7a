import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BACKENDS, createProvider } from '../../src/providers/index.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
/** The folders that are Docker's: only they may use dockerode or each other's internals. */
const DOCKER_FOLDERS = ['docker'];
/** The one place backends are listed may name a backend's public surface (its index). */
const REGISTRY = { file: 'providers/index.ts', target: 'docker/index.ts' };

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

function inDockerFolder(rel: string): boolean {
  return DOCKER_FOLDERS.some((folder) => rel === folder || rel.startsWith(`${folder}/`));
}

/** `file imports spec` pairs that reach Docker from outside Docker's folders. */
function dockerLeaks(): string[] {
  const leaks: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = relative(SRC, file).split('\\').join('/');
    if (inDockerFolder(rel)) continue;
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec === 'dockerode' || spec.startsWith('dockerode/') || spec === 'docker-modem') {
        leaks.push(`${rel} imports ${spec}`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
      if (!inDockerFolder(target)) continue;
      if (rel === REGISTRY.file && target === REGISTRY.target) continue;
      leaks.push(`${rel} imports ${spec}`);
    }
  }
  return leaks;
}

describe('the sandbox provider seam', () => {
  it('nothing outside src/docker/ imports Docker code (dockerode or those folders), only the provider contract', () => {
    expect(dockerLeaks()).toEqual([]);
  });

  it('the scan sees what it looks for: it finds dockerode inside the Docker folder', () => {
    const engine = readFileSync(join(SRC, 'docker/engine.ts'), 'utf8');
    expect(specifiers(engine)).toContain('dockerode');
    expect(specifiers("const m = await import('../images/index.js');\nexport { x } from \"./y.js\";")).toEqual(['./y.js', '../images/index.js']);
  });

  it('lists Docker in the provider registry: a backend is one folder plus one line there', () => {
    expect(Object.keys(BACKENDS)).toContain('docker');
    expect(BACKENDS.docker().name).toBe('docker');
    const provider = createProvider('docker');
    expect(provider.name).toBe('docker');
    for (const op of ['ping', 'health', 'version', 'prepareImage', 'findImage', 'start', 'reap', 'requireFreeSpace', 'setup', 'recordImageUse', 'evictImages'] as const) {
      expect(typeof provider[op]).toBe('function');
    }
  });
});
