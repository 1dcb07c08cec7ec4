/**
 * The 简体中文 text follows one glossary (src/app/i18n/glossary.ts, docs/glossary.md): no lesson and
 * no message uses a variant the glossary replaces (检查点 for Checkpoint, 汇 for Sink, 暂扣 for 阻塞,
 * the calques the review found…). Code blocks are not prose and are left out, and so are titles cited
 * in 《》. And every engine
 * message has a Chinese translation that uses the same parameters as the English one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGLISH_MESSAGES } from '../../src/engine/index';
import { ZH_MESSAGES } from '../../src/app/i18n/engineMessages';
import { BANNED_ZH } from '../../src/app/i18n/glossary';

const ROOT = join(__dirname, '../..');

/** Lesson prose: the markdown without fenced code blocks and inline code. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Every zh table passed to defineMessages: the Chinese lines of the app's message files and components. */
function zhMessageLines(): Array<{ file: string; line: string }> {
  const out: Array<{ file: string; line: string }> = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|svelte)$/.test(e.name) && !p.endsWith('glossary.ts')) {
        for (const line of readFileSync(p, 'utf8').split('\n'))
          if (/[\u4e00-\u9fff]/.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line))
            out.push({ file: p.slice(ROOT.length + 1), line });
      }
    }
  };
  walk(join(ROOT, 'src/app'));
  return out;
}

/** A title in 《》 is cited verbatim (the article's own title says 检查点). */
function violations(line: string): string[] {
  const text = line.replace(/《[^》]*》/g, '');
  return BANNED_ZH.filter((b) => (b.pattern ? b.pattern.test(text) : text.includes(b.variant))).map(
    (b) => `「${b.variant}」→ ${b.use}`,
  );
}

describe('the zh glossary', () => {
  const lessonDirs = readdirSync(join(ROOT, 'lessons'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);

  it.each(lessonDirs)('lesson %s follows it', (dir) => {
    const text = prose(readFileSync(join(ROOT, 'lessons', dir, 'zh-CN.md'), 'utf8'));
    const found = text
      .split('\n')
      .flatMap((line, i) => violations(line).map((v) => `line ${i + 1}: ${v}: ${line.trim()}`));
    expect(found).toEqual([]);
  });

  it('the Reading page’s notes follow it (the article itself is quoted as its author wrote it)', () => {
    const text = prose(readFileSync(join(ROOT, 'reading', 'notes.zh-CN.md'), 'utf8'));
    const found = text
      .split('\n')
      .flatMap((line, i) => violations(line).map((v) => `line ${i + 1}: ${v}: ${line.trim()}`));
    expect(found).toEqual([]);
  });

  it('every zh message of the app follows it', () => {
    const found = zhMessageLines().flatMap(({ file, line }) =>
      violations(line).map((v) => `${file}: ${v}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });

  it('the engine messages in Chinese follow it', () => {
    const found = Object.entries(ZH_MESSAGES)
      .filter(([, v]) => typeof v === 'string')
      .flatMap(([code, v]) => violations(v as string).map((x) => `${code}: ${x}`));
    expect(found).toEqual([]);
  });
});

describe('engine messages', () => {
  const placeholders = (t: unknown) =>
    typeof t === 'string' ? [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort() : null;

  it('every code has a Chinese translation with the same parameters as the English one', () => {
    const diffs: string[] = [];
    for (const [code, en] of Object.entries(ENGLISH_MESSAGES)) {
      const zh = (ZH_MESSAGES as Record<string, unknown>)[code];
      if (zh === undefined) diffs.push(`${code}: no translation`);
      const a = placeholders(en);
      const b = placeholders(zh);
      // A function template decides itself which parameters it uses.
      if (a && b && JSON.stringify([...new Set(a)]) !== JSON.stringify([...new Set(b)]))
        diffs.push(`${code}: en {${a.join(',')}} zh {${b.join(',')}}`);
    }
    expect(diffs).toEqual([]);
  });
});
