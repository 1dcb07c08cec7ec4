/**
 * The SQL page's starting queries, their comments in the page's language (each runs as it is;
 * test/app/sql-examples.test.ts plans them all, in both languages).
 */
import type { Lang } from '../../i18n/i18n.svelte';

export interface SqlExample {
  id: 'count' | 'tumble' | 'join';
  /** Key of its name in messages.ts. */
  nameKey: 'exampleCount' | 'exampleTumble' | 'exampleJoin';
  /** What to watch, as `--` comment lines above the statements. */
  comment: Record<Lang, string[]>;
  statements: string;
}

export const SQL_EXAMPLES: readonly SqlExample[] = [
  {
    id: 'count',
    nameKey: 'exampleCount',
    comment: {
      en: [
        'A non-windowed GROUP BY keeps one count per word in keyed state (GroupAggregate)',
        'and updates its result: every further "to" retracts the old row (-U) and emits the new one (+U).',
      ],
      'zh-CN': [
        '不带窗口的 GROUP BY 在 Keyed State 中为每个单词保存一个计数（GroupAggregate），',
        '并更新结果：每多一个 "to"，就撤回旧行（-U）并发出新行（+U）。',
      ],
    },
    statements: `SELECT word, COUNT(*) AS cnt
FROM words
GROUP BY word;
`,
  },
  {
    id: 'tumble',
    nameKey: 'exampleTumble',
    comment: {
      en: [
        'A window aggregation emits each window once (+I only) when the watermark passes its end,',
        "then frees the window's state: compare its state readout with the GROUP BY count's.",
      ],
      'zh-CN': [
        '窗口聚合在 Watermark 越过窗口结束时间时，为每个窗口只发出一次结果（只有 +I），',
        '随后释放该窗口的状态：把它的状态曲线与 GROUP BY 计数的比较一下。',
      ],
    },
    statements: `SELECT window_start, window_end, page, COUNT(*) AS clicks
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end, page;
`,
  },
  {
    id: 'join',
    nameKey: 'exampleJoin',
    comment: {
      en: [
        'A regular join keeps every row of both inputs in state, forever unless a TTL is set.',
        'Run it, then remove the SET line and run it again: watch the state readout.',
      ],
      'zh-CN': [
        '常规 Join 会把两个输入的每一行都保存在状态中；除非设置 TTL，否则永远保留。',
        '先运行它，再删掉 SET 这一行重新运行：观察状态曲线。',
      ],
    },
    statements: `SET 'table.exec.state.ttl' = '5 s';

SELECT v.user_id, v.ts AS visit_time, l.ts AS failed_login
FROM visits v JOIN logins l ON v.user_id = l.user_id
WHERE l.success = FALSE;
`,
  },
];

/** The example's text in the editor: its comment in `lang`, then the statements. */
export function exampleScript(example: SqlExample, lang: Lang): string {
  return example.comment[lang].map((line) => `-- ${line}\n`).join('') + example.statements;
}

/** What a first visit shows: the GROUP BY count. */
export function defaultSql(lang: Lang): string {
  return exampleScript(SQL_EXAMPLES[0], lang);
}
