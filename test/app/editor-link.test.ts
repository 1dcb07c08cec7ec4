/**
 * The editor's share link: `#/editor?job=<lz-string>` opens exactly the source that was shared (any
 * text: Unicode, newlines, a long file), and a mangled link is reported, never guessed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJob, editorHash, encodeJob, parseEditorRoute } from '../../src/app/components/editor/route';

/** fast-check's seed: fixed, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

const JOB = `import { StreamExecutionEnvironment } from 'stream-state-lab';
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromData('To be, or not to be — 生存还是毁灭').print();
await env.execute('WordCount');
`;

describe('editor route and share link', () => {
  it('recognises #/editor and nothing else', () => {
    expect(parseEditorRoute('#/editor')).toEqual({ shared: null, broken: false });
    expect(parseEditorRoute('#/editor/')).toEqual({ shared: null, broken: false });
    expect(parseEditorRoute('')).toBeNull();
    expect(parseEditorRoute('#/reading')).toBeNull();
    expect(parseEditorRoute('#/editors')).toBeNull();
  });

  it('a link opens the same source', () => {
    const hash = editorHash(JOB);
    expect(hash.startsWith('#/editor?job=')).toBe(true);
    expect(parseEditorRoute(hash)).toEqual({ shared: JOB, broken: false });
    // The link survives an address bar or a chat message as it is: only URL-safe characters.
    expect(encodeJob(JOB)).toMatch(/^[A-Za-z0-9+$-]+$/);
  });

  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (source) => {
        expect(parseEditorRoute(editorHash(source))?.shared ?? '').toBe(source);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('a cut or mangled link is broken, not a different program', () => {
    const code = encodeJob(JOB);
    expect(parseEditorRoute(`#/editor?job=${code.slice(0, 7)}`)?.broken).toBe(true);
    expect(parseEditorRoute('#/editor?job=%%%')?.broken).toBe(true);
    expect(decodeJob('!!!!')).toBeNull();
  });
});
