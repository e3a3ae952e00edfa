/**
 * App-wide engine state: app info, settings (kept fresh by engine events), the TikTok app
 * configuration, the current account, the pending connect flow, and the bridge from engine
 * `notice` / `deepLink` events to toasts. Every engine event is handled here (`handleEvent`);
 * pages that show accounts subscribe with `onAccountsChanged` to reload.
 *
 * One instance is created by `App.svelte` and shared through context:
 *     const app = useApp();  app.settings?.theme;  await app.updateSettings({ theme: 'dark' });
 */
import { createContext } from 'svelte';
import { listen } from '@tauri-apps/api/event';
import {
  commands,
  ENGINE_EVENT,
  type AccountDto,
  type AppInfo,
  type EngineEvent,
  type PendingConnect,
  type Settings,
  type SettingsPatch,
  type TiktokConfigDto,
  type TiktokConfigPatch,
  type TiktokMode,
  type UiError,
} from './bindings';
import { call, inTauri, NOT_IN_TAURI, toUiError } from './ipc';
import { dispatchPostEvent } from './posts';
import { toasts as defaultToasts, type ToastStore } from './toasts.svelte';

export function toPatch(partial: Partial<Settings>): SettingsPatch {
  return {
    notificationsEnabled: partial.notificationsEnabled ?? null,
    notifyPublished: partial.notifyPublished ?? null,
    notifyFailed: partial.notifyFailed ?? null,
    notifyNeedsAttention: partial.notifyNeedsAttention ?? null,
    notifyMissed: partial.notifyMissed ?? null,
    notifyAccount: partial.notifyAccount ?? null,
    launchAtLogin: partial.launchAtLogin ?? null,
    publishingPaused: partial.publishingPaused ?? null,
    theme: partial.theme ?? null,
    weekStart: partial.weekStart ?? null,
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
  /**
   * The TikTok app configuration (Settings → TikTok app). Its `mode` follows saves, while
   * `info.tiktokMode` is fixed when the app starts.
   */
  tiktokConfig = $state<TiktokConfigDto | null>(null);
  readonly tiktokMode = $derived<TiktokMode | null>(
    this.tiktokConfig?.mode ?? this.info?.tiktokMode ?? null,
  );
  readonly simulated = $derived(this.tiktokMode === 'simulator');

  /** The account the header switcher shows (persisted by the engine). */
  currentAccount = $state<AccountDto | null>(null);
  /** True once `getCurrentAccount` answered (so "No account" is not shown while loading). */
  currentLoaded = $state(false);

  /**
   * Bumped when the engine's data was replaced (a restore, or the latest good backup after a
   * damaged start): `App.svelte` remounts every page on it, so each loads its state again.
   */
  dataGeneration = $state(0);

  /** The connect flow waiting for TikTok's answer, if any. */
  pendingConnect = $state<PendingConnect | null>(null);
  /** The last connect flow's failure (TikTok's reason and what to do), until dismissed. */
  connectError = $state<UiError | null>(null);

  #toasts: ToastStore;
  // Subscriber bookkeeping only; nothing renders from it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #accountListeners = new Set<(accountId: number | null) => void>();
  /** Flows the user cancelled here: their "cancelled" event is not an error. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #cancelledFlows = new Set<string>();
  /** Flows whose end was already reported, so a late connectAccount answer is not shown as pending. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #finishedFlows = new Set<string>();

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
    performance.mark('app info asked');
    const [info, settings] = await Promise.allSettled([
      call(commands.appInfo),
      call(commands.getSettings),
    ]);
    performance.mark('app info answered');
    if (info.status === 'fulfilled') this.info = info.value;
    if (settings.status === 'fulfilled') this.settings = settings.value;
    // With a startup error, settings are expected to fail: the startup screen says why.
    if (this.info?.startupError) return;
    const failed = [info, settings].find((r) => r.status === 'rejected');
    if (failed) this.loadError = toUiError(failed.reason);
    // Secondary state: failures here are shown where it is used, not as a load error.
    void this.loadAccountState();
  }

  /** Current account, pending connect and TikTok config; best effort. */
  async loadAccountState(): Promise<void> {
    const [current, pending, config] = await Promise.allSettled([
      call(commands.getCurrentAccount),
      call(commands.pendingConnect),
      call(commands.getTiktokConfig),
    ]);
    if (current.status === 'fulfilled') this.currentAccount = current.value;
    this.currentLoaded = true;
    if (pending.status === 'fulfilled') this.pendingConnect = pending.value;
    if (config.status === 'fulfilled') this.tiktokConfig = config.value;
  }

  async refreshCurrentAccount(): Promise<void> {
    try {
      this.currentAccount = await call(commands.getCurrentAccount);
    } catch {
      // Keep showing the last known account; the Accounts page reports failures.
    } finally {
      this.currentLoaded = true;
    }
  }

  async setCurrentAccount(accountId: number): Promise<AccountDto> {
    const account = await call(() => commands.setCurrentAccount(accountId));
    this.currentAccount = account;
    return account;
  }

  async updateTiktokConfig(patch: TiktokConfigPatch): Promise<TiktokConfigDto> {
    const config = await call(() => commands.updateTiktokConfig(patch));
    this.tiktokConfig = config;
    return config;
  }

  /**
   * Add (or reconnect) an account: the engine opens TikTok's page in the system browser. While
   * a flow is pending and not expired, this returns it instead of starting another (starting
   * one would cancel the first).
   */
  async connect(): Promise<PendingConnect> {
    const pending = this.pendingConnect;
    if (pending && Date.parse(pending.expiresAt) > Date.now()) return pending;
    this.connectError = null;
    const flow = await call(commands.connectAccount);
    // The browser can finish the sign-in before this command's answer arrives (the simulator
    // consents at once): a flow that already ended must not come back as pending.
    if (!this.#finishedFlows.has(flow.flowId)) this.pendingConnect = flow;
    return flow;
  }

  async cancelConnect(): Promise<void> {
    const pending = this.pendingConnect;
    if (pending) this.#cancelledFlows.add(pending.flowId);
    this.pendingConnect = null;
    try {
      await call(commands.cancelConnect);
    } catch (e) {
      this.#toasts.fromError(toUiError(e));
    }
  }

  /** Subscribe to account changes (connect, sync, rename, remove…). Returns an unsubscribe. */
  onAccountsChanged(listener: (accountId: number | null) => void): () => void {
    this.#accountListeners.add(listener);
    return () => this.#accountListeners.delete(listener);
  }

  #accountsChanged(accountId: number | null): void {
    void this.refreshCurrentAccount();
    for (const listener of [...this.#accountListeners]) {
      try {
        listener(accountId);
      } catch (e) {
        console.warn('accounts listener failed', e);
      }
    }
  }

  #connectFinished(event: Extract<EngineEvent, { kind: 'connectFinished' }>): void {
    if (event.flowId !== null) this.#finishedFlows.add(event.flowId);
    const pending = this.pendingConnect;
    // An older flow's ending (e.g. replaced by a newer one) says nothing about the current one.
    const stale = pending !== null && event.flowId !== null && event.flowId !== pending.flowId;
    if (event.ok) {
      if (!stale) this.pendingConnect = null;
      this.connectError = null;
      this.#toasts.success(event.message || 'Account connected');
      this.#accountsChanged(event.account?.id ?? null);
      return;
    }
    if (stale) return;
    this.pendingConnect = null;
    const cancelledHere = event.flowId !== null && this.#cancelledFlows.delete(event.flowId);
    if (cancelledHere) return;
    this.connectError = { code: 'tiktok', message: event.message || 'Connecting failed.' };
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
      case 'postsChanged':
      case 'dropHover':
      case 'ingestProgress':
      case 'ingested':
      case 'publishProgress':
      case 'publishStateChanged':
      case 'analyticsChanged':
        // Pages that show posts, dropped files, publishing or numbers subscribe with `onPostEvent`.
        dispatchPostEvent(event);
        break;
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
      case 'accountsChanged':
        this.#accountsChanged(event.accountId);
        break;
      case 'connectFinished':
        this.#connectFinished(event);
        break;
      case 'dataReplaced':
        this.#dataReplaced(event.message);
        break;
    }
  }

  /** Everything shown came from the data that was replaced: load it all again. */
  #dataReplaced(message: string): void {
    this.dataGeneration += 1;
    this.pendingConnect = null;
    this.connectError = null;
    this.#toasts.success(message || 'Your data was replaced.');
    void this.load();
    this.#accountsChanged(null);
    dispatchPostEvent({ kind: 'postsChanged', postId: null, accountId: null });
  }
}

const [getApp, setApp] = createContext<AppStore>();

/** The `AppStore` provided by `App.svelte` (or a test harness). */
export const useApp = getApp;

/** The `AppStore` when one is provided, else null (a component rendered on its own in a test). */
export function maybeApp(): AppStore | null {
  try {
    return getApp();
  } catch {
    return null;
  }
}
export const provideApp = setApp;
