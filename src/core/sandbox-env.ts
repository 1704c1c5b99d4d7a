/**
 * Variables pinned in every sandbox so that runs repeat: time zone, locale, hash seed,
 * home, and pagers that never wait for a terminal. A task's own env is applied on top.
 */
export const PINNED_ENV: Readonly<Record<string, string>> = {
  TZ: 'UTC',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  PYTHONHASHSEED: '0',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONUNBUFFERED: '1',
  HOME: '/root',
  TERM: 'dumb',
  PAGER: 'cat',
  GIT_PAGER: 'cat',
  DEBIAN_FRONTEND: 'noninteractive',
};

export const SANDBOX_HOSTNAME = 'forager';

export function sandboxEnv(taskEnv: Record<string, string>): Record<string, string> {
  return { ...PINNED_ENV, ...taskEnv };
}
