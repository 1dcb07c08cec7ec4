/**
 * `npm run sim` without the process: parses argv, builds and runs the scenario, and writes the summary
 * or the JSON through `io`. Returns the exit code (0 ok, 2 usage error). Errors other than usage
 * errors (an engine exception) are thrown to the caller.
 */
import { getScenario, Simulation, type ScheduledFailure } from '../engine/index';
import { parseSimArgs, usage, UsageError, validateFailureTargets, type SimOptions } from './args';
import { formatSummary, type SummaryInput } from './summary';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export function runCli(argv: readonly string[], io: CliIO): number {
  try {
    const parsed = parseSimArgs(argv);
    if (parsed.help) {
      io.out(usage());
      return 0;
    }
    const { sim, options } = prepare(parsed.options);
    sim.run(failuresWithin(options.failures, options.until), options.until);
    if (options.json) io.out(JSON.stringify(sim.result(), null, 2) + '\n');
    else io.out(formatSummary(summaryInput(sim, options)));
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`sim: ${e.message}\n\n${usage()}`);
    return 2;
  }
}

/** Builds the job and the simulation, and checks the `--fail` targets against the job's tasks. */
export function prepare(options: SimOptions): { sim: Simulation; options: SimOptions } {
  const job = getScenario(options.scenario).build({ mode: options.mode });
  const sim = new Simulation(job, { seed: options.seed, fastForward: true });
  validateFailureTargets(options.failures, sim.cluster.taskIds(), job.name);
  return { sim, options };
}

/**
 * Failures after `--until` cannot happen within the run, so they are not scheduled at all. (Passing
 * them to `Simulation.run` would be wrong: it runs up to every engine crash before looking at `until`.)
 */
export function failuresWithin(
  failures: readonly ScheduledFailure[],
  until: number | undefined,
): ScheduledFailure[] {
  return until === undefined ? [...failures] : failures.filter((f) => f.at <= until);
}

export function summaryInput(sim: Simulation, options: SimOptions): SummaryInput {
  const sinkKinds: Record<string, string> = {};
  for (const [uid, table] of sim.external.tables) sinkKinds[uid] = table.kind;
  return {
    scenario: options.scenario,
    seed: options.seed,
    until: options.until,
    requestedFailures: options.failures,
    operators: sim.job.vertices.map((v) => ({
      uid: v.uid,
      name: v.name,
      parallelism: v.parallelism,
      isSink: v.spec.kind === 'sink',
    })),
    sinkKinds,
    result: sim.result(),
  };
}
