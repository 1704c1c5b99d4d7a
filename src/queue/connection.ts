import { Redis } from 'ioredis';
import { TaskError } from '../core/errors.js';

/**
 * A Redis connection for BullMQ from a `redis://[user:pass@]host:port[/db]` URL (or
 * `rediss://` for TLS). BullMQ's workers block on Redis, so requests must not be capped
 * by a retry count (`maxRetriesPerRequest: null`); a lost server is retried forever.
 */
export function connectRedis(url: string, options: { lazy?: boolean } = {}): Redis {
  checkRedisUrl(url);
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: options.lazy ?? false, enableReadyCheck: true });
}

/** Refuse anything that is not a redis:// or rediss:// URL, naming the flag. */
export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TaskError('QUEUE_URL_INVALID', `--queue: expected a URL like redis://host:6379, found "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TaskError('QUEUE_URL_INVALID', `--queue: expected a redis:// or rediss:// URL, found "${parsed.protocol}"`);
  }
}
