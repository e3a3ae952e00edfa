/**
 * Fake Tokdeck backend for unit tests, built on Tauri's sanctioned `mockIPC`.
 *
 *     const backend = mockBackend({ info: { tiktokMode: 'tiktok' } });
 *     backend.handlers.update_settings = () => { throw { code: 'storage', message: 'Disk full' } };
 *     expect(backend.calls('update_settings')).toEqual([{ patch: … }]);
 */
import { mockIPC } from '@tauri-apps/api/mocks';
import { onTiktokOf } from './onTiktok';
import type { InvokeArgs } from '@tauri-apps/api/core';
import { emit } from '@tauri-apps/api/event';
import {
  ENGINE_EVENT,
  type DraftProblem,
  type AccountCheck,
  type AccountDto,
  type AccountQuery,
  type AccountsSummary,
  type AppInfo,
  type AuditEntry,
  type AuditQuery,
  type EngineEvent,
  type PendingConnect,
  type PublishAttempt,
  type PublishJob,
  type Settings,
  type SettingsPatch,
  type TiktokConfigDto,
  type TiktokConfigPatch,
  type TrashItem,
} from '../lib/bindings';
import type {
  CalendarItem,
  CapWarning,
  ComposePatch,
  CreatorInfoDto,
  IngestResult,
  LocalResolution,
  PostDto,
  QueueQuery,
  When,
} from '../lib/posts';
import {
  DEFAULT_INFO,
  DEFAULT_SETTINGS,
  makeCreator,
  makeFacts,
  makeTiktokConfig,
} from './fixtures';
import { backupHandlers, makeBackups } from './backupBackend';
import { calendarHandlers } from './calendarBackend';
import { makePlanning, planningHandlers } from './planningBackend';
import { draftHandlers } from './draftsBackend';
import { publishDecisionHandlers, settingsPageHandlers, trashHandlers } from './postActionsBackend';

export {
  DEFAULT_INFO,
  DEFAULT_SCOPES,
  DEFAULT_SETTINGS,
  makeAccount,
  makeCreator,
  makeFacts,
  makeJob,
  makeTiktokConfig,
} from './fixtures';
export { deferred } from './deferred';

let nextPostId = 100;

export function makePost(partial: Partial<PostDto> = {}): PostDto {
  return {
    id: partial.id ?? nextPostId++,
    accountId: 1,
    status: 'draft',
    mode: 'direct',
    caption: '',
    privacyLevel: null,
    allowComment: false,
    allowDuet: false,
    allowStitch: false,
    commercial: { enabled: false, yourBrand: false, brandedContent: false },
    isAigc: false,
    coverTimestampMs: null,
    mediaPath: '/videos/clip.mp4',
    media: makeFacts(),
    fingerprint: { size: 12582912, mtimeMs: 0, headSha256: 'aa', tailSha256: 'bb' },
    thumbnailPath: null,
    scheduledAt: null,
    scheduleZone: null,
    scheduleLocalChosen: null,
    scheduleLocal: null,
    publishNow: false,
    consentAt: null,
    attentionReason: null,
    pausedReason: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...partial,
  };
}

export function makeItem(partial: Partial<CalendarItem> = {}): CalendarItem {
  const local = partial.local ?? '2026-03-10T09:30';
  return {
    id: partial.id ?? nextPostId++,
    accountId: 1,
    accountTitle: 'Creator 1',
    status: 'scheduled',
    mode: 'direct',
    caption: 'A scheduled post',
    thumbnailPath: null,
    scheduledAt: `${local}:00Z`,
    local,
    postZone: 'UTC',
    postLocal: local,
    paused: false,
    needsAttention: false,
    updatedAt: '2026-03-01T08:00:00.000Z',
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
    /** creator_info per account id (default: `makeCreator()`). */
    creators?: Record<number, CreatorInfoDto>;
    posts?: PostDto[];
    items?: CalendarItem[];
    /** Publish jobs per post id (none: `publish_job` answers null). */
    jobs?: Record<number, PublishJob>;
    /** Publish attempts per post id. */
    history?: Record<number, PublishAttempt[]>;
    zone?: string;
    /** Default zones set per account id (others answer `zone`). */
    accountZones?: Record<number, string>;
  } = {},
) {
  const info: AppInfo = { ...DEFAULT_INFO, ...opts.info };
  let settings: Settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  const log: { cmd: string; args: InvokeArgs | undefined }[] = [];
  /** Live accounts, in list order. Tests may push / splice. */
  const accounts: AccountDto[] = [...(opts.accounts ?? [])];
  let currentId: number | null = null;
  /** Removed accounts, newest first (the Disconnected list). */
  const removedAccounts: AccountDto[] = [];
  let pending: PendingConnect | null = null;
  let flowSeq = 0;
  let tiktok = makeTiktokConfig({
    clientKey: info.tiktokMode === 'tiktok' ? 'awkey123' : null,
    hasSecret: info.tiktokMode === 'tiktok',
    ...opts.tiktok,
  });
  const audit: AuditEntry[] = [...(opts.audit ?? [])];
  const creators: Record<number, CreatorInfoDto> = { ...opts.creators };
  const posts: PostDto[] = [...(opts.posts ?? [])];
  /** What calendar and queue answer (tests push / edit). */
  const items: CalendarItem[] = [...(opts.items ?? [])];
  const jobs: Record<number, PublishJob> = { ...opts.jobs };
  const trash: TrashItem[] = [];
  const history: Record<number, PublishAttempt[]> = { ...opts.history };
  const zone = opts.zone ?? 'UTC';
  let recentZones: string[] = [];
  /** What probing finds per path (default: a valid video). */
  const files: Record<string, Pick<IngestResult, 'facts' | 'violations' | 'error'>> = {};
  let pickPaths: string[] = [];
  let pickFile: string | null = null;
  const accountZones: Record<number, string> = { ...opts.accountZones };
  /** Warnings the next schedule answers with. */
  let scheduleWarnings: CapWarning[] = [];
  const findPost = (id: number) => {
    const p = posts.find((x) => x.id === id);
    if (!p) throw { code: 'not_found', message: `No post ${id}` };
    return p;
  };
  const putPost = (next: PostDto) => {
    const i = posts.findIndex((p) => p.id === next.id);
    if (i < 0) posts.push(next);
    else posts[i] = next;
    return next;
  };
  /** Probe a file and, when it is acceptable and an account is given, make its draft. */
  const ingest = (path: string, acct: number | null): IngestResult => {
    const found = files[path] ?? { facts: makeFacts(), violations: [], error: null };
    const ok = found.facts !== null && found.error === null && found.violations.length === 0;
    const draft =
      ok && acct !== null
        ? putPost(makePost({ accountId: acct, mediaPath: path, media: found.facts! }))
        : null;
    return { path, ...found, accountId: acct, draftId: draft?.id ?? null };
  };
  const postId = (args: InvokeArgs | undefined) => (args as { postId: number }).postId;
  /** Like the engine's month: every day's count, at most `perDayLimit` posts listed per day. */
  let perDayLimit = 3;
  const limited = (list: CalendarItem[]) => {
    const count: Record<string, number> = {};
    const listed = list.filter((x) => {
      const d = x.local.slice(0, 10);
      count[d] = (count[d] ?? 0) + 1;
      return count[d] <= perDayLimit;
    });
    return {
      items: listed,
      days: Object.entries(count).map(([date, n]) => ({ date, count: n })),
      perDayLimit,
    };
  };
  const whenLocal = (when: When) => (when.kind === 'at' ? when.local : null);

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

  /** The problems the drafts library lists per draft id (tests set them). */
  const draftProblems: Record<number, DraftProblem[]> = {};
  const backups = makeBackups();
  const planning = makePlanning();
  const handlers: Record<string, Handler> = {
    ...backupHandlers(backups),
    ...draftHandlers(posts, accounts, draftProblems),
    ...calendarHandlers(items),
    ...planningHandlers(planning),
    app_info: () => info,
    ...settingsPageHandlers(),
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
        ...(patch.directPostAudit !== undefined
          ? { directPostAudit: patch.directPostAudit }
          : clientKey === tiktok.clientKey
            ? { directPostAudit: tiktok.directPostAudit }
            : {}),
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
      const gone: AccountDto = {
        ...a,
        removedAt: new Date().toISOString(),
        isDefault: false,
        status: 'disconnected',
      };
      removedAccounts.unshift(gone);
      return gone;
    },
    list_removed_accounts: () => [...removedAccounts, ...accounts.filter((a) => a.removedAt)],
    creator_info: (args) =>
      creators[accountId(args)] ?? makeCreator({ accountId: accountId(args) }),
    ingest_paths: (args) => {
      const { paths, accountId: acct } = args as { paths: string[]; accountId: number | null };
      return paths.map((p) => ingest(p, acct));
    },
    pick_videos: (args) => pickPaths.map((p) => ingest(p, accountId(args))),
    pick_video_folder: (args) => pickPaths.map((p) => ingest(p, accountId(args))),
    get_post: (args) => findPost(postId(args)),
    update_post: (args) => {
      const patch = (args as { patch: ComposePatch }).patch;
      const next = { ...findPost(postId(args)) };
      for (const [k, v] of Object.entries(patch)) {
        if (v !== null && v !== undefined) Object.assign(next, { [k]: v });
      }
      return putPost(next);
    },
    schedule_post: (args) => {
      const when = (args as { when: When }).when;
      const local = whenLocal(when);
      const post = putPost({
        ...findPost(postId(args)),
        status: 'scheduled',
        publishNow: when.kind === 'now',
        scheduleLocal: local,
        scheduleLocalChosen: local,
        scheduleZone: when.kind === 'at' ? (when.zone ?? zone) : null,
        scheduledAt: local ? `${local}:00Z` : new Date().toISOString(),
      });
      return { post, warnings: scheduleWarnings };
    },
    reschedule_post: (args) => {
      const when = (args as { when: When }).when;
      const id = postId(args);
      const local = whenLocal(when);
      const i = items.findIndex((x) => x.id === id);
      if (i >= 0 && local) items[i] = { ...items[i], local, postLocal: local };
      const post = makePost({ id, status: 'scheduled', scheduleLocal: local });
      return { post, warnings: [] };
    },
    duplicate_post: (args) => {
      const { accountIds } = args as { accountIds: number[] };
      const source = findPost(postId(args));
      return accountIds.map((acct) => ({
        // As the engine: a scheduled source gives scheduled copies, any other a draft.
        post: putPost(
          makePost({
            ...source,
            id: nextPostId++,
            accountId: acct,
            status: source.status === 'scheduled' ? 'scheduled' : 'draft',
          }),
        ),
        warnings: [],
      }));
    },
    cancel_post: (args) => putPost({ ...findPost(postId(args)), status: 'cancelled' }),
    ...trashHandlers(trash, findPost, putPost, postId),
    delete_post: (args) => {
      const id = postId(args);
      // To Trash, as the engine does: the post stays (Undo finds it), the lists lose it.
      const i = posts.findIndex((p) => p.id === id);
      if (i >= 0) posts[i] = { ...posts[i], status: 'cancelled' };
      const j = items.findIndex((x) => x.id === id);
      if (j >= 0) items.splice(j, 1);
      return null;
    },
    relink_post_media: (args) => {
      const id = postId(args);
      const j = items.findIndex((x) => x.id === id);
      if (j >= 0) items[j] = { ...items[j], needsAttention: false, status: 'scheduled' };
      const { newPath } = args as { newPath: string };
      return putPost(makePost({ id, mediaPath: newPath, status: 'scheduled' }));
    },
    calendar_month: (args) => {
      const { year, month, zone: z } = args as { year: number; month: number; zone: string };
      const prefix = `${year}-${String(month).padStart(2, '0')}`;
      const acct = (args as { accountId: number | null }).accountId;
      return {
        zone: z,
        start: `${prefix}-01T00:00:00Z`,
        end: `${prefix}-28T00:00:00Z`,
        ...limited(
          items.filter((x) => x.local.startsWith(prefix) && (acct == null || x.accountId === acct)),
        ),
      };
    },
    calendar_week: (args) => {
      const { date, zone: z } = args as { date: string; zone: string };
      const acct = (args as { accountId: number | null }).accountId;
      const [y, m, d] = date.split('-').map(Number);
      const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
      const monday = Date.UTC(y, m - 1, d - ((dow + 6) % 7));
      const key = (t: number) => new Date(t).toISOString().slice(0, 10);
      const start = key(monday);
      const end = key(monday + 7 * 86_400_000);
      return {
        zone: z,
        start: `${start}T00:00:00Z`,
        end: `${end}T00:00:00Z`,
        items: items.filter((x) => {
          const k = x.local.slice(0, 10);
          return k >= start && k < end && (acct == null || x.accountId === acct);
        }),
        days: [],
        perDayLimit: null,
      };
    },
    queue: (args) => {
      const q = (args as { query: QueueQuery }).query;
      const needle = q.search?.toLowerCase() ?? '';
      const matching = items.filter(
        (x) =>
          (!needle || x.caption.toLowerCase().includes(needle)) &&
          (q.accountId == null || x.accountId === q.accountId),
      );
      // Like the engine: up to `limit` upcoming posts, then up to `finishedLimit` finished ones.
      const finished = (x: CalendarItem) => ['published', 'failed', 'missed'].includes(x.status);
      return [
        ...matching.filter((x) => !finished(x)).slice(0, q.limit ?? 50),
        ...matching.filter(finished).slice(0, q.finishedLimit ?? 0),
      ];
    },
    system_time_zone: () => zone,
    list_time_zones: () => ['UTC', 'Europe/London', 'America/New_York', 'Europe/Berlin'],
    recent_time_zones: () => recentZones,
    remember_time_zone: (args) => {
      const a = args as { zone: string };
      return (recentZones = [a.zone, ...recentZones.filter((z) => z !== a.zone)].slice(0, 5));
    },
    thumbnail_base_url: () => 'http://127.0.0.1:4791/thumb/t0ken/',
    pick_video_file: () => pickFile,
    get_account_time_zone: (args) => accountZones[accountId(args)] ?? zone,
    set_account_time_zone: (args) => {
      const { accountId: id, zone: z } = args as { accountId: number; zone: string | null };
      if (z) accountZones[id] = z;
      else delete accountZones[id];
      return accountZones[id] ?? zone;
    },
    resolve_local_time: (args): LocalResolution => {
      const { local } = args as { local: string };
      return { kind: 'unique', instant: new Date(`${local}:00Z`).toISOString() };
    },
    publish_job: (args) => jobs[postId(args)] ?? null,
    publish_history: (args) => history[postId(args)] ?? [],
    on_tiktok: (args) => {
      const id = postId(args);
      const job = jobs[id];
      const username = accounts.find((a) => a.id === job?.accountId)?.username ?? '';
      return onTiktokOf(
        id,
        job,
        posts.find((p) => p.id === id),
        username,
      );
    },
    open_on_tiktok: () => null,
    ...publishDecisionHandlers(jobs, findPost, putPost, postId),
    media_preview_url: (args) => `http://127.0.0.1:4791/media/${postId(args)}`,
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
    backups,
    planning,
    creators,
    posts,
    draftProblems,
    items,
    jobs,
    trash,
    history,
    files,
    /** Paths the "Choose videos…" dialog returns. */
    setPick: (paths: string[]) => (pickPaths = paths),
    /** The path the one-file picker returns (null: cancelled). */
    setPickFile: (path: string | null) => (pickFile = path),
    accountZones,
    setScheduleWarnings: (w: CapWarning[]) => (scheduleWarnings = w),
    setPerDayLimit: (n: number) => (perDayLimit = n),
    /** Send an engine event to the UI (as the Rust side would). */
    emit: (event: EngineEvent) => emit(ENGINE_EVENT, event),
  };
}
