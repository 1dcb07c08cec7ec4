/**
 * Semantic validation of a snapshot (already shaped by the schema) against the job it is restored
 * into. Everything that would make the engine restore only part of the snapshot, or restore it wrongly,
 * is an error naming the path:
 *
 * - operators match by uid: an unknown uid, a uid twice, or a job operator missing from the file;
 * - maxParallelism must match the job (the number of key groups cannot change); parallelism may differ
 *   (rescaling), but then the file must have one subtask per index 0..parallelism−1;
 * - key-group ranges: keyed operators only, inside 0..maxParallelism−1, covering every key group once;
 * - each key: in the key group its hash gives, inside its subtask's range, once per state; list and
 *   map values have their shape; state names and types match what the operator declares in `open()`;
 * - TTL: a state with a time-to-live in the job has `ttl: true` and `{ value, lastAccess }` values;
 * - types: every value has the type its state records (`valueType`, `elementType`), and the job's
 *   descriptor type can read that type (Flink's serializer compatibility; typecheck.ts);
 * - operator state: list states with the names and redistribution modes the operator registers; source
 *   offsets only on sources (every partition once, within the log); pending transactions only on
 *   two-phase-commit sinks;
 * - timers: keyed operators only, each in its key's key group, inside the subtask's range, once;
 * - channel state: only between tasks the job connects, records routed to the right subtask, and not
 *   when the operator's parallelism changes (in-flight records are not redistributed).
 *
 * This file checks the snapshot's frame (operators, parallelism, key-group ranges) and channel state;
 * keyed state and timers: validateKeyedState.ts; operator state: validateOperatorState.ts; what an
 * operator declares: declaredState.ts; value types: typecheck.ts.
 */
import type { JobEdge, JobGraph, JobVertex } from '../api/JobGraph';
import { assignKeyToParallelOperator } from '../keygroups/KeyGroupRangeAssignment';
import type { SnapshotError } from './convert';
import { messageOf, msg } from '../messages/Message';
import { declaredState } from './declaredState';
import { fmtKey, list, range, type Err } from './report';
import type { OperatorJson, SnapshotJson, SubtaskJson } from './schema';
import { validateKeyedState, validateTimers } from './validateKeyedState';
import { validateOperatorState, validateSourceCoverage } from './validateOperatorState';

/** The operator probe lives in declaredState.ts (kept importable from here). */
export { declaredState, type DeclaredState } from './declaredState';

interface Peer {
  edge: JobEdge;
  /** The receiving subtask's operator and index (whose key groups a hash-partitioned record must hit). */
  receiver: JobVertex;
  receiverIndex: number;
}

/** Upstream (input) and downstream (output) tasks of `<vertex.uid>#<index>` in the job, by task id. */
function neighbours(job: JobGraph, vertex: JobVertex, index: number) {
  const inputs = new Map<string, Peer>();
  for (const e of vertex.inputs) {
    const from = e.partitioner === 'forward' ? [index] : range(e.source.parallelism);
    for (const j of from)
      inputs.set(`${e.source.uid}#${j}`, { edge: e, receiver: vertex, receiverIndex: index });
  }
  const outputs = new Map<string, Peer>();
  for (const w of job.vertices) {
    for (const e of w.inputs) {
      if (e.source !== vertex) continue;
      const to = e.partitioner === 'forward' ? [index] : range(w.parallelism);
      for (const j of to) outputs.set(`${w.uid}#${j}`, { edge: e, receiver: w, receiverIndex: j });
    }
  }
  return { inputs, outputs };
}

export function validateSnapshotAgainstJob(snapshot: SnapshotJson, job: JobGraph): SnapshotError[] {
  const errors: SnapshotError[] = [];
  const err: Err = (path, message) => errors.push({ path, message });

  if (snapshot.completionTime < snapshot.triggerTime)
    err(
      'completionTime',
      msg('snapshot.completion-before-trigger', {
        completion: snapshot.completionTime,
        trigger: snapshot.triggerTime,
      }),
    );
  if (snapshot.statistics.id !== snapshot.checkpointId)
    err(
      'statistics.id',
      msg('snapshot.statistics-id', {
        statisticsId: snapshot.statistics.id,
        checkpointId: snapshot.checkpointId,
      }),
    );

  const vertices = new Map(job.vertices.map((v) => [v.uid, v]));
  const seen = new Map<string, number>();
  snapshot.operators.forEach((op, i) => {
    const p = `operators[${i}]`;
    const v = vertices.get(op.uid);
    if (!v) {
      err(
        `${p}.uid`,
        msg('snapshot.unknown-operator', {
          uid: op.uid,
          job: job.name,
          operators: list([...vertices.keys()]),
        }),
      );
      return;
    }
    const first = seen.get(op.uid);
    if (first !== undefined) {
      err(`${p}.uid`, msg('snapshot.operator-twice', { uid: op.uid, first }));
      return;
    }
    seen.set(op.uid, i);
    validateOperator(job, snapshot, op, v, p, err);
  });
  for (const v of job.vertices) {
    if (!seen.has(v.uid)) err('operators', msg('snapshot.operator-missing', { uid: v.uid, name: v.name }));
  }
  return errors;
}

function validateOperator(
  job: JobGraph,
  snapshot: SnapshotJson,
  op: OperatorJson,
  v: JobVertex,
  p: string,
  err: Err,
): void {
  const maxP = op.maxParallelism;
  let keyGroupsComparable = true;
  if (maxP !== v.maxParallelism) {
    err(
      `${p}.maxParallelism`,
      msg('snapshot.max-parallelism', { maxP, jobMaxP: v.maxParallelism, uid: op.uid }),
    );
    keyGroupsComparable = false;
  }
  if (op.parallelism > maxP)
    err(`${p}.parallelism`, msg('snapshot.parallelism-above-max', { parallelism: op.parallelism, maxP }));
  if (op.subtasks.length !== op.parallelism)
    err(
      `${p}.subtasks`,
      msg('snapshot.subtask-count', { count: op.subtasks.length, parallelism: op.parallelism }),
    );
  const indexSeen = new Map<number, number>();
  op.subtasks.forEach((st, k) => {
    if (st.index >= op.parallelism)
      err(
        `${p}.subtasks[${k}].index`,
        msg('snapshot.subtask-index', { index: st.index, parallelism: op.parallelism }),
      );
    const other = indexSeen.get(st.index);
    if (other !== undefined)
      err(`${p}.subtasks[${k}].index`, msg('snapshot.subtask-twice', { index: st.index, other }));
    else indexSeen.set(st.index, k);
  });

  const keyed = v.keySelector !== null;
  const declared = declaredState(v);
  const ranges: Array<{ k: number; start: number; end: number }> = [];
  op.subtasks.forEach((st, k) => {
    const sp = `${p}.subtasks[${k}]`;
    if (!keyed) {
      if (st.keyGroupRange !== null)
        err(`${sp}.keyGroupRange`, msg('snapshot.not-keyed-range', { uid: op.uid }));
      if (st.keyedState.length > 0) err(`${sp}.keyedState`, msg('snapshot.not-keyed-state', { uid: op.uid }));
    } else if (st.keyGroupRange === null) {
      err(`${sp}.keyGroupRange`, msg('snapshot.keyed-needs-range', { uid: op.uid }));
    } else {
      const { start, end } = st.keyGroupRange;
      let ok = true;
      if (start < 0) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-negative', { start }));
        ok = false;
      }
      if (start > maxP - 1) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-beyond', { value: start, maxP, last: maxP - 1 }));
        ok = false;
      }
      if (end > maxP - 1) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-beyond', { value: end, maxP, last: maxP - 1 }));
        ok = false;
      }
      if (start > end) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-reversed', { start, end }));
        ok = false;
      }
      if (ok) ranges.push({ k, start, end });
      if (keyGroupsComparable) {
        validateKeyedState(job, st, op, sp, ok ? { start, end } : null, declared?.keyed ?? null, err);
        validateTimers(st, op, sp, ok ? { start, end } : null, err);
      }
    }
    if (!keyed && st.timers.length > 0)
      err(`${sp}.timers`, msg('snapshot.not-keyed-timers', { uid: op.uid }));
    validateOperatorState(snapshot, op, v, st, sp, declared, err);
    validateChannelState(job, op, v, st, sp, err);
  });

  // Coverage: every key group of 0..maxP−1 in exactly one subtask's range.
  if (keyed && keyGroupsComparable && ranges.length === op.subtasks.length && ranges.length > 0) {
    ranges.sort((a, b) => a.start - b.start || a.k - b.k);
    let next = 0;
    let prev: { k: number; start: number; end: number } | null = null;
    for (const r of ranges) {
      if (r.start > next)
        err(`${p}.subtasks`, msg('snapshot.key-groups-uncovered', { from: next, to: r.start - 1 }));
      else if (r.start < next && prev)
        err(
          `${p}.subtasks[${r.k}].keyGroupRange`,
          msg('snapshot.range-overlap', {
            start: r.start,
            end: r.end,
            other: prev.k,
            otherStart: prev.start,
            otherEnd: prev.end,
          }),
        );
      if (r.end + 1 > next) {
        next = r.end + 1;
        prev = r;
      }
    }
    if (next < maxP) err(`${p}.subtasks`, msg('snapshot.key-groups-uncovered', { from: next, to: maxP - 1 }));
  }

  validateSourceCoverage(op, v, p, err);
}

function validateChannelState(
  job: JobGraph,
  op: OperatorJson,
  v: JobVertex,
  st: SubtaskJson,
  sp: string,
  err: Err,
): void {
  const total = st.inputChannelState.length + st.outputChannelState.length;
  if (total === 0) return;
  const hasRecords = [...st.inputChannelState, ...st.outputChannelState].some((c) => c.records.length > 0);
  if (op.parallelism !== v.parallelism) {
    if (hasRecords)
      err(
        `${sp}.${st.inputChannelState.some((c) => c.records.length > 0) ? 'inputChannelState' : 'outputChannelState'}`,
        msg('snapshot.channel-rescale', { uid: op.uid, fileP: op.parallelism, jobP: v.parallelism }),
      );
    return;
  }
  if (st.index >= v.parallelism) return; // reported as an index error
  const { inputs, outputs } = neighbours(job, v, st.index);
  const me = `${op.uid}#${st.index}`;
  for (const [side, states, peers, relation] of [
    ['inputChannelState', st.inputChannelState, inputs, 'upstream'],
    ['outputChannelState', st.outputChannelState, outputs, 'downstream'],
  ] as const) {
    const seen = new Map<string, number>();
    states.forEach((cs, c) => {
      const cp = `${sp}.${side}[${c}]`;
      const peer = peers.get(cs.peer);
      if (!peer) {
        err(
          `${cp}.peer`,
          msg(relation === 'upstream' ? 'snapshot.channel-not-upstream' : 'snapshot.channel-not-downstream', {
            peer: cs.peer,
            task: me,
            peers: list([...peers.keys()]),
          }),
        );
        return;
      }
      const other = seen.get(cs.peer);
      if (other !== undefined)
        err(`${cp}.peer`, msg('snapshot.channel-twice', { peer: cs.peer, side, other }));
      seen.set(cs.peer, c);
      const edge = peer.edge;
      if (edge.partitioner !== 'hash' || !edge.keySelector) return;
      const selector = edge.keySelector;
      cs.records.forEach((r, i) => {
        if (r.poison) return;
        try {
          const key = selector(r.value);
          const idx = assignKeyToParallelOperator(
            key,
            peer.receiver.maxParallelism,
            peer.receiver.parallelism,
          );
          if (idx !== peer.receiverIndex)
            err(
              `${cp}.records[${i}].value`,
              msg('snapshot.channel-routing', {
                key: fmtKey(key),
                actual: `${peer.receiver.uid}#${idx}`,
                expected: `${peer.receiver.uid}#${peer.receiverIndex}`,
              }),
            );
        } catch (e) {
          err(`${cp}.records[${i}].value`, msg('snapshot.channel-key-selector', { error: messageOf(e) }));
        }
      });
    });
  }
}
