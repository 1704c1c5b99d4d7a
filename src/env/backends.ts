import { upstreamVersion } from './apt-policy.js';
import { parseRequirement, satisfies } from './requirements.js';

/** PEP 517 build backends and the Debian package that provides each. */
export const BACKEND_PACKAGES: Record<string, string> = {
  'setuptools.build_meta': 'python3-setuptools',
  'setuptools.build_meta:__legacy__': 'python3-setuptools',
  'flit_core.buildapi': 'flit',
  'hatchling.build': 'python3-hatchling',
  'poetry.core.masonry.api': 'python3-poetry-core',
  'pdm.backend': 'python3-pdm-backend',
};

/**
 * Whether `pip install -e . --no-build-isolation` can work with Debian's build tools:
 * the backend is packaged and every build requirement is met by the packaged version.
 * Debian's backends are often older than a project asks for (flit_core 3.8, setuptools
 * 66, hatchling 1.12 in bookworm); then the project is installed without building it.
 */
export function editableInstall(buildBackend: string | null, buildRequires: string[], debian: (distribution: string) => string | null, debianPackageFor: (d: string) => string): { possible: boolean; packages: string[]; why: string | null } {
  const backend = buildBackend ?? 'setuptools.build_meta:__legacy__';
  const backendPackage = BACKEND_PACKAGES[backend];
  if (!backendPackage) return { possible: false, packages: [], why: `build backend ${backend} has no Debian package forager knows` };
  const packages = new Set<string>([backendPackage]);
  for (const raw of buildRequires) {
    const requirement = parseRequirement(raw);
    if (!requirement) continue;
    const pkg = debianPackageFor(requirement.name);
    const version = debian(pkg);
    if (version === null) return { possible: false, packages: [], why: `build requirement ${raw} is not in Debian (${pkg})` };
    if (!satisfies(upstreamVersion(version), requirement.specifier)) return { possible: false, packages: [], why: `build requirement ${raw}: Debian has ${pkg} ${version}` };
    packages.add(pkg);
  }
  return { possible: true, packages: [...packages], why: null };
}
