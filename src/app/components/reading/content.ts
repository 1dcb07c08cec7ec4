/**
 * The Reading page's content, loaded with the page (ReadingView imports this module; the app's first
 * download does not): the article in Chinese and English, the notes, and each section's links to the
 * lesson steps of the concept map in lessons/README.md, resolved against the lessons' registry.
 */
import zhArticle from '../../../../reading/zh-CN.md?raw';
import enArticle from '../../../../reading/en.md?raw';
import zhNotes from '../../../../reading/notes.zh-CN.md?raw';
import enNotes from '../../../../reading/notes.en.md?raw';
import lessonsReadme from '../../../../lessons/README.md?raw';
import { LESSONS } from '../../../lessons/registry';
import type { Lang } from '../../i18n/i18n.svelte';
import {
  parseArticle,
  parseConceptMap,
  parseNotes,
  resolveStepLinks,
  type ArticleChapter,
  type StepLink,
} from './article';

export const ARTICLE: Record<Lang, ArticleChapter[]> = {
  en: parseArticle(enArticle),
  'zh-CN': parseArticle(zhArticle),
};

export const NOTES: Record<Lang, Map<string, string>> = {
  en: parseNotes(enNotes),
  'zh-CN': parseNotes(zhNotes),
};

const conceptMap = parseConceptMap(lessonsReadme);

/** Section id → the lesson steps that teach it (unknown references are left out; a unit test fails on them). */
export const LINKS: Map<string, StepLink[]> = new Map(
  [...conceptMap].map(([section, refs]) => [section, resolveStepLinks(refs, LESSONS).links]),
);
