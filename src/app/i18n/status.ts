/**
 * Flink's job and task statuses (RUNNING, RESTARTING…) are identifiers a Flink engineer searches
 * for, so they stay visible; in 简体中文 a label comes first: `运行中（RUNNING）` (docs/glossary.md).
 */
import { defineMessages } from './i18n.svelte';

const t = defineMessages(
  {
    CREATED: 'CREATED',
    RUNNING: 'RUNNING',
    RESTARTING: 'RESTARTING',
    FAILED: 'FAILED',
    FINISHED: 'FINISHED',
    CANCELED: 'CANCELED',
    CANCELING: 'CANCELING',
    FAILING: 'FAILING',
    DEPLOYING: 'DEPLOYING',
    INITIALIZING: 'INITIALIZING',
  },
  {
    CREATED: '已创建（CREATED）',
    RUNNING: '运行中（RUNNING）',
    RESTARTING: '重启中（RESTARTING）',
    FAILED: '已失败（FAILED）',
    FINISHED: '已结束（FINISHED）',
    CANCELED: '已取消（CANCELED）',
    CANCELING: '取消中（CANCELING）',
    FAILING: '失败中（FAILING）',
    DEPLOYING: '部署中（DEPLOYING）',
    INITIALIZING: '初始化中（INITIALIZING）',
  },
);

/** A job or task status as the page shows it; an unknown one is shown as it is. */
export function statusLabel(status: string): string {
  return status in t.tables.en ? t(status as Parameters<typeof t>[0]) : status;
}
