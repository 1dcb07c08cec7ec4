/**
 * The browser's two restore paths check state types as the command line does: the app's import (the
 * worker's importSnapshot) and the worker's restore of a checkpoint from IndexedDB refuse a WordCount
 * count edited to "many" with the same path and message, and change nothing; a checkpoint stored by an
 * older build (no recorded types) is checked against the job's current descriptors.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { renderEnglish, type Message } from '../../src/engine/messages/Message';

const reasonOf = (m: Message | undefined) => (m ? renderEnglish(m) : '');
import {
  ExternalSystem,
  MiniCluster,
  getScenario,
  toSnapshotJson,
  type CompletedCheckpoint,
  type KeyedStateSnapshot,
  type SnapshotJson,
} from '../../src/engine/index';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { newHost, playUntil } from '../worker/host-helpers';
import { freshDbName } from './helpers';

/** Sets the count of `word` to `value` in a copy of the checkpoint; returns the copy and the JSON path of the value. */
function editCount(cp: CompletedCheckpoint, word: string, value: unknown) {
  const copy = structuredClone(cp);
  for (const t of copy.tasks) {
    const ks = t.keyedState as KeyedStateSnapshot | null;
    for (const g of ks?.keyGroups ?? [])
      for (const e of g.states.count?.entries ?? []) if (e[0] === word) e[1] = value;
  }
  // The path an export of the same checkpoint writes for it.
  const json = toSnapshotJson(copy);
  const op = json.operators.findIndex((o) => o.uid === 'count');
  const sub = json.operators[op].subtasks.findIndex((s) =>
    s.keyedState[0]?.entries.some((e) => e.key === word),
  );
  const entry = json.operators[op].subtasks[sub].keyedState[0].entries.findIndex((e) => e.key === word);
  return { copy, json, path: `operators[${op}].subtasks[${sub}].keyedState[0].entries[${entry}].value` };
}

function store(storage: IndexedDbCheckpointStorage, cp: CompletedCheckpoint): Promise<Error | null> {
  return new Promise((resolve) => storage.store(cp, resolve));
}

describe('typed restore in the browser (worker + IndexedDB)', () => {
  it('the app\'s import refuses a count edited to "many" with the path and both types; the running job is untouched', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'wordcount', seed: 1 });
    await playUntil(host, (u) => u.checkpoints.completed >= 1);
    const exported = await host.exportSnapshot();
    if (!exported.ok) throw new Error(renderEnglish(exported.error));
    const json = JSON.parse(exported.text) as SnapshotJson;
    const op = json.operators.findIndex((o) => o.uid === 'count');
    const sub = json.operators[op].subtasks.findIndex((s) => s.keyedState[0]?.entries.length > 0);
    json.operators[op].subtasks[sub].keyedState[0].entries[0].value = 'many';

    const stateBefore = await host.inspect();
    const listBefore = await host.listCheckpoints();
    const imported = await host.importSnapshot(JSON.stringify(json));
    const result = imported.ok
      ? imported
      : { ...imported, errors: imported.errors.map((e) => ({ ...e, message: renderEnglish(e.message) })) };
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: `operators[${op}].subtasks[${sub}].keyedState[0].entries[0].value`,
          message: 'expected INT, got string "many"',
        },
      ],
    });
    expect(await host.inspect()).toEqual(stateBefore);
    expect(await host.listCheckpoints()).toEqual(listBefore);
  });

  it("the worker's restore from IndexedDB refuses the same edit with the same words and starts from scratch", async () => {
    const dbName = freshDbName();
    const first = newHost(dbName);
    await first.start();
    await first.load({ scenario: 'wordcount', seed: 1 });
    await playUntil(first, (u) => u.checkpoints.completed >= 1);

    // Tamper with what IndexedDB holds (as a damaged or hand-edited database would).
    const storage = await IndexedDbCheckpointStorage.open({ dbName });
    const latest = storage.latest('WordCount')!;
    const word = toSnapshotJson(latest).operators.find((o) => o.uid === 'count')!.subtasks[1].keyedState[0]
      .entries[0].key as string;
    const { copy, path } = editCount(latest, word, 'many');
    await storage.discardCheckpoints('WordCount');
    expect(await store(storage, copy)).toBeNull();
    storage.close();

    const second = newHost(dbName);
    const start = await second.start();
    expect(start.recovered).toBe(true);
    expect(start.load?.recovery.restoredFrom).toBeNull();
    expect(reasonOf(start.load?.recovery.reason)).toContain(
      `cannot be restored (Failed to rollback to checkpoint ${latest.checkpointId}`,
    );
    expect(reasonOf(start.load?.recovery.reason)).toContain(`${path}: expected INT, got string "many"`);
  });

  it("a checkpoint stored before types were recorded is checked against the job's current descriptors", async () => {
    const job = getScenario('wordcount').build({});
    const dbName = freshDbName();
    const storage = await IndexedDbCheckpointStorage.open({ dbName });
    const ran = new MiniCluster(job, {
      seed: 1,
      checkpointStorage: storage,
      external: new ExternalSystem(),
      fastForward: true,
    });
    ran.runUntil(2000);
    await storage.flush();
    const latest = storage.latest(job.name)!;
    const untyped = structuredClone(latest);
    for (const t of untyped.tasks) if (t.keyedState) delete (t.keyedState as KeyedStateSnapshot).valueTypes;

    // Its values are INTs, as the job declares: it restores.
    await storage.discardCheckpoints(job.name);
    expect(await store(storage, untyped)).toBeNull();
    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    const fromOld = reopened.latest(job.name)!;
    expect(fromOld.tasks.some((t) => t.keyedState && !(t.keyedState as KeyedStateSnapshot).valueTypes)).toBe(
      true,
    );
    const restored = new MiniCluster(job, {
      seed: 1,
      checkpointStorage: reopened,
      external: new ExternalSystem(),
      fastForward: true,
    });
    expect(restored.keyedStateByOperator().count).toEqual(stateOf(fromOld));
    expect(Object.keys(stateOf(fromOld).count).length).toBeGreaterThan(3);

    // A value that is not an INT is refused with its path, against the current job's type.
    const { copy, path } = editCount(untyped, 'be', 2.5);
    await reopened.discardCheckpoints(job.name);
    expect(await store(reopened, copy)).toBeNull();
    expect(
      () =>
        new MiniCluster(job, {
          seed: 1,
          checkpointStorage: reopened,
          external: new ExternalSystem(),
          fastForward: true,
        }),
    ).toThrow(`${path}: expected INT, got number 2.5 (not an integer)`);
  });
});

function stateOf(cp: CompletedCheckpoint): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const t of cp.tasks)
    for (const g of (t.keyedState as KeyedStateSnapshot | null)?.keyGroups ?? [])
      for (const [name, st] of Object.entries(g.states))
        for (const [k, v] of st.entries) (out[name] ??= {})[String(k)] = v;
  return out;
}
