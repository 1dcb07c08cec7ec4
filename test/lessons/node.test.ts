/**
 * The build's validation of the lessons on disk (src/lessons/node.ts, run by vite.config.ts): a code
 * step's files must be there and compile as the editor's Run compiles them — a broken one fails the
 * build with the file, the line and column, and the compiler's message.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatLessonError, lessonErrorsOnDisk } from '../../src/lessons/node';

const LESSON = `export default {
  number: 1,
  slug: 'x',
  scenario: 'wordcount',
  seed: 1,
  steps: [
    {
      id: 'write',
      code: { start: 'code/job.start.ts', solution: 'code/job.solution.ts' },
      check: { kind: 'finished' },
      solution: [{ do: 'run-code', file: 'code/job.solution.ts' }, { do: 'play', until: { kind: 'finished' } }],
    },
  ],
};
`;
const TEXT = '# X\n\n## step: write\n\n### Do\n\nWrite it.\n';
const JOB = `import { StreamExecutionEnvironment } from 'stream-state-lab';
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromData(1, 2, 3).print();
await env.execute('x');
`;

const roots: string[] = [];

function lessonOnDisk(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'lessons-'));
  roots.push(root);
  // An ES module, as the repository's lesson.ts files are.
  writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries({
    'lesson.ts': LESSON,
    'en.md': TEXT,
    'zh-CN.md': TEXT,
    ...files,
  })) {
    const file = path.join(root, 'lessons', '01-x', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('lessons on disk (the build)', () => {
  it("a code step's files are read from its code/ folder and compiled", async () => {
    const dir = lessonOnDisk({ 'code/job.start.ts': JOB, 'code/job.solution.ts': JOB });
    expect(await lessonErrorsOnDisk(dir)).toEqual([]);
  });

  it('a missing file, and a file that does not compile, fail with the file and the position', async () => {
    const broken = JOB.replace('env.fromData(1, 2, 3)', 'env.fromData(1, 2, 3))');
    const dir = lessonOnDisk({ 'code/job.start.ts': broken });
    expect((await lessonErrorsOnDisk(dir)).map(formatLessonError)).toEqual([
      "lessons/01-x/code/job.solution.ts steps[0].code.solution: is missing (step 'write' is a code step)",
    ]);
    const both = lessonOnDisk({ 'code/job.start.ts': broken, 'code/job.solution.ts': JOB });
    const errors = (await lessonErrorsOnDisk(both)).map(formatLessonError);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^lessons\/01-x\/code\/job\.start\.ts 3:22: /);
  });
});
