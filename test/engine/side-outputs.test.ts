/**
 * Side outputs as Flink has them (OutputTag, ctx.output, getSideOutput): a process function sends
 * some records to a tagged output; only the streams that asked for that tag receive them, with the
 * record's timestamp; the main output does not; a tag nobody reads drops its records.
 */
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  NonTransactionalSink,
  OutputTag,
  ReplayableLog,
  StreamExecutionEnvironment,
  Types,
  type Collector,
  type KeyedProcessContext,
} from '../../src/engine/index';

interface Rec {
  k: string;
  v: number;
}

const log = () =>
  new ReplayableLog<Rec>('in', [
    [1, 2, 3, 4, 5, 6].map((v) => ({ value: { k: v % 2 ? 'odd' : 'even', v }, timestamp: v * 10 })),
  ]);

function job(readSide: boolean, chaining = true) {
  const small = new OutputTag<string>('small', Types.STRING);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  if (!chaining) env.disableOperatorChaining();
  const main = env
    .fromSource(log(), 'Source: in', 1)
    .uid('src')
    .setParallelism(1)
    .keyBy((r: Rec) => r.k)
    .process<number>({
      processElement(r: Rec, ctx: KeyedProcessContext<string>, out: Collector<number>) {
        if (r.v <= 3) ctx.output(small, `${ctx.getCurrentKey()}:${r.v}@${ctx.timestamp()}`);
        else out.collect(r.v);
      },
    })
    .uid('split');
  main.addSink(new NonTransactionalSink<number>()).uid('main-sink');
  if (readSide)
    main
      .getSideOutput(new OutputTag<string>('small', Types.STRING))
      .addSink(new NonTransactionalSink<string>())
      .uid('side-sink');
  return env.getJobGraph('side outputs');
}

describe('side outputs', () => {
  it.each([
    ['chained (side output to a chained sink)', true],
    ['not chained (side output over the network)', false],
  ])(
    'records sent with ctx.output(tag) reach only the getSideOutput(tag) stream, with their timestamps: %s',
    (_n, chaining) => {
      const cluster = new MiniCluster(job(true, chaining), { seed: 3 });
      cluster.runToCompletion();
      expect((cluster.external.committedValues('main-sink') as number[]).sort()).toEqual([4, 5, 6]);
      expect((cluster.external.committedValues('side-sink') as string[]).sort()).toEqual([
        'even:2@20',
        'odd:1@10',
        'odd:3@30',
      ]);
    },
  );

  it('a side output nobody reads drops its records; the main output is unchanged', () => {
    const cluster = new MiniCluster(job(false), { seed: 3 });
    cluster.runToCompletion();
    expect((cluster.external.committedValues('main-sink') as number[]).sort()).toEqual([4, 5, 6]);
  });

  it('the same tag id with another type is refused, as Flink does', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const op = env
      .fromData(1, 2)
      .keyBy((x: number) => x)
      .process<number>({ processElement() {} });
    op.getSideOutput(new OutputTag<string>('t', Types.STRING));
    expect(() => op.getSideOutput(new OutputTag<number>('t', Types.INT))).toThrow(/different type/);
    expect(() => new OutputTag('')).toThrow(/empty/);
  });
});
