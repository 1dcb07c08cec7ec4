/**
 * A lesson check that does not pass says why, in the learner's terms: for every check kind what the
 * simulation shows against what the step expects, for `all` the first unmet part, for `any` every
 * part, for `not` what happened that must not — in English and in 简体中文 — and the lesson's own `why`
 * key travels with the unmet part. The worker also says when the learner has tried (changed the
 * simulation) and when an attempt can be judged (the job ended, a restore, an import).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { renderEnglish, renderMessage, type Message } from '../../src/engine/messages/Message';
import { ZH_MESSAGES } from '../../src/app/i18n/engineMessages';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import { explainCheckpoint, explainSink, type CheckpointSeen } from '../../src/worker/checkExplanations';
import type { Check, LessonVerdict, LoadOptions } from '../../src/worker/protocol';
import { freshDbName } from '../storage/helpers';

const zh = (m: Message) => renderMessage(m, ZH_MESSAGES);

async function host(options: Partial<LoadOptions> = {}): Promise<EngineHost> {
  const dbName = freshDbName();
  const h = new EngineHost({
    openStorage: (o) => IndexedDbCheckpointStorage.open({ ...o, dbName }),
    clock: () => 0, // a frame always plays its whole slice
  });
  await h.start();
  await h.load({ scenario: 'wordcount', seed: 1, speed: 100_000, ...options });
  return h;
}

/** Registers `check` (never stopping playback at it), optionally plays to the end; the verdict. */
async function judge(h: EngineHost, check: Check, play: boolean): Promise<LessonVerdict> {
  await h.setLessonCheck({ id: 't#1', check, answered: true, pauseOnPass: false });
  if (play) {
    await h.play();
    for (let i = 0; i < 20 && !(await h.frame(0)).finished; i++) await h.frame(250);
  }
  const v = (await h.frame(0)).lesson;
  if (!v) throw new Error('no verdict');
  return v;
}

const why = (v: LessonVerdict) => renderEnglish(v.now.why);

describe('why a check does not pass (wordcount: 8 words, `be` and `to` twice, count with parallelism 2)', () => {
  it('state: no value yet, a value other than expected (en and zh), the wrong subtask', async () => {
    const h = await host();
    const be2: Check = { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2 };
    expect(why(await judge(h, be2, false))).toBe(`count has no 'count' for "be" yet, expected 2`);
    const be3: Check = { ...be2, equals: 3 };
    const end = await judge(h, be3, true);
    expect(why(end)).toBe(`"be" is 2 in count's 'count', expected 3`);
    expect(zh(end.now.why)).toBe('count 的状态 count 中 "be" 是 2，应为 3');
    // `be` is in key group 84: subtask 1 of 2.
    expect(why(await judge(h, { ...be2, subtask: 0 }, false))).toBe(
      '"be" lives in subtask 1 of count, expected subtask 0',
    );
    expect(why(await judge(h, { ...be2, equals: null }, false))).toBe(
      `"be" is 2 in count's 'count', expected no value`,
    );
    const size: Check = { kind: 'state-size', operator: 'count', state: 'count', atLeast: 9 };
    expect(why(await judge(h, size, false))).toBe(`count keeps 'count' for 8 keys, expected at least 9`);
    expect(why(await judge(h, { ...size, atLeast: undefined, atMost: 5 }, false))).toBe(
      `count keeps 'count' for 8 keys, expected at most 5`,
    );
  });

  it('checkpoint: none yet; one with the wrong number of acks ("5/5 acks, expected 7")', async () => {
    const h = await host();
    const sevenAcks: Check = { kind: 'checkpoint', status: 'COMPLETED', acks: 7 };
    expect(why(await judge(h, sevenAcks, false))).toBe('no checkpoint completed since this step began');
    const end = await judge(h, sevenAcks, true);
    expect(why(end)).toMatch(/^checkpoint \d+ completed with 5\/5 acks, expected 7$/);
    expect(zh(end.now.why)).toMatch(/^Checkpoint \d+ 已完成时有 5\/5 个确认，应为 7 个$/);
    const two = await judge(h, { kind: 'checkpoint', status: 'COMPLETED', atLeast: 2 }, false);
    expect(why(two)).toBe('no checkpoint completed since this step began');
  });

  it('finished: the job is still RUNNING; sink: nothing wrong so far is not yet exactly-once', async () => {
    const h = await host();
    const v = await judge(
      h,
      { kind: 'all', of: [{ kind: 'sink', verdict: ['exactly-once'] }, { kind: 'finished' }] },
      false,
    );
    expect(why(v)).toBe(
      'the exactly-once checker has found no duplicate so far; losses are judged when the job has finished (expected: exactly once)',
    );
    expect(why(await judge(h, { kind: 'finished' }, false))).toBe(
      'the job is still RUNNING: it has not finished',
    );
    expect(zh((await judge(h, { kind: 'finished' }, false)).now.why)).toBe('作业仍是 RUNNING：还没有结束');
    const ended = await judge(h, { kind: 'finished', jobStatus: 'FAILED' }, true);
    expect(why(ended)).toMatch(/^the job is (RUNNING|FINISHED), expected FAILED$/);
  });

  it('config: each differing setting, named as the configuration panel names it', async () => {
    const h = await host();
    const v = await judge(
      h,
      { kind: 'config', mode: 'at-least-once', chaining: false, parallelism: { count: 3 } },
      false,
    );
    expect(why(v)).toBe(
      'the checkpointing mode is exactly-once, expected at-least-once; operator chaining is on, expected off; count runs with parallelism 2, expected 3',
    );
    expect(zh(v.now.why)).toBe(
      'Checkpoint 模式是 exactly-once，应为 at-least-once；算子链是开启，应为关闭；count 的并行度是 2，应为 3',
    );
  });

  it('event: none yet, or too few, with where it must happen', async () => {
    const h = await host();
    const onCount1: Check = { kind: 'event', type: 'barrier-received', where: { task: 'count#1' } };
    expect(why(await judge(h, onCount1, false))).toBe('no barrier received on count#1 since this step began');
    const many: Check = { kind: 'event', type: 'state-changed', where: { state: 'count' }, atLeast: 100 };
    expect(why(await judge(h, many, true))).toBe(
      "state update of the state 'count': 10 times since this step began, expected at least 100",
    );
  });

  it('not says what happened; all names its first unmet part; any every part', async () => {
    const h = await host();
    const noChange: Check = { kind: 'not', check: { kind: 'event', type: 'state-changed' } };
    const noCheckpoint: Check = { kind: 'not', check: { kind: 'checkpoint', status: 'COMPLETED' } };
    await h.setLessonCheck({
      id: 't#1',
      check: { kind: 'all', of: [noChange, noCheckpoint] },
      answered: true,
      pauseOnPass: false,
    });
    await h.play();
    for (let i = 0; i < 20 && !(await h.frame(0)).finished; i++) await h.frame(250);
    const v = (await h.frame(0)).lesson!;
    expect(why(v)).toBe('this must not happen in this step, but it did: state update (10×)');
    expect(zh(v.now.why)).toBe('本步中不应发生，但已经发生：状态更新（10 次）');
    const cp = await judge(h, noCheckpoint, false);
    expect(cp.now.ok).toBe(true); // a new step: no checkpoint since it began
    const any = await judge(
      h,
      {
        kind: 'any',
        of: [
          { kind: 'config', backend: 'rocksdb' },
          { kind: 'state', operator: 'count', state: 'count', key: 'to', equals: 3 },
        ],
      },
      false,
    );
    expect(why(any)).toBe(
      `none of these holds: the state backend is fs, expected rocksdb; "to" is 2 in count's 'count', expected 3`,
    );
  });

  it('a checkpoint that must not complete names the one that did', async () => {
    const h = await host();
    const v = await judge(h, { kind: 'not', check: { kind: 'checkpoint', status: 'COMPLETED' } }, true);
    expect(why(v)).toMatch(/^this must not happen in this step, but it did: checkpoint \d+ completed$/);
  });

  it('the simple ones: answered, time, imported, recovered', async () => {
    const h = await host();
    await h.setLessonCheck({ id: 't#1', check: { kind: 'answered' }, answered: false });
    expect(why((await h.frame(0)).lesson!)).toBe('the prediction is not answered');
    expect(why(await judge(h, { kind: 'imported' }, false))).toBe('no snapshot was restored in this step');
    expect(why(await judge(h, { kind: 'recovered', fromCheckpoint: true }, false))).toMatch(
      /^the job started from scratch/,
    );
  });

  it("carries the lesson's why key of the unmet part, or of the nearest part around it", async () => {
    const h = await host();
    const v = await judge(
      h,
      {
        kind: 'all',
        why: 'outer',
        of: [
          { kind: 'config', mode: 'exactly-once' },
          { kind: 'finished', why: 'not-yet' },
        ],
      },
      false,
    );
    expect(v.now.note).toBe('not-yet');
    const outer = await judge(
      h,
      { kind: 'all', why: 'outer', of: [{ kind: 'config', mode: 'at-least-once' }] },
      false,
    );
    expect(outer.now.note).toBe('outer');
    expect((await judge(h, { kind: 'finished' }, false)).now.note).toBeUndefined();
  });
});

describe('checkpoint explanations (pure)', () => {
  const cp = (id: number, over: Partial<CheckpointSeen> = {}): CheckpointSeen => ({
    id,
    status: 'COMPLETED',
    savepoint: false,
    endToEndMs: null,
    numTasks: 5,
    numAcknowledged: 5,
    persistedInFlightBytes: 0,
    checkpointedBytes: 100,
    fullBytes: 100,
    ...over,
  });

  it('names the latest checkpoint of the right status and what it lacks', () => {
    const unaligned = { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 1 } as const;
    expect(renderEnglish(explainCheckpoint(unaligned, [cp(1), cp(2)]))).toBe(
      'checkpoint 2 persisted no in-flight data, expected some',
    );
    const incremental = { kind: 'checkpoint', status: 'COMPLETED', maxCheckpointedFraction: 0.5 } as const;
    expect(renderEnglish(explainCheckpoint(incremental, [cp(3, { checkpointedBytes: 80 })]))).toBe(
      'checkpoint 3 uploaded 80% of its full size, expected at most 50%',
    );
    const savepoint = { kind: 'checkpoint', status: 'COMPLETED', savepoint: true } as const;
    expect(renderEnglish(explainCheckpoint(savepoint, [cp(4)]))).toBe(
      'checkpoint 4 is a checkpoint, expected a savepoint',
    );
    const two = { kind: 'checkpoint', status: 'COMPLETED', atLeast: 2 } as const;
    expect(renderEnglish(explainCheckpoint(two, [cp(1)]))).toBe(
      '1 matching checkpoint completed since this step began, expected at least 2',
    );
    const failed = { kind: 'checkpoint', status: 'FAILED' } as const;
    expect(renderEnglish(explainCheckpoint(failed, [cp(1), cp(2)]))).toBe(
      'no checkpoint failed since this step began (2 completed)',
    );
  });

  it('the exactly-once checker, in words', () => {
    expect(renderEnglish(explainSink({ kind: 'sink', verdict: ['exactly-once'] }, 'duplicates'))).toBe(
      'the sink shows duplicates: some rows were written more often than in a run without failures (expected: exactly once)',
    );
    expect(zh(explainSink({ kind: 'sink', verdict: ['duplicates', 'losses'] }, 'exactly-once'))).toBe(
      'Sink 中的行与无故障运行的结果完全一致（应为：有重复；或者 有丢失）',
    );
  });
});

describe('tried and attemptsEnded (what unlocks "Show me" and when the page says why)', () => {
  it('neither when the step begins; tried once the learner plays or acts; ended when the job ends', async () => {
    const h = await host();
    const check: Check = { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 5 };
    await h.setLessonCheck({ id: 't#1', check, answered: true });
    let v = (await h.frame(100)).lesson!; // not playing: nothing changes
    expect(v).toMatchObject({ tried: false, attemptsEnded: 0 });
    await h.setSpeed(50_000);
    await h.pause();
    expect((await h.frame(100)).lesson).toMatchObject({ tried: false });
    await h.triggerCheckpoint();
    expect((await h.frame(0)).lesson).toMatchObject({ tried: true, attemptsEnded: 0 });

    await h.setLessonCheck({ id: 't#2', check, answered: true });
    expect((await h.frame(0)).lesson).toMatchObject({ tried: false });
    await h.step('event');
    expect((await h.frame(0)).lesson).toMatchObject({ tried: true, attemptsEnded: 0 });
    await h.play();
    for (let i = 0; i < 20 && !(await h.frame(0)).finished; i++) await h.frame(250);
    v = (await h.frame(0)).lesson!;
    expect(v).toMatchObject({ tried: true, attemptsEnded: 1, passed: false });

    // A configuration applied (a new load) is a try too.
    await h.setLessonCheck({ id: 't#3', check, answered: true });
    await h.load({ scenario: 'wordcount', seed: 1, speed: 100_000, chaining: false });
    expect((await h.frame(0)).lesson).toMatchObject({ tried: true, attemptsEnded: 0 });
  });

  it('a restore after a failure ends an attempt', async () => {
    const h = await host();
    await h.setLessonCheck({ id: 't#1', check: { kind: 'finished', jobStatus: 'FAILED' }, answered: true });
    await h.pauseWhen({ kind: 'checkpoint', status: 'COMPLETED' });
    await h.play();
    await h.frame(250); // stops where the first checkpoint completed
    await h.pauseWhen(null);
    expect((await h.frame(0)).lesson).toMatchObject({ tried: true, attemptsEnded: 0 });
    await h.failTask('count#0');
    await h.play();
    for (let i = 0; i < 20 && !(await h.frame(0)).lesson?.attemptsEnded; i++) await h.frame(20);
    expect((await h.frame(0)).lesson?.attemptsEnded).toBeGreaterThan(0);
  });
});
