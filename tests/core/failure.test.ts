import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/backoff.js';
import { AbortedError, ForagerError, InfrastructureError, TaskError } from '../../src/core/errors.js';
import { classifyError, classifyFailure, needsRedo } from '../../src/core/failure.js';
import { sleep, sleepUnlessAborted } from '../../src/core/sleep.js';
import { APIConnectionError, errorForStatus, ResponseTooLargeError, RetryAfterTooLongError, StreamIdleError } from '../../src/model/index.js';

describe('classifyFailure() - the one retry rule', () => {
  it('retries transient infrastructure failures of an attempt now', () => {
    for (const code of ['ENGINE_UNREACHABLE', 'ENGINE_ERROR', 'CONTAINER_GONE', 'CONTAINER_OOM_KILLED', 'IMAGE_BUILD_TRANSIENT', 'WATCHDOG_TIMEOUT']) {
      expect(classifyFailure({ kind: 'infrastructure', code }), code).toBe('retry-now');
    }
  });

  it('redoes on resume an attempt whose model endpoint still failed after the client\'s own retries', () => {
    for (const code of ['MODEL_CONNECTION', 'MODEL_TIMEOUT', 'MODEL_HTTP_429', 'MODEL_HTTP_503', 'MODEL_HTTP_529']) {
      expect(classifyFailure({ kind: 'infrastructure', code }), code).toBe('redo-on-resume');
    }
  });

  it('leaves model 400/401/403/404/422, internal bugs, agent and task failures final', () => {
    for (const status of [400, 401, 403, 404, 422]) {
      // Trajectories harvested before the kind became `task` still say infrastructure: the code decides.
      expect(classifyFailure({ kind: 'infrastructure', code: `MODEL_HTTP_${status}` }), String(status)).toBe('final');
      expect(classifyFailure({ kind: 'task', code: `MODEL_HTTP_${status}` }), String(status)).toBe('final');
    }
    expect(classifyFailure({ kind: 'infrastructure', code: 'INTERNAL' })).toBe('final');
    expect(classifyFailure({ kind: 'agent', code: 'MAX_STEPS' })).toBe('final');
    expect(classifyFailure({ kind: 'task', code: 'IMAGE_BUILD_FAILED' })).toBe('final');
    expect(classifyFailure({ kind: 'task', code: 'CONTAINER_GONE' })).toBe('final');
    expect(classifyFailure(undefined)).toBe('final');
  });

  it('redoes aborts and infrastructure failures of unknown cause on resume, without retrying them now', () => {
    expect(classifyFailure({ kind: 'infrastructure', code: 'ABORTED' })).toBe('redo-on-resume');
    expect(classifyFailure({ kind: 'infrastructure', code: 'MODEL_INVALID_RESPONSE' })).toBe('redo-on-resume');
  });
});

describe('classifyError()', () => {
  it('classifies model errors by status, connection errors as transient, aborts for resume, bugs as final', () => {
    expect(classifyError(errorForStatus(401, 'bad key'))).toBe('final');
    expect(classifyError(errorForStatus(503, 'busy'))).toBe('retry-now');
    expect(classifyError(new APIConnectionError('refused'))).toBe('retry-now');
    expect(classifyError(new AbortedError())).toBe('redo-on-resume');
    expect(classifyError(new Error('a bug'))).toBe('final');
    expect(classifyError(new TaskError('TASK_INVALID', 'bad'))).toBe('final');
    expect(classifyError(new InfrastructureError('ENGINE_ERROR', 'engine 500'))).toBe('retry-now');
    // A socket error is the backend's to translate (src/docker/engine-errors.ts); untranslated, it is forager's bug.
    expect(classifyError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('final');
  });

  it('retries a stalled model stream at once; an oversized answer or a Retry-After past the cap only on resume', () => {
    expect(classifyError(new StreamIdleError('no event'))).toBe('retry-now');
    expect(classifyError(new ResponseTooLargeError('2 GB'))).toBe('redo-on-resume');
    expect(classifyError(new RetryAfterTooLongError('tomorrow'))).toBe('redo-on-resume');
    for (const error of [new StreamIdleError('x'), new ResponseTooLargeError('x'), new RetryAfterTooLongError('x')]) expect(error.kind).toBe('infrastructure');
    expect(classifyFailure({ kind: 'infrastructure', code: 'MODEL_STREAM_IDLE' })).toBe('redo-on-resume');
  });

  it('records model errors no retry can mend with failure kind task, the others with infrastructure', () => {
    expect((errorForStatus(401, 'x') as ForagerError).kind).toBe('task');
    expect((errorForStatus(404, 'x') as ForagerError).kind).toBe('task');
    expect((errorForStatus(429, 'x') as ForagerError).kind).toBe('infrastructure');
    expect(new APIConnectionError('x').kind).toBe('infrastructure');
  });
});

describe('needsRedo() - resume', () => {
  const footer = (extra: object) => ({ exit_status: 'error', failure_kind: 'infrastructure' as const, ...extra });
  it('redoes aborted runs and non-final infrastructure failures, never final ones', () => {
    expect(needsRedo({ exit_status: 'aborted', failure_kind: 'infrastructure' })).toBe(true);
    expect(needsRedo(footer({ error: { kind: 'infrastructure', code: 'CONTAINER_GONE' } }))).toBe(true);
    expect(needsRedo(footer({}))).toBe(true);
    expect(needsRedo(footer({ error: { kind: 'infrastructure', code: 'MODEL_HTTP_401' } }))).toBe(false);
    expect(needsRedo(footer({ error: { kind: 'infrastructure', code: 'INTERNAL' } }))).toBe(false);
    expect(needsRedo({ exit_status: 'error', failure_kind: 'task', error: { kind: 'task', code: 'MODEL_HTTP_401' } })).toBe(false);
    expect(needsRedo({ exit_status: 'submitted', failure_kind: null })).toBe(false);
  });
});

describe('backoffDelay() and sleep()', () => {
  it('backs off exponentially up to the cap, with full jitter below it', () => {
    const options = { baseMs: 100, capMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10].map((retry) => backoffDelay(retry, options, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(5, options, () => 0)).toBe(0);
  });

  it('rejects with the abort reason as soon as the signal aborts, and at once when it already has', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    const started = Date.now();
    setTimeout(() => controller.abort(reason), 20);
    await expect(sleep(10_000, controller.signal)).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(sleep(10, controller.signal)).rejects.toBe(reason);
    expect(await sleepUnlessAborted(10_000, controller.signal)).toBe(false);
    expect(await sleepUnlessAborted(5)).toBe(true);
  });
});
