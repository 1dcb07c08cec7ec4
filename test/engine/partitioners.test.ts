/**
 * Partitioners, observed through the public API and the trace: which channels exist between two
 * operators and where every record goes (forward, keyBy/hash, rebalance, broadcast), and the
 * partitioner Flink picks when none is given.
 */
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  assignKeyToParallelOperator,
  type JobGraph,
  type LogRecord,
  type RuntimeContext,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
import { ofType } from './helpers';

function run(job: JobGraph, seed = 7): { mc: MiniCluster; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const mc = new MiniCluster(job, { seed, trace: (e) => events.push(e) });
  mc.runToCompletion();
  return { mc, events };
}

/** Channel `a#i->b#j` → { from: 'a#i', to: 'b#j', fromOp: 'a', toOp: 'b', fromIdx: i, toIdx: j }. */
function parseChannel(id: string) {
  const [from, to] = id.split('->');
  const [fromOp, fromIdx] = from.split('#');
  const [toOp, toIdx] = to.split('#');
  return { from, to, fromOp, toOp, fromIdx: Number(fromIdx), toIdx: Number(toIdx) };
}

/** A log with `partitions` partitions; value = partition * 1000 + offset (so the partition is visible). */
function numberedLog(partitions: number, perPartition: number): ReplayableLog<number> {
  const parts: LogRecord<number>[][] = [];
  for (let p = 0; p < partitions; p++)
    parts.push(Array.from({ length: perPartition }, (_, i) => ({ value: p * 1000 + i, timestamp: i })));
  return new ReplayableLog('numbers', parts);
}

const WORDS = ['to', 'be', 'or', 'not', 'that', 'is', 'the', 'question', 'whether', 'tis', 'nobler', 'mind'];

function wordLog(partitions: number, n: number): ReplayableLog<string> {
  const parts: LogRecord<string>[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; i < n; i++)
    parts[i % partitions].push({ value: WORDS[(i * 7) % WORDS.length], timestamp: i });
  return new ReplayableLog('words', parts);
}

class CountPerKey {
  private count!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  map(word: string): [string, number] {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return [word, n];
  }
}

describe('forward partitioner', () => {
  it('is one-to-one: channel src#i->dst#i only, and subtask i sees exactly partition i', () => {
    // Chained, a forward edge has no channel at all (chaining.test.ts): here its channels are the point.
    const env = StreamExecutionEnvironment.getExecutionEnvironment()
      .setParallelism(3)
      .disableOperatorChaining();
    env
      .fromSource(numberedLog(3, 40))
      .uid('src')
      .map((x: number) => x)
      .uid('dst');
    const job = env.getJobGraph('Forward');
    expect(job.vertices[1].inputs[0].partitioner).toBe('forward');

    const { mc, events } = run(job);
    expect(mc.channels.map((c) => c.id).sort()).toEqual(['src#0->dst#0', 'src#1->dst#1', 'src#2->dst#2']);

    const sent = ofType(events, 'record-sent');
    expect(sent).toHaveLength(120);
    for (const e of sent) {
      const ch = parseChannel(e.channel);
      expect(ch.toIdx).toBe(ch.fromIdx);
      // Source subtask i reads partition i (partition i % p), so the value's partition is the channel's index.
      expect(Math.floor((e.value as number) / 1000)).toBe(ch.fromIdx);
    }
    const processed = ofType(events, 'record-processed');
    for (let i = 0; i < 3; i++) expect(processed.filter((e) => e.task === `dst#${i}`)).toHaveLength(40);
  });
});

describe('hash partitioner (keyBy)', () => {
  const P = 3;

  function buildKeyed(maxParallelism?: number): JobGraph {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    if (maxParallelism) env.setMaxParallelism(maxParallelism);
    env
      .fromSource(wordLog(2, 240))
      .uid('src')
      .keyBy((w: string) => w)
      .map(new CountPerKey())
      .uid('count')
      .setParallelism(P)
      .addSink(new NonTransactionalSink<[string, number]>())
      .uid('sink')
      .setParallelism(P);
    return env.getJobGraph('Keyed');
  }

  it('connects every upstream subtask to every downstream subtask', () => {
    const { mc } = run(buildKeyed());
    const keyedChannels = mc.channels.map((c) => c.id).filter((id) => id.includes('->count#'));
    expect(keyedChannels.sort()).toEqual([
      'src#0->count#0',
      'src#0->count#1',
      'src#0->count#2',
      'src#1->count#0',
      'src#1->count#1',
      'src#1->count#2',
    ]);
  });

  it('sends every key to assignKeyToParallelOperator(key, maxParallelism, parallelism)', () => {
    const job = buildKeyed();
    expect(job.vertices[1].maxParallelism).toBe(128);
    const { events } = run(job);
    const sent = ofType(events, 'record-sent').filter((e) => e.channel.includes('->count#'));
    expect(sent).toHaveLength(240);
    const subtasksPerKey = new Map<string, Set<number>>();
    for (const e of sent) {
      expect(e.key).toBe(e.value);
      const target = parseChannel(e.channel).toIdx;
      expect(target).toBe(assignKeyToParallelOperator(e.key as string, 128, P));
      const set = subtasksPerKey.get(e.key as string) ?? new Set<number>();
      set.add(target);
      subtasksPerKey.set(e.key as string, set);
    }
    // A key is never split over subtasks.
    for (const set of subtasksPerKey.values()) expect(set.size).toBe(1);
    // The words spread over more than one subtask (otherwise the test would prove little).
    expect(new Set(WORDS.map((w) => assignKeyToParallelOperator(w, 128, P))).size).toBeGreaterThan(1);
  });

  it('keeps each key’s state on the subtask that owns its key group', () => {
    const { mc, events } = run(buildKeyed());
    const changes = ofType(events, 'state-changed');
    expect(changes.length).toBe(240);
    for (const e of changes) {
      expect(e.task).toBe(`count#${assignKeyToParallelOperator(e.key, 128, P)}`);
    }
    // The merged state holds the right totals: 240 words over 12 distinct words, 20 each.
    const counts = mc.keyedStateByOperator().count.count;
    expect(Object.keys(counts).sort()).toEqual([...WORDS].sort());
    for (const w of WORDS) expect(counts[w]).toBe(20);
  });

  it('uses the configured maxParallelism for key groups', () => {
    const job = buildKeyed(16);
    expect(job.vertices[1].maxParallelism).toBe(16);
    const { events } = run(job);
    for (const e of ofType(events, 'record-sent').filter((x) => x.channel.includes('->count#'))) {
      expect(parseChannel(e.channel).toIdx).toBe(assignKeyToParallelOperator(e.key as string, 16, P));
    }
  });
});

describe('rebalance partitioner', () => {
  it('is round-robin over all downstream channels, per upstream subtask', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromSource(numberedLog(2, 31))
      .uid('src')
      .setParallelism(2)
      .rebalance()
      .map((x: number) => x)
      .uid('dst')
      .setParallelism(3);
    const job = env.getJobGraph('Rebalance');
    expect(job.vertices[1].inputs[0].partitioner).toBe('rebalance');
    const { mc, events } = run(job);
    expect(mc.channels).toHaveLength(6);

    const sent = ofType(events, 'record-sent');
    expect(sent).toHaveLength(62);
    for (const src of [0, 1]) {
      const targets = sent
        .filter((e) => parseChannel(e.channel).fromIdx === src)
        .map((e) => parseChannel(e.channel).toIdx);
      expect(targets).toHaveLength(31);
      for (let i = 1; i < targets.length; i++) expect(targets[i]).toBe((targets[i - 1] + 1) % 3);
      const perTarget = [0, 1, 2].map((t) => targets.filter((x) => x === t).length);
      expect(Math.max(...perTarget) - Math.min(...perTarget)).toBeLessThanOrEqual(1);
    }
  });

  it('with equal parallelism, rebalance() still spreads over all channels (not one-to-one)', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env
      .fromSource(numberedLog(2, 10))
      .uid('src')
      .rebalance()
      .map((x: number) => x)
      .uid('dst');
    const { mc, events } = run(env.getJobGraph('Rebalance2'));
    expect(mc.channels.map((c) => c.id).sort()).toEqual([
      'src#0->dst#0',
      'src#0->dst#1',
      'src#1->dst#0',
      'src#1->dst#1',
    ]);
    const used = new Set(ofType(events, 'record-sent').map((e) => e.channel));
    expect(used.size).toBe(4);
  });
});

describe('broadcast partitioner', () => {
  it('sends every record to every downstream subtask', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromSource(numberedLog(1, 25))
      .uid('src')
      .setParallelism(1)
      .broadcast()
      .map((x: number) => x)
      .uid('dst')
      .setParallelism(3)
      .addSink(new NonTransactionalSink<number>())
      .uid('sink')
      .setParallelism(3);
    const { mc, events } = run(env.getJobGraph('Broadcast'));
    const sent = ofType(events, 'record-sent').filter((e) => e.channel.startsWith('src#'));
    expect(sent).toHaveLength(75);
    const byValue = new Map<number, Set<number>>();
    for (const e of sent) {
      const set = byValue.get(e.value as number) ?? new Set<number>();
      set.add(parseChannel(e.channel).toIdx);
      byValue.set(e.value as number, set);
    }
    expect(byValue.size).toBe(25);
    for (const set of byValue.values()) expect([...set].sort()).toEqual([0, 1, 2]);
    const processed = ofType(events, 'record-processed');
    for (let i = 0; i < 3; i++) expect(processed.filter((e) => e.task === `dst#${i}`)).toHaveLength(25);
    expect(mc.external.committedValues('sink')).toHaveLength(75);
  });
});

describe('default partitioner', () => {
  it('is forward for equal parallelism', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(4);
    env
      .fromSource(numberedLog(4, 1))
      .map((x: number) => x)
      .filter(() => true);
    const job = env.getJobGraph();
    expect(job.vertices[1].inputs[0].partitioner).toBe('forward');
    expect(job.vertices[2].inputs[0].partitioner).toBe('forward');
  });

  it('becomes rebalance when parallelism changes without an explicit partitioner (as Flink)', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromSource(numberedLog(2, 30))
      .uid('src')
      .setParallelism(2)
      .map((x: number) => x)
      .uid('dst')
      .setParallelism(3);
    const job = env.getJobGraph('Unequal');
    expect(job.vertices[1].inputs[0].partitioner).toBe('rebalance');
    const { mc, events } = run(job);
    expect(mc.channels).toHaveLength(6);
    const processed = ofType(events, 'record-processed');
    for (let i = 0; i < 3; i++) expect(processed.filter((e) => e.task === `dst#${i}`)).toHaveLength(20);
  });

  it('as Flink: an explicit forward() between operators of different parallelism is rejected', () => {
    // Flink: "Forward partitioning does not allow change of parallelism. Upstream operation: ...
    // parallelism: 2, downstream operation: ... parallelism: 3 You must use another partitioning
    // strategy, such as broadcast, rebalance, shuffle or global." The engine silently rebalances.
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromSource(numberedLog(2, 3))
      .setParallelism(2)
      .forward()
      .map((x: number) => x)
      .setParallelism(3);
    expect(() => env.getJobGraph()).toThrow(/Forward partitioning does not allow change of parallelism/);
  });
});
