/**
 * Fake Tokdeck backend for unit tests, built on Tauri's sanctioned `mockIPC`.
 *
 *     const backend = mockBackend({ info: { tiktokMode: 'tiktok' } });
 *     backend.handlers.update_settings = () => { throw { code: 'storage', message: 'Disk full' } };
 *     expect(backend.calls('update_settings')).toEqual([{ patch: … }]);
 */
import { mockIPC } from '@tauri-apps/api/mocks';
import type { InvokeArgs } from '@tauri-apps/api/core';
import { emit } from '@tauri-apps/api/event';
import {
  ENGINE_EVENT,
  type AccountCheck,
  type AccountDto,
  type AccountQuery,
  type AccountsSummary,
  type AppInfo,
  type AuditEntry,
  type AuditQuery,
  type EngineEvent,
  type PendingConnect,
  type Settings,
  type SettingsPatch,
  type TiktokConfigDto,
  type TiktokConfigPatch,
} from '../lib/bindings';

export const DEFAULT_INFO: AppInfo = {
  version: '0.1.0-test',
  dataDir: '/home/test/.local/share/tokdeck',
  logDir: '/home/test/.local/share/tokdeck/logs',
  tiktokMode: 'simulator',
  simulatorUrl: 'http://127.0.0.1:4790',
  trayAvailable: true,
  startupError: null,
};

export const DEFAULT_SETTINGS: Settings = {
  notificationsEnabled: true,
  launchAtLogin: false,
  publishingPaused: false,
  theme: 'system',
};

export const DEFAULT_SCOPES = [
  'user.info.basic',
  'user.info.profile',
  'user.info.stats',
  'video.list',
  'video.upload',
  'video.publish',
];

const LOOPBACK = 'http://127.0.0.1:*/callback/';
const DEEP_LINK = 'tokdeck://oauth/callback';

/** A TikTok config as the engine would describe it. */
export function makeTiktokConfig(partial: Partial<TiktokConfigDto> = {}): TiktokConfigDto {
  const clientKey = partial.clientKey ?? null;
  const redirectMode = partial.redirectMode ?? 'loopback';
  return {
    mode: clientKey ? 'tiktok' : 'simulator',
    clientKey,
    hasSecret: false,
    looksLikeSandbox: clientKey?.startsWith('sb') ?? false,
    redirectMode,
    redirectUriToRegister: redirectMode === 'loopback' ? LOOPBACK : DEEP_LINK,
    scopes: [...DEFAULT_SCOPES],
    defaultScopes: [...DEFAULT_SCOPES],
    apiBase: clientKey ? 'https://open.tiktokapis.com' : 'http://127.0.0.1:4790',
    problem: null,
    ...partial,
  };
}

let nextAccountId = 1;

/** An active account with plausible numbers; override anything. */
export function makeAccount(partial: Partial<AccountDto> = {}): AccountDto {
  const id = partial.id ?? nextAccountId++;
  const username = partial.username ?? `creator${id}`;
  const displayName = partial.displayName ?? `Creator ${id}`;
  const label = partial.label ?? '';
  const status = partial.status ?? 'active';
  return {
    id,
    openId: `open-${id}`,
    unionId: null,
    username,
    displayName,
    title: label || displayName || `@${username}`,
    handle: username ? `@${username}` : '',
    avatar: null,
    bio: '',
    profileUrl: null,
    verified: false,
    followerCount: 1200,
    followingCount: 10,
    likesCount: 5000,
    videoCount: 12,
    grantedScopes: [...DEFAULT_SCOPES],
    missingScopes: [],
    accessExpiresAt: '2030-01-01T00:00:00Z',
    refreshExpiresAt: '2030-06-01T00:00:00Z',
    refreshExpiresSoon: false,
    status,
    statusLabel:
      status === 'active'
        ? 'Connected'
        : status === 'needs_reconnect'
          ? 'Needs reconnect'
          : 'Disconnected',
    needsReconnect: status === 'needs_reconnect',
    lastSyncedAt: null,
    lastError: null,
    label,
    isDefault: false,
    isCurrent: false,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    removedAt: null,
    ...partial,
  };
}

type Handler = (args: InvokeArgs | undefined) => unknown;

const notFound = (id: number) => ({ code: 'not_found', message: `No account ${id}` });

export function mockBackend(
  opts: {
    info?: Partial<AppInfo>;
    settings?: Partial<Settings>;
    accounts?: AccountDto[];
    tiktok?: Partial<TiktokConfigDto>;
    audit?: AuditEntry[];
  } = {},
) {
  const info: AppInfo = { ...DEFAULT_INFO, ...opts.info };
  let settings: Settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  const log: { cmd: string; args: InvokeArgs | undefined }[] = [];
  /** Live accounts, in list order. Tests may push / splice. */
  const accounts: AccountDto[] = [...(opts.accounts ?? [])];
  let currentId: number | null = null;
  let pending: PendingConnect | null = null;
  let flowSeq = 0;
  let tiktok = makeTiktokConfig({
    clientKey: info.tiktokMode === 'tiktok' ? 'awkey123' : null,
    hasSecret: info.tiktokMode === 'tiktok',
    ...opts.tiktok,
  });
  const audit: AuditEntry[] = [...(opts.audit ?? [])];

  const find = (id: number) => {
    const a = accounts.find((x) => x.id === id);
    if (!a) throw notFound(id);
    return a;
  };
  const current = (): AccountDto | null => {
    const live = accounts.filter((a) => !a.removedAt);
    const a =
      live.find((x) => x.id === currentId) ?? live.find((x) => x.isDefault) ?? live[0] ?? null;
    return a ? { ...a, isCurrent: true } : null;
  };
  const replace = (next: AccountDto) => {
    const i = accounts.findIndex((a) => a.id === next.id);
    accounts[i] = next;
    return next;
  };
  const accountId = (args: InvokeArgs | undefined) => (args as { accountId: number }).accountId;

  const handlers: Record<string, Handler> = {
    app_info: () => info,
    get_settings: () => settings,
    update_settings: (args) => {
      const patch = (args as { patch: SettingsPatch }).patch;
      const next = { ...settings };
      for (const [k, v] of Object.entries(patch)) {
        if (v !== null) Object.assign(next, { [k]: v });
      }
      settings = next;
      return settings;
    },
    open_logs_folder: () => null,

    get_tiktok_config: () => tiktok,
    update_tiktok_config: (args) => {
      const patch = (args as { patch: TiktokConfigPatch }).patch;
      const clientKey =
        patch.clientKey === undefined ? tiktok.clientKey : patch.clientKey.trim() || null;
      const hasSecret =
        patch.clientSecret === undefined ? tiktok.hasSecret : patch.clientSecret.trim() !== '';
      tiktok = makeTiktokConfig({
        clientKey,
        hasSecret,
        redirectMode: patch.redirectMode ?? tiktok.redirectMode,
        scopes: patch.scopes ?? tiktok.scopes,
        problem: clientKey && !hasSecret ? 'Add the client secret of your TikTok app.' : null,
      });
      return tiktok;
    },

    connect_account: () => {
      flowSeq += 1;
      pending = {
        flowId: `flow-${flowSeq}`,
        authorizeUrl: `http://127.0.0.1:4790/v2/auth/authorize/?client_key=sim&state=s${flowSeq}`,
        redirectUri: 'http://127.0.0.1:51234/callback/',
        redirectMode: 'loopback',
        expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      };
      return pending;
    },
    cancel_connect: () => {
      const had = pending !== null;
      pending = null;
      return had;
    },
    pending_connect: () => pending,

    list_accounts: (args) => {
      const q = (args as { query: AccountQuery }).query;
      const needle = q.search?.toLowerCase() ?? '';
      const all = accounts.filter(
        (a) =>
          !a.removedAt &&
          (!q.status || a.status === q.status) &&
          (!needle ||
            [a.username, a.displayName, a.label].some((f) => f.toLowerCase().includes(needle))),
      );
      const start = q.cursor ? Number(q.cursor) : 0;
      const limit = q.limit ?? 20;
      const items = all.slice(start, start + limit).map((a) => ({
        ...a,
        isCurrent: a.id === current()?.id,
      }));
      const end = start + items.length;
      return { items, nextCursor: end < all.length ? String(end) : null };
    },
    get_account: (args) => find(accountId(args)),
    set_account_label: (args) => {
      const { label } = args as { label: string };
      const a = find(accountId(args));
      return replace({ ...a, label, title: label || a.displayName || a.handle });
    },
    set_default_account: (args) => {
      const id = accountId(args);
      find(id);
      for (const a of accounts) replace({ ...a, isDefault: a.id === id });
      return find(id);
    },
    set_current_account: (args) => {
      const id = accountId(args);
      find(id);
      currentId = id;
      return current();
    },
    get_current_account: () => current(),
    sync_account: (args) => {
      const a = find(accountId(args));
      return replace({ ...a, lastSyncedAt: new Date().toISOString(), lastError: null });
    },
    sync_all_accounts: (): AccountCheck[] =>
      accounts
        .filter((a) => a.status !== 'disconnected')
        .map((a) => ({
          accountId: a.id,
          title: a.title,
          ok: true,
          message: 'Up to date.',
          latencyMs: null,
        })),
    test_account_connection: (args): AccountCheck => {
      const a = find(accountId(args));
      return {
        accountId: a.id,
        title: a.title,
        ok: true,
        message: 'TikTok accepts it.',
        latencyMs: 42,
      };
    },
    accounts_summary: (): AccountsSummary => {
      const live = accounts.filter((a) => !a.removedAt);
      const sum = (f: (a: AccountDto) => number | null) =>
        live.reduce((n, a) => n + (f(a) ?? 0), 0);
      return {
        accounts: live.length,
        active: live.filter((a) => a.status === 'active').length,
        needsReconnect: live.filter((a) => a.status === 'needs_reconnect').length,
        totalFollowers: sum((a) => a.followerCount),
        totalLikes: sum((a) => a.likesCount),
        totalVideos: sum((a) => a.videoCount),
      };
    },
    remove_account: (args) => {
      const a = find(accountId(args));
      accounts.splice(accounts.indexOf(a), 1);
      return { ...a, removedAt: new Date().toISOString(), isDefault: false };
    },
    list_audit: (args) => {
      const q = (args as { query: AuditQuery }).query;
      return audit
        .filter(
          (e) =>
            (q.accountId === undefined || e.accountId === q.accountId) &&
            (!q.action || e.action.startsWith(q.action)) &&
            (!q.outcome || e.outcome === q.outcome),
        )
        .slice(0, q.limit ?? 100);
    },
  };

  mockIPC(
    (cmd, args) => {
      log.push({ cmd, args });
      const handler = handlers[cmd];
      if (!handler) throw { code: 'internal', message: `unmocked command ${cmd}` };
      return handler(args);
    },
    { shouldMockEvents: true },
  );

  return {
    handlers,
    calls: (cmd: string) => log.filter((c) => c.cmd === cmd).map((c) => c.args),
    get settings() {
      return settings;
    },
    get tiktok() {
      return tiktok;
    },
    get pending() {
      return pending;
    },
    accounts,
    audit,
    /** Send an engine event to the UI (as the Rust side would). */
    emit: (event: EngineEvent) => emit(ENGINE_EVENT, event),
  };
}

/** A promise you resolve / reject from the outside (to hold a command "in flight"). */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
