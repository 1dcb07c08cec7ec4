/**
 * A lesson's text, one Markdown file per language (`en.md`, `zh-CN.md`), split into its parts:
 *
 *     # Title
 *     Introduction…
 *     ## step: <id>            one per step of lesson.ts, in the same order
 *     Narrative…
 *     ### Do                   the instruction (required, except in a challenge step)
 *     ### Goal                 a challenge step's goal, in place of "### Do" (only the what, not the how)
 *     ### Hints                a list (optional; required in a challenge)
 *     ### Why not              a list `- key: text`: the lesson's reading of a failing check, one entry
 *                              per `why: 'key'` in the step's check (shown after the generic explanation)
 *     ### Prediction           the question, then a numbered list of choices (iff the step has one)
 *     ### Answer               why the right choice is right (iff the step has a prediction): shown
 *                              once the prediction is answered, by the learner or by "Show me"
 *     ### Flink                the real Flink (Java) code, fenced (optional)
 *
 * The `## step:` and `###` headings are keys, the same in every language; the app shows its own
 * translated labels. Rendering to HTML is render.ts (sanitized).
 */
import { whyKeys, type LessonDefinition, type LessonError } from './format';

export interface StepText {
  id: string;
  narrative: string;
  instruction: string;
  /** The text has "### Goal" (a challenge) rather than "### Do". */
  goal: boolean;
  hints: string[];
  /** `### Why not`: the `why` key of a part of the check -> what its failure means in this step. */
  whyNot: Record<string, string>;
  prediction: { question: string; choices: string[]; explanation: string } | null;
  flink: string | null;
}

export interface LessonText {
  title: string;
  intro: string;
  steps: StepText[];
}

const SUBSECTIONS = ['Do', 'Goal', 'Hints', 'Why not', 'Prediction', 'Answer', 'Flink'] as const;

/** Parses one language file; structural problems are reported with the file and the line. */
export function parseLessonText(source: string, file: string): { text: LessonText; errors: LessonError[] } {
  const errors: LessonError[] = [];
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let title = '';
  const intro: string[] = [];
  const steps: StepText[] = [];
  let step: { id: string; line: number; parts: Record<string, string[]> } | null = null;
  let part = 'narrative';
  let inFence = false;

  const finish = () => {
    if (!step) return;
    const get = (k: string) => (step!.parts[k] ?? []).join('\n').trim();
    const where = `step '${step.id}' (line ${step.line})`;
    const goal = step.parts.Goal !== undefined;
    const instruction = goal ? get('Goal') : get('Do');
    if (goal && step.parts.Do)
      errors.push({
        file,
        field: where,
        message: 'has both "### Goal" and "### Do" (a challenge gives only the goal)',
      });
    else if (!instruction)
      errors.push({
        file,
        field: where,
        message: goal ? '"### Goal" is empty' : 'has no "### Do" instruction',
      });
    const hints = listItems(get('Hints'));
    if (step.parts.Hints && hints.length === 0)
      errors.push({ file, field: where, message: '"### Hints" must be a list ("- …")' });
    const whyNot: Record<string, string> = {};
    if (step.parts['Why not']) {
      const items = listItems(get('Why not'));
      if (items.length === 0)
        errors.push({ file, field: where, message: '"### Why not" must be a list ("- key: text")' });
      for (const item of items) {
        const m = /^`?([a-z0-9-]+)`?:\s+(\S.*)$/.exec(item);
        if (!m)
          errors.push({
            file,
            field: where,
            message: `"### Why not" item "${item}" must be "key: text" (a check's \`why\` key, then what it means)`,
          });
        else if (whyNot[m[1]] !== undefined)
          errors.push({ file, field: where, message: `"### Why not" has the key '${m[1]}' twice` });
        else whyNot[m[1]] = m[2].trim();
      }
    }
    let prediction: StepText['prediction'] = null;
    if (step.parts.Prediction) {
      const body = get('Prediction');
      const firstItem = body.search(/^\s*\d+\.\s/m);
      const question = (firstItem < 0 ? body : body.slice(0, firstItem)).trim();
      const choices = firstItem < 0 ? [] : listItems(body.slice(firstItem));
      if (!question) errors.push({ file, field: where, message: '"### Prediction" has no question' });
      if (choices.length < 2)
        errors.push({
          file,
          field: where,
          message: '"### Prediction" needs a numbered list of at least 2 choices',
        });
      const explanation = get('Answer');
      if (!explanation)
        errors.push({
          file,
          field: where,
          message: 'has a "### Prediction" but no "### Answer" (why the right choice is right)',
        });
      prediction = { question, choices, explanation };
    } else if (step.parts.Answer)
      errors.push({ file, field: where, message: '"### Answer" belongs to a "### Prediction"' });
    steps.push({
      id: step.id,
      narrative: get('narrative'),
      instruction,
      goal,
      hints,
      whyNot,
      prediction,
      flink: step.parts.Flink ? get('Flink') : null,
    });
  };

  lines.forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (!inFence && /^# /.test(line) && !title && !step) {
      title = line.slice(2).trim();
      return;
    }
    const stepHeading = inFence ? null : /^## step:\s*(.+?)\s*$/.exec(line);
    if (stepHeading) {
      finish();
      step = { id: stepHeading[1], line: i + 1, parts: {} };
      part = 'narrative';
      return;
    }
    if (!inFence && /^## /.test(line)) {
      errors.push({
        file,
        field: `line ${i + 1}`,
        message: `"${line.trim()}": second-level headings are "## step: <id>"`,
      });
      return;
    }
    const sub = inFence || !step ? null : /^### (.+?)\s*$/.exec(line);
    if (sub) {
      if (!(SUBSECTIONS as readonly string[]).includes(sub[1])) {
        errors.push({
          file,
          field: `line ${i + 1}`,
          message: `unknown section "### ${sub[1]}" (known: ${SUBSECTIONS.join(', ')})`,
        });
        return;
      }
      part = sub[1];
      if (step!.parts[part])
        errors.push({
          file,
          field: `line ${i + 1}`,
          message: `"### ${part}" appears twice in step '${step!.id}'`,
        });
      step!.parts[part] = [];
      return;
    }
    if (step) (step.parts[part] ??= []).push(line);
    else intro.push(line);
  });
  finish();
  if (inFence) errors.push({ file, field: 'end of file', message: 'a code fence (```) is not closed' });
  if (!title) errors.push({ file, field: 'line 1', message: 'the file must start with a "# Title"' });
  return { text: { title, intro: intro.join('\n').trim(), steps }, errors };
}

function listItems(body: string): string[] {
  const items: string[] = [];
  for (const line of body.split('\n')) {
    const m = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
    if (m) items.push(m[1].trim());
    else if (line.trim() && items.length) items[items.length - 1] += ` ${line.trim()}`;
  }
  return items;
}

/** The text must have exactly the lesson's steps, in order, with a prediction where the step has one. */
export function checkTextAgainstLesson(
  text: LessonText,
  lesson: LessonDefinition,
  file: string,
): LessonError[] {
  const errors: LessonError[] = [];
  const want = lesson.steps.map((s) => s.id);
  const have = text.steps.map((s) => s.id);
  for (const id of want)
    if (!have.includes(id))
      errors.push({ file, field: `step '${id}'`, message: 'has no "## step:" section' });
  for (const id of have)
    if (!want.includes(id))
      errors.push({ file, field: `step '${id}'`, message: 'is not a step of lesson.ts' });
  if (errors.length === 0 && want.join() !== have.join())
    errors.push({
      file,
      field: 'steps',
      message: `the order must be ${want.join(', ')} (is ${have.join(', ')})`,
    });
  for (const step of lesson.steps) {
    const t = text.steps.find((s) => s.id === step.id);
    if (!t) continue;
    if (step.prediction && !t.prediction)
      errors.push({
        file,
        field: `step '${step.id}'`,
        message: 'lesson.ts has a prediction: the text needs "### Prediction"',
      });
    if (!step.prediction && t.prediction)
      errors.push({
        file,
        field: `step '${step.id}'`,
        message: '"### Prediction" but lesson.ts has no prediction',
      });
    if (step.challenge && !t.goal)
      errors.push({
        file,
        field: `step '${step.id}'`,
        message: 'lesson.ts makes it a challenge: the text needs "### Goal" (not "### Do")',
      });
    if (!step.challenge && t.goal)
      errors.push({
        file,
        field: `step '${step.id}'`,
        message: '"### Goal" but lesson.ts does not say `challenge: true`',
      });
    if (step.challenge && t.hints.length === 0)
      errors.push({
        file,
        field: `step '${step.id}'`,
        message: 'a challenge needs "### Hints" (given one at a time on request)',
      });
    const keys = whyKeys(step.check);
    for (const key of keys)
      if (t.whyNot[key] === undefined)
        errors.push({
          file,
          field: `step '${step.id}'`,
          message: `the check says why: '${key}': the text needs "- ${key}: …" under "### Why not"`,
        });
    for (const key of Object.keys(t.whyNot))
      if (!keys.includes(key))
        errors.push({
          file,
          field: `step '${step.id}'`,
          message: `"### Why not" explains '${key}', but no part of the step's check says why: '${key}'`,
        });
    if (step.prediction && t.prediction && t.prediction.choices.length !== step.prediction.choices)
      errors.push({
        file,
        field: `step '${step.id}'`,
        message: `the prediction has ${t.prediction.choices.length} choices, lesson.ts says ${step.prediction.choices}`,
      });
  }
  return errors;
}
