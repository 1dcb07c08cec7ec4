/**
 * Keyed aggregations `sum / min / max / minBy / maxBy` against Flink's AggregationFunctionTest: the
 * same inputs and expected rolling outputs, by tuple position and by POJO field name, run through a
 * job (`fromData → keyBy → sum(1) → sink`) — StreamGroupedReduceOperator with Flink's SumAggregator /
 * ComparableAggregator semantics: `min`/`max` keep the other fields of the first record, `minBy`/
 * `maxBy` the whole record (ties: the first, or the latest with `first = false`).
 */
import { describe, expect, it } from 'vitest';
import {
  ExternalSystem,
  MiniCluster,
  NonTransactionalSink,
  StreamExecutionEnvironment,
  type KeyedStream,
  type SingleOutputStreamOperator,
} from '../../src/engine/index';

function run<T>(
  input: T[],
  key: (t: T) => number,
  agg: (k: KeyedStream<T, number>) => SingleOutputStreamOperator<T>,
): T[] {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  agg(env.fromData(...input).keyBy(key))
    .uid('agg')
    .addSink(new NonTransactionalSink<T>())
    .uid('sink');
  const external = new ExternalSystem();
  const cluster = new MiniCluster(env.getJobGraph('Aggregation'), { seed: 1, external });
  cluster.runToCompletion();
  expect(cluster.isFinished()).toBe(true);
  return external.committedValues('sink') as T[];
}

type T2 = [number, number];
type T3 = [number, number, number];
const inputList: T2[] = Array.from({ length: 9 }, (_, i) => [i % 3, i]);
const inputByList: T3[] = Array.from({ length: 9 }, (_, i) => [0, i % 3, i]);

describe('groupSumIntegerTest (tuples, position 1)', () => {
  const sums = [0, 0, 0];
  const expectedSum = inputList.map(([k, v]) => [k, (sums[k] += v)]);
  it('sum', () =>
    expect(
      run(
        inputList,
        (t) => t[0],
        (k) => k.sum(1),
      ),
    ).toEqual(expectedSum));
  it('min', () =>
    expect(
      run(
        inputList,
        (t) => t[0],
        (k) => k.min(1),
      ),
    ).toEqual(inputList.map(([k]) => [k, k])));
  it('max', () =>
    expect(
      run(
        inputList,
        (t) => t[0],
        (k) => k.max(1),
      ),
    ).toEqual(inputList));
});

describe('pojoGroupSumIntegerTest (POJO fields f0, f1)', () => {
  const pojos = inputList.map(([f0, f1]) => ({ f0, f1 }));
  const sums = [0, 0, 0];
  it('sum("f1")', () =>
    expect(
      run(
        pojos,
        (p) => p.f0,
        (k) => k.sum('f1'),
      ),
    ).toEqual(pojos.map(({ f0, f1 }) => ({ f0, f1: (sums[f0] += f1) }))));
  it('min("f1")', () =>
    expect(
      run(
        pojos,
        (p) => p.f0,
        (k) => k.min('f1'),
      ),
    ).toEqual(pojos.map(({ f0 }) => ({ f0, f1: f0 }))));
  it('max("f1")', () =>
    expect(
      run(
        pojos,
        (p) => p.f0,
        (k) => k.max('f1'),
      ),
    ).toEqual(pojos));
});

describe('minMaxByTest (tuples grouped on 0, aggregated on 1)', () => {
  const t = (...rows: T3[]) => rows;
  it('maxBy(1, first)', () =>
    expect(
      run(
        inputByList,
        (x) => x[0],
        (k) => k.maxBy(1, true),
      ),
    ).toEqual(
      t([0, 0, 0], [0, 1, 1], [0, 2, 2], [0, 2, 2], [0, 2, 2], [0, 2, 2], [0, 2, 2], [0, 2, 2], [0, 2, 2]),
    ));
  it('maxBy(1, last)', () =>
    expect(
      run(
        inputByList,
        (x) => x[0],
        (k) => k.maxBy(1, false),
      ),
    ).toEqual(
      t([0, 0, 0], [0, 1, 1], [0, 2, 2], [0, 2, 2], [0, 2, 2], [0, 2, 5], [0, 2, 5], [0, 2, 5], [0, 2, 8]),
    ));
  it('minBy(1) defaults to the first', () =>
    expect(
      run(
        inputByList,
        (x) => x[0],
        (k) => k.minBy(1),
      ),
    ).toEqual(Array.from({ length: 9 }, () => [0, 0, 0])));
  it('minBy(1, last)', () =>
    expect(
      run(
        inputByList,
        (x) => x[0],
        (k) => k.minBy(1, false),
      ),
    ).toEqual(
      t([0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 3], [0, 0, 3], [0, 0, 3], [0, 0, 6], [0, 0, 6], [0, 0, 6]),
    ));
  it('min(1) keeps the other fields of the first record; minBy(1) the whole record', () => {
    const rows: T3[] = [
      [0, 5, 100],
      [0, 3, 200],
    ];
    expect(
      run(
        rows,
        (x) => x[0],
        (k) => k.min(1),
      ),
    ).toEqual([
      [0, 5, 100],
      [0, 3, 100],
    ]);
    expect(
      run(
        rows,
        (x) => x[0],
        (k) => k.minBy(1),
      ),
    ).toEqual([
      [0, 5, 100],
      [0, 3, 200],
    ]);
  });
});

describe('aggregations: the job and its errors', () => {
  it('the operator is named "Keyed Aggregation", as in Flink', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromData<T2>([1, 2])
      .keyBy((t) => t[0])
      .sum(1)
      .uid('agg')
      .print();
    expect(env.getJobGraph().vertices.find((v) => v.uid === 'agg')?.name).toBe('Keyed Aggregation');
  });

  it('a missing field fails the task with what is wrong (at the second record of a key, the first reduce)', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromData({ a: 1 }, { a: 1 })
      .keyBy((x) => x.a)
      .sum('b')
      .uid('agg')
      .print();
    const cluster = new MiniCluster(env.getJobGraph(), { seed: 1 });
    const failures: string[] = [];
    cluster.runUntil(50);
    for (const f of cluster.failures) failures.push(JSON.stringify(f.reason));
    expect(failures.join()).toMatch(/field 'b'/);
  });
});
