/**
 * Flink's SuppressRestartsException: thrown by a user function — while processing a record, in
 * open(), in onTimer — it fails the job at once ("The failure is not recoverable"), although the
 * restart strategy would allow many more attempts; as a cause of another error too. Any other error
 * restarts the job as before.
 */
import { describe, expect, it } from 'vitest';
import {
  KeyedProcessFunction,
  RestartStrategies,
  renderEnglish,
  Simulation,
  StreamExecutionEnvironment,
  SuppressRestartsException,
  type Collector,
  type KeyedProcessContext,
  type JobGraph,
} from '../../src/engine/index';

function job(where: 'process' | 'open' | 'timer' | 'cause' | 'plain'): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.enableCheckpointing(100);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 10));
  class Fails extends KeyedProcessFunction<number, number, number> {
    override open(): void {
      if (where === 'open') throw new SuppressRestartsException('no restart from open');
    }
    processElement(n: number, ctx: KeyedProcessContext<number>, out: Collector<number>): void {
      if (where === 'timer') ctx.timerService().registerProcessingTimeTimer(ctx.currentProcessingTime() + 5);
      if (n === 3 && where === 'process') throw new SuppressRestartsException('no restart on 3');
      if (n === 3 && where === 'cause')
        throw new Error('wrapped', { cause: new SuppressRestartsException('inner') });
      if (n === 3 && where === 'plain') throw new Error('just an error');
      out.collect(n);
    }
    override onTimer(): void {
      throw new SuppressRestartsException('no restart from onTimer');
    }
  }
  env
    .fromData(1, 2, 3, 4)
    .setProcessingTime(10)
    .keyBy((n: number) => n)
    .process(new Fails())
    .print();
  return env.getJobGraph(where);
}

function run(where: Parameters<typeof job>[0]) {
  const sim = new Simulation(job(where), { seed: 1, fastForward: true });
  sim.run([], 5_000);
  return sim;
}

describe('SuppressRestartsException', () => {
  for (const where of ['process', 'open', 'timer', 'cause'] as const) {
    it(`thrown ${where === 'cause' ? 'as the cause of an error' : `in ${where}`}: the job FAILS at the first failure, no restart`, () => {
      const sim = run(where);
      expect(sim.result().jobStatus).toBe('FAILED');
      expect(sim.failures).toHaveLength(1);
      expect(sim.failures[0].restartDelayMs).toBeNull();
    });
  }

  it('the job status says the failure is not recoverable, with the error', () => {
    const events: string[] = [];
    const sim = new Simulation(job('process'), {
      seed: 1,
      fastForward: true,
      trace: (e) => {
        if (e.type === 'job-status' && e.status === 'FAILED' && e.reason)
          events.push(renderEnglish(e.reason));
      },
    });
    sim.run([], 5_000);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^The failure is not recoverable: .*no restart on 3$/);
  });

  it('any other error restarts, as the strategy says', () => {
    const sim = run('plain');
    expect(sim.failures.length).toBeGreaterThan(1);
    expect(sim.failures[0].restartDelayMs).toBe(10);
  });
});
