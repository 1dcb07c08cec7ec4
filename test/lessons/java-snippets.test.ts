/**
 * Every `### Flink` block of every lesson (en and zh-CN) is Java that Flink 2.x accepts, as far as a
 * parser can tell: it parses with a real Java parser (java-parser, the parser of prettier-plugin-java),
 * it says it targets Flink 2.x, it uses no API that Flink 2.0 removed (or deprecated with a
 * replacement the lessons teach) — the list, with the release-notes source of each entry, is
 * test/lessons/flink-2-removed-apis.json — and the Chinese text has the same code as the English one.
 *
 * Snippets may be fragments. Each is tried, in this order, as a compilation unit, as the body of a
 * class, and as the body of a method; the first that parses is the snippet's reading.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexAndParse, type IToken } from 'java-parser';
import { describe, expect, it } from 'vitest';
import { parseLessonText } from '../../src/lessons/markdown';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Banned {
  pattern: string;
  api: string;
  status: string;
  use: string;
  source: string;
}
const BANNED = (
  JSON.parse(readFileSync(path.join(ROOT, 'test/lessons/flink-2-removed-apis.json'), 'utf8')) as {
    entries: Banned[];
  }
).entries;

/** The wrappings tried, in order; `{}` is replaced by the snippet. */
const WRAPPINGS = [
  { as: 'compilation unit', wrap: (s: string) => s },
  { as: 'class body', wrap: (s: string) => `class Snippet {\n${s}\n}` },
  {
    as: 'method body',
    wrap: (s: string) => `class Snippet {\nvoid snippet() throws Exception {\n${s}\n}\n}`,
  },
] as const;

type Parsed = { as: string; tokens: IToken[] } | { as: null; errors: string[] };

const parsedCache = new Map<string, Parsed>();

function parseSnippet(code: string): Parsed {
  let parsed = parsedCache.get(code);
  if (!parsed) parsedCache.set(code, (parsed = parseWrapped(code)));
  return parsed;
}

function parseWrapped(code: string): Parsed {
  const errors: string[] = [];
  for (const { as, wrap } of WRAPPINGS) {
    try {
      return { as, tokens: lexAndParse(wrap(code)).tokens };
    } catch (e) {
      errors.push(`as a ${as}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { as: null, errors };
}

/** Does a token match one element of a pattern (`#int`, `#string`, or the token's text)? */
function tokenMatches(token: IToken, element: string): boolean {
  if (element === '#int') return token.tokenType.name === 'DecimalLiteral';
  if (element === '#string') return token.tokenType.name === 'StringLiteral';
  return token.image === element;
}

/** The banned APIs the tokens use (comments are not tokens). */
export function bannedUses(tokens: readonly IToken[]): Banned[] {
  const found: Banned[] = [];
  for (const entry of BANNED) {
    const elements = entry.pattern.split(' ');
    for (let i = 0; i + elements.length <= tokens.length; i++)
      if (elements.every((el, j) => tokenMatches(tokens[i + j], el))) {
        found.push(entry);
        break;
      }
  }
  return found;
}

interface Block {
  file: string;
  step: string;
  /** The whole `### Flink` section (text around the code included). */
  section: string;
  code: string;
}

function flinkBlocks(): Block[] {
  const blocks: Block[] = [];
  const dirs = readdirSync(path.join(ROOT, 'lessons')).filter((d) => /^\d\d-/.test(d));
  for (const dir of dirs)
    for (const lang of ['en', 'zh-CN']) {
      const file = `lessons/${dir}/${lang}.md`;
      const { text } = parseLessonText(readFileSync(path.join(ROOT, file), 'utf8'), file);
      for (const step of text.steps) {
        if (step.flink === null) continue;
        const fences = [...step.flink.matchAll(/```java\n([\s\S]*?)```/g)];
        expect(fences.length, `${file} step '${step.id}': one \`\`\`java block`).toBe(1);
        blocks.push({ file, step: step.id, section: step.flink, code: fences[0][1] });
      }
    }
  return blocks;
}

const BLOCKS = flinkBlocks();

describe('the ### Flink snippets of the lessons', () => {
  it('are there: 41 per language (lesson 13: 7, lesson 14: 6, lesson 15: 2)', () => {
    expect(BLOCKS.filter((b) => b.file.endsWith('/en.md'))).toHaveLength(41);
    expect(BLOCKS.filter((b) => b.file.endsWith('/zh-CN.md'))).toHaveLength(41);
  });

  it.each(BLOCKS.map((b) => [`${b.file} step '${b.step}'`, b] as const))(
    '%s parses as Java, says it is Flink 2.x, uses no API removed in Flink 2.0',
    (_name, block) => {
      const parsed = parseSnippet(block.code);
      if (parsed.as === null) throw new Error(`syntax error:\n${parsed.errors.join('\n')}`);
      expect(block.code.split('\n')[0], 'the first line says which Flink').toMatch(/^\/\/ Flink 2\.x\b/);
      expect(
        bannedUses(parsed.tokens).map((b) => `${b.api}: ${b.status}; use ${b.use} (${b.source})`),
      ).toEqual([]);
    },
  );

  it('have the same code in Chinese as in English (comments aside)', () => {
    const tokens = (code: string) => {
      const parsed = parseSnippet(code);
      return parsed.as === null ? [] : parsed.tokens.map((t) => t.image);
    };
    for (const en of BLOCKS.filter((b) => b.file.endsWith('/en.md'))) {
      const zh = BLOCKS.find((b) => b.file === en.file.replace('/en.md', '/zh-CN.md') && b.step === en.step);
      expect(zh, `${en.file} step '${en.step}' in zh-CN.md`).toBeDefined();
      expect(tokens(zh!.code), `${en.file} step '${en.step}'`).toEqual(tokens(en.code));
    }
  });
});

describe('the check itself', () => {
  it('finds a syntax error, and a removed API in code but not in a comment', () => {
    expect(parseSnippet('env.enableCheckpointing(1000)').as).toBeNull(); // no semicolon
    const parsed = parseSnippet(
      '// env.setStateBackend(new FsStateBackend("file:///tmp")) is gone\nwords.keyBy(0).addSink(sink);',
    );
    expect(parsed.as).toBe('method body');
    if (parsed.as === null) return;
    expect(bannedUses(parsed.tokens).map((b) => b.pattern)).toEqual(['keyBy ( #int', 'addSink']);
  });

  it('reads a class, members and statements with the wrapping each needs', () => {
    expect(parseSnippet('public class A { void f() {} }').as).toBe('compilation unit');
    // Members alone: java-parser reads them as an implicitly declared class (JEP 445), or as a class body.
    expect(['compilation unit', 'class body']).toContain(
      parseSnippet('private int x;\n@Override public void open(OpenContext c) {}').as,
    );
    expect(parseSnippet('int x = 1;\nx++;').as).toBe('method body');
  });

  it('lists every entry with where it comes from', () => {
    expect(BANNED.length).toBeGreaterThanOrEqual(30);
    for (const b of BANNED) {
      expect(b.source, b.pattern).toMatch(/release notes|FLINK-\d+/);
      expect(b.use, b.pattern).not.toBe('');
    }
  });
});
