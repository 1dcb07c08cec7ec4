/**
 * `--parallelism N` is Flink's `-p`: the default parallelism of every operator that does not set its
 * own, sources included. A job's edges keep their kind (a forward edge stays forward: no rebalance
 * appears), and an operator that set its own parallelism keeps it.
 */
import { describe, expect, it } from 'vitest';
import {
  getScenario,
  ReplayableLog,
  Simulation,
  StreamExecutionEnvironment,
  type JobGraph,
} from '../../src/engine/index';

const edges = (job: JobGraph) =>
  job.vertices.flatMap((v) => v.inputs.map((e) => `${e.source.uid}->${v.uid}:${e.partitioner}`));
const parallelism = (job: JobGraph) => Object.fromEntries(job.vertices.map((v) => [v.uid, v.parallelism]));

describe('default parallelism (-p)', () => {
  for (const name of ['visits', 'sessions', 'anomalies']) {
    it(`${name} at -p 2 and -p 3: every operator, the source included, at that parallelism; edges unchanged`, () => {
      const base = getScenario(name).build();
      for (const p of [2, 3]) {
        const job = getScenario(name).build({ parallelism: p });
        expect(Object.values(parallelism(job))).toEqual(job.vertices.map(() => p));
        expect(edges(job)).toEqual(edges(base));
        expect(edges(job).some((e) => e.endsWith(':rebalance'))).toBe(false);
      }
    });
  }

  it('wordcount: the non-parallel fromElements source stays at 1, the rest follows -p', () => {
    const base = getScenario('wordcount').build();
    const job = getScenario('wordcount').build({ parallelism: 3 });
    expect(parallelism(job)).toEqual({ source: 1, split: 3, count: 3, print: 3 });
    expect(edges(job)).toEqual(edges(base));
  });

  it('an operator that set its own parallelism keeps it; the others, built before or after, take the default', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(4);
    const s = env.fromSource(new ReplayableLog<number>('t', [[], [], [], []])).uid('src');
    const m = s.map((x: number) => x).uid('a');
    m.map((x: number) => x)
      .uid('b')
      .setParallelism(5)
      .map((x: number) => x)
      .uid('c');
    env.overrideDefaultParallelism(2);
    s.map((x: number) => x).uid('d');
    expect(parallelism(env.getJobGraph())).toEqual({ src: 2, a: 2, b: 5, c: 2, d: 2 });
  });

  it('visits at -p 2: sources read two partitions each and the final counts equal the run at 4', () => {
    const run = (p: number | undefined, seed: number) => {
      const sim = new Simulation(getScenario('visits').build({ parallelism: p }), {
        seed,
        fastForward: true,
      });
      sim.run();
      return sim;
    };
    const reference = run(undefined, 1).result().state;
    for (const seed of [1, 2]) {
      const sim = run(2, seed);
      expect(sim.cluster.taskIds().filter((t) => t.startsWith('source#'))).toEqual(['source#0', 'source#1']);
      expect(sim.result().state).toEqual(reference);
    }
  });
});
