/**
 * The engine worker's entry point: an EngineHost on IndexedDB, exposed through comlink. Frame updates
 * travel with their in-flight array transferred, not copied.
 */
import { expose, releaseProxy, transfer } from 'comlink';
import { IndexedDbCheckpointStorage } from '../storage/index';
import { registerLessonJobs } from './lessonJobs';
import { EngineHost } from './EngineHost';
import type { EngineWorkerApi, FrameUpdate } from './protocol';

/**
 * Job files (the editor's) run in this worker: it has no use for the network, so the APIs that reach
 * it are gone before any user code runs — also where the host sends no Content-Security-Policy header
 * for this script (src/csp.ts; the header blocks what this cannot, e.g. a dynamic import()).
 */
for (const name of ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'WebTransport', 'importScripts']) {
  try {
    Object.defineProperty(self, name, { value: undefined, writable: false, configurable: false });
  } catch {
    // not defined here
  }
}

registerLessonJobs();

const host = new EngineHost({ openStorage: (options) => IndexedDbCheckpointStorage.open(options) });

const withTransfer = (u: FrameUpdate): FrameUpdate => transfer(u, [u.inFlight.buffer]);

const api: EngineWorkerApi = {
  start: (options) => host.start(options),
  load: (options) => host.load(options),
  loadUserJob: (options) => host.loadUserJob(options),
  loadSql: (options) => host.loadSql(options),
  explainSql: (sql) => host.explainSql(sql),
  sqlTables: () => host.sqlTables(),
  sqlJobInfo: () => host.sqlJobInfo(),
  sqlTableCsv: (name) => host.sqlTableCsv(name),
  exportSqlForFlink: (sql) => host.exportSqlForFlink(sql),
  unload: () => host.unload(),
  play: () => host.play(),
  pause: () => host.pause(),
  setSpeed: (speed) => host.setSpeed(speed),
  frame: async (realMs) => withTransfer(await host.frame(realMs)),
  step: async (kind) => withTransfer(await host.step(kind)),
  failTask: (taskId) => host.failTask(taskId),
  killTaskManager: (id) => host.killTaskManager(id),
  addTaskManager: () => host.addTaskManager(),
  injectPoisonRecord: (sourceUid, partition) => host.injectPoisonRecord(sourceUid, partition),
  injectStorageFault: (kind, count) => host.injectStorageFault(kind, count),
  triggerCheckpoint: (kind) => host.triggerCheckpoint(kind),
  listCheckpoints: () => host.listCheckpoints(),
  exportSnapshot: (id) => host.exportSnapshot(id),
  importSnapshot: (text) => host.importSnapshot(text),
  readState: (uid, name, offset, limit, search, subtask) =>
    host.readState(uid, name, offset, limit, search, subtask),
  stateDiff: (uid, name, id, offset, limit, search) => host.stateDiff(uid, name, id, offset, limit, search),
  sourceOffsets: () => host.sourceOffsets(),
  broadcastState: () => host.broadcastState(),
  listScenarios: () => host.listScenarios(),
  setProcessingTime: (uid, ms) => host.setProcessingTime(uid, ms),
  seek: async (t) => withTransfer(await host.seek(t)),
  timeline: () => host.timeline(),
  sinkReport: (limit) => host.sinkReport(limit),
  inspect: () => host.inspect(),
  onStorageEvent: (listener) => host.onStorageEvent(listener),
  setLessonCheck: (spec) => host.setLessonCheck(spec),
  answerLessonPrediction: () => host.answerLessonPrediction(),
  pauseWhen: (check) => host.pauseWhen(check),
  listProgress: () => host.listProgress(),
  putProgress: (record) => host.putProgress(record),
  listExperiments: () => host.listExperiments(),
  runExperiment: async (id, params, onProgress) => {
    try {
      return await host.runExperiment(id, params, onProgress);
    } finally {
      // The progress callback is a comlink proxy: free its port once the run is over.
      (onProgress as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
    }
  },
  cancelExperiment: () => host.cancelExperiment(),
  setPauseOnFailure: (on) => host.setPauseOnFailure(on),
  engineTaskStatuses: () => host.engineTaskStatuses(),
};

expose(api);
