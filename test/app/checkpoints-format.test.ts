import { describe, expect, it } from 'vitest';
import type {
  CheckpointStats,
  SubtaskCheckpointStats,
} from '../../src/engine/checkpointing/CompletedCheckpoint';
import {
  MAX_IMPORT_BYTES,
  checkImportFile,
  checkpointPhases,
  formatBytes,
  formatDuration,
  formatTime,
  newestFirst,
  parseImportText,
  prettySnapshot,
} from '../../src/app/components/checkpoints/format';
import { t as cpMessages } from '../../src/app/components/checkpoints/messages';

function subtask(taskId: string, over: Partial<SubtaskCheckpointStats> = {}): SubtaskCheckpointStats {
  return {
    taskId,
    ackTime: 1010,
    endToEndMs: 10,
    stateBytes: 100,
    syncMs: 0.5,
    asyncMs: 5,
    alignmentMs: 2,
    startDelayMs: 1,
    persistedInFlightBytes: 0,
    unaligned: false,
    ...over,
  };
}

function stats(over: Partial<CheckpointStats> = {}): CheckpointStats {
  return {
    id: 3,
    status: 'COMPLETED',
    mode: 'exactly-once',
    triggerTime: 1000,
    latestAckTime: 1012,
    endToEndMs: 12,
    numAcknowledged: 2,
    numTasks: 2,
    checkpointedBytes: 200,
    fullBytes: 200,
    persistedInFlightBytes: 0,
    failureReason: null,
    subtasks: [],
    ...over,
  };
}

describe('formatBytes', () => {
  it('uses binary units like the Web UI', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(725)).toBe('725 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(50 * 1024)).toBe('50.0 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.00 MiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });
  it('says nothing for missing numbers', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('picks a unit by magnitude', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.42)).toBe('0.42 ms');
    expect(formatDuration(5)).toBe('5 ms');
    expect(formatDuration(19.825079466914758)).toBe('19.8 ms');
    expect(formatDuration(312.4)).toBe('312 ms');
    expect(formatDuration(1530)).toBe('1.53 s');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
  it('shows null (in progress) as a dash', () => {
    expect(formatDuration(null)).toBe('—');
  });
});

describe('formatTime', () => {
  it('formats virtual time since the start', () => {
    expect(formatTime(850)).toBe('850.0 ms');
    expect(formatTime(1511.4226283039898)).toBe('1.511 s');
    expect(formatTime(123_400)).toBe('2 min 3.4 s');
    expect(formatTime(null)).toBe('—');
  });
});

describe('newestFirst', () => {
  it('sorts by id descending without touching the input, and limits', () => {
    const h = [{ id: 1 }, { id: 3 }, { id: 2 }];
    expect(newestFirst(h).map((c) => c.id)).toEqual([3, 2, 1]);
    expect(newestFirst(h, 2).map((c) => c.id)).toEqual([3, 2]);
    expect(h.map((c) => c.id)).toEqual([1, 3, 2]);
  });
});

describe('checkpointPhases', () => {
  it('lays the phases end to end from the trigger, then waits for the ack', () => {
    const p = checkpointPhases(stats({ subtasks: [subtask('a#0')] }), ['a#0']);
    expect(p.rows).toHaveLength(1);
    const row = p.rows[0];
    expect(row.acknowledged).toBe(true);
    expect(row.ackAt).toBe(10);
    expect(row.segments).toEqual([
      { phase: 'startDelay', start: 0, end: 1 },
      { phase: 'alignment', start: 1, end: 3 },
      { phase: 'sync', start: 3, end: 3.5 },
      { phase: 'async', start: 3.5, end: 8.5 },
      { phase: 'ack', start: 8.5, end: 10 },
    ]);
    expect(p.extent).toBe(12);
    expect(p.endToEnd).toBe(12);
  });

  it('leaves out empty phases', () => {
    const p = checkpointPhases(stats({ subtasks: [subtask('a#0', { alignmentMs: 0, startDelayMs: 0 })] }));
    expect(p.rows[0].segments.map((s) => s.phase)).toEqual(['sync', 'async', 'ack']);
  });

  it('cuts overlapping (unaligned) phases at the acknowledgement', () => {
    const p = checkpointPhases(
      stats({
        endToEndMs: 6,
        subtasks: [subtask('a#0', { endToEndMs: 6, ackTime: 1006, alignmentMs: 4, unaligned: true })],
      }),
    );
    const row = p.rows[0];
    expect(row.unaligned).toBe(true);
    expect(Math.max(...row.segments.map((s) => s.end))).toBe(6);
    expect(row.segments.every((s) => s.end > s.start)).toBe(true);
    expect(row.segments.map((s) => s.phase)).toEqual(['startDelay', 'alignment', 'sync', 'async']);
    expect(p.extent).toBe(6);
  });

  it('lists subtasks that have not acknowledged, in the job order', () => {
    const p = checkpointPhases(
      stats({ status: 'IN_PROGRESS', endToEndMs: null, subtasks: [subtask('b#0')] }),
      ['a#0', 'b#0', 'c#0'],
    );
    expect(p.rows.map((r) => [r.taskId, r.acknowledged])).toEqual([
      ['a#0', false],
      ['b#0', true],
      ['c#0', false],
    ]);
    expect(p.rows[0].segments).toEqual([]);
    expect(p.endToEnd).toBeNull();
    expect(p.extent).toBe(10);
  });

  it('derives the ack offset from the ack time when end-to-end is missing, and never has an empty axis', () => {
    const p = checkpointPhases(stats({ subtasks: [subtask('a#0', { endToEndMs: null, ackTime: 1004 })] }));
    expect(p.rows[0].ackAt).toBe(4);
    const empty = checkpointPhases(stats({ endToEndMs: null, subtasks: [] }), ['x#0']);
    expect(empty.extent).toBeGreaterThan(0);
  });
});

describe('import checks', () => {
  it('refuses huge files before reading them', () => {
    expect(checkImportFile({ name: 'a.json', size: MAX_IMPORT_BYTES + 1, type: 'application/json' })).toEqual(
      {
        reason: 'too-large',
        size: MAX_IMPORT_BYTES + 1,
      },
    );
    expect(checkImportFile({ name: 'a.json', size: MAX_IMPORT_BYTES, type: '' })).toBeNull();
  });
  it('wants a .json name or a JSON type', () => {
    expect(checkImportFile({ name: 'a.JSON', size: 10, type: '' })).toBeNull();
    expect(checkImportFile({ name: 'blob', size: 10, type: 'application/json' })).toBeNull();
    expect(checkImportFile({ name: 'x', size: 10, type: 'application/ld+json' })).toBeNull();
    expect(checkImportFile({ name: 'photo.png', size: 10, type: 'image/png' })).toEqual({
      reason: 'not-json-file',
      name: 'photo.png',
      type: 'image/png',
    });
    expect(checkImportFile({ name: 'a.json', size: 0, type: '' })).toEqual({ reason: 'empty' });
  });
  it('parses the text and tells the snapshot kind', () => {
    expect(parseImportText('{"kind":"savepoint"}')).toEqual({ ok: true, kind: 'savepoint' });
    expect(parseImportText('{"kind":"checkpoint"}')).toEqual({ ok: true, kind: 'checkpoint' });
    expect(parseImportText('[1,2]')).toEqual({ ok: true, kind: null });
    expect(parseImportText('  ')).toEqual({ ok: false, rejection: { reason: 'empty' } });
    const bad = parseImportText('{"format": ');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.rejection.reason).toBe('not-json-text');
  });
  it('pretty-prints and cuts long snapshots', () => {
    expect(prettySnapshot('{"a":1}')).toEqual({ text: '{\n  "a": 1\n}', truncated: false });
    expect(prettySnapshot('not json')).toEqual({ text: 'not json', truncated: false });
    const long = prettySnapshot(JSON.stringify({ a: 'x'.repeat(100) }), 20);
    expect(long.truncated).toBe(true);
    expect(long.text).toHaveLength(20);
  });
});

describe('checkpoint panel messages', () => {
  const { en, 'zh-CN': zh } = cpMessages.tables;
  it('are translated, with the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
      expect(zh[key].trim(), key).not.toBe('');
    }
    const untranslated = Object.keys(en).filter((k) => en[k] === zh[k] && !/^[A-Z]+$/.test(en[k]));
    expect(untranslated).toEqual([]);
  });
});
