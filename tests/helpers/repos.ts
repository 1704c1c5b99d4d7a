import { fileURLToPath } from 'node:url';

/** Real repositories' histories committed as git bundles (tests/fixtures/repos/README.md names each). */
export const REPO_BUNDLES = {
  tomli: { path: fileURLToPath(new URL('../fixtures/repos/tomli.bundle', import.meta.url)), name: 'hukkin/tomli', commit: '920e20b1cf495b63f6d4a6aa3cd5e4ff25f5f5a7' },
  humanize: { path: fileURLToPath(new URL('../fixtures/repos/humanize.bundle', import.meta.url)), name: 'python-humanize/humanize', commit: 'c3a124cdeb272d7f63bc0aa66f79c6fbafd2fc6d' },
  toolz: { path: fileURLToPath(new URL('../fixtures/repos/toolz.bundle', import.meta.url)), name: 'pytoolz/toolz', commit: '568c2b8393973cd172a466546c9d95779c452438' },
} as const;
