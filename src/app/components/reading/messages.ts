/** The Reading page's strings (its content, the article and the notes, is in /reading). */
import { defineMessages } from '../../i18n/i18n.svelte';

export const t = defineMessages(
  {
    nav: 'Reading',
    intro:
      'The article this lab was built from, in the original Chinese and in English. Under each section: the lesson steps that teach it, and where the article is simplified or out of date, what Flink 2.x does.',
    textLabel: 'Text',
    showEn: 'English translation',
    showZh: '中文原文 (original)',
    contents: 'Contents',
    taught: 'Try it in the lessons',
    stepLink: 'Lesson {lesson}, step {step} of {total} — {title}',
    note: 'Note · Flink 2.x',
    provenance:
      'The article has no title of its own; the lab calls it by its subject. The English translation is the lab’s.',
  },
  {
    nav: '阅读原文',
    intro:
      '本实验室所依据的文章，提供中文原文和英文译文。每一节下方列出讲解该节内容的课程步骤；原文有简化或已过时的地方，附注说明 Flink 2.x 的实际做法。',
    textLabel: '文本',
    showEn: '英文译文',
    showZh: '中文原文',
    contents: '目录',
    taught: '在课程中动手试试',
    stepLink: '第 {lesson} 课，第 {step} 步（共 {total} 步）：{title}',
    note: '注 · Flink 2.x',
    provenance: '原文没有标题，本实验室按其主题称呼它。英文译文由本实验室翻译。',
  },
);
