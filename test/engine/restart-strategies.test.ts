/**
 * The restart strategies against Flink's own classes. The expected values below were produced by
 * compiling Flink 2.x's ExponentialDelayRestartBackoffTimeStrategy, FailureRateRestartBackoffTimeStrategy
 * and FixedDelayRestartBackoffTimeStrategy (with ExecutionFailureHandler.handleFailure's call order:
 * notifyFailure, canRestart, getBackoffTime) with Java 17, ThreadLocalRandom.nextLong(-o, o + 1)
 * replaced by `-o + floor(u·(2o+1))` over the scripted draws U below. Each entry is
 * [restart delay or null (job fails), isNewAttempt].
 */
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
} from '../../src/engine/index';
import { ExecutionFailureHandler } from '../../src/engine/failover/ExecutionFailureHandler';
import { ExponentialDelayRestartBackoffTimeStrategy } from '../../src/engine/failover/ExponentialDelayRestartBackoffTimeStrategy';
import { FailureRateRestartBackoffTimeStrategy } from '../../src/engine/failover/FailureRateRestartBackoffTimeStrategy';
import { FixedDelayRestartBackoffTimeStrategy } from '../../src/engine/failover/FixedDelayRestartBackoffTimeStrategy';
import type { RestartBackoffTimeStrategy } from '../../src/engine/failover/RestartBackoffTimeStrategy';
import type { RestartStrategyConfig } from '../../src/engine/api/JobGraph';
import type { TraceEvent } from '../../src/engine/index';
import { ofType } from './helpers';

const U = [
  0.0, 0.999999, 0.5, 0.25, 0.75, 0.1, 0.9, 0.333, 0.666, 0.05, 0.95, 0.42, 0.58, 0.17, 0.83, 0.01, 0.99, 0.3,
  0.7, 0.45,
];

function scripted(start = 0): () => number {
  let i = start;
  return () => U[i++ % U.length];
}

/** ExecutionFailureHandler's order of calls, as in Flink. */
function run(s: RestartBackoffTimeStrategy, times: number[]): Array<[number | null, boolean]> {
  return times.map((now) => {
    const isNew = s.notifyFailure(now);
    return [s.canRestart(now) ? s.getBackoffTime(now) : null, isNew];
  });
}

const DEFAULTS = {
  initialBackoffMs: 1000,
  maxBackoffMs: 60_000,
  backoffMultiplier: 1.5,
  resetBackoffThresholdMs: 3_600_000,
  jitterFactor: 0.1,
};

describe('ExponentialDelayRestartBackoffTimeStrategy (values from Flink’s class)', () => {
  it('defaults, a failure 100 ms after every restart: jitter on the uncapped backoff, 60 s flat from the 11th restart', () => {
    // [failure time, delay]
    const flink = [
      [0, 1000],
      [1100, 1650],
      [2850, 2250],
      [5200, 3206],
      [8506, 5315],
      [13921, 6985],
      [21006, 12302],
      [33408, 16514],
      [50022, 26479],
      [76601, 34983],
      [111684, 60000],
      [171784, 60000],
      [231884, 60000],
      [291984, 60000],
      [352084, 60000],
      [412184, 60000],
      [472284, 60000],
      [532384, 60000],
      [592484, 60000],
      [652584, 60000],
    ];
    const s = new ExponentialDelayRestartBackoffTimeStrategy(DEFAULTS, scripted());
    let now = 0;
    const ours: number[][] = [];
    for (let i = 0; i < 20; i++) {
      expect(s.notifyFailure(now)).toBe(true);
      expect(s.canRestart()).toBe(true);
      const d = s.getBackoffTime(now);
      ours.push([now, d]);
      now += d + 100;
    }
    expect(ours).toEqual(flink);
    // The first draw (u = 0) gives 1000 - 100 = 900, clamped up to the initial backoff.
    expect(ours[0][1]).toBe(1000);
  });

  it('merges a failure during the backoff into the pending restart (same restart time, no new attempt)', () => {
    const s = new ExponentialDelayRestartBackoffTimeStrategy(DEFAULTS, scripted());
    expect(run(s, [100, 150, 1000, 1100, 1101, 2000, 3000, 3500, 10000])).toEqual([
      [1000, true],
      [950, false],
      [100, false],
      [0, false],
      [1650, true],
      [751, false],
      [2250, true],
      [1750, false],
      [3206, true],
    ]);
  });

  it('resets the backoff after the threshold of running since the restart', () => {
    const s = new ExponentialDelayRestartBackoffTimeStrategy(
      { ...DEFAULTS, resetBackoffThresholdMs: 5000, jitterFactor: 0 },
      scripted(),
    );
    expect(run(s, [0, 1100, 2700, 7699, 19074, 24075, 100000])).toEqual([
      [1000, true],
      [1500, true],
      [2250, true],
      [3375, true],
      [1000, true],
      [1500, true],
      [1000, true],
    ]);
  });

  it('attemptsBeforeResetBackoff bounds the attempts (multiplier 2, max 5 s, jitter 0.25)', () => {
    const s = new ExponentialDelayRestartBackoffTimeStrategy(
      {
        initialBackoffMs: 500,
        maxBackoffMs: 5000,
        backoffMultiplier: 2,
        resetBackoffThresholdMs: 3_600_000,
        jitterFactor: 0.25,
        attemptsBeforeResetBackoff: 3,
      },
      scripted(3),
    );
    expect(run(s, [0, 1000, 3000, 7000, 20000])).toEqual([
      [500, true],
      [1125, true],
      [1600, true],
      [null, true],
      [null, true],
    ]);
  });
});

describe('FailureRateRestartBackoffTimeStrategy (values from Flink’s class)', () => {
  it('2 per 1000 ms: a third failure exactly 1000 ms after the first fails the job', () => {
    expect(run(new FailureRateRestartBackoffTimeStrategy(2, 1000, 100), [0, 200, 1000])).toEqual([
      [100, true],
      [100, true],
      [null, true],
    ]);
  });
  it('2 per 1000 ms: 1 ms later it restarts', () => {
    expect(
      run(new FailureRateRestartBackoffTimeStrategy(2, 1000, 100), [0, 200, 1001, 1300, 2001, 2301]),
    ).toEqual([
      [100, true],
      [100, true],
      [100, true],
      [100, true],
      [null, true],
      [100, true],
    ]);
  });
  it('1 per 500 ms', () => {
    expect(run(new FailureRateRestartBackoffTimeStrategy(1, 500, 1000), [0, 1100, 2200, 2700, 3300])).toEqual(
      [
        [1000, true],
        [1000, true],
        [1000, true],
        [null, true],
        [1000, true],
      ],
    );
  });
});

describe('FixedDelayRestartBackoffTimeStrategy (values from Flink’s class)', () => {
  it('2 attempts, 100 ms', () => {
    expect(run(new FixedDelayRestartBackoffTimeStrategy(2, 100), [0, 200, 400])).toEqual([
      [100, true],
      [100, true],
      [null, true],
    ]);
  });
});

describe('in the runtime', () => {
  /** source -> map, forward edges only, p=2: two pipelined regions that fail over independently. */
  function forwardJob(restart: RestartStrategyConfig) {
    const parts = [0, 1].map((p) =>
      Array.from({ length: 400 }, (_, i) => ({ value: p * 1000 + i, timestamp: i })),
    );
    const env = StreamExecutionEnvironment.getExecutionEnvironment()
      .setParallelism(2)
      .disableOperatorChaining();
    env.enableCheckpointing(100).setRestartStrategy(restart);
    env
      .fromSource(new ReplayableLog('t', parts))
      .uid('source')
      .map((x: number) => x)
      .uid('map');
    return env.getJobGraph('Regions');
  }

  it('exponential-delay: a second region failing during the backoff restarts at the same time, as the same attempt', () => {
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(forwardJob(RestartStrategies.exponentialDelayRestart({ jitterFactor: 0 })), {
      seed: 1,
      trace: (e) => events.push(e),
    });
    mc.scheduleTaskFailure('map#0', 150);
    mc.scheduleTaskFailure('map#1', 400);
    mc.runToCompletion();
    const restarting = ofType(events, 'job-restarting');
    expect(restarting.map((e) => [e.t, e.delayMs, e.attempt])).toEqual([
      [150, 1000, 1],
      [400, 750, 1],
    ]);
    const result = mc.failures.map((f) => f.restartDelayMs);
    expect(result).toEqual([1000, 750]);
    // Both regions come back at 1150 and the job finishes its input.
    const running = ofType(events, 'job-status').filter((e) => e.status === 'RUNNING' && e.t > 0);
    expect(running.map((e) => e.t)).toEqual([1150]);
    expect(mc.jobStatus).toBe('RUNNING');
    expect(mc.recordsProcessed).toBeGreaterThanOrEqual(800);
  });

  it('failure-rate: a failure exactly one interval after the earliest fails the job', () => {
    const mc = new MiniCluster(forwardJob(RestartStrategies.failureRateRestart(1, 400, 10)), { seed: 1 });
    mc.scheduleTaskFailure('map#0', 100);
    mc.scheduleTaskFailure('map#0', 500);
    mc.runToCompletion();
    expect(mc.failures.map((f) => f.restartDelayMs)).toEqual([10, null]);
    expect(mc.jobStatus).toBe('FAILED');
  });

  it('the handler counts merged failures but not as restarts', () => {
    const h = new ExecutionFailureHandler(RestartStrategies.exponentialDelayRestart({ jitterFactor: 0 }), {
      next: () => 0.5,
    } as never);
    expect(h.handleFailure(0)).toEqual({ restartDelayMs: 1000, isNewAttempt: true });
    expect(h.handleFailure(10)).toEqual({ restartDelayMs: 990, isNewAttempt: false });
    expect([h.numberOfFailures, h.numberOfRestarts]).toEqual([2, 1]);
  });
});
