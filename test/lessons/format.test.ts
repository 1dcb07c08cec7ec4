/** A broken lesson fails with the file, the field and the problem. */
import { describe, expect, it } from 'vitest';
import { assembleLesson } from '../../src/lessons/assemble';
import { formatLessonError } from '../../src/lessons/format';
import { parseLessonText } from '../../src/lessons/markdown';

const lesson = {
  number: 3,
  slug: 'keys',
  scenario: 'wordcount',
  seed: 1,
  steps: [
    {
      id: 'a',
      check: { kind: 'finished' },
      solution: [{ do: 'play', until: { kind: 'finished' } }],
    },
    {
      id: 'b',
      prediction: { choices: 2, answer: 0 },
      check: { kind: 'answered' },
      solution: [{ do: 'answer', choice: 0 }],
    },
  ],
};

const text = (extra = '') => `# Keys

Intro.

## step: a

Narrative.

### Do

Play.

### Hints

- a hint

## step: b

### Prediction

Which?

1. this
2. that

### Answer

Because this.

### Do

Answer.
${extra}`;

const errorsOf = (dir: string, exported: unknown, en: string, zh: string | null = en) =>
  assembleLesson(dir, exported, zh === null ? { en } : { en, 'zh-CN': zh }).errors.map(formatLessonError);

describe('lesson validation', () => {
  it('accepts a good lesson and parses its text', () => {
    const r = assembleLesson('03-keys', lesson, { en: text(), 'zh-CN': text() });
    expect(r.errors).toEqual([]);
    const t = r.lesson!.text.en;
    expect(t.title).toBe('Keys');
    expect(t.steps[0]).toMatchObject({
      id: 'a',
      narrative: 'Narrative.',
      instruction: 'Play.',
      hints: ['a hint'],
    });
    expect(t.steps[1].prediction).toEqual({
      question: 'Which?',
      choices: ['this', 'that'],
      explanation: 'Because this.',
    });
  });

  it('names the file, the field and the problem', () => {
    const bad = structuredClone(lesson);
    (bad.steps[0] as Record<string, unknown>).check = { kind: 'state', operator: 'count' };
    expect(errorsOf('03-keys', bad, text())).toEqual([
      'lessons/03-keys/lesson.ts steps[0].check.state: Invalid input: expected string, received undefined',
      'lessons/03-keys/lesson.ts steps[0].check.key: Invalid input',
      'lessons/03-keys/lesson.ts steps[0].check.equals: Invalid input',
    ]);
    const wrongAnswer = structuredClone(lesson);
    wrongAnswer.steps[1].prediction!.answer = 5;
    expect(errorsOf('03-keys', wrongAnswer, text())).toEqual([
      'lessons/03-keys/lesson.ts steps[1].prediction.answer: answer 5 is not one of the 2 choices (0-based)',
    ]);
    expect(errorsOf('3-keys', lesson, text())[0]).toBe(
      'lessons/3-keys folder: must be named NN-slug (two digits, a dash, a lower-case slug)',
    );
    expect(errorsOf('04-keys', lesson, text())).toEqual([
      "lessons/04-keys/lesson.ts number/slug: must match the folder: number 4, slug 'keys' (got 3, 'keys')",
    ]);
  });

  it("names a wrong Playground argument, cluster size or sink-rows check (lesson 13's options)", () => {
    const bad = structuredClone(lesson) as Record<string, unknown> & typeof lesson;
    bad.options = { taskManagers: 0, playground: { sink: 'exactly-twice', eventTime: false } };
    (bad.steps[0] as Record<string, unknown>).check = {
      kind: 'sink-rows',
      sink: 'sink',
      every: { count: [1000] },
    };
    (bad.steps[0] as Record<string, unknown>).solution = [{ do: 'add-taskmanager', count: 2 }];
    expect(errorsOf('03-keys', bad, text())).toEqual([
      'lessons/03-keys/lesson.ts options.taskManagers: Too small: expected number to be >=1',
      'lessons/03-keys/lesson.ts options.playground.sink: Invalid option: expected one of "at-least-once"|"exactly-once"',
      'lessons/03-keys/lesson.ts options.playground: Unrecognized key: "eventTime"',
      'lessons/03-keys/lesson.ts steps[0].check.every.count: Invalid input',
      'lessons/03-keys/lesson.ts steps[0].solution[0]: Unrecognized key: "count"',
    ]);
  });

  it('checks the text against the steps, in every language', () => {
    expect(errorsOf('03-keys', lesson, text(), null)).toEqual([
      'lessons/03-keys/zh-CN.md: is missing (every lesson has en.md and zh-CN.md)',
    ]);
    expect(errorsOf('03-keys', lesson, text(), text().replace('## step: b', '## step: c'))).toEqual([
      'lessons/03-keys/zh-CN.md step \'b\': has no "## step:" section',
      "lessons/03-keys/zh-CN.md step 'c': is not a step of lesson.ts",
    ]);
    expect(errorsOf('03-keys', lesson, text().replace('### Do\n\nPlay.', ''))).toContain(
      'lessons/03-keys/en.md step \'a\' (line 5): has no "### Do" instruction',
    );
    expect(errorsOf('03-keys', lesson, text('\n### Quiz\n'))).toContain(
      'lessons/03-keys/en.md line 34: unknown section "### Quiz" (known: Do, Goal, Hints, Why not, Prediction, Answer, Flink)',
    );
    expect(errorsOf('03-keys', lesson, text().replace('2. that', ''))).toContain(
      'lessons/03-keys/en.md step \'b\' (line 17): "### Prediction" needs a numbered list of at least 2 choices',
    );
  });

  it('a challenge gives only the goal, with hints', () => {
    const challenge = { ...lesson, steps: [{ ...lesson.steps[0], challenge: true }, lesson.steps[1]] };
    const goal = () => text().replace('### Do\n\nPlay.', '### Goal\n\nMake it so.');
    expect(errorsOf('03-keys', challenge, goal())).toEqual([]);
    const r = assembleLesson('03-keys', challenge, { en: goal(), 'zh-CN': goal() });
    expect(r.lesson!.text.en.steps[0]).toMatchObject({ goal: true, instruction: 'Make it so.' });
    expect(errorsOf('03-keys', challenge, text(), goal())).toEqual([
      'lessons/03-keys/en.md step \'a\': lesson.ts makes it a challenge: the text needs "### Goal" (not "### Do")',
    ]);
    expect(errorsOf('03-keys', lesson, goal(), text())).toEqual([
      'lessons/03-keys/en.md step \'a\': "### Goal" but lesson.ts does not say `challenge: true`',
    ]);
    expect(errorsOf('03-keys', challenge, goal().replace('### Hints\n\n- a hint', ''), goal())).toEqual([
      'lessons/03-keys/en.md step \'a\': a challenge needs "### Hints" (given one at a time on request)',
    ]);
    expect(
      errorsOf('03-keys', challenge, goal().replace('### Goal', '### Do\n\nPlay.\n\n### Goal'), goal()),
    ).toContain(
      'lessons/03-keys/en.md step \'a\' (line 5): has both "### Goal" and "### Do" (a challenge gives only the goal)',
    );
  });

  it('a check\'s `why` key is explained in each language\'s "### Why not" list, and only used keys are', () => {
    const why = structuredClone(lesson);
    (why.steps[0] as Record<string, unknown>).check = {
      kind: 'all',
      of: [
        { kind: 'finished', why: 'not-yet' },
        { kind: 'not', check: { kind: 'sink', verdict: ['duplicates'] }, why: 'counted-twice' },
      ],
    };
    const list =
      '\n### Why not\n\n- not-yet: the job must run to its end.\n- counted-twice: a record was counted\n  twice after the restore.\n';
    const withWhy = () => text().replace('### Hints', `${list}\n### Hints`);
    expect(errorsOf('03-keys', why, withWhy())).toEqual([]);
    const r = assembleLesson('03-keys', why, { en: withWhy(), 'zh-CN': withWhy() });
    expect(r.lesson!.text.en.steps[0].whyNot).toEqual({
      'not-yet': 'the job must run to its end.',
      'counted-twice': 'a record was counted twice after the restore.',
    });
    // A key the check uses but the text does not explain; a key the text explains that no check uses.
    expect(errorsOf('03-keys', why, text(), withWhy())).toEqual([
      'lessons/03-keys/en.md step \'a\': the check says why: \'not-yet\': the text needs "- not-yet: …" under "### Why not"',
      'lessons/03-keys/en.md step \'a\': the check says why: \'counted-twice\': the text needs "- counted-twice: …" under "### Why not"',
    ]);
    expect(errorsOf('03-keys', lesson, withWhy(), text())).toEqual([
      "lessons/03-keys/en.md step 'a': \"### Why not\" explains 'not-yet', but no part of the step's check says why: 'not-yet'",
      "lessons/03-keys/en.md step 'a': \"### Why not\" explains 'counted-twice', but no part of the step's check says why: 'counted-twice'",
    ]);
    expect(
      errorsOf('03-keys', why, withWhy().replace('- not-yet: the', '- not yet the'), withWhy()),
    ).toContain(
      'lessons/03-keys/en.md step \'a\' (line 5): "### Why not" item "not yet the job must run to its end." must be "key: text" (a check\'s `why` key, then what it means)',
    );
    const badKey = structuredClone(why);
    (badKey.steps[0].check as unknown as { of: Array<Record<string, unknown>> }).of[0].why = 'Not Yet';
    expect(errorsOf('03-keys', badKey, withWhy())[0]).toMatch(
      /^lessons\/03-keys\/lesson.ts steps\[0\]\.check\.of\[0\]\.why: a key of the step's "### Why not" list/,
    );
  });

  it('a prediction explains its answer', () => {
    expect(errorsOf('03-keys', lesson, text().replace('### Answer\n\nBecause this.\n', ''))).toEqual([
      'lessons/03-keys/en.md step \'b\' (line 17): has a "### Prediction" but no "### Answer" (why the right choice is right)',
      'lessons/03-keys/zh-CN.md step \'b\' (line 17): has a "### Prediction" but no "### Answer" (why the right choice is right)',
    ]);
    expect(
      errorsOf('03-keys', lesson, text().replace('### Hints', '### Answer\n\nWhy?\n\n### Hints')),
    ).toContain('lessons/03-keys/en.md step \'a\' (line 5): "### Answer" belongs to a "### Prediction"');
  });

  it('does not read headings inside code fences', () => {
    const { text: t, errors } = parseLessonText(
      '# T\n\n## step: a\n\n### Do\n\nx\n\n### Flink\n\n```java\n## not a step\n```\n',
      'f.md',
    );
    expect(errors).toEqual([]);
    expect(t.steps).toHaveLength(1);
    expect(t.steps[0].flink).toContain('## not a step');
  });
});

describe('SQL files of a lesson', () => {
  const sqlLesson = {
    ...lesson,
    options: { sql: 'count.sql' },
    steps: [
      {
        ...lesson.steps[0],
        solution: [
          { do: 'configure', options: { sql: 'window.sql' } },
          { do: 'play', until: { kind: 'finished' } },
        ],
      },
      lesson.steps[1],
    ],
  };

  it("resolves the lesson's and the steps' .sql names to the folder's files, and the options to the script", async () => {
    const files = { 'count.sql': 'SELECT 1 FROM words;', 'window.sql': 'SELECT 2 FROM words;' };
    const r = assembleLesson('03-keys', sqlLesson, { en: text(), 'zh-CN': text() }, files);
    expect(r.errors).toEqual([]);
    expect(r.lesson!.definition.sqlFiles).toEqual(files);
    const { lessonLoadOptions } = await import('../../src/lessons/runner');
    const start = lessonLoadOptions(r.lesson!.definition);
    expect(start.sql).toEqual({ script: 'SELECT 1 FROM words;' });
    const next = lessonLoadOptions(r.lesson!.definition, { sql: 'window.sql', mode: 'unaligned' }, start);
    expect(next).toMatchObject({ sql: { script: 'SELECT 2 FROM words;' }, mode: 'unaligned' });
  });

  it('a name that is not a file of the folder fails with its field', () => {
    const r = assembleLesson(
      '03-keys',
      sqlLesson,
      { en: text(), 'zh-CN': text() },
      {
        'count.sql': 'SELECT 1 FROM words;',
      },
    );
    expect(r.errors.map(formatLessonError)).toEqual([
      "lessons/03-keys/lesson.ts steps[0].solution[0].options.sql: names 'window.sql', which is not a file of lessons/03-keys/",
    ]);
  });

  it('a name that is not a .sql file name is refused by the format', () => {
    const r = assembleLesson(
      '03-keys',
      { ...lesson, options: { sql: '../x.txt' } },
      { en: text(), 'zh-CN': text() },
    );
    expect(r.errors.map(formatLessonError).join('\n')).toMatch(
      /options\.sql: a \.sql file of the lesson folder/,
    );
  });
});
