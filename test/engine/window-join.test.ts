/**
 * Window join and coGroup (Flink's JoinedStreams / CoGroupedStreams, as CoGroupJoinITCase runs them):
 * elements of both streams with equal keys in the same tumbling window are joined pair by pair; a
 * coGroup gets each key's elements of both sides per window, also when one side is empty.
 */
import { describe, expect, it } from 'vitest';
import {
  ExternalSystem,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategies,
  type Collector,
} from '../../src/engine/index';

type T = [string, number];
const left: T[] = [
  ['a', 0],
  ['a', 1],
  ['a', 2],
  ['b', 3],
  ['b', 4],
  ['b', 5],
  ['a', 6],
  ['a', 7],
  ['a', 8],
];
const right: T[] = [
  ['a', 0],
  ['a', 1],
  ['b', 2],
  ['b', 3],
  ['c', 4],
  ['c', 5],
  ['a', 6],
  ['a', 7],
  ['b', 8],
];

function run(build: (a: ReturnType<typeof source>, b: ReturnType<typeof source>) => void) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const a = source(env, 'left', left);
  const b = source(env, 'right', right);
  build(a, b);
  env.setLogSourcesBounded(true);
  const external = new ExternalSystem();
  const cluster = new MiniCluster(env.getJobGraph('WindowJoin'), { seed: 1, external });
  cluster.runToCompletion();
  expect(cluster.isFinished()).toBe(true);
  return (external.committedValues('sink') as string[]).sort();
}

function source(env: StreamExecutionEnvironment, topic: string, rows: T[]) {
  return env
    .fromSource(
      new ReplayableLog<T>(topic, [rows.map((value) => ({ value, timestamp: value[1] }))]),
      `Source: ${topic}`,
      1,
      WatermarkStrategies.forMonotonousTimestamps(),
    )
    .uid(topic)
    .setParallelism(1);
}

/** Expected by construction: same key, same window [3n, 3n + 3). */
function expectedPairs(): string[] {
  const out: string[] = [];
  for (const l of left)
    for (const r of right)
      if (l[0] === r[0] && Math.floor(l[1] / 3) === Math.floor(r[1] / 3)) out.push(`${l[0]}:${l[1]}-${r[1]}`);
  return out.sort();
}

describe('window join and coGroup', () => {
  it('join(..).where(..).equalTo(..).window(Tumbling 3 ms).apply(JoinFunction): every pair in a window', () => {
    const rows = run((a, b) =>
      a
        .join(b)
        .where((t: T) => t[0])
        .equalTo((t: T) => t[0])
        .window(TumblingEventTimeWindows.of(3))
        .apply<string>((l: T, r: T) => `${l[0]}:${l[1]}-${r[1]}`)
        .addSink(new NonTransactionalSink<string>())
        .uid('sink'),
    );
    expect(rows).toEqual(expectedPairs());
    expect(rows.length).toBeGreaterThan(0);
  });

  it('coGroup gets both sides per key and window, one side possibly empty', () => {
    const rows = run((a, b) =>
      a
        .coGroup(b)
        .where((t: T) => t[0])
        .equalTo((t: T) => t[0])
        .window(TumblingEventTimeWindows.of(3))
        .apply<string>({
          coGroup(first: T[], second: T[], out: Collector<string>) {
            const key = (first[0] ?? second[0])[0];
            const w = Math.floor((first[0] ?? second[0])[1] / 3);
            out.collect(
              `${key}@${w}: ${first
                .map((t) => t[1])
                .sort()
                .join(',')} | ${second
                .map((t) => t[1])
                .sort()
                .join(',')}`,
            );
          },
        })
        .addSink(new NonTransactionalSink<string>())
        .uid('sink'),
    );
    expect(rows).toEqual(
      [
        'a@0: 0,1,2 | 0,1',
        'b@0:  | 2',
        'b@1: 3,4,5 | 3',
        'c@1:  | 4,5',
        'a@2: 6,7,8 | 6,7',
        'b@2:  | 8',
      ].sort(),
    );
  });
});
