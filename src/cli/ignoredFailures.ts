/**
 * The `--fail` requests that did not fail anything, and why: the run ended first, the job had already
 * FAILED, the task had already FINISHED (its bounded input ended: FLIP-147), or the task was not
 * running (its job was restarting, as Flink ignores a failure of a task that is already being restarted). A pure function of what was asked and what happened.
 */
import { parseTaskManagerId, type ScheduledFailure, type SimulationResult } from '../engine/index';

export interface IgnoredFailure {
  target: string;
  at: number;
  reason: string;
}

type Failure = SimulationResult['failures'][number];

const INJECTED = 'injected failure';

/**
 * When a requested task failure was due: its own time, unless an engine crash had the engine down then
 * (the simulation moves it to the moment the new engine starts).
 */
function effectiveTime(at: number, crashes: readonly Failure[]): number {
  let t = at;
  for (const c of crashes) {
    const back = c.time + (c.restartDelayMs ?? 0);
    if (c.time < t && t < back) t = back;
  }
  return t;
}

export function ignoredFailures(
  requested: readonly ScheduledFailure[],
  result: SimulationResult,
  until: number | undefined,
  /** The task a target names (an operator subtask fails the chain subtask that runs it). */
  taskOf: (target: string) => string = (t) => t,
): IgnoredFailure[] {
  const crashes = result.failures.filter((f) => f.task === 'engine').sort((a, b) => a.time - b.time);
  const unmatched = [...result.failures];
  const out: IgnoredFailure[] = [];
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  for (const f of [...requested].sort((a, b) => a.at - b.at)) {
    // (--add-taskmanager is scheduled with the failures but fails nothing.)
    if (f.target === 'add-taskmanager') continue;
    const engine = f.target === 'engine';
    // A killed TaskManager's failure record carries Flink's "no longer reachable" reason.
    const taskManager = parseTaskManagerId(f.target) !== null;
    const due = engine ? f.at : effectiveTime(f.at, crashes);
    const i = unmatched.findIndex(
      (r) =>
        r.task === taskOf(f.target) && r.time === due && (engine || taskManager || r.reason === INJECTED),
    );
    if (i >= 0) {
      unmatched.splice(i, 1);
      continue;
    }
    const ignore = (reason: string) => out.push({ target: f.target, at: f.at, reason });
    if ((until !== undefined && f.at > until) || due > result.time) {
      ignore(`the run ended at ${fmt(result.time)}`);
      continue;
    }
    const fatal = result.failures.find((r) => r.restartDelayMs === null && r.time <= due);
    if (fatal) {
      ignore(`the job had FAILED at ${fmt(fatal.time)} (${fatal.task})`);
      continue;
    }
    const finished = result.failuresOfFinishedTasks?.find((r) => r.task === f.target && r.time === due);
    if (finished) {
      ignore(
        `${f.target} had already FINISHED at ${fmt(finished.finishedAt)} (its input ended): ` +
          `a finished task cannot fail`,
      );
      continue;
    }
    const restarting = result.failures
      .filter((r) => r.restartDelayMs !== null && r.time <= due && due <= r.time + r.restartDelayMs)
      .pop();
    if (restarting) {
      const back = restarting.time + (restarting.restartDelayMs ?? 0);
      ignore(
        `${f.target} was not running: it was restarting after ${restarting.task} failed at ` +
          `${fmt(restarting.time)} (restart at ${fmt(back)})`,
      );
    } else if (taskManager)
      ignore(`${f.target} had no running subtask in its slots at ${fmt(due)} (it was killed all the same)`);
    else ignore(`${f.target} was not running at ${fmt(due)}`);
  }
  return out;
}
