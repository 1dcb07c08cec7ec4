import { describe, expect, it } from 'vitest';
import {
  formFromConfig,
  formOperators,
  formToOptions,
  parseNumber,
  validateForm,
  type ConfigForm,
  type FormOperator,
} from '../../src/app/components/config/configForm';
import type { LoadInfo, OperatorInfo, ResolvedConfig } from '../../src/worker/protocol';

const OPERATORS: OperatorInfo[] = [
  op('source', 'source', 1),
  op('split', 'flatMap', 2),
  op('count', 'map', 2, true),
  op('print', 'sink', 2),
];

function op(uid: string, kind: OperatorInfo['kind'], parallelism: number, keyed = false): OperatorInfo {
  return {
    uid,
    name: uid,
    kind,
    parallelism,
    maxParallelism: 128,
    processingTimeMs: 1,
    keyed,
    nonParallel: false,
    inputs: [],
  };
}

const CONFIG: ResolvedConfig = {
  chaining: true,
  taskManagers: 1,
  slotsPerTaskManager: 2,
  slotsNeeded: 2,
  mode: 'exactly-once',
  intervalMs: 1000,
  timeoutMs: 600_000,
  minPauseMs: 0,
  maxConcurrent: 1,
  tolerableFailed: 0,
  alignedTimeoutMs: 0,
  incremental: false,
  backend: 'fs',
  restartStrategy: {
    type: 'exponential-delay',
    initialBackoffMs: 1000,
    backoffMultiplier: 1.5,
    maxBackoffMs: 60_000,
    resetBackoffThresholdMs: 3_600_000,
    jitterFactor: 0.1,
  },
  parallelism: { source: 1, split: 2, count: 2, print: 2 },
};

const RUN = { scenario: 'wordcount', seed: 7 };

function form(patch: Partial<ConfigForm> = {}): { form: ConfigForm; ops: FormOperator[] } {
  const ops = formOperators({ tasks: [], channels: [], operators: OPERATORS });
  return { form: { ...formFromConfig(CONFIG, ops, { mode: 'exactly-once', backend: 'fs' }), ...patch }, ops };
}

describe('config form', () => {
  it('round-trips the resolved configuration into LoadOptions', () => {
    const { form: f, ops } = form();
    const r = formToOptions(f, RUN, ops);
    expect(r).toEqual({
      ok: true,
      options: {
        scenario: 'wordcount',
        seed: 7,
        mode: 'exactly-once',
        intervalMs: 1000,
        backend: 'fs',
        checkpoint: {
          timeoutMs: 600_000,
          minPauseMs: 0,
          maxConcurrent: 1,
          tolerableFailed: 0,
          alignedTimeoutMs: 0,
        },
        // Sources keep their partitions: not sent.
        parallelism: { split: 2, count: 2, print: 2 },
        restartStrategy: CONFIG.restartStrategy,
      },
    });
  });

  it('marks sources as fixed', () => {
    const { ops } = form();
    expect(ops.filter((o) => o.fixed).map((o) => o.uid)).toEqual(['source']);
  });

  it('derives operators from tasks when the engine does not report them', () => {
    const load: Pick<LoadInfo, 'tasks' | 'channels'> = {
      tasks: [
        { id: 'source#0', operatorUid: 'source', operatorName: 'Source', subtaskIndex: 0, parallelism: 1 },
        { id: 'count#0', operatorUid: 'count', operatorName: 'Count', subtaskIndex: 0, parallelism: 2 },
        { id: 'count#1', operatorUid: 'count', operatorName: 'Count', subtaskIndex: 1, parallelism: 2 },
      ],
      channels: [
        { id: 'source#0->count#0', from: 'source#0', to: 'count#0' },
        { id: 'source#0->count#1', from: 'source#0', to: 'count#1' },
      ],
    };
    const ops = formOperators(load);
    expect(ops.map((o) => [o.uid, o.parallelism, o.fixed, o.maxParallelism])).toEqual([
      ['source', 1, true, 128],
      ['count', 2, false, 128],
    ]);
  });

  it('falls back to LoadInfo and Flink defaults without a resolved config', () => {
    const ops = formOperators({ tasks: [], channels: [], operators: OPERATORS });
    const f = formFromConfig(undefined, ops, { mode: 'at-least-once', backend: 'memory' });
    expect(f.mode).toBe('at-least-once');
    expect(f.backend).toBe('memory');
    expect(f.timeoutMs).toBe('600000');
    expect(f.parallelism.count).toBe('2');
    expect(f.restartType).toBe('exponential-delay');
  });

  it('checkpointing off is interval 0', () => {
    const { form: f, ops } = form({ checkpointing: false, intervalMs: 'garbage' });
    const r = formToOptions(f, RUN, ops);
    expect(r.ok && r.options.intervalMs).toBe(0);
  });

  it('empty tuning fields mean the scenario default (omitted)', () => {
    const { form: f, ops } = form({ timeoutMs: '', minPauseMs: ' ' });
    const r = formToOptions(f, RUN, ops);
    expect(r.ok && r.options.checkpoint).toEqual({
      maxConcurrent: 1,
      tolerableFailed: 0,
      alignedTimeoutMs: 0,
    });
  });

  it('rejects negative numbers, non-numbers and fractions where integers are needed', () => {
    const { form: f, ops } = form({
      minPauseMs: '-1',
      timeoutMs: 'abc',
      tolerableFailed: '1.5',
      intervalMs: '',
    });
    const errors = validateForm(f, ops);
    expect(errors.minPauseMs).toEqual({ key: 'errMin', params: { min: 0 } });
    expect(errors.timeoutMs).toEqual({ key: 'errNumber' });
    expect(errors.tolerableFailed).toEqual({ key: 'errInteger' });
    expect(errors.intervalMs).toEqual({ key: 'errRequired' });
  });

  it('max concurrent must be at least 1', () => {
    const { form: f, ops } = form({ maxConcurrent: '0' });
    expect(validateForm(f, ops).maxConcurrent).toEqual({ key: 'errMin', params: { min: 1 } });
  });

  it('unaligned requires max concurrent 1', () => {
    const { form: f, ops } = form({ mode: 'unaligned', maxConcurrent: '2' });
    expect(validateForm(f, ops).maxConcurrent).toEqual({ key: 'errUnalignedConcurrent' });
    const ok = form({ mode: 'exactly-once', maxConcurrent: '2' });
    expect(validateForm(ok.form, ok.ops)).toEqual({});
  });

  it('parallelism must be 1..maxParallelism, sources are not validated', () => {
    const { form: f, ops } = form();
    f.parallelism = { source: '99999', split: '0', count: '129', print: '128' };
    const errors = validateForm(f, ops);
    expect(Object.keys(errors).sort()).toEqual(['parallelism.count', 'parallelism.split']);
    expect(errors['parallelism.count']).toEqual({ key: 'errParallelism', params: { max: 128 } });
  });

  it('incremental only goes with rocksdb', () => {
    const a = form({ backend: 'rocksdb', incremental: true });
    const ra = formToOptions(a.form, RUN, a.ops);
    expect(ra.ok && ra.options.checkpoint?.incremental).toBe(true);
    const b = form({ backend: 'hashmap', incremental: true });
    const rb = formToOptions(b.form, RUN, b.ops);
    expect(rb.ok && 'incremental' in (rb.options.checkpoint ?? {})).toBe(false);
  });

  it('builds each restart strategy, empty fields taking Flink defaults', () => {
    const { form: f, ops } = form({ restartType: 'fixed-delay' });
    f.restart.fixedAttempts = '3';
    f.restart.fixedDelayMs = '';
    const r1 = formToOptions(f, RUN, ops);
    expect(r1.ok && r1.options.restartStrategy).toEqual({ type: 'fixed-delay', attempts: 3, delayMs: 1000 });

    f.restartType = 'failure-rate';
    f.restart.rateMaxFailures = '2';
    f.restart.rateIntervalMs = '5000';
    f.restart.rateDelayMs = '10';
    const r2 = formToOptions(f, RUN, ops);
    expect(r2.ok && r2.options.restartStrategy).toEqual({
      type: 'failure-rate',
      maxFailuresPerInterval: 2,
      failureRateIntervalMs: 5000,
      delayMs: 10,
    });

    f.restartType = 'none';
    f.restart.fixedAttempts = 'not validated: not used';
    const r3 = formToOptions(f, RUN, ops);
    expect(r3.ok && r3.options.restartStrategy).toEqual({ type: 'none' });
  });

  it('validates exponential-delay: jitter in [0, 1], multiplier ≥ 1, max ≥ initial', () => {
    const { form: f, ops } = form();
    f.restart.expJitter = '1.5';
    f.restart.expMultiplier = '0.5';
    f.restart.expInitialMs = '5000';
    f.restart.expMaxMs = '1000';
    const errors = validateForm(f, ops);
    expect(errors['restart.expJitter']).toEqual({ key: 'errMax', params: { max: 1 } });
    expect(errors['restart.expMultiplier']).toEqual({ key: 'errMin', params: { min: 1 } });
    expect(errors['restart.expMaxMs']).toEqual({ key: 'errMaxBackoff' });
  });

  it('reads the current restart strategy into the form', () => {
    const ops = formOperators({ tasks: [], channels: [], operators: OPERATORS });
    const f = formFromConfig(
      {
        ...CONFIG,
        restartStrategy: {
          type: 'failure-rate',
          maxFailuresPerInterval: 4,
          failureRateIntervalMs: 9,
          delayMs: 3,
        },
      },
      ops,
      { mode: 'exactly-once', backend: 'fs' },
    );
    expect(f.restartType).toBe('failure-rate');
    expect([f.restart.rateMaxFailures, f.restart.rateIntervalMs, f.restart.rateDelayMs]).toEqual([
      '4',
      '9',
      '3',
    ]);
    expect(f.restart.expMultiplier).toBe('1.5');
  });

  it('parseNumber', () => {
    expect(parseNumber(' 12 ', { min: 0 })).toBe(12);
    expect(parseNumber('', { min: 0, optional: true })).toBeUndefined();
    expect(parseNumber('Infinity', { min: 0 })).toEqual({ key: 'errNumber' });
    expect(parseNumber('5', { min: 0, max: 4 })).toEqual({ key: 'errMax', params: { max: 4 } });
  });
});

describe('TaskManagers and slots in the form', () => {
  it('empty by default (enough slots for the job); explicit sizes go into LoadOptions; bad ones are errors', () => {
    const { form: f, ops } = form();
    expect([f.taskManagers, f.slotsPerTaskManager]).toEqual(['', '']);
    const plain = formToOptions(f, RUN, ops);
    expect(plain.ok && [plain.options.taskManagers, plain.options.slotsPerTaskManager]).toEqual([
      undefined,
      undefined,
    ]);
    const sized = formToOptions({ ...f, taskManagers: '2', slotsPerTaskManager: '1' }, RUN, ops);
    expect(sized.ok && [sized.options.taskManagers, sized.options.slotsPerTaskManager]).toEqual([2, 1]);
    expect(formToOptions({ ...f, slotsPerTaskManager: '0' }, RUN, ops).ok).toBe(false);
    // A cluster smaller than the default is shown as configured.
    const small = formFromConfig(
      { ...CONFIG, taskManagers: 1, slotsPerTaskManager: 1, slotsNeeded: 2 },
      ops,
      {
        mode: 'exactly-once',
        backend: 'fs',
      },
    );
    expect([small.taskManagers, small.slotsPerTaskManager]).toEqual(['1', '1']);
  });
});

describe('the Operator chaining switch', () => {
  it('on by default (as Flink); off sends chaining: false (env.disableOperatorChaining())', () => {
    const { form: f, ops } = form();
    expect(f.chaining).toBe(true);
    const on = formToOptions(f, RUN, ops);
    expect(on.ok && 'chaining' in on.options).toBe(false);
    const off = formToOptions({ ...f, chaining: false }, RUN, ops);
    expect(off.ok && off.options.chaining).toBe(false);
    expect(
      formFromConfig({ ...CONFIG, chaining: false }, ops, { mode: 'exactly-once', backend: 'fs' }).chaining,
    ).toBe(false);
  });
});

describe("the Operations Playground job's arguments", () => {
  const fallback = { mode: 'exactly-once' as const, backend: 'fs' as const };
  const operators = formOperators({ tasks: [], channels: [], operators: OPERATORS });

  it('are shown only for a job that takes them (the engine reports them), as it runs with them, and Apply passes on what differs from the Playground', () => {
    expect(formFromConfig(CONFIG, operators, fallback).playground).toBeUndefined();
    expect(formFromConfig({ ...CONFIG, playground: {} }, operators, fallback).playground).toEqual({
      checkpointing: true,
      eventTime: true,
      backpressure: false,
      sink: 'at-least-once',
    });
    const form = formFromConfig(
      { ...CONFIG, playground: { checkpointing: false, sink: 'exactly-once' } },
      operators,
      fallback,
    );
    expect(form.playground).toEqual({
      checkpointing: false,
      eventTime: true,
      backpressure: false,
      sink: 'exactly-once',
    });
    // Checkpointing is off because of the argument: the panel's own switch stays on, so that checking
    // --checkpointing again checkpoints at the interval shown.
    const off = formFromConfig(
      { ...CONFIG, intervalMs: null, playground: { checkpointing: false } },
      operators,
      fallback,
    );
    expect(off.checkpointing).toBe(true);
    off.playground!.checkpointing = true;
    const on = formToOptions(off, { scenario: 'clickcount', seed: 1 }, operators);
    expect(on.ok && [on.options.intervalMs, on.options.playground]).toEqual([1000, undefined]);
    form.playground = { checkpointing: true, eventTime: false, backpressure: true, sink: 'at-least-once' };
    const r = formToOptions(form, { scenario: 'clickcount', seed: 1 }, operators);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.options.playground).toEqual({ processingTime: true, backpressure: true });
    // The Playground's own command line (--checkpointing --event-time, at-least-once): no arguments.
    form.playground = { checkpointing: true, eventTime: true, backpressure: false, sink: 'at-least-once' };
    const plain = formToOptions(form, { scenario: 'clickcount', seed: 1 }, operators);
    expect(plain.ok && 'playground' in plain.options).toBe(false);
  });

  it('a cluster the run set (the Playground: 1 TaskManager, 2 slots) stays as set when the parallelism grows', () => {
    const form = formFromConfig({ ...CONFIG, playground: {}, clusterSet: true }, operators, fallback);
    expect([form.taskManagers, form.slotsPerTaskManager]).toEqual(['1', '2']);
    form.parallelism.count = '3';
    const r = formToOptions(form, { scenario: 'clickcount', seed: 1 }, operators);
    expect(r.ok && [r.options.taskManagers, r.options.slotsPerTaskManager]).toEqual([1, 2]);
    // Left to the job: shown empty, so that a new parallelism still fits.
    expect(formFromConfig(CONFIG, operators, fallback).slotsPerTaskManager).toBe('');
  });

  it('when the form does not show them, Apply keeps the arguments the run was started with', () => {
    const form = formFromConfig(CONFIG, operators, fallback);
    const r = formToOptions(
      form,
      { scenario: 'clickcount', seed: 1, playground: { backpressure: true } },
      operators,
    );
    expect(r.ok && r.options.playground).toEqual({ backpressure: true });
  });
});
