import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the pure modules only (parsers, planners, formats, schema,
 * classifiers) — no Docker engine, no Redis, no browser; runs in seconds. `npm test`
 * stays the whole suite. A file belongs here only if it needs none of those: the engine
 * endpoint is pointed nowhere, so a listed test that reaches for Docker fails.
 */
export const UNIT_TESTS = [
  'tests/agent/context.test.ts',
  'tests/agent/formats/*.test.ts',
  'tests/agent/model-agent.test.ts',
  'tests/agent/overrides.test.ts',
  'tests/architecture/import-cycles.test.ts',
  'tests/cli/arguments.test.ts',
  'tests/cli/model-options.test.ts',
  'tests/core/*.test.ts',
  'tests/eval/grading.test.ts',
  'tests/eval/parsers.test.ts',
  'tests/export/dedup.test.ts',
  'tests/export/filters-splits.test.ts',
  'tests/export/format-chat.test.ts',
  'tests/export/format-jsonl.test.ts',
  'tests/export/format-parquet.test.ts',
  'tests/export/harness-grades.test.ts',
  'tests/export/hf-shred.test.ts',
  'tests/export/progress.test.ts',
  'tests/export/stats.test.ts',
  'tests/import/atif.test.ts',
  'tests/docker/images/build-failure.test.ts',
  'tests/docker/images/eviction-plan.test.ts',
  'tests/docker/images/file-lock.test.ts',
  'tests/model/anthropic-client.test.ts',
  'tests/model/client.test.ts',
  'tests/model/prices.test.ts',
  'tests/model/rate-limiter.test.ts',
  'tests/model/request-body.test.ts',
  'tests/model/retry.test.ts',
  'tests/model/sse.test.ts',
  'tests/mutate/planner.test.ts',
  'tests/mutate/task-spec.test.ts',
  'tests/queue/payload.test.ts',
  'tests/replay/compare.test.ts',
  'tests/sandbox/capture.test.ts',
  'tests/sandbox/file-tools/splice.test.ts',
  'tests/podman/facts.test.ts',
  'tests/sandbox/provider-boundary.test.ts',
  'tests/sandbox/sentinel.test.ts',
  'tests/sandbox/state.test.ts',
  'tests/scheduler/batch-files.test.ts',
  'tests/scheduler/layout-readers.test.ts',
  'tests/scheduler/plan.test.ts',
  'tests/scheduler/retry-policy.test.ts',
  'tests/scheduler/watchdog.test.ts',
  'tests/swebench/select.test.ts',
  'tests/task/load.test.ts',
  'tests/trace/cwm.test.ts',
  'tests/trace/json-schema.test.ts',
  'tests/trajectory/agent-description.test.ts',
  'tests/trajectory/json-schema.test.ts',
  'tests/trajectory/reader.test.ts',
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    testTimeout: 30_000,
    // Pure modules need no process of their own: threads start faster than forks.
    pool: 'threads',
    globalSetup: ['tests/tmp-setup.ts'],
    env: { DOCKER_HOST: 'tcp://127.0.0.1:1' },
  },
});
