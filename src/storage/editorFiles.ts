/**
 * The editor's job file in IndexedDB (`editorFiles`, schema 3): the page saves it as the learner types
 * and reads it back after a reload. The page opens the database itself (not through the engine worker),
 * so a worker stuck in a user's infinite loop cannot lose what was typed.
 */
import type { EditorFileRecord, LabDatabase } from './db';

/** The one file the editor keeps today (the id leaves room for more). */
export const EDITOR_FILE_ID = 'main';

export async function loadEditorFile(db: LabDatabase, id = EDITOR_FILE_ID): Promise<EditorFileRecord | null> {
  return (await db.get('editorFiles', id)) ?? null;
}

export async function saveEditorFile(
  db: LabDatabase,
  file: { source: string; fileName: string },
  id = EDITOR_FILE_ID,
  now = Date.now(),
): Promise<EditorFileRecord> {
  const record: EditorFileRecord = { id, fileName: file.fileName, source: file.source, savedAt: now };
  await db.put('editorFiles', record);
  return record;
}
