import { text } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import { describeEvent, formatMs, formatVirtualTime } from '../../src/app/components/controls/format';

describe('the run log and clock', () => {
  it('formats virtual time and durations', () => {
    expect(formatVirtualTime(1536.4)).toBe('1.536 s');
    expect(formatMs(45.4)).toBe('45 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(null)).toBe('—');
  });

  it('describes the events a learner should notice, and skips record-level ones', () => {
    expect(describeEvent({ type: 'task-failed', t: 1, task: 'count#1', reason: text('boom') })).toEqual({
      key: 'taskFailed',
      params: { task: 'count#1', reason: text('boom') },
    });
    expect(
      describeEvent({ type: 'task-restored', t: 2, task: 'count#1', checkpointId: null, offsets: [] })?.key,
    ).toBe('taskRestoredScratch');
    expect(
      describeEvent({ type: 'task-restored', t: 2, task: 'count#1', checkpointId: 3, offsets: [] }),
    ).toEqual({
      key: 'taskRestored',
      params: { task: 'count#1', id: 3 },
    });
    expect(describeEvent({ type: 'record-arrived', t: 1, id: 1, channel: 'a' })).toBeNull();
  });
});
