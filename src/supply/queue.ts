import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { ModelOverridesSchema } from '../queue/payload.js';
import { connectRedis } from '../queue/index.js';
import { checkBatchId, KEY_PREFIX } from '../queue/names.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { TaskError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { createModelInstaller, keyOf, nameOf, type RepoInput } from '../env/index.js';
import { STAGES } from './events.js';
import { runSupply } from './pipeline.js';

/** The BullMQ queue of the supply pipeline: one job per repository (its stages run on one machine, where its images are). */
export const SUPPLY_QUEUE = 'forager-supply';

/** What a supply job carries: the repository and the pipeline's settings, nothing of the enqueuing machine. */
export const SupplyJobSchema = z.object({
  version: z.literal(1),
  batch: z.string().min(1),
  repo: z.object({ location: z.string().min(1), revision: z.string().optional(), name: z.string().optional() }).strict(),
  settings: z.object({
    stages: z.array(z.enum(STAGES as unknown as [string, ...string[]])).min(1),
    last: z.number().int().positive(),
    mutants: z.number().int().nonnegative(),
    seed: z.number().int().nonnegative(),
    testTimeoutS: z.number().int().positive(),
    pipIndex: z.string().optional(),
    pypi: z.boolean().optional(),
    installer: z.enum(['scripted', 'model', 'auto']),
    /** The model installer's endpoint flags; a key travels only as the name of a variable each worker reads. */
    model: ModelOverridesSchema.optional(),
  }).strict(),
}).strict();
export type SupplyJob = z.infer<typeof SupplyJobSchema>;

/** A repository's job id (BullMQ takes a custom id with `:` only as exactly three parts). */
export function supplyJobId(batch: string, key: string): string {
  return `${batch}:repo:${key}`;
}

/** A batch id from the repositories and settings: the same command names the same batch. */
export function supplyBatchId(repos: RepoInput[], settings: SupplyJob['settings']): string {
  const hash = createHash('sha256').update(JSON.stringify({ repos: repos.map((r) => [r.location, r.revision ?? null, r.name ?? null]), settings })).digest('hex');
  return `supply-${hash.slice(0, 12)}`;
}

/**
 * Add one job per repository, id `<batch>:repo:<key>`: BullMQ ignores an id it holds, so
 * enqueueing the same batch again adds nothing. Locations must be reachable from every
 * worker (a URL, or a path on a file system they share).
 */
export async function enqueueSupply(repos: RepoInput[], settings: SupplyJob['settings'], options: { queue: string; batch?: string }): Promise<{ batch: string; added: number; existing: number }> {
  const batch = checkBatchId(options.batch ?? supplyBatchId(repos, settings));
  const connection = connectRedis(options.queue);
  const queue = new Queue(SUPPLY_QUEUE, { connection, prefix: KEY_PREFIX });
  try {
    let existing = 0;
    for (const repo of repos) {
      const id = supplyJobId(batch, keyOf(repo.name ?? nameOf(repo.location)));
      if (await connection.exists(`${KEY_PREFIX}:${SUPPLY_QUEUE}:${id}`)) existing += 1;
      const data: SupplyJob = { version: 1, batch, repo, settings };
      await queue.add(repo.name ?? repo.location, SupplyJobSchema.parse(data), {
        jobId: id, attempts: 3, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: false, removeOnFail: false,
      });
    }
    return { batch, added: repos.length - existing, existing };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface SupplyWorkerOptions {
  queue: string;
  /** Batches go to `<out>/<batch>/` (a shared file system in a cluster), laid out as a local run's folder. */
  out: string;
  provider: SandboxProvider;
  concurrency: number;
  lockDurationMs?: number;
  log?: Logger;
  repository?: string;
}

/**
 * A worker of the supply queue: each job is one repository's pipeline (runSupply with that
 * repository), into its batch's folder. Stages whose output is in place are skipped, so a
 * job taken over from a dead worker resumes where that one stopped; a stage that failed
 * for infrastructure fails the job, and BullMQ tries it again (maybe on another machine).
 */
export async function startSupplyWorker(options: SupplyWorkerOptions): Promise<{ close(): Promise<void> }> {
  const log = options.log ?? silentLogger;
  const connection = connectRedis(options.queue);
  const controller = new AbortController();
  const runId = `supply-worker-${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  const worker = new Worker(SUPPLY_QUEUE, async (job: Job) => {
    const parsed = SupplyJobSchema.safeParse(job.data);
    if (!parsed.success) throw new TaskError('JOB_PAYLOAD_INVALID', `supply job ${job.id}: field ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const { batch, repo, settings } = parsed.data;
    const out = join(options.out, checkBatchId(batch));
    const modelInstaller = settings.installer !== 'scripted' && settings.model?.baseUrl ? createModelInstaller({ provider: options.provider, overrides: settings.model, out, log }) : undefined;
    const result = await runSupply([repo], {
      provider: options.provider, out, concurrency: 1, stages: settings.stages as (typeof STAGES)[number][], last: settings.last, mutants: settings.mutants, seed: settings.seed,
      testTimeoutS: settings.testTimeoutS, pipIndex: settings.pipIndex, pypi: settings.pypi, scripted: settings.installer !== 'model', modelInstaller, runId, repository: options.repository,
      log: log.child({ job: job.id }), signal: controller.signal,
    });
    const failed = result.repos[0]?.failed;
    if (failed && !failed.final) throw new Error(`${failed.stage}: ${failed.code}: ${failed.message.split('\n')[0]}`);
    return { repo: result.repos[0]?.name ?? repo.location, failed: failed ?? null };
  }, { connection, prefix: KEY_PREFIX, concurrency: options.concurrency, lockDuration: options.lockDurationMs ?? 60_000 });
  worker.on('error', (error) => log.error({ err: error }, 'supply worker error'));
  return {
    async close() {
      await worker.close();
      controller.abort();
      connection.disconnect();
    },
  };
}
