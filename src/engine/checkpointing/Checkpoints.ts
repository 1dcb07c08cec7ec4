/**
 * Checks that a checkpoint or savepoint can be restored into a job (Flink's
 * Checkpoints.loadAndValidateCheckpoint): operators are matched by uid; state of an operator the job
 * no longer has needs allowNonRestoredState; the max parallelism must not change (key groups are the
 * unit of rescaling); in-flight channel state cannot be rescaled here; every state value has its
 * recorded type (checkStateTypes) — a checkpoint whose values are not what it says is refused before
 * anything is restored, with the paths an import of it would name.
 */
import type { JobGraph } from '../api/JobGraph';
import { createChains } from '../api/StreamingJobGraphGenerator';
import { typeFromJson } from '../api/typeinfo/TypeInformation';
import type { Key } from '../keygroups/hashCode';
import { compareKeys } from '../state/HeapKeyedStateBackend';
import type { KeyedStateSnapshot } from '../state/KeyedStateBackend';
import { checkKeyedValue, checkListItems } from '../snapshot/typecheck';
import { declaredState, type DeclaredState } from '../snapshot/declaredState';
import type { CompletedCheckpoint } from './CompletedCheckpoint';
import { EngineError, msg, type Message } from '../messages/Message';

/** Its `detail` is the message code the page translates; `message` is the English text. */
export class RestoreError extends EngineError {
  override readonly name = 'RestoreError';
}

export function validateRestore(
  job: JobGraph,
  checkpoint: CompletedCheckpoint,
  allowNonRestoredState: boolean,
): void {
  const what = msg('restore.what', { kind: msg(`kind.${checkpoint.kind}`), id: checkpoint.checkpointId });
  const byUid = new Map(job.vertices.map((v) => [v.uid, v]));
  const chainedEdges = createChains(job).flatMap((c) => c.chainedEdges);
  const uids = [...new Set(checkpoint.tasks.map((t) => t.operatorUid))];
  for (const uid of uids) {
    const vertex = byUid.get(uid);
    const tasks = checkpoint.tasks.filter((t) => t.operatorUid === uid);
    const hasState = tasks.some(
      (t) =>
        (t.keyedState && ('kind' in t.keyedState || t.keyedState.keyGroups.length > 0)) ||
        t.operatorState !== null ||
        t.timers.length > 0 ||
        t.inputChannelState.length > 0 ||
        t.outputChannelState.length > 0,
    );
    if (!vertex) {
      if (hasState && !allowNonRestoredState)
        throw new RestoreError(msg('restore.operator-missing', { what, uid }));
      continue;
    }
    const oldMaxP = tasks[0].maxParallelism;
    if (oldMaxP !== vertex.maxParallelism)
      throw new RestoreError(
        msg('restore.max-parallelism-changed', { what, uid, old: oldMaxP, now: vertex.maxParallelism }),
      );
    const oldP = tasks[0].parallelism;
    const inFlight = tasks.some((t) => t.inputChannelState.length > 0 || t.outputChannelState.length > 0);
    if (inFlight && oldP !== vertex.parallelism)
      throw new RestoreError(
        msg('restore.unaligned-rescale', { what, uid, old: oldP, now: vertex.parallelism }),
      );
    // In-flight records of an edge that is now inside a chain would have no channel to go to.
    for (const t of tasks) {
      const peers = [
        ...t.inputChannelState.filter((c) => c.records.length > 0).map((c) => ({ c, into: true })),
        ...t.outputChannelState.filter((c) => c.records.length > 0).map((c) => ({ c, into: false })),
      ];
      for (const { c, into } of peers) {
        const peer = c.peer.replace(/#\d+$/, '');
        const edge = chainedEdges.find((e) =>
          into
            ? e.source.uid === peer && e.target.uid === uid
            : e.source.uid === uid && e.target.uid === peer,
        );
        if (edge) throw new RestoreError(msg('restore.unaligned-chaining', { what, uid, peer }));
      }
    }
  }
  const problems = checkStateTypes(job, checkpoint);
  if (problems.length > 0)
    throw new RestoreError(
      msg('restore.wrong-types', {
        what,
        problems: problems.reduceRight<Message | null>(
          (rest, first) => (rest === null ? first : msg('restore.type-problems', { first, rest })),
          null,
        ),
      }),
    );
}

/** At most this many type problems are listed in a RestoreError. */
const MAX_TYPE_PROBLEMS = 10;

/**
 * The type checks of a restore from checkpoint storage, with the paths an import of the same
 * checkpoint as JSON would name (snapshot/typecheck.ts): every value against its state's recorded type.
 * This runs no user code: whether the job's descriptors can read the recorded types is checked when
 * each state is registered (the backends throw Flink's StateMigrationException, the task fails, as in
 * Flink), and up front for imports (snapshot/validate.ts). Only a checkpoint written before types were
 * recorded (an older build's IndexedDB) needs the job's descriptors: the operator is then probed
 * (declaredState) and its values checked against the job's current types. Values inside the shared
 * SST files of an incremental (RocksDB) checkpoint are not read here (the storage checksums them).
 */
function checkStateTypes(job: JobGraph, checkpoint: CompletedCheckpoint): Message[] {
  const problems: Message[] = [];
  const err = (path: string, message: Message) => {
    if (problems.length < MAX_TYPE_PROBLEMS) problems.push(msg('restore.type-problem', { path, message }));
  };
  const byUid = new Map(job.vertices.map((v) => [v.uid, v]));
  const opIndex = new Map<string, number>();
  for (const t of checkpoint.tasks) if (!opIndex.has(t.operatorUid)) opIndex.set(t.operatorUid, opIndex.size);
  for (const [uid, i] of opIndex) {
    const vertex = byUid.get(uid);
    if (!vertex) continue;
    let probed: DeclaredState | null | undefined;
    const declared = (): DeclaredState | null => (probed ??= declaredState(vertex));
    const tasks = checkpoint.tasks
      .filter((t) => t.operatorUid === uid)
      .sort((a, b) => a.subtaskIndex - b.subtaskIndex);
    tasks.forEach((t, k) => {
      const sp = `operators[${i}].subtasks[${k}]`;
      const ks = t.keyedState;
      if (ks !== null && !('kind' in ks)) checkKeyedSnapshot(ks, declared, sp, err);
      const lists = t.operatorState?.lists ?? {};
      Object.keys(lists)
        .sort()
        .forEach((name, li) => {
          const l = lists[name];
          const recorded =
            l.elementType !== undefined
              ? typeFromJson(l.elementType)
              : (declared()?.listTypes.get(name) ?? null);
          if (recorded !== null)
            checkListItems(recorded, l.items, `${sp}.operatorState.lists[${li}].items`, err);
        });
    });
  }
  return problems;
}

function checkKeyedSnapshot(
  ks: KeyedStateSnapshot,
  declared: () => DeclaredState | null,
  sp: string,
  err: (path: string, message: Message) => void,
): void {
  // Paths as the snapshot JSON writes them: states by name, entries by key across key groups.
  const names = [...new Set(ks.keyGroups.flatMap((g) => Object.keys(g.states)))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  names.forEach((name, s) => {
    const json = ks.valueTypes?.[name];
    const recorded =
      json !== undefined ? typeFromJson(json) : (declared()?.keyed.get(name)?.valueType ?? null);
    if (recorded === null || !recorded.isChecked()) return;
    const stp = `${sp}.keyedState[${s}]`;
    let keys: Key[] | null = null;
    for (const g of ks.keyGroups) {
      const st = g.states[name];
      if (!st) continue;
      for (const [key, value] of st.entries) {
        checkKeyedValue(st.type, st.ttl === true, recorded, value, '\u0000', (path, message) => {
          keys ??= ks.keyGroups
            .flatMap((x) => (x.states[name]?.entries ?? []).map((e) => e[0]))
            .sort(compareKeys);
          err(path.replace('\u0000', `${stp}.entries[${keys.indexOf(key)}].value`), message);
        });
      }
    }
  });
}

/**
 * Flink: an operator whose max parallelism was not set explicitly takes the one its state was
 * checkpointed with (key groups must stay the same); an explicit, different one fails the restore.
 */
export function adoptRestoredMaxParallelism(job: JobGraph, checkpoint: CompletedCheckpoint | null): void {
  if (!checkpoint) return;
  for (const v of job.vertices) {
    if (v.maxParallelismConfigured) continue;
    const snap = checkpoint.tasks.find((t) => t.operatorUid === v.uid);
    if (snap && snap.maxParallelism !== v.maxParallelism && v.parallelism <= snap.maxParallelism)
      v.maxParallelism = snap.maxParallelism;
  }
}
