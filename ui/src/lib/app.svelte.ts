/**
 * App-wide engine state: app info, settings (kept fresh by engine events), and
 * the bridge from engine `notice` / `deepLink` events to toasts.
 *
 * One instance is created by `App.svelte` and shared through context:
 *     const app = useApp();  app.settings?.theme;  await app.updateSettings({ theme: 'dark' });
 */
import { createContext } from 'svelte';
import { listen } from '@tauri-apps/api/event';
import {
  commands,
  ENGINE_EVENT,
  type AppInfo,
  type EngineEvent,
  type Settings,
  type SettingsPatch,
  type UiError,
} from './bindings';
import { call, inTauri, NOT_IN_TAURI, toUiError } from './ipc';
import { toasts as defaultToasts, type ToastStore } from './toasts.svelte';

export function toPatch(partial: Partial<Settings>): SettingsPatch {
  return {
    notificationsEnabled: partial.notificationsEnabled ?? null,
    launchAtLogin: partial.launchAtLogin ?? null,
    publishingPaused: partial.publishingPaused ?? null,
    theme: partial.theme ?? null,
  };
}

export class AppStore {
  info = $state<AppInfo | null>(null);
  settings = $state<Settings | null>(null);
  /** Set when the initial load failed (e.g. not running inside Tokdeck). */
  loadError = $state<UiError | null>(null);
  readonly ready = $derived(this.info !== null);
  /** The engine could not start (e.g. a damaged database): the UI shows only this. */
  readonly startupError = $derived(this.info?.startupError ?? null);
  readonly simulated = $derived(this.info?.tiktokMode === 'simulator');

  #toasts: ToastStore;

  constructor(toasts: ToastStore = defaultToasts) {
    this.#toasts = toasts;
  }

  /** Load info + settings and subscribe to engine events. Returns a stop function. */
  start(): () => void {
    let stopped = false;
    let unlisten: (() => void) | undefined;
    // Unsubscribing is best effort: during teardown the bridge may already be gone.
    const safely = (fn: () => unknown) => {
      try {
        void Promise.resolve(fn()).catch(() => {});
      } catch {
        // ignore
      }
    };

    if (!inTauri()) {
      this.loadError = { ...NOT_IN_TAURI };
      return () => {};
    }

    listen<EngineEvent>(ENGINE_EVENT, (event) => this.handleEvent(event.payload))
      .then((fn) => (stopped ? safely(fn) : (unlisten = fn)))
      .catch((e) => console.warn('engine event subscription failed', e));

    void this.load();

    return () => {
      stopped = true;
      if (unlisten) safely(unlisten);
    };
  }

  async load(): Promise<void> {
    this.loadError = null;
    const [info, settings] = await Promise.allSettled([
      call(commands.appInfo),
      call(commands.getSettings),
    ]);
    if (info.status === 'fulfilled') this.info = info.value;
    if (settings.status === 'fulfilled') this.settings = settings.value;
    // With a startup error, settings are expected to fail: the startup screen says why.
    if (this.info?.startupError) return;
    const failed = [info, settings].find((r) => r.status === 'rejected');
    if (failed) this.loadError = toUiError(failed.reason);
  }

  /**
   * Optimistically apply `partial`, then persist it. On failure the changed keys are
   * rolled back and the promise rejects with the `UiError`.
   */
  async updateSettings(partial: Partial<Settings>): Promise<Settings> {
    const current = this.settings;
    if (!current) throw { code: 'unavailable', message: 'Settings are not loaded yet' } as UiError;
    const keys = Object.keys(partial) as (keyof Settings)[];
    const previous: Partial<Settings> = {};
    for (const k of keys) Object.assign(previous, { [k]: current[k] });

    this.settings = { ...current, ...partial };
    try {
      const saved = await call(() => commands.updateSettings(toPatch(partial)));
      this.settings = saved;
      return saved;
    } catch (e) {
      // Only roll back keys nobody has changed since (e.g. a newer click or event).
      const now = this.settings;
      if (now) {
        const rollback: Partial<Settings> = {};
        for (const k of keys) {
          if (now[k] === partial[k]) Object.assign(rollback, { [k]: previous[k] });
        }
        this.settings = { ...now, ...rollback };
      }
      throw toUiError(e);
    }
  }

  handleEvent(event: EngineEvent): void {
    switch (event.kind) {
      case 'settingsChanged':
        this.settings = event.settings;
        break;
      case 'notice':
        this.#toasts.push(event.level, event.message);
        break;
      case 'deepLink':
        if (event.handled) this.#toasts.info(event.detail || 'Opened link', { detail: event.url });
        else
          this.#toasts.warning(event.detail || 'Tokdeck could not open this link', {
            detail: event.url,
          });
        break;
      case 'notify':
        // Native notifications are fire-and-forget; the window always says it too.
        this.#toasts.info(event.title, { detail: event.body });
        break;
    }
  }
}

const [getApp, setApp] = createContext<AppStore>();

/** The `AppStore` provided by `App.svelte` (or a test harness). */
export const useApp = getApp;
export const provideApp = setApp;
