/**
 * The calendar chips' per-account colour and avatar and per-state icon, as class rules made
 * once each in one style element: a chip then carries classes instead of inline custom
 * properties. Profiled in the app's webview (a busy month, 56 new chips): giving the new chips
 * their styles and layout took 40 ms of which 11 ms were the inline `--acct` and `--icon`
 * (each made the element a copy of every inherited custom property), and 20 ms the chips'
 * inner elements (eight per chip, now five).
 */
import { iconImage, type IconName } from '../components/Icon.svelte';
import { accountColor } from './posts';

let sheet: CSSStyleSheet | null = null;
const made = new Set<string>();

function rule(key: string, ...css: string[]): void {
  if (made.has(key) || typeof document === 'undefined') return;
  made.add(key);
  if (!sheet) {
    const el = document.createElement('style');
    el.dataset.chipStyles = '';
    document.head.append(el);
    sheet = el.sheet;
  }
  for (const text of css) {
    try {
      sheet?.insertRule(text, sheet.cssRules.length);
    } catch {
      // A rule the engine cannot read (a test DOM without color-mix): the chip keeps the
      // neutral look of its base class.
    }
  }
}

/** `url("…")` for CSS, whatever the text holds (the avatar is a `data:` URL from the engine). */
function cssUrl(url: string): string {
  return `url("${url.replace(/["\\\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}")`;
}

/**
 * The class of an account's chips: its colour as the left border and the tint, and its
 * avatar over the initials (which show if the avatar cannot be drawn).
 */
export function accountClass(accountId: number, avatar: string | null): string {
  const name = `acct-${accountId}`;
  const color = accountColor(accountId);
  rule(
    `${name}|${avatar ?? ''}`,
    // No specificity of their own: a state's background (needs attention, failed) wins.
    `:where(.post.${name}) { border-left-color: ${color}; background: color-mix(in srgb, ${color} 12%, var(--surface)); }`,
    `:where(.post.${name}:hover) { background: color-mix(in srgb, ${color} 22%, var(--surface)); }`,
    ...(avatar
      ? [`:where(.post.${name}) .avatar::after { background-image: ${cssUrl(avatar)}; }`]
      : []),
  );
  return name;
}

/** The class that paints a state's icon (the icon as a mask over the text colour). */
export function iconClass(icon: IconName): string {
  const name = `st-${icon}`;
  const url = iconImage(icon);
  rule(name, `.${name} { -webkit-mask-image: ${url}; mask-image: ${url}; }`);
  return name;
}
