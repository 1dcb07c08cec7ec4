/**
 * Argument parsing for `npm run sim`, as pure functions: no process, no I/O. `parseSimArgs` turns argv
 * (without node and the script) into options or throws a `UsageError` saying what is wrong;
 * `validateFailureTargets` checks `--fail` targets against the tasks of the built job.
 */
import {
  CHECKPOINTING_MODES,
  SCENARIOS,
  parseTaskManagerId,
  stateBackendByName,
  type CheckpointingMode,
  type ClusterOptions,
  type PlaygroundArguments,
  type Scenario,
  type ScheduledFailure,
} from '../engine/index';

export const DEFAULT_SEED = 1;

export interface SimOptions {
  /** A built-in scenario's name, or the job file's path with `--job`. */
  scenario: string;
  /** `--job FILE`: run this job file (TypeScript importing 'stream-state-lab') instead of a scenario. */
  jobFile?: string;
  /** The job file's job, once compiled and built (src/cli/job.ts); not from argv. */
  job?: Scenario;
  seed: number;
  /** Undefined: the scenario's own checkpointing mode. */
  mode: CheckpointingMode | undefined;
  /** In the order given on the command line. */
  failures: ScheduledFailure[];
  /** Undefined: run until all input is processed and committed. */
  until: number | undefined;
  json: boolean;
  /** `--export FILE`: write the latest completed checkpoint (or the `--savepoint-at` savepoint) there as snapshot JSON. */
  exportFile?: string;
  /** `--savepoint-at MS`: trigger a savepoint at virtual time MS (Flink's `flink savepoint`). */
  savepointAt?: number;
  /** `--restore FILE`: start the scenario from this snapshot file. */
  restoreFile?: string;
  /** `--backend NAME`: memory | fs | rocksdb (the article's names) or the modern class names. */
  backend?: string;
  /** `--parallelism N`: Flink's `-p`, the default parallelism, sources included (with --restore: a rescale). */
  parallelism?: number;
  /** `--unbounded`: log sources keep polling after their last record (default: bounded, the job FINISHES). */
  unbounded?: boolean;
  /** `--no-chaining` / `--disable-operator-chaining`: `env.disableOperatorChaining()` (false); default on. */
  chaining?: boolean;
  /** `--taskmanagers N`, `--slots S`, `--taskmanager-restart MS`, `--slot-request-timeout MS`. */
  cluster?: ClusterOptions;
  /** clickcount: `--no-checkpointing`, `--processing-time`, `--backpressure`, `--sink G`. */
  playground?: PlaygroundArguments;
}

export type ParsedArgs = { help: true } | { help: false; options: SimOptions };

/** A mistake on the command line: the message says what is wrong; the caller prints it with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The scenarios the usage text lists: name → one-line description. */
export type ScenarioList = Readonly<Record<string, { description: string }>>;

export function usage(scenarios: ScenarioList = SCENARIOS): string {
  const names = Object.keys(scenarios);
  const width = Math.max(...names.map((n) => n.length));
  const list = names.map((n) => `  ${n.padEnd(width)}  ${scenarios[n].description}`).join('\n');
  return `Usage: npm run sim -- <scenario> [options]
       npm run sim -- --job FILE [options]

Runs a built-in job, or a job file, in the simulator (virtual time, deterministic for a given seed)
and prints its keyed state, sink output, checkpoints and failures.

Scenarios:
${list}

Options:
  --job FILE      run a job file instead of a scenario: TypeScript that imports the lab's API from
                  'stream-state-lab' and hands its job to env.execute(name) (examples/jobs/,
                  docs/cli.md). A syntax or type error, a throw while building, no execute, two
                  executes or a user function that loops for ever: FILE:LINE:COL: message, exit 2
  --seed N        random seed, an integer (default ${DEFAULT_SEED})
  --mode MODE     checkpointing mode (default: the scenario's own):
                  ${CHECKPOINTING_MODES.join(' | ')}
  --fail TASK@MS  inject a failure at virtual time MS (ms); repeatable. TASK is
                  <operator uid>#<subtask index> (e.g. count#1: the subtask of the chain that runs
                  the operator fails), engine (a whole-engine crash) or
                  taskmanager-<n> (kill TaskManager n: every subtask in its slots fails at once; it
                  is back after --taskmanager-restart)
  --until MS      stop at virtual time MS (default: run until the job is FINISHED; --unbounded:
                  until all input is processed and committed)
  --unbounded     log sources keep reading after their last record, as a Kafka topic does; without
                  it they are bounded (KafkaSource.setBounded(OffsetsInitializer.latest())): at the
                  end of input MAX_WATERMARK fires every event-time timer, a final checkpoint
                  commits the sinks and every task, then the job, is FINISHED
  --no-chaining   env.disableOperatorChaining(): every operator its own task (default: Flink's
                  chaining; also --disable-operator-chaining)
  --json          print one JSON object instead of the summary (use npm run -s sim -- ... so that
                  npm prints nothing else on stdout)
  --export FILE   after the run, write the latest completed checkpoint to FILE as snapshot JSON
                  (docs/snapshot-format.md); with --savepoint-at, the savepoint instead
  --savepoint-at MS
                  take a savepoint at virtual time MS (always aligned, full state in canonical
                  format, no side effects committed): the way to --export a RocksDB-like job,
                  whose incremental checkpoints reference shared files
  --restore FILE  start the scenario from a snapshot file instead of from scratch; an invalid file
                  prints every problem with its path and exits 1
  --backend NAME  state backend: memory | fs | rocksdb (the article's MemoryStateBackend,
                  FsStateBackend, RocksDBStateBackend with incremental checkpoints); the modern
                  names (HashMapStateBackend, EmbeddedRocksDBStateBackend) work too
  --parallelism N Flink's -p: the default parallelism of every operator that does not set its own,
                  sources included (a fromElements source stays at 1); with --restore this rescales
                  the snapshot's state (keyed state by key groups)
  --taskmanagers N
                  TaskManagers in the cluster (default: one, as a local cluster)
  --slots S       task slots per TaskManager (default: enough for the job: it needs as many slots
                  as its highest parallelism, one slot holding one subtask of each chain)
  --taskmanager-restart MS
                  time a killed TaskManager takes to come back (default 3000)
  --slot-request-timeout MS
                  how long tasks wait SCHEDULED for slots before NoResourceAvailableException
                  (Flink's slot.request.timeout, default 300000)
  --add-taskmanager MS
                  a new TaskManager (with --slots slots) registers at MS; repeatable
  --no-checkpointing, --processing-time, --backpressure, --sink at-least-once|exactly-once
                  clickcount only: the Operations Playground's job arguments (without
                  --checkpointing; without --event-time; with --backpressure; the Kafka sink's
                  guarantee, default at-least-once); see docs/cli.md
  --sql 'STATEMENTS' | --sql-file FILE
                  run Flink SQL instead of a scenario (docs/sql.md): SET, SHOW TABLES, DESCRIBE,
                  CREATE TABLE and EXPLAIN answer; the query or INSERT INTO runs as the job 'sql'
                  with the options above; a SQL error exits 2 with line:column
  --export-flink FILE
                  with --sql/--sql-file: also write the statements as a script for Flink's SQL
                  Client (sql-client.sh -f FILE), the tables over CSV files (--dump-table --csv)
  --dump-table NAME [--csv]
                  print a built-in SQL table's rows as a query sees them (--csv: for Flink)
  -h, --help      show this help

Examples:
  npm run sim -- wordcount
  npm run sim -- --sql 'SELECT word, COUNT(*) AS cnt FROM words GROUP BY word' --fail group-aggregate#0@700
  npm run sim -- visits --mode at-least-once --fail count#1@2500
  npm run -s sim -- visits --fail engine@1800 --json
  npm run sim -- visits --until 1800 --export visits-cp.json
  npm run sim -- visits --restore visits-cp.json --parallelism 2
  npm run sim -- visits --backend rocksdb
  npm run -s sim -- wordcount --no-chaining --json
  npm run sim -- visits --backend rocksdb --savepoint-at 1500 --until 2500 --export visits-sp.json
  npm run sim -- visits --taskmanagers 2 --slots 2 --fail taskmanager-2@1500
  npm run sim -- clickcount --taskmanagers 1 --slots 2 --fail taskmanager-1@40000
  npm run sim -- --job examples/jobs/wordcount.ts --fail count#1@700
  npm run sim -- visits --restore visits-cp.json --parallelism 6 --taskmanagers 2 --slots 2 --add-taskmanager 2000
`;
}

const TASK_RE = /^(?:engine|taskmanager-\d+|[^\s#@]+#\d+)$/;
const MS_RE = /^\d+(?:\.\d+)?$/;
const INT_RE = /^[-+]?\d+$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const VALUE_OPTIONS = [
  '--job',
  '--seed',
  '--mode',
  '--fail',
  '--until',
  '--export',
  '--restore',
  '--backend',
  '--parallelism',
  '--savepoint-at',
  '--taskmanagers',
  '--slots',
  '--taskmanager-restart',
  '--slot-request-timeout',
  '--add-taskmanager',
  '--sink',
] as const;
const FLAG_OPTIONS = [
  '--json',
  '--unbounded',
  '--no-chaining',
  '--disable-operator-chaining',
  '--no-checkpointing',
  '--processing-time',
  '--backpressure',
  '--help',
  '-h',
] as const;

/** `TASK@MS` → a scheduled failure; throws a UsageError when it does not have that shape. */
export function parseFailure(spec: string): ScheduledFailure {
  const at = spec.lastIndexOf('@');
  const target = at < 0 ? spec : spec.slice(0, at);
  const time = at < 0 ? '' : spec.slice(at + 1);
  if (at < 0 || !TASK_RE.test(target) || !MS_RE.test(time)) {
    throw new UsageError(
      `--fail '${spec}' does not match TASK@MS: TASK is <operator uid>#<subtask index> (e.g. count#1), ` +
        `engine or taskmanager-<n>, MS a virtual time in ms >= 0 (e.g. count#1@2500, engine@1800, taskmanager-1@900)`,
    );
  }
  return { target, at: Number(time) };
}

/**
 * Parses `<scenario> [--seed N] [--mode M] [--fail TASK@MS]... [--until MS] [--json]`. Options take
 * their value as the next argument or after `=` (`--seed=7`). `--help`/`-h` anywhere wins.
 */
export function parseSimArgs(
  argv: readonly string[],
  scenarioNames: readonly string[] = Object.keys(SCENARIOS),
): ParsedArgs {
  if (argv.some((a) => a === '--help' || a === '-h')) return { help: true };

  let scenario: string | undefined;
  let jobFile: string | undefined;
  let seed: number | undefined;
  let mode: CheckpointingMode | undefined;
  let until: number | undefined;
  let json = false;
  let unbounded = false;
  let chaining = true;
  let exportFile: string | undefined;
  let restoreFile: string | undefined;
  let backend: string | undefined;
  let parallelism: number | undefined;
  let savepointAt: number | undefined;
  const cluster: ClusterOptions = {};
  const playground: PlaygroundArguments = {};
  const failures: ScheduledFailure[] = [];
  const seen = new Set<string>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      if (scenario !== undefined)
        throw new UsageError(`unexpected argument '${arg}': give exactly one scenario (got '${scenario}')`);
      scenario = arg;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);

    if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value (got '${arg}')`);
      if (name === '--json') json = true;
      if (name === '--unbounded') unbounded = true;
      if (name === '--no-chaining' || name === '--disable-operator-chaining') chaining = false;
      if (name === '--no-checkpointing') playground.checkpointing = false;
      if (name === '--processing-time') playground.processingTime = true;
      if (name === '--backpressure') playground.backpressure = true;
      continue;
    }
    if (!(VALUE_OPTIONS as readonly string[]).includes(name)) {
      throw new UsageError(
        `unknown option '${name}' (options: ${[...VALUE_OPTIONS, '--json', '--unbounded', '--no-chaining', '--no-checkpointing', '--processing-time', '--backpressure', '--help'].join(', ')})`,
      );
    }
    let value: string;
    if (inline !== undefined) {
      value = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new UsageError(`${name} needs a value (${name} ${valueHint(name)})`);
      value = next;
      i++;
    }
    if (name !== '--fail' && name !== '--add-taskmanager') {
      if (seen.has(name)) throw new UsageError(`${name} given more than once`);
      seen.add(name);
    }

    switch (name) {
      case '--sink':
        if (value !== 'at-least-once' && value !== 'exactly-once')
          throw new UsageError(`--sink must be at-least-once or exactly-once (got '${value}')`);
        playground.sink = value;
        break;
      case '--seed': {
        const n = Number(value);
        if (!INT_RE.test(value) || n < INT32_MIN || n > INT32_MAX)
          throw new UsageError(
            `--seed must be an integer between ${INT32_MIN} and ${INT32_MAX} (got '${value}')`,
          );
        seed = n;
        break;
      }
      case '--mode':
        if (!(CHECKPOINTING_MODES as readonly string[]).includes(value))
          throw new UsageError(`unknown mode '${value}' (modes: ${CHECKPOINTING_MODES.join(', ')})`);
        mode = value as CheckpointingMode;
        break;
      case '--fail':
        failures.push(parseFailure(value));
        break;
      case '--until': {
        const n = Number(value);
        if (!MS_RE.test(value) || !(n > 0))
          throw new UsageError(`--until must be a positive number of milliseconds (got '${value}')`);
        until = n;
        break;
      }
      case '--export':
      case '--restore':
      case '--job':
        if (value === '') throw new UsageError(`${name} needs a file name (${name} FILE)`);
        if (name === '--export') exportFile = value;
        else if (name === '--job') jobFile = value;
        else restoreFile = value;
        break;
      case '--backend':
        try {
          stateBackendByName(value);
        } catch (err) {
          throw new UsageError(`--backend: ${(err as Error).message}`);
        }
        backend = value;
        break;
      case '--parallelism': {
        const n = Number(value);
        if (!INT_RE.test(value) || n < 1 || n > 128)
          throw new UsageError(`--parallelism must be an integer from 1 to 128 (got '${value}')`);
        parallelism = n;
        break;
      }
      case '--savepoint-at': {
        const n = Number(value);
        if (!MS_RE.test(value))
          throw new UsageError(`--savepoint-at must be a virtual time in ms >= 0 (got '${value}')`);
        savepointAt = n;
        break;
      }
      case '--taskmanagers':
      case '--slots': {
        const n = Number(value);
        if (!INT_RE.test(value) || n < 1 || n > 128)
          throw new UsageError(`${name} must be an integer from 1 to 128 (got '${value}')`);
        if (name === '--taskmanagers') cluster.taskManagers = n;
        else cluster.slotsPerTaskManager = n;
        break;
      }
      case '--taskmanager-restart':
      case '--slot-request-timeout':
      case '--add-taskmanager': {
        const n = Number(value);
        if (!MS_RE.test(value) || (name === '--slot-request-timeout' && !(n > 0)))
          throw new UsageError(
            `${name} must be a ${name === '--slot-request-timeout' ? 'positive ' : ''}number of milliseconds (got '${value}')`,
          );
        if (name === '--taskmanager-restart') cluster.taskManagerRestartDelayMs = n;
        else if (name === '--slot-request-timeout') cluster.slotRequestTimeoutMs = n;
        else failures.push({ target: 'add-taskmanager', at: n });
        break;
      }
    }
  }

  if (jobFile !== undefined && scenario !== undefined)
    throw new UsageError(`give a scenario or --job FILE, not both (got '${scenario}' and --job ${jobFile})`);
  if (jobFile !== undefined) scenario = jobFile;
  else if (scenario === undefined)
    throw new UsageError(`missing scenario: name one of ${scenarioNames.join(', ')} (or --job FILE)`);
  else if (!scenarioNames.includes(scenario))
    throw new UsageError(`unknown scenario '${scenario}' (scenarios: ${scenarioNames.join(', ')})`);

  const options: SimOptions = { scenario, seed: seed ?? DEFAULT_SEED, mode, failures, until, json };
  if (jobFile !== undefined) options.jobFile = jobFile;
  if (exportFile !== undefined) options.exportFile = exportFile;
  if (restoreFile !== undefined) options.restoreFile = restoreFile;
  if (backend !== undefined) options.backend = backend;
  if (parallelism !== undefined) options.parallelism = parallelism;
  if (unbounded) options.unbounded = true;
  if (!chaining) options.chaining = false;
  if (savepointAt !== undefined) {
    if (until !== undefined && savepointAt > until)
      throw new UsageError(
        `--savepoint-at ${savepointAt} is after --until ${until}: the run would end first`,
      );
    options.savepointAt = savepointAt;
  }
  if (Object.keys(cluster).length > 0) options.cluster = cluster;
  if (Object.keys(playground).length > 0) {
    // The Playground's job arguments mean something only to its job.
    if (scenario !== 'clickcount')
      throw new UsageError(
        `--no-checkpointing, --processing-time, --backpressure and --sink are the clickcount scenario's options (got scenario '${scenario}')`,
      );
    options.playground = playground;
  }
  return { help: false, options };
}

function valueHint(name: string): string {
  switch (name) {
    case '--seed':
      return 'N';
    case '--mode':
      return CHECKPOINTING_MODES.join('|');
    case '--fail':
      return 'TASK@MS';
    case '--export':
    case '--restore':
    case '--job':
      return 'FILE';
    case '--backend':
      return 'memory|fs|rocksdb';
    case '--sink':
      return 'at-least-once|exactly-once';
    case '--parallelism':
    case '--taskmanagers':
    case '--slots':
      return 'N';
    default:
      return 'MS';
  }
}

/**
 * Throws a UsageError when a `--fail` names a task the job does not have (`engine` is always valid)
 * or a TaskManager the cluster will not have (`taskManagers`: how many it starts with).
 */
export function validateFailureTargets(
  failures: readonly ScheduledFailure[],
  taskIds: readonly string[],
  jobName: string,
  taskManagers = 1,
): void {
  const added = failures.filter((f) => f.target === 'add-taskmanager').length;
  for (const f of failures) {
    if (f.target === 'engine' || f.target === 'add-taskmanager' || taskIds.includes(f.target)) continue;
    const tm = parseTaskManagerId(f.target);
    if (tm !== null) {
      if (tm >= 1 && tm <= taskManagers + added) continue;
      throw new UsageError(
        `--fail ${f.target}@${f.at}: the cluster has ${taskManagers} TaskManager(s)` +
          (added > 0 ? ` (+${added} added by --add-taskmanager)` : '') +
          `: taskmanager-1 to taskmanager-${taskManagers + added}`,
      );
    }
    throw new UsageError(
      `--fail ${f.target}@${f.at}: job '${jobName}' has no task '${f.target}' ` +
        `(its tasks: ${taskIds.join(', ')}; or engine)`,
    );
  }
}
