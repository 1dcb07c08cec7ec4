/** Every string of a SQL lesson's query box (LessonSql.svelte), in English and 简体中文. */
import { defineMessages } from '../../i18n/i18n.svelte';

export const t = defineMessages(
  {
    heading: 'The job’s SQL',
    label: 'Flink SQL statements of the lesson’s job',
    file: 'Start from',
    fileLabel: 'Load a SQL file of the lesson into the box',
    run: 'Run',
    running: 'Running…',
    hint: 'Run restarts the lesson’s job with these statements. A statement the lab cannot run changes nothing.',
    error: 'Not run: {message}',
  },
  {
    heading: '作业的 SQL',
    label: '本课作业的 Flink SQL 语句',
    file: '从文件开始',
    fileLabel: '把本课的一个 SQL 文件载入输入框',
    run: '运行',
    running: '正在运行…',
    hint: '“运行”会用这些语句重新启动本课的作业。实验室无法运行的语句不会改变任何东西。',
    error: '未运行：{message}',
  },
);
