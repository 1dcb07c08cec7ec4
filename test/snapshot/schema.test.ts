/** public/snapshot.schema.json is generated from the zod schema and accepts what the engine exports. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { snapshotJsonSchema, toSnapshotJson } from '../../src/engine/index';
import { SCHEMA_FILE } from '../../src/cli/snapshot-schema';
import { latestCheckpoint, runTo, visitsJob } from './helpers';

const served = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

describe('public/snapshot.schema.json', () => {
  it('is in sync with the zod schema (else: npm run snapshot-schema)', () => {
    expect(served).toEqual(snapshotJsonSchema());
  });

  it('validates exported snapshots with a JSON Schema validator (ajv, draft 2020-12) and rejects broken ones', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(served);
    for (const mode of ['exactly-once', 'unaligned'] as const) {
      const job = visitsJob({ mode, extraStates: true });
      const { storage } = runTo(job, 1000);
      const json = toSnapshotJson(latestCheckpoint(storage, job));
      const ok = validate(JSON.parse(JSON.stringify(json)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      const broken = structuredClone(json) as unknown as { operators: Array<Record<string, unknown>> };
      broken.operators[0].parallelism = 'four';
      expect(validate(broken)).toBe(false);
      expect(validate.errors?.[0]?.instancePath).toBe('/operators/0/parallelism');
    }
  });
});
