/**
 * What the `import-edited` lesson action does to a snapshot file before importing it: set one key's
 * value of one keyed state, as a learner would in a text editor. Pure, shared by the headless driver
 * and the app's driver, so "Show me" and the test import the same file.
 */
import type { SnapshotJson } from '../engine/index';

export interface SnapshotEdit {
  operator: string;
  state: string;
  key: string | number | boolean;
  value: unknown;
}

/** The file's text with the edit applied; throws when the file has no such key (a broken lesson). */
export function editSnapshotText(text: string, edit: SnapshotEdit): string {
  const json = JSON.parse(text) as SnapshotJson;
  const op = json.operators.find((o) => o.uid === edit.operator);
  if (!op) throw new Error(`the snapshot has no operator '${edit.operator}'`);
  for (const st of op.subtasks)
    for (const ks of st.keyedState) {
      if (ks.name !== edit.state) continue;
      const entry = ks.entries.find((e) => e.key === edit.key);
      if (!entry) continue;
      entry.value = ks.ttl
        ? { value: edit.value, lastAccess: (entry.value as { lastAccess: number }).lastAccess }
        : edit.value;
      return JSON.stringify(json, null, 2);
    }
  throw new Error(
    `the snapshot has no value of '${edit.state}' for key ${JSON.stringify(edit.key)} in '${edit.operator}'`,
  );
}
