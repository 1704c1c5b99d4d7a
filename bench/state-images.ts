import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BASE = 'forager-base:bookworm';

/** The tag of the image holding `files` small files under /work/repo (built once, then reused). */
export function filesImageTag(files: number): string {
  return `forager-statebench:${files}`;
}

/**
 * An image FROM the base image with `files` files of a few bytes baked into
 * /work/repo, spread over folders of 1000: a repository the agent does not touch.
 */
export async function ensureFilesImage(files: number): Promise<string> {
  const tag = filesImageTag(files);
  const known = await run('docker', ['image', 'inspect', tag]).then(() => true, () => false);
  if (known) return tag;
  const dockerfile = [
    `FROM ${BASE}`,
    `RUN python3 -c "exec(\\"import os\\\\nfor i in range(${files}):\\\\n d='/work/repo/d%03d' % (i // 1000); os.makedirs(d, exist_ok=True); open('%s/f%06d.py' % (d, i), 'w').write('x = 1')\\")"`,
  ].join('\n');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('docker', ['build', '-q', '-t', tag, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker build ${tag} failed: ${err.slice(-2000)}`))));
    child.stdin.end(dockerfile);
  });
  return tag;
}
