/**
 * Snapshot validation of an operator's operator state (see validate.ts): CheckpointedFunction list
 * states against the names, redistribution modes and element types the operator registers; source
 * offsets only on sources, within the log, every partition once across the subtasks; pending
 * transactions only on two-phase-commit sinks, none after the checkpoint.
 */
import type { JobVertex } from '../api/JobGraph';
import { msg } from '../messages/Message';
import type { DeclaredState } from './declaredState';
import { list, range, type Err } from './report';
import type { OperatorJson, SnapshotJson, SubtaskJson } from './schema';
import { checkListItems, incompatibility } from './typecheck';
import { readType } from './validateKeyedState';

export function validateOperatorState(
  snapshot: SnapshotJson,
  op: OperatorJson,
  v: JobVertex,
  st: SubtaskJson,
  sp: string,
  declared: DeclaredState | null,
  err: Err,
): void {
  const declaredLists = declared?.lists ?? null;
  const isSource = v.spec.kind === 'source';
  const is2pc = v.spec.kind === 'sink' && v.spec.sink.sinkKind === 'two-phase-commit';
  const os = st.operatorState;
  if (os?.sourceOffsets && !isSource)
    err(`${sp}.operatorState.sourceOffsets`, msg('snapshot.offsets-not-source', { uid: op.uid }));
  if (os?.pendingTransactions && !is2pc)
    err(`${sp}.operatorState.pendingTransactions`, msg('snapshot.transactions-not-2pc', { uid: op.uid }));
  if (isSource && !os?.sourceOffsets)
    err(`${sp}.operatorState`, msg('snapshot.source-needs-offsets', { uid: op.uid }));
  if (is2pc && !os?.pendingTransactions)
    err(`${sp}.operatorState`, msg('snapshot.2pc-needs-transactions', { uid: op.uid }));
  const names = new Map<string, number>();
  (os?.lists ?? []).forEach((l, i) => {
    const lp = `${sp}.operatorState.lists[${i}]`;
    const other = names.get(l.name);
    if (other !== undefined) err(`${lp}.name`, msg('snapshot.list-twice', { name: l.name, other }));
    names.set(l.name, i);
    const recorded = readType(l.elementType, `${lp}.elementType`, err);
    const jobType = declared?.listTypes.get(l.name);
    const why =
      recorded !== null && jobType !== undefined
        ? incompatibility(
            'operator',
            msg('snapshot.what-operator-state', { name: l.name, uid: op.uid }),
            jobType,
            recorded,
          )
        : null;
    if (why !== null) err(`${lp}.elementType`, why);
    else if (recorded !== null) checkListItems(recorded, l.items, `${lp}.items`, err);
    if (!declaredLists) return;
    const mode = declaredLists.get(l.name);
    if (mode === undefined)
      err(
        `${lp}.name`,
        msg('snapshot.list-unregistered', {
          uid: op.uid,
          name: l.name,
          registered: list([...declaredLists.keys()]),
        }),
      );
    else if (mode !== l.redistribution)
      err(
        `${lp}.redistribution`,
        msg('snapshot.list-mode', { name: l.name, jobMode: mode, fileMode: l.redistribution }),
      );
  });

  if (isSource && os?.sourceOffsets && v.spec.kind === 'source') {
    const so = os.sourceOffsets;
    if (so.redistribution !== 'union')
      err(
        `${sp}.operatorState.sourceOffsets.redistribution`,
        msg('snapshot.offsets-union', { mode: so.redistribution }),
      );
    const log = v.spec.log;
    so.splits.forEach((s, i) => {
      const xp = `${sp}.operatorState.sourceOffsets.splits[${i}]`;
      if (s.partition >= log.numPartitions)
        err(
          `${xp}.partition`,
          msg('snapshot.no-partition', {
            topic: log.topic,
            partition: s.partition,
            count: log.numPartitions,
          }),
        );
      else if (s.offset > log.partitions[s.partition].length)
        err(
          `${xp}.offset`,
          msg('snapshot.offset-beyond', {
            offset: s.offset,
            partition: s.partition,
            topic: log.topic,
            length: log.partitions[s.partition].length,
          }),
        );
    });
  }
  if (is2pc && os?.pendingTransactions) {
    os.pendingTransactions.forEach((t, i) => {
      if (t.checkpointId > snapshot.checkpointId)
        err(
          `${sp}.operatorState.pendingTransactions[${i}].checkpointId`,
          msg('snapshot.transaction-after', { id: t.checkpointId, checkpointId: snapshot.checkpointId }),
        );
    });
  }
}

/** Every partition of a source's log has exactly one offset across the operator's subtasks. */
export function validateSourceCoverage(op: OperatorJson, v: JobVertex, p: string, err: Err): void {
  if (v.spec.kind !== 'source') return;
  const log = v.spec.log;
  const where = new Map<number, string>();
  let complete = true;
  op.subtasks.forEach((st, k) => {
    const splits = st.operatorState?.sourceOffsets?.splits;
    if (!splits) {
      complete = false;
      return;
    }
    splits.forEach((s, i) => {
      const xp = `${p}.subtasks[${k}].operatorState.sourceOffsets.splits[${i}]`;
      const other = where.get(s.partition);
      if (other !== undefined)
        err(`${xp}.partition`, msg('snapshot.partition-twice', { partition: s.partition, other }));
      else where.set(s.partition, xp);
    });
  });
  if (!complete) return;
  const missing = range(log.numPartitions).filter((n) => !where.has(n));
  if (missing.length > 0)
    err(
      `${p}.subtasks`,
      msg('snapshot.partitions-without-offset', {
        count: missing.length,
        partitions: missing.join(', '),
        topic: log.topic,
      }),
    );
}
