import { existsSync } from 'node:fs';
import { InfrastructureError } from '../../core/errors.js';
import { findProgram, isRoot, runHostCommand } from '../../core/host-command.js';
import { describeOs, isDebianLike, readOsRelease } from '../../core/host-os.js';
import type { Logger } from '../../core/log.js';

/** Where Podman looks for catatonit (its `--init`); Debian's package puts it in both. */
const CATATONIT = ['/usr/libexec/podman/catatonit', '/usr/bin/catatonit'];

/** Debian packages a rootful Podman backend needs that are missing here. */
export function missingPackages(): string[] {
  const missing: string[] = [];
  // Podman needs a network stack and picks netavark where it is installed, else CNI: name the one forager is tested with.
  if (!findProgram('podman')) missing.push('podman', 'netavark');
  if (!CATATONIT.some((path) => existsSync(path))) missing.push('catatonit');
  return missing;
}

/** Install what is missing with apt (root on Debian/Ubuntu); otherwise say exactly what to install. The packages installed. */
export async function installPackages(options: { install: boolean; log: Logger }): Promise<string[]> {
  const missing = missingPackages();
  if (missing.length === 0) return [];
  const what = `Podman needs ${missing.join(', ')} (Debian/Ubuntu: apt-get install --no-install-recommends ${missing.join(' ')})`;
  if (!options.install) throw new InfrastructureError('ENGINE_UNREACHABLE', `${what}; forager installs them itself without --no-install, as root.`);
  if (!isRoot()) throw new InfrastructureError('ENGINE_INSTALL_FAILED', `${what}; installing them needs root: run \`sudo forager setup --sandbox podman\` or install them yourself.`);
  const os = readOsRelease();
  if (!isDebianLike(os) || !findProgram('apt-get')) throw new InfrastructureError('ENGINE_INSTALL_FAILED', `${what}; forager installs them only on Debian/Ubuntu, and this is ${describeOs(os)}.`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt (a second set-up, unattended upgrades) may hold the lock: wait for it rather than fail.
  for (const args of [['update'], ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...missing]]) {
    options.log.info({ command: `apt-get ${args.join(' ')}` }, 'installing Podman');
    const result = await runHostCommand('apt-get', args, { env, timeoutMs: 20 * 60_000 });
    if (result.exitCode !== 0) {
      throw new InfrastructureError('ENGINE_INSTALL_FAILED', `apt-get ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.tail}`, { context: { exitCode: result.exitCode } });
    }
  }
  return missing;
}
