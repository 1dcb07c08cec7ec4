/**
 * Lesson Markdown → HTML, layer 1 (markdown-it, in Node): raw HTML, event handlers and script URLs
 * never survive; links get rel="noopener"; remote images are links, never fetched; code fences render.
 * Layer 2 (DOMPurify) needs a DOM: test/e2e/lessons.e2e.test.ts runs it in Chromium.
 */
import { describe, expect, it } from 'vitest';
import {
  isExternalUrl,
  markdownInlineToHtml,
  markdownToHtml,
  renderInline,
  renderMarkdown,
  sanitizeHtml,
} from '../../src/lessons/render';
import { LESSONS } from '../../src/lessons/registry';

/** Tags in the output (names only), e.g. ['p', 'a', 'a']. */
const tags = (html: string) => [...html.matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((m) => m[1].toLowerCase());

const ATTACKS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<svg onload=alert(1)></svg>',
  '<iframe src="https://evil.example"></iframe>',
  '<div style="background:url(https://evil.example/x)">x</div>',
  'text <b onmouseover="alert(1)">bold</b> text',
];

describe('lesson Markdown (markdown-it layer)', () => {
  it.each(ATTACKS)('shows raw HTML as text: %s', (attack) => {
    for (const html of [markdownToHtml(attack), markdownInlineToHtml(attack), renderMarkdown(attack)]) {
      expect(tags(html).filter((t) => !['p'].includes(t))).toEqual([]);
      expect(html).not.toMatch(/<(script|img|iframe|svg|div|b)\b/i);
      expect(html).toContain('&lt;');
    }
  });

  it.each([
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click]( javascript:alert(1) )',
    '[click](&#106;avascript:alert(1))',
    '[click](java%0Ascript:alert(1))',
    '[click](vbscript:msgbox(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](file:///etc/passwd)',
    '<javascript:alert(1)>',
    '[click][ref]\n\n[ref]: javascript:alert(1)',
    '![x](javascript:alert(1))',
  ])('never makes a script link: %s', (source) => {
    const html = markdownToHtml(source);
    expect(html).not.toMatch(/href="\s*(javascript|vbscript|data:text|file)/i);
    expect(html).not.toMatch(/src="\s*javascript/i);
    expect(tags(html)).not.toContain('img');
  });

  it('gives links rel="noopener" and opens external ones in a new tab', () => {
    const html = markdownToHtml('[Flink](https://flink.apache.org/) and [a step](#step-2)');
    expect(html).toContain(
      '<a href="https://flink.apache.org/" rel="noopener noreferrer" target="_blank">Flink</a>',
    );
    expect(html).toContain('<a href="#step-2" rel="noopener noreferrer">a step</a>');
    expect(isExternalUrl('https://x.org')).toBe(true);
    expect(isExternalUrl('//x.org')).toBe(true);
    expect(isExternalUrl('#a')).toBe(false);
    expect(isExternalUrl('./a.png')).toBe(false);
  });

  it('shows remote images as links (nothing is fetched); inline data images stay pictures', () => {
    const remote = markdownToHtml('![the barrier](https://example.org/barrier.png)');
    expect(tags(remote)).not.toContain('img');
    expect(remote).toContain('href="https://example.org/barrier.png"');
    expect(remote).toContain('rel="noopener noreferrer"');
    expect(remote).toContain('the barrier');
    const inline = markdownToHtml('![dot](data:image/png;base64,iVBORw0KGgo=)');
    expect(inline).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">');
    const sneaky = markdownToHtml('![x" onerror="alert(1)](https://example.org/a.png)');
    expect(sneaky).not.toMatch(/\sonerror="/i); // only as escaped text: onerror=&quot;
    expect(sneaky).toContain('onerror=&quot;alert(1)</a>');
  });

  it('renders code fences, escaped, with the language as a class', () => {
    const html = markdownToHtml('```java\nif (a < b && c > d) out.collect("<w>");\n```');
    expect(html).toBe(
      '<pre><code class="language-java">if (a &lt; b &amp;&amp; c &gt; d) out.collect(&quot;&lt;w&gt;&quot;);\n</code></pre>\n',
    );
    const info = markdownToHtml('```java" onclick="alert(1)\nx\n```');
    expect(info).not.toMatch(/\sonclick="/i);
  });

  it('renders the usual Markdown of lessons', () => {
    expect(markdownToHtml('Press **Play** and read `count`.')).toBe(
      '<p>Press <strong>Play</strong> and read <code>count</code>.</p>\n',
    );
    expect(markdownInlineToHtml('2 — `be` occurs *twice*')).toBe('2 — <code>be</code> occurs <em>twice</em>');
    expect(tags(markdownToHtml('- a\n- b\n\n1. c'))).toEqual(['ul', 'li', 'li', 'ol', 'li']);
    expect(renderInline('plain')).toBe('plain');
  });

  it('does not turn bare addresses into links (linkify is off)', () => {
    expect(markdownToHtml('see https://example.org and www.example.org')).not.toContain('<a');
  });

  it('renders every lesson in both languages without raw HTML', () => {
    for (const lesson of LESSONS)
      for (const text of Object.values(lesson.text)) {
        const parts = [
          text.intro,
          ...text.steps.flatMap((s) => [
            s.narrative,
            s.instruction,
            ...s.hints,
            s.flink ?? '',
            s.prediction?.question ?? '',
            ...(s.prediction?.choices ?? []),
          ]),
        ];
        for (const part of parts) {
          const html = renderMarkdown(part);
          expect(html).not.toMatch(/<(script|iframe|object|embed|style)\b/i);
          expect(html).not.toMatch(/\son[a-z]+=/i);
        }
      }
  });

  it('sanitizeHtml is the identity without a DOM (Node): layer 1 alone applies here', () => {
    expect(typeof window).toBe('undefined');
    expect(sanitizeHtml('<p>x</p>')).toBe('<p>x</p>');
  });
});
