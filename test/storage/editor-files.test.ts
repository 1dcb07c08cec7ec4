/**
 * The editor's job file in IndexedDB: what the learner typed is there after a reload (a new
 * connection), and the schema-3 upgrade that added its store keeps a schema-2 database's checkpoints,
 * savepoints and lesson progress as they were.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import {
  DB_VERSION,
  EDITOR_FILE_ID,
  loadEditorFile,
  openLabDatabase,
  runMigrations,
  saveEditorFile,
  type LabDB,
  type LabDatabase,
} from '../../src/storage/index';
import { freshDbName } from './helpers';

describe('the editor file in IndexedDB', () => {
  it('is empty at first, then holds the last saved source across connections', async () => {
    const name = freshDbName();
    const db = await openLabDatabase(name);
    expect(await loadEditorFile(db)).toBeNull();
    await saveEditorFile(db, { source: 'const a = 1;', fileName: 'job.ts' }, EDITOR_FILE_ID, 10);
    await saveEditorFile(db, { source: 'const a = 2;\n// 二', fileName: 'job.ts' }, EDITOR_FILE_ID, 20);
    db.close();
    const again = await openLabDatabase(name);
    expect(await loadEditorFile(again)).toEqual({
      id: EDITOR_FILE_ID,
      fileName: 'job.ts',
      source: 'const a = 2;\n// 二',
      savedAt: 20,
    });
    again.close();
  });

  it('the upgrade from schema 2 keeps checkpoints, savepoints and progress', async () => {
    const name = freshDbName();
    const v2 = await openDB<LabDB>(name, 2, {
      upgrade(db, oldVersion, _newVersion, tx) {
        runMigrations(db as LabDatabase, oldVersion, 2, tx as never);
      },
    });
    expect([...v2.objectStoreNames]).not.toContain('editorFiles');
    const meta = {
      jobName: 'visits',
      checkpointId: 4,
      kind: 'checkpoint' as const,
      status: 'COMPLETED' as const,
      mode: 'exactly-once' as const,
      triggerTime: 1000,
      completionTime: 1100,
      stats: {} as never,
      taskIds: ['count#0'],
      sharedFiles: [],
      writtenAt: 1,
    };
    await v2.put('checkpoints', meta);
    await v2.put('progress', { id: 'lesson-2', step: 5 });
    v2.close();

    const v3 = await openLabDatabase(name);
    expect(v3.version).toBe(DB_VERSION);
    expect(await v3.get('checkpoints', ['visits', 4])).toEqual(meta);
    expect(await v3.get('progress', 'lesson-2')).toEqual({ id: 'lesson-2', step: 5 });
    await saveEditorFile(v3, { source: 'x', fileName: 'job.ts' });
    expect((await loadEditorFile(v3))?.source).toBe('x');
    v3.close();
  });
});
