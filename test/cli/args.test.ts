import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEED,
  parseFailure,
  parseSimArgs,
  usage,
  UsageError,
  validateFailureTargets,
  type SimOptions,
} from '../../src/cli/args';
import { CHECKPOINTING_MODES, SCENARIOS } from '../../src/engine/index';

const SCENARIO_NAMES = ['wordcount', 'visits'];

function options(argv: string[]): SimOptions {
  const parsed = parseSimArgs(argv, SCENARIO_NAMES);
  if (parsed.help) throw new Error('expected options, got help');
  return parsed.options;
}

/** The UsageError message parseSimArgs throws for argv. */
function usageError(argv: string[]): string {
  try {
    parseSimArgs(argv, SCENARIO_NAMES);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('parseSimArgs', () => {
  it('defaults: seed 1, the scenario mode, no failures, run to completion, summary', () => {
    expect(options(['wordcount'])).toEqual({
      scenario: 'wordcount',
      seed: DEFAULT_SEED,
      mode: undefined,
      failures: [],
      until: undefined,
      json: false,
    });
    expect(DEFAULT_SEED).toBe(1);
  });

  it('reads every option, before or after the scenario, with a separate or an inline value', () => {
    expect(
      options([
        '--seed',
        '42',
        'visits',
        '--mode=unaligned',
        '--until',
        '2500.5',
        '--json',
        '--fail=count#1@10',
      ]),
    ).toEqual({
      scenario: 'visits',
      seed: 42,
      mode: 'unaligned',
      failures: [{ target: 'count#1', at: 10 }],
      until: 2500.5,
      json: true,
    });
  });

  it('accepts every checkpointing mode', () => {
    for (const mode of CHECKPOINTING_MODES) expect(options(['visits', '--mode', mode]).mode).toBe(mode);
  });

  it('accepts negative and zero seeds', () => {
    expect(options(['visits', '--seed', '-5']).seed).toBe(-5);
    expect(options(['visits', '--seed=0']).seed).toBe(0);
  });

  it('collects repeated --fail in order, including engine crashes and fractional times', () => {
    expect(
      options(['visits', '--fail', 'count#1@2500', '--fail', 'engine@1800', '--fail', 'sink#0@0.5']).failures,
    ).toEqual([
      { target: 'count#1', at: 2500 },
      { target: 'engine', at: 1800 },
      { target: 'sink#0', at: 0.5 },
    ]);
  });

  it('--help and -h win over everything else, even errors', () => {
    expect(parseSimArgs(['--help'], SCENARIO_NAMES)).toEqual({ help: true });
    expect(parseSimArgs(['nope', '--bogus', '-h'], SCENARIO_NAMES)).toEqual({ help: true });
  });

  it('lists the scenarios of the engine by default', () => {
    expect(options(['visits']).scenario).toBe('visits');
    const parsed = parseSimArgs(['wordcount']);
    expect(parsed.help).toBe(false);
    for (const name of Object.keys(SCENARIOS)) expect(usage()).toContain(name);
  });

  describe('errors', () => {
    it('missing scenario', () => {
      expect(usageError([])).toBe('missing scenario: name one of wordcount, visits (or --job FILE)');
      expect(usageError(['--json'])).toMatch(/^missing scenario/);
    });

    it('unknown scenario', () => {
      expect(usageError(['nope'])).toBe("unknown scenario 'nope' (scenarios: wordcount, visits)");
    });

    it('more than one scenario', () => {
      expect(usageError(['wordcount', 'visits'])).toMatch(/unexpected argument 'visits'/);
    });

    it('unknown option', () => {
      expect(usageError(['visits', '--bogus'])).toMatch(/^unknown option '--bogus'/);
      expect(usageError(['visits', '-x'])).toMatch(/^unknown option '-x'/);
      expect(usageError(['visits', '--seed5'])).toMatch(/^unknown option '--seed5'/);
    });

    it('option without its value', () => {
      expect(usageError(['visits', '--seed'])).toBe('--seed needs a value (--seed N)');
      expect(usageError(['visits', '--until', '--json'])).toMatch(/^--until needs a value/);
      expect(usageError(['visits', '--fail'])).toMatch(/^--fail needs a value/);
      expect(usageError(['visits', '--mode'])).toMatch(/^--mode needs a value/);
    });

    it('flag with a value', () => {
      expect(usageError(['visits', '--json=yes'])).toMatch(/^--json takes no value/);
    });

    it('bad mode', () => {
      expect(usageError(['visits', '--mode', 'fast'])).toBe(
        `unknown mode 'fast' (modes: ${CHECKPOINTING_MODES.join(', ')})`,
      );
      expect(usageError(['visits', '--mode', 'EXACTLY_ONCE'])).toMatch(/^unknown mode/);
    });

    it('--seed not an integer', () => {
      for (const bad of ['abc', '1.5', '', '1e3', '0x10', ' 7', '99999999999'])
        expect(usageError(['visits', `--seed=${bad}`])).toMatch(/^--seed must be an integer/);
    });

    it('--fail not matching TASK@MS', () => {
      for (const bad of [
        'count1@5',
        'count#1',
        'count#1@',
        '@5',
        'count#x@5',
        'count#1@-5',
        'count#1@abc',
        'engine',
      ])
        expect(usageError(['visits', '--fail', bad])).toMatch(/^--fail '.*' does not match TASK@MS/);
    });

    it('--until not a positive number', () => {
      for (const bad of ['0', '-5', 'abc', '', '1e3'])
        expect(usageError(['visits', `--until=${bad}`])).toMatch(/^--until must be a positive number/);
    });

    it('an option given twice (except --fail)', () => {
      expect(usageError(['visits', '--seed', '1', '--seed', '2'])).toBe('--seed given more than once');
      expect(usageError(['visits', '--mode=unaligned', '--mode=unaligned'])).toMatch(/given more than once/);
      expect(usageError(['visits', '--until=1', '--until=2'])).toMatch(/given more than once/);
    });
  });
});

describe('parseFailure', () => {
  it('splits at the last @', () => {
    expect(parseFailure('engine@0')).toEqual({ target: 'engine', at: 0 });
    expect(parseFailure('count#12@3000')).toEqual({ target: 'count#12', at: 3000 });
  });
});

describe('validateFailureTargets', () => {
  const tasks = ['source#0', 'count#0', 'count#1', 'print#0'];

  it('accepts the job tasks and engine', () => {
    expect(() =>
      validateFailureTargets(
        [
          { target: 'count#1', at: 1 },
          { target: 'engine', at: 2 },
        ],
        tasks,
        'WordCount',
      ),
    ).not.toThrow();
  });

  it('names the unknown task and lists the job tasks', () => {
    expect(() => validateFailureTargets([{ target: 'count#2', at: 5 }], tasks, 'WordCount')).toThrow(
      new UsageError(
        "--fail count#2@5: job 'WordCount' has no task 'count#2' (its tasks: source#0, count#0, count#1, print#0; or engine)",
      ),
    );
  });
});

describe('--job FILE', () => {
  it('takes the place of the scenario, with every other option', () => {
    expect(options(['--job', 'jobs/mine.ts', '--seed', '4', '--parallelism', '3'])).toMatchObject({
      scenario: 'jobs/mine.ts',
      jobFile: 'jobs/mine.ts',
      seed: 4,
      parallelism: 3,
    });
  });

  it('not together with a scenario, and with a file name', () => {
    expect(usageError(['wordcount', '--job', 'x.ts'])).toBe(
      "give a scenario or --job FILE, not both (got 'wordcount' and --job x.ts)",
    );
    expect(usageError(['--job='])).toBe('--job needs a file name (--job FILE)');
  });
});
