/**
 * The shareable permalink: scenario, seed and configuration in the URL's query string, e.g.
 * `?scenario=wordcount&seed=7&mode=at-least-once&interval=500&p.count=3&pt.count=20&restart=fixed-delay:3:1000`
 * (p.UID: parallelism, pt.UID: virtual ms per record; `args=no-checkpointing,backpressure,sink:exactly-once`:
 * the Operations Playground job's arguments, as the command line's --no-checkpointing, --processing-time,
 * --backpressure, --sink).
 * A teacher sends the link; the class opens the same run. Unknown or malformed parameters are reported
 * (and ignored), never guessed.
 */
import {
  CHECKPOINTING_MODES,
  type CheckpointingMode,
  type RestartStrategyConfig,
} from '../../engine/api/JobGraph';
import type { PlaygroundArguments } from '../../engine/scenarios/Scenario';
import type { BackendName, LoadOptions } from '../../worker/protocol';
import { LANGS, type Lang } from '../i18n/i18n.svelte';

export const BACKENDS: readonly BackendName[] = ['memory', 'fs', 'hashmap', 'rocksdb'];

export interface Permalink {
  options: LoadOptions;
  lang: Lang | null;
  errors: string[];
}

const NUMBER_PARAMS = {
  interval: 'intervalMs',
  speed: 'speed',
  taskmanagers: 'taskManagers',
  slots: 'slotsPerTaskManager',
} as const;

const TUNING_PARAMS = {
  timeout: 'timeoutMs',
  minPause: 'minPauseMs',
  maxConcurrent: 'maxConcurrent',
  tolerable: 'tolerableFailed',
  alignedTimeout: 'alignedTimeoutMs',
} as const;

/** The Playground's arguments as the permalink's `args`: the command line's flags, comma-separated. */
export function playgroundToText(a: PlaygroundArguments): string {
  return [
    a.checkpointing === false ? 'no-checkpointing' : '',
    a.processingTime ? 'processing-time' : '',
    a.backpressure ? 'backpressure' : '',
    a.sink ? `sink:${a.sink}` : '',
  ]
    .filter(Boolean)
    .join(',');
}

export function playgroundFromText(text: string): PlaygroundArguments | string {
  const a: PlaygroundArguments = {};
  for (const flag of text.split(',')) {
    if (flag === 'no-checkpointing') a.checkpointing = false;
    else if (flag === 'processing-time') a.processingTime = true;
    else if (flag === 'backpressure') a.backpressure = true;
    else if (flag === 'sink:at-least-once' || flag === 'sink:exactly-once')
      a.sink = flag.slice('sink:'.length) as PlaygroundArguments['sink'];
    else
      return `args: '${flag}' is not one of no-checkpointing, processing-time, backpressure, sink:at-least-once, sink:exactly-once`;
  }
  return a;
}

export function restartToText(r: RestartStrategyConfig): string {
  switch (r.type) {
    case 'none':
      return 'none';
    case 'fixed-delay':
      return `fixed-delay:${r.attempts}:${r.delayMs}`;
    case 'failure-rate':
      return `failure-rate:${r.maxFailuresPerInterval}:${r.failureRateIntervalMs}:${r.delayMs}`;
    case 'exponential-delay':
      return `exponential-delay:${r.initialBackoffMs}:${r.backoffMultiplier}:${r.maxBackoffMs}:${r.resetBackoffThresholdMs}:${r.jitterFactor}`;
  }
}

export function restartFromText(text: string): RestartStrategyConfig | string {
  const [type, ...rest] = text.split(':');
  const n = rest.map(Number);
  if (n.some((x) => !Number.isFinite(x) || x < 0))
    return `restart: '${text}' has a value that is not a number ≥ 0`;
  switch (type) {
    case 'none':
      return { type: 'none' };
    case 'fixed-delay':
      if (n.length !== 2) return `restart: fixed-delay needs attempts:delayMs, got '${text}'`;
      return { type: 'fixed-delay', attempts: n[0], delayMs: n[1] };
    case 'failure-rate':
      if (n.length !== 3) return `restart: failure-rate needs max:intervalMs:delayMs, got '${text}'`;
      return {
        type: 'failure-rate',
        maxFailuresPerInterval: n[0],
        failureRateIntervalMs: n[1],
        delayMs: n[2],
      };
    case 'exponential-delay':
      if (n.length !== 5)
        return `restart: exponential-delay needs initial:multiplier:max:resetThreshold:jitter, got '${text}'`;
      return {
        type: 'exponential-delay',
        initialBackoffMs: n[0],
        backoffMultiplier: n[1],
        maxBackoffMs: n[2],
        resetBackoffThresholdMs: n[3],
        jitterFactor: n[4],
      };
    default:
      return `restart: unknown strategy '${type}' (none, fixed-delay, failure-rate, exponential-delay)`;
  }
}

export function encodePermalink(options: LoadOptions, lang?: Lang): string {
  const q = new URLSearchParams();
  q.set('scenario', options.scenario);
  q.set('seed', String(options.seed));
  if (options.mode) q.set('mode', options.mode);
  if (options.intervalMs !== undefined) q.set('interval', String(options.intervalMs));
  if (options.backend) q.set('backend', options.backend);
  for (const [param, field] of Object.entries(TUNING_PARAMS)) {
    const v = options.checkpoint?.[field];
    if (v !== undefined) q.set(param, String(v));
  }
  if (options.checkpoint?.incremental !== undefined)
    q.set('incremental', options.checkpoint.incremental ? '1' : '0');
  for (const [uid, p] of Object.entries(options.parallelism ?? {})) q.set(`p.${uid}`, String(p));
  for (const [uid, ms] of Object.entries(options.processingTimeMs ?? {})) q.set(`pt.${uid}`, String(ms));
  if (options.restartStrategy) q.set('restart', restartToText(options.restartStrategy));
  const args = options.playground ? playgroundToText(options.playground) : '';
  if (args) q.set('args', args);
  if (options.taskManagers !== undefined) q.set('taskmanagers', String(options.taskManagers));
  if (options.slotsPerTaskManager !== undefined) q.set('slots', String(options.slotsPerTaskManager));
  if (options.speed !== undefined) q.set('speed', String(options.speed));
  if (lang) q.set('lang', lang);
  return `?${q.toString()}`;
}

/** Reads a query string; what is missing comes from `defaults`, what is wrong is in `errors`. */
export function decodePermalink(search: string, defaults: LoadOptions): Permalink {
  const q = new URLSearchParams(search);
  const errors: string[] = [];
  const options: LoadOptions = { ...defaults };
  const num = (name: string, raw: string, min = 0): number | undefined => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < min) {
      errors.push(`${name}: '${raw}' is not a number ≥ ${min}`);
      return undefined;
    }
    return v;
  };
  let lang: Lang | null = null;
  for (const [name, raw] of q) {
    if (name === 'scenario') options.scenario = raw;
    else if (name === 'seed') {
      const v = num(name, raw);
      if (v !== undefined) options.seed = Math.floor(v);
    } else if (name === 'mode') {
      if ((CHECKPOINTING_MODES as readonly string[]).includes(raw)) options.mode = raw as CheckpointingMode;
      else errors.push(`mode: '${raw}' is not one of ${CHECKPOINTING_MODES.join(', ')}`);
    } else if (name === 'backend') {
      if ((BACKENDS as readonly string[]).includes(raw)) options.backend = raw as BackendName;
      else errors.push(`backend: '${raw}' is not one of ${BACKENDS.join(', ')}`);
    } else if (name in NUMBER_PARAMS) {
      const v = num(name, raw, name === 'speed' || name === 'taskmanagers' || name === 'slots' ? 1 : 0);
      const field = NUMBER_PARAMS[name as keyof typeof NUMBER_PARAMS];
      if (v !== undefined)
        options[field] = field === 'taskManagers' || field === 'slotsPerTaskManager' ? Math.floor(v) : v;
    } else if (name in TUNING_PARAMS) {
      const v = num(name, raw, name === 'maxConcurrent' ? 1 : 0);
      if (v !== undefined)
        options.checkpoint = {
          ...options.checkpoint,
          [TUNING_PARAMS[name as keyof typeof TUNING_PARAMS]]: v,
        };
    } else if (name === 'incremental') {
      if (raw === '1' || raw === '0')
        options.checkpoint = { ...options.checkpoint, incremental: raw === '1' };
      else errors.push(`incremental: '${raw}' is not 1 or 0`);
    } else if (name.startsWith('p.')) {
      const v = num(name, raw, 1);
      if (v !== undefined) options.parallelism = { ...options.parallelism, [name.slice(2)]: Math.floor(v) };
    } else if (name.startsWith('pt.')) {
      const v = num(name, raw, 0);
      if (v !== undefined) options.processingTimeMs = { ...options.processingTimeMs, [name.slice(3)]: v };
    } else if (name === 'restart') {
      const r = restartFromText(raw);
      if (typeof r === 'string') errors.push(r);
      else options.restartStrategy = r;
    } else if (name === 'args') {
      const a = playgroundFromText(raw);
      if (typeof a === 'string') errors.push(a);
      else options.playground = a;
    } else if (name === 'lang') {
      if ((LANGS as readonly string[]).includes(raw)) lang = raw as Lang;
      else errors.push(`lang: '${raw}' is not one of ${LANGS.join(', ')}`);
    } else errors.push(`${name}: unknown parameter`);
  }
  return { options, lang, errors };
}
