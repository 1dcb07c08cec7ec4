/**
 * The editor's starting files: each a complete job file in the form `npm run sim -- --job` runs
 * (imports from 'stream-state-lab', `await env.execute(name)` at the end). Their code reads like the
 * Flink Java programs they mirror; see docs/app.md (the editor).
 */
export interface JobTemplate {
  id: string;
  /** English and Chinese names for the picker. */
  name: { en: string; zh: string };
  fileName: string;
  source: string;
}

const WORDCOUNT = `import {
  StreamExecutionEnvironment,
  HashMapStateBackend,
  ValueStateDescriptor,
  Types,
  type Collector,
  KeyedProcessFunction,
  type KeyedProcessContext,
  type RuntimeContext,
  type ValueState,
} from 'stream-state-lab';

/** Counts each word in a ValueState: one count per key (the word). */
class CountWords extends KeyedProcessFunction<string, string, [string, number]> {
  private count!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor('count', Types.INT));
  }

  processElement(word: string, _ctx: KeyedProcessContext<string>, out: Collector<[string, number]>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect([word, n]);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(1000);
// Checkpoints go to durable storage (IndexedDB here): they survive a crash of the engine.
env.setStateBackend(new HashMapStateBackend('filesystem'));

env
  .fromData(
    'To be, or not to be, that is the question:',
    'Whether tis nobler in the mind to suffer',
    'The slings and arrows of outrageous fortune,',
    'Or to take arms against a sea of troubles',
    'And by opposing end them. To die: to sleep;',
    'No more; and by a sleep to say we end',
  )
  .uid('source')
  .flatMap((line: string, out: Collector<string>) => {
    for (const word of line.toLowerCase().split(/\\W+/)) if (word) out.collect(word);
  })
  .uid('split')
  .keyBy((word) => word)
  .process(new CountWords())
  .uid('count')
  .setProcessingTime(150) // slow on purpose: checkpoints happen while the words are counted
  .print();

await env.execute('WordCount');
`;

const PER_USER_COUNT = `import {
  StreamExecutionEnvironment,
  HashMapStateBackend,
  DataGeneratorSource,
  RateLimiterStrategy,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  Types,
  type Collector,
  KeyedProcessFunction,
  type KeyedProcessContext,
  type RuntimeContext,
  type ValueState,
} from 'stream-state-lab';

interface Visit {
  user: string;
  page: string;
}

/** Visits per user, in keyed state: exactly once end to end with a two-phase-commit sink. */
class CountVisits extends KeyedProcessFunction<string, Visit, { user: string; visits: number }> {
  private visits!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    this.visits = ctx.getState(new ValueStateDescriptor('visits', Types.INT));
  }

  processElement(visit: Visit, _ctx: KeyedProcessContext<string>, out: Collector<{ user: string; visits: number }>): void {
    const n = (this.visits.value() ?? 0) + 1;
    this.visits.update(n);
    out.collect({ user: visit.user, visits: n });
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(1000);
// Checkpoints go to durable storage (IndexedDB here): they survive a crash of the engine.
env.setStateBackend(new HashMapStateBackend('filesystem'));

const visits = new DataGeneratorSource<Visit>(
  (i) => ({ user: \`user-\${String(i % 8).padStart(2, '0')}\`, page: \`/page/\${i % 5}\` }),
  3000,
  RateLimiterStrategy.perSecond(400),
);

env
  .fromSource(visits, 'Source: visits')
  .uid('source')
  .keyBy((v) => v.user)
  .process(new CountVisits())
  .uid('count')
  // Try NonTransactionalSink here: after a failure, the Output tab shows rows counted twice.
  .sinkTo(new TwoPhaseCommitSink<{ user: string; visits: number }>())
  .uid('sink')
  .name('Sink: two-phase commit');

await env.execute('Visits per user');
`;

const ANOMALIES = `import {
  StreamExecutionEnvironment,
  HashMapStateBackend,
  DataGeneratorSource,
  RateLimiterStrategy,
  ValueStateDescriptor,
  Types,
  type Collector,
  KeyedProcessFunction,
  type KeyedProcessContext,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from 'stream-state-lab';

interface Login {
  user: string;
  ok: boolean;
}

const WINDOW_MS = 1000;

/** Three failed logins of one user within WINDOW_MS of processing time raise an alert. */
class ThreeFailures extends KeyedProcessFunction<string, Login, string> {
  private failures!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    this.failures = ctx.getState(new ValueStateDescriptor('failures', Types.INT));
  }

  processElement(login: Login, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    if (login.ok) {
      this.failures.clear();
      return;
    }
    const n = (this.failures.value() ?? 0) + 1;
    if (n === 1) ctx.timerService().registerProcessingTimeTimer(ctx.currentProcessingTime() + WINDOW_MS);
    if (n === 3) {
      out.collect(\`\${login.user}: 3 failed logins\`);
      this.failures.clear();
    } else this.failures.update(n);
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<string>, _out: Collector<string>): void {
    this.failures.clear(); // the window is over: the streak ends
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(1000);
// Checkpoints go to durable storage (IndexedDB here): they survive a crash of the engine.
env.setStateBackend(new HashMapStateBackend('filesystem'));

const logins = new DataGeneratorSource<Login>(
  (i) => ({ user: \`user-\${i % 6}\`, ok: i % 7 === 0 || i % 11 === 3 }),
  2000,
  RateLimiterStrategy.perSecond(200),
);

env
  .fromSource(logins, 'Source: logins')
  .uid('source')
  .keyBy((l) => l.user)
  .process(new ThreeFailures())
  .uid('detect')
  .print();

await env.execute('Failed logins');
`;

const WINDOWS = `import {
  StreamExecutionEnvironment,
  HashMapStateBackend,
  DataGeneratorSource,
  RateLimiterStrategy,
  TumblingProcessingTimeWindows,
  Duration,
} from 'stream-state-lab';

interface Visit {
  user: string;
  visits: number;
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(1000);
// Checkpoints go to durable storage (IndexedDB here): they survive a crash of the engine.
env.setStateBackend(new HashMapStateBackend('filesystem'));

const visits = new DataGeneratorSource<Visit>(
  (i) => ({ user: \`user-\${i % 4}\`, visits: 1 }),
  3000,
  RateLimiterStrategy.perSecond(300),
);

env
  .fromSource(visits, 'Source: visits')
  .uid('source')
  .keyBy((v) => v.user)
  // Visits per user and second: each window's sum is keyed state until the window fires.
  .window(TumblingProcessingTimeWindows.of(Duration.ofSeconds(1)))
  .reduce((a, b) => ({ user: a.user, visits: a.visits + b.visits }))
  .uid('per-second')
  .print();

await env.execute('Visits per second');
`;

export const TEMPLATES: readonly JobTemplate[] = [
  {
    id: 'wordcount',
    name: { en: 'WordCount', zh: 'WordCount（单词计数）' },
    fileName: 'wordcount.ts',
    source: WORDCOUNT,
  },
  {
    id: 'per-user-count',
    name: { en: 'Per-user count, two-phase-commit sink', zh: '按用户计数，两阶段提交 Sink' },
    fileName: 'visits.ts',
    source: PER_USER_COUNT,
  },
  {
    id: 'anomalies',
    name: { en: 'Anomaly detection with a timer', zh: '用定时器检测异常' },
    fileName: 'anomalies.ts',
    source: ANOMALIES,
  },
  {
    id: 'windows',
    name: { en: 'Tumbling windows: visits per second', zh: '滚动窗口：每秒访问量' },
    fileName: 'windows.ts',
    source: WINDOWS,
  },
];

export const DEFAULT_TEMPLATE = TEMPLATES[0];
