// @needs docker
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../../src/core/errors.js';
import { ensureEngine } from '../../../src/docker/images/index.js';
import { isDebianLike, parseOsRelease } from '../../../src/core/host-os.js';

describe('ensureEngine()', () => {
  it('finds the running engine and installs nothing', async () => {
    await expect(ensureEngine({ install: true })).resolves.toMatchObject({ action: 'found' });
  });

  it('says what is missing and how to fix it when no engine answers and install is off', async () => {
    const socketPath = `/tmp/forager-no-engine-${process.pid}.sock`;
    const error = await ensureEngine({ install: false, docker: new Docker({ socketPath }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', message: expect.stringContaining(`unix://${socketPath}`) });
    expect((error as Error).message).toContain('forager setup');
  });

  it('never installs an engine for a remote endpoint, even when asked to', async () => {
    const error = await ensureEngine({ install: true, docker: new Docker({ host: '127.0.0.1', port: 9, protocol: 'http' }) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', message: expect.stringContaining('only installs a local engine') });
  });
});

describe('isDebianLike()', () => {
  it('recognises Debian, Ubuntu and their derivatives, and nothing else', () => {
    expect(isDebianLike(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'))).toBe(true);
    expect(isDebianLike(parseOsRelease('ID=ubuntu\nID_LIKE=debian\n'))).toBe(true);
    expect(isDebianLike(parseOsRelease('ID=linuxmint\nID_LIKE="ubuntu debian"\n'))).toBe(true);
    expect(isDebianLike(parseOsRelease('ID="fedora"\n'))).toBe(false);
    expect(isDebianLike(parseOsRelease(''))).toBe(false);
  });
});
