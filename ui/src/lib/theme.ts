import type { Theme } from './bindings';

/** `system` follows `prefers-color-scheme`; `light` / `dark` force it (see app.css). */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
}
