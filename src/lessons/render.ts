/**
 * Lesson text (Markdown, see markdown.ts) → HTML the app may insert, in two independent layers:
 *
 * 1. markdown-it with `html: false` (raw HTML in the source is shown as text, never parsed) and no
 *    linkify; its link validator drops `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs.
 *    Links get `rel="noopener noreferrer"`; external ones open in a new tab. Images are never fetched:
 *    one with a remote address is shown as a link labelled with its alt text (only inline `data:image`
 *    pictures stay pictures).
 * 2. DOMPurify on the result (in a browser; Node has no DOM — there layer 1 alone applies): only the
 *    tags and attributes Markdown produces survive, no `on*` handler, no `style`, no script URL.
 *
 * No script or event handler from lesson text can ever run.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

type RenderRule = NonNullable<MarkdownIt['renderer']['rules']['link_open']>;

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });

/** http(s) and protocol-relative addresses leave the app; everything else (#anchors, relative paths) stays. */
export function isExternalUrl(href: string): boolean {
  return /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(href.trim()) && !/^data:/i.test(href.trim());
}

const defaultLinkOpen: RenderRule = (tokens, idx, options, _env, self) =>
  self.renderToken(tokens, idx, options);

md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  token.attrSet('rel', 'noopener noreferrer');
  if (isExternalUrl(token.attrGet('href') ?? '')) token.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const src = token.attrGet('src') ?? '';
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  if (/^data:image\/(?:gif|png|jpeg|webp);/i.test(src))
    return `<img src="${md.utils.escapeHtml(src)}" alt="${md.utils.escapeHtml(alt)}">`;
  // Shown, not fetched: the learner may follow the link.
  const target = isExternalUrl(src) ? ' target="_blank"' : '';
  return `<a href="${md.utils.escapeHtml(src)}" rel="noopener noreferrer"${target} class="image-link">▣ ${md.utils.escapeHtml(alt || src)}</a>`;
};

const ALLOWED_TAGS = [
  'a',
  'blockquote',
  'br',
  'code',
  'del',
  'em',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'img',
  'li',
  'ol',
  'p',
  'pre',
  's',
  'strong',
  'table',
  'tbody',
  'td',
  'th',
  'thead',
  'tr',
  'ul',
];
const ALLOWED_ATTR = ['href', 'title', 'class', 'start', 'rel', 'target', 'src', 'alt'];
/** Links: web, mail, in-page and relative addresses; images: inline data only. */
const SAFE_URL = /^(?:https?:|mailto:|#|\/(?!\/)|\.{1,2}\/|[^:/?#]+(?:[/?#]|$))/i;

type Purifier = ReturnType<typeof DOMPurify>;
let purifier: Purifier | null | undefined;

function getPurifier(): Purifier | null {
  if (purifier !== undefined) return purifier;
  if (typeof window === 'undefined' || typeof window.document === 'undefined') return (purifier = null);
  const p = DOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      const href = node.getAttribute('href') ?? '';
      node.setAttribute('rel', 'noopener noreferrer');
      if (isExternalUrl(href)) node.setAttribute('target', '_blank');
      else node.removeAttribute('target');
    } else if (node.nodeName === 'IMG') {
      if (!/^data:image\/(?:gif|png|jpeg|webp);/i.test(node.getAttribute('src') ?? '')) node.remove();
    }
  });
  return (purifier = p.isSupported ? p : null);
}

/** Sanitizes HTML with DOMPurify (a browser is needed; in Node the input is returned as is). */
export function sanitizeHtml(html: string): string {
  const p = getPurifier();
  if (!p) return html;
  return p.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOWED_URI_REGEXP: SAFE_URL,
    RETURN_TRUSTED_TYPE: false,
  });
}

/** Markdown → HTML with markdown-it alone (layer 1; exported for tests). */
export function markdownToHtml(source: string): string {
  return md.render(source);
}

/** One line of Markdown (a hint, a choice) → inline HTML, without a wrapping paragraph (layer 1). */
export function markdownInlineToHtml(source: string): string {
  return md.renderInline(source);
}

/** A block of lesson Markdown → sanitized HTML. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdownToHtml(source));
}

/** One line of lesson Markdown → sanitized inline HTML. */
export function renderInline(source: string): string {
  return sanitizeHtml(markdownInlineToHtml(source));
}
