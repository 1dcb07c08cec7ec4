/**
 * `npm run snapshot-schema`: writes public/snapshot.schema.json, the JSON Schema of the snapshot format,
 * generated from the zod schema in src/engine/snapshot/schema.ts and formatted with prettier
 * (test/snapshot/schema.test.ts fails when the file is out of date).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { snapshotJsonSchema } from '../engine/index';

export const SCHEMA_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../public/snapshot.schema.json',
);

export async function snapshotSchemaText(): Promise<string> {
  const options = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(snapshotJsonSchema()), { ...options, filepath: SCHEMA_FILE });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await snapshotSchemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}
