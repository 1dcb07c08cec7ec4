/**
 * The tables a query can read: the lab's generated logs, each declared with the DDL a learner would
 * write in Flink. A row is an array of column values (TIMESTAMP columns: epoch ms); the table's rowtime
 * column is also the log record's timestamp, so the source assigns event time from it.
 *
 * The WATERMARK of a table is `rowtime - INTERVAL d`: Flink's SQL watermark generator emits
 * max(rowtime) - d, while the lab's (DataStream) `forBoundedOutOfOrderness(b)` emits max - b - 1:
 * the source is built with b = d - 1, so the watermarks are the same.
 */
import type { ColumnDef, SqlValue } from '../ast';
import { ReplayableLog, type LogRecord } from '../../engine/connectors/ReplayableLog';
import { WORDCOUNT_TEXT } from '../../engine/scenarios/wordcount';
import { generateVisitLog } from '../../engine/scenarios/visits';
import { generateLoginLog } from '../../engine/scenarios/anomalies';

export type Row = SqlValue[];

export interface TableDefinition {
  name: string;
  columns: ColumnDef[];
  /** The rowtime column (with a WATERMARK), or null. */
  rowtime: string | null;
  /** WATERMARK FOR rowtime AS rowtime - INTERVAL watermarkDelayMs. */
  watermarkDelayMs: number;
  /** The WATERMARK clause as written in the DDL (`ts - INTERVAL '0.2' SECOND`). */
  watermarkText: string | null;
  /** Virtual ms between two records of one partition (the source's pace). */
  emitIntervalMs: number;
  /** What the lab reads it from (shown by DESCRIBE's note and the export). */
  origin: string;
  log(): ReplayableLog<Row>;
}

/** 2024-06-01 08:00:00.000 (UTC wall clock): where the visits log's event time starts. */
export const VISITS_START_MS = Date.UTC(2024, 5, 1, 8);

/** The Operations Playground's ClickEventGenerator: pages in turn; each page's clicks 15 ms apart. */
export const CLICK_PAGES = ['/help', '/index', '/shop', '/jobs', '/about', '/news'];
/** WINDOW_SIZE (15 s) / EVENTS_PER_WINDOW (1000): one page's clicks are 15 ms apart in event time. */
export const CLICK_PAGE_STEP_MS = 15;
/** One playground window: 1000 clicks per page. */
export const CLICK_EVENTS = 6000;

function wordsLog(): ReplayableLog<Row> {
  const words = WORDCOUNT_TEXT.toLowerCase()
    .split(/\W+/)
    .filter((w) => w !== '');
  return new ReplayableLog('words', [words.map((w, i) => ({ value: [w], timestamp: i }))]);
}

/** The visits log names users `user-07`, the logins log `user-007`: written alike here, so the tables join. */
function threeDigitUser(user: string): string {
  return user.replace(/^user-(\d{2})$/, 'user-0$1');
}

function visitsLog(): ReplayableLog<Row> {
  const log = generateVisitLog();
  return new ReplayableLog(
    'visits',
    log.partitions.map((p) =>
      p.map((r): LogRecord<Row> => ({
        value: [threeDigitUser(r.value.user), VISITS_START_MS + r.timestamp],
        timestamp: VISITS_START_MS + r.timestamp,
      })),
    ),
  );
}

function loginsLog(): ReplayableLog<Row> {
  const log = generateLoginLog();
  return new ReplayableLog(
    'logins',
    log.partitions.map((p) =>
      p.map((r): LogRecord<Row> => ({
        value: [r.value.user, r.value.ok, r.timestamp],
        timestamp: r.timestamp,
      })),
    ),
  );
}

/**
 * ClickEventGenerator.ClickIterator: event i is page i mod 6, at (i div 6) * 15 ms from the epoch
 * (its first timestamp is `new Date(0)`). The playground's `input` topic has 2 partitions; the
 * records alternate between them here.
 */
export function clicksLog(events = CLICK_EVENTS): ReplayableLog<Row> {
  const parts: LogRecord<Row>[][] = [[], []];
  for (let i = 0; i < events; i++) {
    const ts = Math.floor(i / CLICK_PAGES.length) * CLICK_PAGE_STEP_MS;
    parts[i % 2].push({ value: [CLICK_PAGES[i % CLICK_PAGES.length], ts], timestamp: ts });
  }
  return new ReplayableLog('clicks', parts);
}

const TS3 = { name: 'TIMESTAMP', precision: 3, rowtime: true } as const;

export const BUILTIN_TABLES: readonly TableDefinition[] = [
  {
    name: 'words',
    columns: [{ name: 'word', type: { name: 'STRING' } }],
    rowtime: null,
    watermarkDelayMs: 0,
    watermarkText: null,
    emitIntervalMs: 150,
    origin: "the words of the article's WordCount line (one partition)",
    log: wordsLog,
  },
  {
    name: 'visits',
    columns: [
      { name: 'user_id', type: { name: 'STRING' } },
      { name: 'ts', type: { ...TS3 } },
    ],
    rowtime: 'ts',
    watermarkDelayMs: 1000,
    watermarkText: "ts - INTERVAL '1' SECOND",
    emitIntervalMs: 5,
    origin:
      'the visits scenario log: 10,000 page visits of 60 users (user-000 … user-059), 4 partitions, 10 ms apart',
    log: visitsLog,
  },
  {
    name: 'logins',
    columns: [
      { name: 'user_id', type: { name: 'STRING' } },
      { name: 'success', type: { name: 'BOOLEAN' } },
      { name: 'ts', type: { ...TS3 } },
    ],
    rowtime: 'ts',
    watermarkDelayMs: 5000,
    watermarkText: "ts - INTERVAL '5' SECOND",
    emitIntervalMs: 1,
    origin:
      'the anomalies scenario log: 5,544 logins of 160 users, 4 partitions keyed by user, up to 4 s late',
    log: loginsLog,
  },
  {
    name: 'clicks',
    columns: [
      { name: 'page', type: { name: 'STRING' } },
      { name: 'ts', type: { ...TS3 } },
    ],
    rowtime: 'ts',
    watermarkDelayMs: 200,
    watermarkText: "ts - INTERVAL '0.2' SECOND",
    emitIntervalMs: 2,
    origin:
      "the Operations Playground's ClickEventGenerator: six pages in turn, each page's clicks 15 ms apart, 2 partitions",
    log: () => clicksLog(),
  },
];

function typeDdl(t: ColumnDef['type']): string {
  if (t.name === 'TIMESTAMP') return `TIMESTAMP(${t.precision ?? 3})`;
  return t.name;
}

/** The CREATE TABLE a learner would write for it in Flink (the connector is the lab's log). */
export function tableDdl(t: TableDefinition): string {
  const lines = t.columns.map((c) => `  ${c.name} ${typeDdl(c.type)}`);
  if (t.rowtime && t.watermarkText) lines.push(`  WATERMARK FOR ${t.rowtime} AS ${t.watermarkText}`);
  return `CREATE TABLE ${t.name} (\n${lines.join(',\n')}\n) WITH (\n  'connector' = 'lab-log'  -- ${t.origin}\n);`;
}
