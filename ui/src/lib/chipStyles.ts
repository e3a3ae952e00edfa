/**
 * The calendar chips' per-account colour and avatar and per-state icon, as class rules made
 * once each in one style element: a chip then carries classes instead of inline styles.
 * Profiled in the app's webview (a busy month, 56 new chips, a probe swapping in a fresh copy
 * of the grid, variants interleaved): styling and laying out the new grid took 52–90 ms with
 * eight elements and two inline custom properties per chip, 33–34 ms with five elements and
 * these classes. (A first probe that ran its variants in order put 11 ms on the inline
 * properties; interleaved, that was warm-up.)
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

/** Each avatar drawn so far, by its class's number. */
const avatars = new Map<string, number>();

/**
 * The classes of an account's chips: its colour as the left border and the tint, and its
 * avatar over the initials (which show if the avatar cannot be drawn). The avatar has a class
 * of its own, so an account whose avatar changes or goes shows the new one or none.
 */
export function accountClass(accountId: number, avatar: string | null): string {
  const name = `acct-${accountId}`;
  const color = accountColor(accountId);
  rule(
    name,
    // No specificity of their own: a state's background (needs attention, failed) wins.
    `:where(.post.${name}) { border-left-color: ${color}; background: color-mix(in srgb, ${color} 12%, var(--surface)); }`,
    `:where(.post.${name}:hover) { background: color-mix(in srgb, ${color} 22%, var(--surface)); }`,
  );
  if (!avatar) return name;
  let n = avatars.get(avatar);
  if (n === undefined) {
    n = avatars.size;
    avatars.set(avatar, n);
  }
  rule(`av-${n}`, `:where(.post.av-${n}) .avatar::after { background-image: ${cssUrl(avatar)}; }`);
  return `${name} av-${n}`;
}

/** The class that paints a state's icon (the icon as a mask over the text colour). */
export function iconClass(icon: IconName): string {
  const name = `st-${icon}`;
  const url = iconImage(icon);
  rule(name, `.${name} { -webkit-mask-image: ${url}; mask-image: ${url}; }`);
  return name;
}
