import type { ErrorCode, UiError } from './bindings';

const ERROR_CODES: readonly ErrorCode[] = [
  'internal',
  'invalid_input',
  'not_found',
  'storage',
  'keychain',
  'tiktok',
  'conflict',
  'unavailable',
  'damaged',
];

/** Shown when the UI runs in a plain browser (vite dev, unit tests without mocks). */
export const NOT_IN_TAURI: UiError = {
  code: 'unavailable',
  message: 'Not running inside Tokdeck',
};

/** True when the Tauri IPC bridge is present (real app, or `mockIPC` in tests). */
export function inTauri(): boolean {
  if (typeof window === 'undefined') return false;
  const internals = (window as { __TAURI_INTERNALS__?: { invoke?: unknown } }).__TAURI_INTERNALS__;
  return typeof internals?.invoke === 'function';
}

export function isUiError(value: unknown): value is UiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
    typeof v.message === 'string'
  );
}

/** Normalise anything a command (or JS) can throw into a `UiError`. */
export function toUiError(value: unknown): UiError {
  if (isUiError(value)) return { code: value.code, message: value.message };
  if (value instanceof Error) return { code: 'internal', message: value.message || value.name };
  if (typeof value === 'string' && value.length > 0) return { code: 'internal', message: value };
  return { code: 'internal', message: 'Something went wrong' };
}

/**
 * Run an IPC command. Resolves with its value; rejects with a `UiError`, always.
 *
 *     const info = await call(commands.appInfo);
 *     await call(() => commands.updateSettings(patch));
 */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  if (!inTauri()) throw { ...NOT_IN_TAURI };
  try {
    return await fn();
  } catch (e) {
    throw toUiError(e);
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: UiError };

/** Like `call`, but never rejects: handy in event handlers. */
export async function attempt<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await call(fn) };
  } catch (e) {
    return { ok: false, error: toUiError(e) };
  }
}
