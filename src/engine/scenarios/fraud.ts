/**
 * The broadcast state pattern (Flink's "Broadcast State" docs, and its classic fraud-detection
 * example): a stream of logins, keyed by user, and a low-volume stream of rules — countries being
 * blocked or unblocked — broadcast to every subtask of a KeyedBroadcastProcessFunction. Every subtask
 * keeps the rules in its broadcast state (a MapState-like `rules` map, snapshotted per subtask);
 * each user's login count and last country are keyed state. A login from a blocked country, or from a
 * new country within 3 logins of the previous one, raises an alert, committed by a two-phase-commit
 * sink; every login a rule blocks retroactively (`applyToKeyedState`: every user whose last country
 * is now blocked) goes to the side output `flagged-users`.
 */
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { FsStateBackend } from '../api/StateBackends';
import type { Collector, RuntimeContext } from '../api/functions';
import type {
  KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  KeyedBroadcastReadOnlyContext,
} from '../api/BroadcastProcessFunction';
import { OutputTag } from '../api/OutputTag';
import { ReplayableLog, type LogRecord } from '../connectors/ReplayableLog';
import { NonTransactionalSink, TwoPhaseCommitSink } from '../connectors/sinks';
import { Random } from '../runtime/Random';
import type { ValueState } from '../state/State';
import { MapStateDescriptor, ValueStateDescriptor } from '../state/StateDescriptor';
import { Types } from '../api/typeinfo/Types';
import { applyScenarioOptions, type Scenario, type ScenarioOptions } from './Scenario';

export interface Login {
  user: string;
  country: string;
}

export interface Rule {
  country: string;
  blocked: boolean;
}

export interface Alert {
  user: string;
  country: string;
  reason: 'blocked-country' | 'country-hopping';
}

interface LoginHistory {
  lastCountry: string;
  logins: number;
  sinceCountryChange: number;
}

/** The rules, as every subtask holds them: country → blocked. */
export const RULES = new MapStateDescriptor<string, boolean>('rules', Types.STRING, Types.BOOLEAN);
export const FLAGGED_USERS = new OutputTag<string>('flagged-users', Types.STRING);

/** Virtual ms between two logins of one partition; rules come every 1.5 s. */
export const FRAUD_LOGIN_EMIT_MS = 5;
export const FRAUD_RULE_EMIT_MS = 1500;

const COUNTRIES = ['NZ', 'DE', 'FR', 'BR', 'JP', 'KE', 'CA', 'XX'];

/** A deterministic login log: each user mostly logs in from a home country, sometimes elsewhere. */
export function generateLoginLog(
  events = 6000,
  partitions = 4,
  users = 40,
  dataSeed = 20240607,
): ReplayableLog<Login> {
  const rng = new Random(dataSeed);
  const home = Array.from({ length: users }, () => COUNTRIES[rng.int(0, COUNTRIES.length - 2)]);
  const parts: LogRecord<Login>[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; i < events; i++) {
    const u = rng.int(0, users - 1);
    const country = rng.next() < 0.9 ? home[u] : COUNTRIES[rng.int(0, COUNTRIES.length - 1)];
    parts[i % partitions].push({
      value: { user: `user-${String(u).padStart(2, '0')}`, country },
      timestamp: i * 10,
    });
  }
  return new ReplayableLog('logins', parts);
}

/** The rule changes, in order: XX is blocked from the start, others come and go. */
export function generateRuleLog(): ReplayableLog<Rule> {
  const rules: Rule[] = [
    { country: 'XX', blocked: true },
    { country: 'BR', blocked: true },
    { country: 'KE', blocked: true },
    { country: 'BR', blocked: false },
    { country: 'JP', blocked: true },
    { country: 'KE', blocked: false },
  ];
  return new ReplayableLog('rules', [rules.map((value, i) => ({ value, timestamp: i * 1500 }))]);
}

export class FraudDetector implements KeyedBroadcastProcessFunction<string, Login, Rule, Alert> {
  private history!: ValueState<LoginHistory>;

  open(ctx: RuntimeContext): void {
    this.history = ctx.getState(
      new ValueStateDescriptor(
        'history',
        Types.POJO<LoginHistory>('LoginHistory', {
          lastCountry: Types.STRING,
          logins: Types.INT,
          sinceCountryChange: Types.INT,
        }),
      ),
    );
  }

  processElement(login: Login, ctx: KeyedBroadcastReadOnlyContext<string>, out: Collector<Alert>): void {
    const h = this.history.value();
    if (ctx.getBroadcastState(RULES).get(login.country) === true)
      out.collect({ user: login.user, country: login.country, reason: 'blocked-country' });
    else if (h !== null && h.lastCountry !== login.country && h.sinceCountryChange < 3)
      out.collect({ user: login.user, country: login.country, reason: 'country-hopping' });
    const changed = h === null || h.lastCountry !== login.country;
    this.history.update({
      lastCountry: login.country,
      logins: (h?.logins ?? 0) + 1,
      sinceCountryChange: changed ? 1 : (h?.sinceCountryChange ?? 0) + 1,
    });
  }

  processBroadcastElement(rule: Rule, ctx: KeyedBroadcastContext): void {
    ctx.getBroadcastState(RULES).put(rule.country, rule.blocked);
    if (!rule.blocked) return;
    // Every user of this subtask whose last login came from the newly blocked country.
    ctx.applyToKeyedState(this.historyDescriptor(), (user: string, state: ValueState<LoginHistory>) => {
      if (state.value()?.lastCountry === rule.country) ctx.output(FLAGGED_USERS, `${user} (${rule.country})`);
    });
  }

  private historyDescriptor(): ValueStateDescriptor<LoginHistory> {
    return new ValueStateDescriptor(
      'history',
      Types.POJO<LoginHistory>('LoginHistory', {
        lastCountry: Types.STRING,
        logins: Types.INT,
        sinceCountryChange: Types.INT,
      }),
    );
  }
}

export function buildFraud(options: ScenarioOptions & { events?: number } = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(3);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  const rules = env
    .fromSource(generateRuleLog(), 'Source: rules (Kafka-like, 1 partition)', FRAUD_RULE_EMIT_MS)
    .uid('rules')
    .setParallelism(1)
    .broadcast(RULES as MapStateDescriptor<string | number, unknown>);
  const alerts = env
    .fromSource(
      generateLoginLog(options.events ?? 6000),
      'Source: logins (Kafka-like, 4 partitions)',
      FRAUD_LOGIN_EMIT_MS,
    )
    .uid('logins')
    .keyBy((l: Login) => l.user)
    .connect(rules)
    .process(new FraudDetector())
    .uid('detect')
    .name('Process: fraud rules (broadcast state)');
  alerts.addSink(new TwoPhaseCommitSink<Alert>()).uid('sink').name('Sink: alerts (two-phase commit)');
  alerts
    .getSideOutput(FLAGGED_USERS)
    .addSink(new NonTransactionalSink<string>())
    .uid('flagged')
    .name('Sink: flagged users');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Fraud');
}

export const fraud: Scenario = {
  name: 'fraud',
  description:
    'Broadcast state: country rules broadcast to a keyed login stream (KeyedBroadcastProcessFunction), alerts to a two-phase-commit sink.',
  build: buildFraud,
};
