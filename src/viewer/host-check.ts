import { isIP } from 'node:net';

/**
 * Whether a request's Host header names this viewer: `localhost`, an IP address, or the
 * host it was started on, with its port. Any other name is a DNS-rebinding attempt (a
 * page on evil.example whose name now resolves to 127.0.0.1) and is refused.
 */
export function isAllowedHost(header: string | undefined, port: number, configuredHost?: string): boolean {
  if (!header) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim().toLowerCase());
  if (!match) return false;
  const name = match[1]!;
  if ((match[2] === undefined ? 80 : Number(match[2])) !== port) return false;
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return bare === 'localhost' || isIP(bare) !== 0 || (configuredHost !== undefined && bare === configuredHost.toLowerCase());
}
