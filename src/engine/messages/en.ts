/**
 * The English catalogue of engine messages: what the command line prints and what the page shows in
 * English. Adding a code here makes it a `MessageCode`; the page's 简体中文 catalogue
 * (src/app/i18n/engineMessages.ts) must then translate it (a missing code is a type error there).
 * Placeholders `{name}` are filled from the message's parameters; Flink's own wording is kept where
 * the simulator imitates a Flink message.
 */
import type { Template } from './Message';

const plural = (n: string, one: string, many: string) => (n === '1' ? one : many);

/** `taskmanager-1=2;taskmanager-2=lost` → `taskmanager-1 2 slot(s), taskmanager-2 lost` (words per language). */
export function taskManagerList(
  encoded: string,
  slots: (n: string) => string,
  lost: string,
  sep = ', ',
): string {
  return encoded
    .split(';')
    .filter((x) => x !== '')
    .map((x) => {
      const [id, n] = x.split('=');
      return `${id} ${n === 'lost' ? lost : slots(n)}`;
    })
    .join(sep);
}

export const EN = {
  /** Text from outside the engine, shown verbatim. */
  text: '{text}',
  unknown: 'unknown',

  // ---- task failures (TraceEvent task-failed, FailureRecord.reason)
  'task.injected': 'injected failure',
  'task.injected-by-learner': 'failure injected by the learner',
  'task.threw': '{operator} ({task}) threw: {error}',
  'task.threw-in-open': '{operator} ({task}) threw in open(): {error}',
  'task.threw-in-on-timer': '{operator} ({task}) threw in onTimer: {error}',
  'task.poison': 'user function threw on record {record}',
  'task.engine-crash': 'engine crash',
  'job.unrecoverable': 'The failure is not recoverable: {reason}',
  'job.recovery-suppressed':
    'Recovery is suppressed by {strategy} restart strategy after {failures} failure(s): {reason}',

  // ---- checkpoint failures (TraceEvent checkpoint-failed, CheckpointStats.failureReason)
  'checkpoint.expired': 'Checkpoint expired before completing.',
  'checkpoint.declined': 'Task {task} declined: {reason}',
  'checkpoint.task-failure': 'Task failure: {task}: {reason}',
  'checkpoint.storage-write-failed': 'Checkpoint storage write failed: {error}',
  'checkpoint.subsumed': 'Checkpoint subsumed by checkpoint {id}.',
  'checkpoint.subsumed-barrier': 'subsumed by checkpoint {id}',
  'checkpoint.alignment-aborted':
    'alignment aborted: barrier {id} arrived before alignment of checkpoint {previous} completed',
  'checkpoint.declined-on-cancellation-barrier':
    'Task received cancellation from one of its inputs (CancelCheckpointMarker of checkpoint {id} on {channel})',
  'checkpoint.tolerable-exceeded':
    'Exceeded checkpoint tolerable failure threshold ({tolerable}): checkpoint {id}: {reason}',
  'checkpoint.engine-crashed': 'Engine crashed before the checkpoint completed.',
  'checkpoint.task-finished': 'Task {task} finished before it took part in checkpoint {id}.',
  'checkpoint.memory-state-too-large':
    'Task {task}: Size of the state is larger than the maximum permitted memory-backed state. Size={size}, maxSize={maxSize}. Consider using a different checkpoint storage, like the FileSystemCheckpointStorage.',

  // ---- how a job (re)started (worker Recovery.reason)
  'recovery.memory-backend': 'memory backend keeps checkpoints in the JobManager (lost with the worker)',
  'recovery.new-run': 'a new run: started from scratch',
  'recovery.from-indexeddb': 'restored from checkpoint {id} in IndexedDB',
  'recovery.none-in-indexeddb': 'no completed checkpoint in IndexedDB yet: started from scratch',
  'recovery.stored-unrestorable':
    'the stored checkpoint {id} cannot be restored ({error}): started from scratch',
  'recovery.imported': 'restored from an imported {kind} ({id})',
  'recovery.retained': 'restored from {kind} {id}',
  'recovery.memory-no-storage-fault':
    'memory backend keeps checkpoints in the JobManager (lost with the worker): nothing is written to IndexedDB, so there is no storage to fail',
  'recovery.no-job-after-crash': 'the engine was restarted, but no job was running',
  'editor.worker-hung':
    'the engine did not answer for {seconds} s (your job never returned): it was stopped and a new engine started; your job was not run again, and the stored checkpoints are kept',
  'export.none-yet': 'no completed checkpoint yet',
  'export.not-retained': 'checkpoint {id} is not retained (retained: {retained})',
  'kind.checkpoint': 'checkpoint',
  'kind.savepoint': 'savepoint',

  // ---- restoring a checkpoint into a job (Checkpoints.validateRestore)
  'restore.operator-missing':
    "Failed to rollback to {what}: cannot map state for operator '{uid}' to the new program, because the operator is not available in the new program. If you want to allow to skip this, set allowNonRestoredState (Flink: --allowNonRestoredState).",
  'restore.max-parallelism-changed':
    "Failed to rollback to {what}: the max parallelism of operator '{uid}' was {old} and is now {now}; it must not change (key groups are the unit of rescaling).",
  'restore.unaligned-rescale':
    "Failed to rollback to {what}: operator '{uid}' has in-flight channel state (unaligned checkpoint) and its parallelism changed from {old} to {now}; the simulator rescales only aligned checkpoints and savepoints.",
  'restore.unaligned-chaining':
    "Failed to rollback to {what}: operator '{uid}' has in-flight channel state (unaligned checkpoint) on its edge with '{peer}', and the two are now chained (no channel between them); restore with the chaining the checkpoint was taken with, or from an aligned checkpoint or savepoint.",
  'restore.what': '{kind} {id}',

  // ---- a snapshot file (snapshot/convert.ts, json.ts, validate.ts): each with the path it is about
  'snapshot.internal': 'internal error while validating: {error}',
  'snapshot.not-json': 'not valid JSON: {error}',
  'snapshot.not-object': 'a snapshot is a JSON object',
  'snapshot.format-version':
    '{version} is not supported by this build (it reads format versions {versions} and {last})',
  'snapshot.more-errors': '… and {n} more errors',
  /** A zod schema issue: `issue` is its JSON (for the page's own translation), `en` zod's English. */
  'snapshot.schema': '{en}',
  'snapshot.json-too-deep': 'nests deeper than {max} levels',
  'snapshot.json-not-number': '{value} is not a JSON number',
  'snapshot.json-hole': 'is a hole in an array, not a JSON value',
  'snapshot.json-not-value': ((p) =>
    p.type === 'undefined'
      ? 'is undefined, not a JSON value'
      : `is a ${p.type}, not a JSON value`) as Template,
  'snapshot.at-path': '{path}: {problem}',
  'snapshot.export-incremental':
    'an incremental (RocksDB) checkpoint references shared files and cannot be written as JSON: take a savepoint (canonical format) instead',
  'snapshot.export-bigint-key':
    'key {key} is a bigint (a Java Long): the snapshot format has no form for it yet',
  'snapshot.key-type': 'a key is a string, a number or a boolean',
  'snapshot.json-not-plain': 'is a {type}, not plain JSON (use arrays and plain objects)',
  'snapshot.export-not-json': '{problem}: it cannot be written as JSON',
  'snapshot.none': 'none',
  'snapshot.completion-before-trigger': '{completion} is before triggerTime {trigger}',
  'snapshot.statistics-id': '{statisticsId} does not match checkpointId {checkpointId}',
  'snapshot.unknown-operator': "'{uid}' is not an operator of job '{job}' (its operators: {operators})",
  'snapshot.operator-twice': "'{uid}' appears twice (also operators[{first}])",
  'snapshot.operator-missing': "the job's operator '{uid}' ({name}) is missing from the snapshot",
  'snapshot.max-parallelism':
    "{maxP} does not match the job's maxParallelism {jobMaxP} for '{uid}': the number of key groups cannot change",
  'snapshot.parallelism-above-max': '{parallelism} exceeds maxParallelism {maxP}',
  'snapshot.subtask-count': 'has {count} subtasks but parallelism is {parallelism}',
  'snapshot.subtask-index': '{index} is not below parallelism {parallelism}',
  'snapshot.subtask-twice': 'subtask {index} appears twice (also subtasks[{other}])',
  'snapshot.not-keyed-range': "operator '{uid}' is not keyed: its key-group range must be null",
  'snapshot.not-keyed-state': "operator '{uid}' is not keyed: it cannot hold keyed state",
  'snapshot.keyed-needs-range': "operator '{uid}' is keyed: a key-group range is required",
  'snapshot.range-negative': 'start {start} is negative',
  'snapshot.range-beyond': '{value} is beyond maxParallelism {maxP} (key groups are 0..{last})',
  'snapshot.range-reversed': 'start {start} is after end {end}',
  'snapshot.not-keyed-timers': "operator '{uid}' is not keyed: it cannot have timers",
  'snapshot.key-groups-uncovered': 'key groups {from}..{to} are not covered by any subtask',
  'snapshot.range-overlap':
    '{start}..{end} overlaps subtasks[{other}].keyGroupRange {otherStart}..{otherEnd}',
  'snapshot.state-twice': "state '{name}' appears twice (also keyedState[{other}])",
  'snapshot.state-undeclared': "operator '{uid}' declares no state '{name}' (it declares: {declared})",
  'snapshot.state-kind': "state '{name}' is {jobType} state in the job, not {fileType}",
  'snapshot.state-needs-ttl':
    "state '{name}' has a time-to-live in the job: the snapshot needs ttl: true and { value, lastAccess } values",
  'snapshot.state-no-ttl': "state '{name}' has no time-to-live in the job, but the snapshot has ttl: true",
  'snapshot.key-twice': "key {key} appears twice in state '{name}' (also entries[{other}])",
  'snapshot.key-group': 'key {key} is in key group {keyGroup}, not {fileKeyGroup}',
  'snapshot.key-outside-range':
    "key {key} (key group {keyGroup}) lies outside this subtask's key-group range {start}..{end}",
  'snapshot.ttl-value': 'a value of a state with a time-to-live is { "value": ..., "lastAccess": ms }',
  'snapshot.list-value': 'a list state value is an array of elements',
  'snapshot.map-value': 'a map state value is an array of [userKey, userValue] pairs',
  'snapshot.map-entry': 'a map entry is a [userKey, userValue] pair',
  'snapshot.map-user-key': 'a map user key is a string or a number',
  'snapshot.user-key-twice': 'user key {key} appears twice',
  'snapshot.null-value': 'a {type} state holds no null (a cleared key has no entry)',
  'snapshot.timer-twice': 'the same timer appears twice (also timers[{other}])',
  'snapshot.offsets-not-source': "operator '{uid}' is not a source",
  'snapshot.transactions-not-2pc': "operator '{uid}' is not a two-phase-commit sink",
  'snapshot.source-needs-offsets': "source '{uid}' needs its sourceOffsets (where to resume reading)",
  'snapshot.2pc-needs-transactions': "two-phase-commit sink '{uid}' needs its pendingTransactions",
  'snapshot.list-twice': "operator state '{name}' appears twice (also lists[{other}])",
  'snapshot.list-unregistered':
    "operator '{uid}' registers no operator state '{name}' (it registers: {registered})",
  'snapshot.list-mode': "'{name}' is {jobMode} list state in the job, not {fileMode}",
  'snapshot.offsets-union':
    "the source restores its offsets as union list state (every subtask sees every offset and takes its partitions), not '{mode}'",
  'snapshot.no-partition': "log '{topic}' has no partition {partition} (it has {count})",
  'snapshot.offset-beyond':
    "{offset} is beyond the end of partition {partition} of log '{topic}' ({length} records)",
  'snapshot.transaction-after': "{id} is after the snapshot's checkpoint {checkpointId}",
  'snapshot.partition-twice': 'partition {partition} appears twice (also {other})',
  'snapshot.partitions-without-offset': ((p) =>
    `partition${plural(p.count, '', 's')} ${p.partitions} of log '${p.topic}' ${plural(p.count, 'has', 'have')} no offset in the snapshot`) as Template,
  'snapshot.channel-rescale':
    "in-flight records cannot be restored when the parallelism of '{uid}' changes (snapshot {fileP}, job {jobP})",
  'snapshot.channel-not-upstream': "'{peer}' is not an upstream task of {task} (upstream: {peers})",
  'snapshot.channel-not-downstream': "'{peer}' is not a downstream task of {task} (downstream: {peers})",
  'snapshot.channel-twice': "'{peer}' appears twice (also {side}[{other}])",
  'snapshot.channel-routing': 'its key {key} is routed to {actual}, not {expected}',
  'snapshot.channel-key-selector': "the job's key selector fails on it: {error}",
  'snapshot.store-failed': 'storing the snapshot failed: {error}',

  // ---- a lesson step's check, not passed yet (why), in the learner's terms (src/worker/checkExplanations.ts)
  'check.no-check': 'no check',
  'check.not-evaluated': 'not evaluated yet',
  'check.unknown': "unknown check '{kind}'",
  'check.not-within': 'not within {ms} ms',
  'check.none-of': 'none of these holds: {whys}',
  'check.must-not': 'this must not happen in this step, but it did: {what}',
  'check.event-phrase': (p) => (p.where ? `${p.what} ${p.where}` : p.what),
  'check.where.task': 'on {task}',
  'check.where.channel': 'on the channel {channel}',
  'check.where.state': "of the state '{state}'",
  'check.where.operator': 'in {operator}',
  'check.where.field': 'with {name} = {value}',
  'check.where.and': '{first} {rest}',
  'check.event-none': 'no {what} since this step began',
  'check.event-none-window': 'no {what} {window}',
  'check.event-count-window': (p) =>
    `${p.what}: ${p.n === '1' ? 'once' : `${p.n} times`} ${p.window}, expected at least ${p.need}`,
  'check.event-in-window': '{what} {window}',
  'check.run': 'in this run (since the job was last started or restored)',
  'check.run-before': 'in the first {ms} ms of this run',
  'check.event-count': (p) =>
    `${p.what}: ${p.n === '1' ? 'once' : `${p.n} times`} since this step began, expected at least ${p.need}`,
  'check.state-subtask': '{key} lives in subtask {subtask} of {operator}, expected subtask {want}',
  'check.state-missing': "{operator} has no '{state}' for {key} yet, expected {want}",
  'check.state-not-empty': "{key} is {value} in {operator}'s '{state}', expected no value",
  'check.state-value': "{key} is {value} in {operator}'s '{state}', expected {want}",
  'check.key-in-window': '{key} in the window {window}',
  'check.output-rows': '{sink} shows a reader {n} rows (want {want})',
  'check.output-missing': '{sink} shows a reader no row {row} ({n} rows so far)',
  'check.keys-at-least': "{operator} keeps '{state}' for {n} keys, expected at least {need}",
  'check.keys-at-most': "{operator} keeps '{state}' for {n} keys, expected at most {need}",
  'check.entries-at-least':
    "{operator}'s '{state}' holds {n} entries (rows, elements), expected at least {need}",
  'check.entries-at-most':
    "{operator}'s '{state}' holds {n} entries (rows, elements), expected at most {need}",
  'check.kind.checkpoint': 'checkpoint',
  'check.kind.savepoint': 'savepoint',
  'check.cp-not-savepoint': 'checkpoint {id} is a checkpoint, expected a savepoint',
  'check.cp-savepoint': '{id} is a savepoint, expected a checkpoint',
  'check.cp-acks': '{kind} {id} {status} with {acks}/{tasks} acks, expected {want}',
  'check.cp-no-inflight': '{kind} {id} persisted no in-flight data, expected some',
  'check.cp-inflight': '{kind} {id} persisted {bytes} B of in-flight data, expected at least {want} B',
  'check.cp-duration': '{kind} {id} took {ms} ms end to end, expected at least {want} ms',
  'check.cp-fraction': '{kind} {id} uploaded {pct}% of its full size, expected at most {want}%',
  'check.cp-slow': '{kind} {id} {status} in {ms} ms end to end, expected at most {max} ms',
  'check.cp-in-a-row': (p) =>
    `at most ${p.found} ${plural(p.found, 'checkpoint', 'checkpoints')} ${p.status} in a row since this step began, expected ${p.need}`,
  'check.cp-in-a-row-within': (p) =>
    `at most ${p.found} ${plural(p.found, 'checkpoint', 'checkpoints')} in a row ${p.status} within ${p.max} ms end to end since this step began, expected ${p.need}`,
  'check.cp-count': (p) =>
    `${p.found} matching ${plural(p.found, 'checkpoint', 'checkpoints')} ${p.status} since this step began, expected at least ${p.need}`,
  'check.cp-none': 'no checkpoint {status} since this step began',
  'check.cp-none-but': 'no checkpoint {status} since this step began ({others} {other})',
  'check.no-job-file': "the running job is the lesson's, not yours: open the editor and Run your job",
  'check.d.job-file': 'a job you wrote is running',
  'checkpoint-status.COMPLETED': 'completed',
  'checkpoint-status.FAILED': 'failed',
  'check.not-finished': 'the job has not finished',
  'check.still-running': 'the job is still {status}: it has not finished',
  'check.job-status': 'the job is {status}, expected {want}',
  'check.sink.so-far-so-good':
    'the exactly-once checker has found no duplicate so far; losses are judged when the job has finished',
  'check.sink.exactly-once': 'the sink holds exactly the rows of a run without failures',
  'check.sink.duplicates':
    'the sink shows duplicates: some rows were written more often than in a run without failures',
  'check.sink.losses': 'the sink lost rows: some rows of a run without failures are missing',
  'check.sink.duplicates-and-losses': 'the sink shows duplicates and lost rows',
  'check.sink-want.so-far-so-good': 'nothing wrong so far',
  'check.sink-want.exactly-once': 'exactly once',
  'check.sink-want.duplicates': 'duplicates',
  'check.sink-want.losses': 'losses',
  'check.sink-want.duplicates-and-losses': 'duplicates and losses',
  'check.verdict': '{says} (expected: {want})',
  'check.no-job': 'no job loaded',
  'check.on': 'on',
  'check.off': 'off',
  'check.ms': '{ms} ms',
  'check.setting.mode': 'the checkpointing mode',
  'check.setting.backend': 'the state backend',
  'check.setting.intervalMs': 'the checkpoint interval',
  'check.setting.incremental': 'incremental checkpoints',
  'check.setting.maxConcurrent': 'max concurrent checkpoints',
  'check.setting.tolerableFailed': 'tolerable failed checkpoints',
  'check.setting.timeoutMs': 'the checkpoint timeout',
  'check.setting.chaining': 'operator chaining',
  'check.config': '{name} is {value}, expected {want}',
  'check.parallelism': '{operator} runs with parallelism {value}, expected {want}',
  'check.list': '{first}; {rest}',
  'check.or': '{first}; or {rest}',
  'check.d.not': 'not: {what}',
  'check.d.event-n': '{what} ({n}×)',
  'check.d.state': "{key} is {want} in {operator}'s '{state}'",
  'check.d.state-empty': "{operator} has no '{state}' for {key}",
  'check.d.state-size': "the number of keys of {operator}'s '{state}'",
  'check.d.state-entries': "the number of entries (rows, elements) of {operator}'s '{state}'",
  'check.d.checkpoint-id': '{kind} {id} {status}{how}',
  'check.d.checkpoint': 'a {kind} {status}{how}',
  'check.d.cp-inflight': ' and persisted in-flight data',
  'check.d.cp-acks': ' with {acks} acks',
  'check.d.cp-fast': ' within {max} ms end to end',
  'check.d.failover': 'a subtask failed and the job went back to a checkpoint',
  'check.d.finished': 'the job has finished',
  'check.d.sink': 'the exactly-once checker says: {says}',
  'check.d.setting': '{name} is {value}',
  'check.d.parallelism': '{operator} runs with parallelism {value}',
  'check.d.answered': 'the prediction was answered',
  'check.d.time': 'virtual time reached {need} ms',
  'check.d.imported': 'a snapshot was restored in this step',
  'check.d.import-refused': 'an import was refused',
  'check.d.recovered-from': 'the job came back from a checkpoint',
  'check.d.recovered-scratch': 'the job started from scratch',
  'check.d.tm-recovered': 'a TaskManager was lost and its subtasks restored the latest checkpoint',
  'check.d.sink-rows': "the rows a reader sees in the sink '{sink}' as this step asks",
  'check.d.output': "the rows this step asks for, seen by a reader of the sink '{sink}'",
  'event-what.checkpoint-triggered': 'checkpoint triggered',
  'event-what.checkpoint-completed': 'checkpoint completed',
  'event-what.checkpoint-failed': 'checkpoint failed',
  'event-what.snapshot-taken': 'state snapshot taken',
  'event-what.barrier-injected': 'barrier injected',
  'event-what.barrier-received': 'barrier received',
  'event-what.channel-blocked': 'input channel blocked for alignment',
  'event-what.channel-unblocked': 'input channel unblocked',
  'event-what.alignment-completed': 'barrier alignment completed',
  'event-what.alignment-aborted': 'barrier alignment aborted',
  'event-what.channel-state-recorded': 'in-flight data recorded for a checkpoint',
  'event-what.sources-paused': 'pause of the sources',
  'event-what.sources-resumed': 'resumption of the sources',
  'event-what.task-failed': 'subtask failure',
  'event-what.task-restored': 'subtask restore',
  'event-what.job-status': 'job status change',
  'event-what.job-restarting': 'job restart',
  'event-what.engine-crashed': 'engine crash',
  'event-what.engine-recovered': 'engine recovery',
  'event-what.backpressure': 'backpressure',
  'event-what.timer-fired': 'timer fired',
  'event-what.watermark-advanced': 'watermark advance',
  'event-what.transaction-committed': 'transaction committed',
  'event-what.transaction-aborted': 'transaction aborted',
  'event-what.sink-written': 'record written to a sink',
  'event-what.state-changed': 'state update',
  'check.not-answered': 'the prediction is not answered',
  'check.time': 'virtual time is {now} ms, expected at least {need} ms',
  'check.not-imported': 'no snapshot was restored in this step',
  'check.not-started': 'the job has not been (re)started',
  'check.recovered-from': 'the job was restored from checkpoint {id} ({reason})',
  'check.recovered-scratch': 'the job started from scratch ({reason})',
  'check.recovered-older': 'the job came back from checkpoint {id}, expected checkpoint {want} or later',
  'check.no-failover': 'no subtask has failed and been restored since this step began',
  'check.rewind':
    'the job went back {rewind} ms: from the failure at {failedAt} ms to checkpoint {id}, triggered at {from} ms; expected at most {max} ms',
  'check.rewind-scratch':
    'the job went back {rewind} ms: no checkpoint had completed, so from the failure at {failedAt} ms to the start of the run; expected at most {max} ms',
  'check.tm-not-lost': 'no TaskManager with running subtasks was lost in this step',
  'check.tm-not-all-failed':
    'only {failed} of the {tasks} subtasks in the slots of {tm} failed when it was lost',
  'check.tm-not-scheduled': 'no subtask has waited SCHEDULED for a slot since {tm} was lost',
  'check.tm-not-back': '{tm} has not registered again yet',
  'check.tm-not-restored': '{tm} is back; not restored yet: {tasks}',
  'check.tm-restored-other':
    '{task} restored checkpoint {id}, not checkpoint {latest} (the latest when {tm} was lost)',
  'check.tm-recovered': '{tm} came back and its subtasks restored checkpoint {id}',
  'check.rows-no-sink': "the job has no sink '{sink}'",
  'check.rows-at-least': '{n} rows visible in {sink} (need ≥ {need})',
  'check.rows-every': '{bad} of the {n} rows visible in {sink} do not have {want}, e.g. {row}',
  'check.rows-none': 'no rows visible in {sink} yet',
  'check.rows-all-have': 'all {n} rows visible in {sink} have {want}',
  'check.rows-not-repeated': 'no row is visible twice in {sink}',
  'check.rows-repeated': '{row} is visible {n} times in {sink}',

  // ---- TaskManagers and slots
  'taskmanager.unreachable': 'TaskManager with id {id} is no longer reachable.',
  /** `taskManagers` is `taskmanager-1=2;taskmanager-2=lost` (slots, or lost): each language words the list. */
  'scheduler.no-resource': (p) =>
    `NoResourceAvailableException: Could not acquire the minimum required resources. ` +
    `The job needs ${p.slotsNeeded} slot(s); ${p.needed} more for ${p.waiting} task(s) waiting, ` +
    `${p.available} free (${p.total} in the cluster: ${taskManagerList(p.taskManagers, (n) => `${n} slot(s)`, 'lost')}); ` +
    `waited slot.request.timeout = ${p.timeoutMs} ms.`,

  // ---- typed state: how a value is named, and why it does not have its type
  'value.null': 'null',
  'value.nothing': 'nothing',
  'value.array': 'an array',
  'value.array-of': 'an array of {n}',
  'value.string': 'string {value}',
  'value.number': 'number {value}',
  'value.boolean': 'boolean {value}',
  'value.bigint': 'bigint {value}',
  'value.object': 'an object',
  'value.other': 'a {kind}',
  'type.expected': 'expected {type}, got {got}',
  'type.not-integer': 'expected {type}, got {got} (not an integer)',
  'type.beyond-long':
    'expected {type}, got {got} (beyond ±{max}: a JSON number keeps integers exactly only up to 2^53−1)',
  'type.beyond-range': "expected {type}, got {got} (beyond {type}'s range {min}..{max})",
  'type.expected-object': 'expected {type} (an object), got {got}',
  'type.expected-array-of': 'expected {type} (an array of {n}), got {got}',
  'type.field-missing': "expected {type}: field '{field}' is missing",
  'type.pojo-no-field': "POJO {cls} has no field '{field}' (its fields: {fields})",
  'type.no-field': "{type} has no field '{field}'",
  'type.json-unknown': 'unknown type {json}',
  'type.json-not-type': 'a type is a name or an object, got {got}',
  'type.json-shape': '{type} is {shape}',
  'type.state-cannot-hold': 'a {stateType} state cannot hold {type} values',
  /** Flink's TypeSerializerSchemaCompatibility refusal (StateMigrationException), as the backends word it. */
  'type.incompatible-serializer': (p) => {
    const kind = p.element === 'true' ? 'element serializer' : 'state serializer';
    const prefix = p.heap === 'true' ? 'For heap backends, the new' : 'The new';
    return `${prefix} ${kind} (${p.newSerializer} for ${p.newType}) must not be incompatible with the old ${kind} (${p.oldSerializer} for ${p.oldType}).`;
  },
  'state.incompatible': 'State "{name}": {detail}',
  'state.operator-incompatible': "Operator state '{name}': {detail}",
  'snapshot.type-incompatible':
    '{what} is incompatible with the job: {detail} The job declares {jobType}, the snapshot holds {recorded} (Flink: StateMigrationException; only a POJO may gain or lose fields).',
  'snapshot.what-keyed-state': "state '{name}' of operator '{uid}'",
  'snapshot.what-operator-state': "operator state '{name}' of operator '{uid}'",
  'snapshot.value-type-shape': "a {stateType} state's valueType is {shape}, not {recorded}",
  'restore.wrong-types':
    'Failed to rollback to {what}: its state does not have the types the job declares:\n  {problems}',
  /** One problem of a list, then the rest (nested): a list of any length in any language. */
  'restore.type-problem': '{path}: {message}',
  'restore.type-problems': '{first}\n  {rest}',
  'check.no-import-refused': 'no import was refused in this step',
  'check.import-refused-other': 'no refused import said {want} (the last one said: {said})',
} satisfies Record<string, Template>;

export type MessageCode = keyof typeof EN;
