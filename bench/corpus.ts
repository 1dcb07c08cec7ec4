/**
 * Deterministic text for throughput benchmarks: `lines` lines of 5–15 words drawn from a vocabulary
 * of `vocabulary` made-up words with a Zipf-like (1/rank) frequency, seeded from the engine's own
 * `Random`, so the same options always give the same text on every machine.
 *
 * The text exercises what WordCount's tokenizer does: the first word of a line is capitalised, some
 * words are followed by a comma, and every line ends with a full stop (a trailing empty token that
 * `split("\\W+")` drops). Tokens are pure `\w`, so the expected counts are known while generating.
 */
import { Random } from '../src/engine/index';

export interface CorpusOptions {
  seed: number;
  lines: number;
  vocabulary: number;
  minWords?: number;
  maxWords?: number;
  /** Zipf exponent: weight of rank r is 1 / r^s. */
  zipfExponent?: number;
}

export interface Corpus {
  lines: string[];
  /** Total words in the text (what a correct WordCount counts). */
  words: number;
  /** Expected count per (lower-cased) word. */
  expected: Map<string, number>;
  /** Distinct words that occur. */
  distinctWords: number;
  bytes: number;
}

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'w',
  'br',
  'st',
  'tr',
  'th',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ea', 'ou', 'ai'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'nd', 'st'];

function makeVocabulary(rng: Random, size: number): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < size) {
    const syllables = rng.int(1, 4);
    let w = '';
    for (let s = 0; s < syllables; s++)
      w += ONSETS[rng.int(0, ONSETS.length - 1)] + VOWELS[rng.int(0, VOWELS.length - 1)];
    w += CODAS[rng.int(0, CODAS.length - 1)];
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words;
}

export function generateCorpus(options: CorpusOptions): Corpus {
  const { seed, lines: numLines, vocabulary } = options;
  const minWords = options.minWords ?? 5;
  const maxWords = options.maxWords ?? 15;
  const s = options.zipfExponent ?? 1;
  const rng = new Random(`bench-corpus:${seed}`);
  const vocab = makeVocabulary(rng.fork('vocabulary'), vocabulary);
  // Cumulative Zipf weights, sampled by binary search.
  const cumulative = new Float64Array(vocabulary);
  let total = 0;
  for (let r = 0; r < vocabulary; r++) {
    total += 1 / Math.pow(r + 1, s);
    cumulative[r] = total;
  }
  const sample = (): number => {
    const u = rng.next() * total;
    let lo = 0;
    let hi = vocabulary - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const expected = new Map<string, number>();
  const lines: string[] = new Array(numLines);
  let words = 0;
  let bytes = 0;
  for (let i = 0; i < numLines; i++) {
    const n = rng.int(minWords, maxWords);
    let line = '';
    for (let j = 0; j < n; j++) {
      const w = vocab[sample()];
      expected.set(w, (expected.get(w) ?? 0) + 1);
      if (j > 0) line += rng.next() < 0.1 ? ', ' : ' ';
      line += j === 0 ? w[0].toUpperCase() + w.slice(1) : w;
    }
    line += '.';
    lines[i] = line;
    words += n;
    bytes += line.length;
  }
  return { lines, words, expected, distinctWords: expected.size, bytes };
}
