import type { ErrorCode, UiError } from './bindings';

export type ToastLevel = 'info' | 'success' | 'warning' | 'error';

export type Toast = {
  id: number;
  level: ToastLevel;
  message: string;
  /** Optional secondary line for people (e.g. a link's address); never a machine code. */
  detail?: string;
  /** A failed command's error code: kept on the element for diagnostics, never shown. */
  code?: string;
  /** An action button in the toast (e.g. "Undo"); clicking it runs it and dismisses the toast. */
  action?: ToastAction;
};

export type ToastAction = { label: string; run: () => void };

export type ToastOptions = {
  detail?: string;
  code?: string;
  action?: ToastAction;
  /** Auto-dismiss after this many ms; 0 keeps it until dismissed. */
  timeout?: number;
};

const DEFAULT_TIMEOUT: Record<ToastLevel, number> = {
  info: 5000,
  success: 4000,
  warning: 8000,
  error: 0,
};

// Toasts take room from the page (see Toaster.svelte): the newest few are kept (the Toaster
// shows two and counts the rest), older ones go.
export const MAX_TOASTS = 5;
/** Toasts the Toaster shows while it folds the older ones into "+N more". */
export const SHOWN_TOASTS = 2;

/** What each error code means, in a creator's words (when a message says no more than it). */
const PLAIN: Record<ErrorCode, string> = {
  internal:
    'Something went wrong inside Tokdeck. Try again; if it keeps failing, the log has details.',
  invalid_input: 'That cannot be saved as it is. Check what you entered.',
  not_found: 'That is no longer there (it may have been deleted).',
  storage: 'Tokdeck could not read or write its data on this computer.',
  keychain: 'The system keychain did not answer. Unlock it, then try again.',
  tiktok: 'TikTok did not accept the request. Try again in a moment.',
  conflict: 'It changed meanwhile. Look at it again.',
  unavailable: 'That is not available right now.',
  damaged: 'Tokdeck’s data file is damaged. Restore the latest good backup to go on.',
};

// A bare code ("invalid_input") or one leading a message ("not_found: …").
const CODE_ONLY = /^[a-z]+(?:_[a-z]+)*$/;
const CODE_PREFIX = /^[a-z]+(?:_[a-z]+)+:\s*/;

/**
 * A failed command's words for people: its message (the real cause) without any machine code,
 * or, when the message is only a code or empty, what the code means in plain words.
 */
export function errorText(error: UiError): string {
  const message = (error.message ?? '').trim().replace(CODE_PREFIX, '');
  if (!message || CODE_ONLY.test(message)) {
    return PLAIN[error.code] ?? 'Something went wrong. Try again.';
  }
  return message;
}

/** App-wide toast queue. Render it once with `<Toaster />`. */
export class ToastStore {
  items = $state<Toast[]>([]);
  #nextId = 1;
  // Timer bookkeeping only; nothing renders from it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(level: ToastLevel, message: string, options: ToastOptions = {}): number {
    const id = this.#nextId++;
    this.items = [
      ...this.items,
      {
        id,
        level,
        message,
        detail: options.detail,
        code: options.code,
        action: options.action,
      },
    ].slice(-MAX_TOASTS);
    const timeout = options.timeout ?? DEFAULT_TIMEOUT[level];
    if (timeout > 0) {
      this.#timers.set(
        id,
        setTimeout(() => this.dismiss(id), timeout),
      );
    }
    return id;
  }

  info = (message: string, options?: ToastOptions) => this.push('info', message, options);
  success = (message: string, options?: ToastOptions) => this.push('success', message, options);
  warning = (message: string, options?: ToastOptions) => this.push('warning', message, options);
  error = (message: string, options?: ToastOptions) => this.push('error', message, options);

  /** Toast a failed command: its message says what happened; its code is not for people. */
  fromError = (error: UiError, options?: ToastOptions) =>
    this.push('error', errorText(error), { code: error.code, ...options });

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.items = [];
  }
}

export const toasts = new ToastStore();
