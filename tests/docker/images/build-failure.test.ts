import { describe, expect, it } from 'vitest';
import { isTransientBuildFailure } from '../../../src/docker/images/build-failure.js';

describe('isTransientBuildFailure()', () => {
  it('flags network and mirror hiccups at the end of a build log', () => {
    const hiccups = [
      "W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Temporary failure resolving 'deb.debian.org'",
      'E: Failed to fetch http://deb.debian.org/debian/pool/main/p/python3.11/x.deb  Hash Sum mismatch',
      'E: Failed to fetch http://deb.debian.org/debian/pool/main/g/git/git.deb  503  Service Unavailable [IP: 151.101.2.132 80]',
      'Could not connect to deb.debian.org:80 (151.101.2.132), connection timed out',
      "fatal: unable to access 'https://github.com/x/y/': Could not resolve host: github.com",
      'curl: (28) Connection timed out after 30001 milliseconds',
    ];
    for (const line of hiccups) expect(isTransientBuildFailure('The command returned a non-zero code: 100', `Step 3/4 : RUN apt-get update\n${line}\n`), line).toBe(true);
    expect(isTransientBuildFailure('Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout', '')).toBe(true);
  });

  it('leaves ordinary build failures final', () => {
    expect(isTransientBuildFailure("The command '/bin/sh -c exit 7' returned a non-zero code: 7", 'Step 3/4 : RUN exit 7\n')).toBe(false);
    expect(isTransientBuildFailure('The command returned a non-zero code: 100', 'E: Unable to locate package python3-nosuch\n')).toBe(false);
    expect(isTransientBuildFailure('COPY failed: file not found in build context', '')).toBe(false);
  });

  it('looks at the end of the log only: an old hiccup that a retry survived does not count', () => {
    const log = `Temporary failure resolving 'deb.debian.org'\n${'ok\n'.repeat(100)}E: Unable to locate package nosuch\n`;
    expect(isTransientBuildFailure('non-zero code: 100', log)).toBe(false);
  });
});
