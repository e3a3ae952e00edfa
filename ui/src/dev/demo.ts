/**
 * Dev-only fake engine so the UI can be seen in a plain browser: `npm run dev`, then open
 * http://localhost:1420/?demo (add `&tiktok` for real-TikTok mode, `&accounts` for sample accounts). Never part of a build.
 */
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AccountDto, AccountStatus, AppInfo, Settings, SettingsPatch } from '../lib/bindings';

const DEFAULT_SCOPES = [
  'user.info.basic',
  'user.info.profile',
  'user.info.stats',
  'video.list',
  'video.upload',
  'video.publish',
];

export function installDemoBackend(params: URLSearchParams): void {
  const info: AppInfo = {
    version: '0.0.0-demo',
    dataDir: '~/.local/share/tokdeck',
    logDir: '~/.local/share/tokdeck/logs',
    tiktokMode: params.has('tiktok') ? 'tiktok' : 'simulator',
    simulatorUrl: params.has('tiktok') ? null : 'http://127.0.0.1:7171',
    trayAvailable: true,
    startupError: params.has('broken')
      ? { code: 'storage', message: 'The database is damaged. Tokdeck left it untouched.' }
      : null,
    latestGoodBackup: null,
  };
  let settings: Settings = {
    notificationsEnabled: true,
    notifyPublished: true,
    notifyFailed: true,
    notifyNeedsAttention: true,
    notifyMissed: true,
    notifyAccount: true,
    launchAtLogin: false,
    publishingPaused: false,
    theme: 'system',
    weekStart: 'auto',
  };
  // `&accounts`: a few sample cards to look at (nothing can be changed).
  const demoAccounts: AccountDto[] = params.has('accounts')
    ? [
        sample(1, 'mia.makes', 'Mia Makes', 'active', 12_345, { isDefault: true, label: 'Brand' }),
        sample(2, 'dailyjo', 'Jo Daily', 'active', 1_250_000, { refreshExpiresSoon: true }),
        sample(3, 'old.acct', 'Old Account', 'needs_reconnect', 830, {
          lastError: 'TikTok no longer accepts this sign-in: reconnect the account.',
        }),
      ]
    : [];
  mockIPC(
    (cmd, args) => {
      switch (cmd) {
        case 'app_info':
          return info;
        case 'get_settings':
          return settings;
        case 'update_settings': {
          const patch = (args as { patch: SettingsPatch }).patch;
          if (params.has('fail')) throw { code: 'storage', message: 'Demo: saving is failing' };
          const next = { ...settings };
          for (const [k, v] of Object.entries(patch))
            if (v !== null) Object.assign(next, { [k]: v });
          settings = next;
          return settings;
        }
        case 'open_logs_folder':
          return null;
        // Accounts: an empty engine (connecting needs the real app).
        case 'list_accounts':
          return { items: demoAccounts, nextCursor: null };
        case 'accounts_summary':
          return {
            accounts: demoAccounts.length,
            active: demoAccounts.filter((a) => a.status === 'active').length,
            needsReconnect: demoAccounts.filter((a) => a.needsReconnect).length,
            totalFollowers: demoAccounts.reduce((n, a) => n + (a.followerCount ?? 0), 0),
            totalLikes: demoAccounts.reduce((n, a) => n + (a.likesCount ?? 0), 0),
            totalVideos: demoAccounts.reduce((n, a) => n + (a.videoCount ?? 0), 0),
          };
        case 'get_current_account':
          return demoAccounts[0] ?? null;
        case 'pending_connect':
          return null;
        case 'list_audit':
          return [];
        case 'get_tiktok_config':
          return {
            mode: info.tiktokMode,
            clientKey: params.has('tiktok') ? 'awdemokey' : null,
            hasSecret: params.has('tiktok'),
            looksLikeSandbox: false,
            redirectMode: 'loopback',
            redirectUriToRegister: 'http://127.0.0.1:*/callback/',
            scopes: DEFAULT_SCOPES,
            defaultScopes: DEFAULT_SCOPES,
            apiBase: info.simulatorUrl ?? 'https://open.tiktokapis.com',
            problem: null,
          };
        // Posts: an empty calendar and queue (importing videos needs the real app).
        case 'system_time_zone':
          return Intl.DateTimeFormat().resolvedOptions().timeZone;
        case 'list_time_zones':
          return ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
        case 'calendar_month':
        case 'calendar_week':
        case 'calendar_days': {
          const { zone } = args as { zone: string };
          return { zone, start: '', end: '', items: [], days: [], perDayLimit: null };
        }
        case 'queue':
        case 'list_trash':
          return [];
        case 'pick_videos':
        case 'pick_video_folder':
        case 'ingest_paths':
          throw { code: 'unavailable', message: 'Demo: importing videos needs the Tokdeck app' };
        case 'set_current_account':
          return demoAccounts.find((a) => a.id === (args as { accountId: number }).accountId);
        default:
          throw { code: 'unavailable', message: `Demo backend has no ${cmd}` };
      }
    },
    { shouldMockEvents: true },
  );
}

function sample(
  id: number,
  username: string,
  displayName: string,
  status: AccountStatus,
  followers: number,
  extra: Partial<AccountDto> = {},
): AccountDto {
  const label = extra.label ?? '';
  return {
    id,
    openId: `demo-${id}`,
    unionId: null,
    username,
    displayName,
    title: label || displayName,
    handle: `@${username}`,
    avatar: null,
    bio: '',
    profileUrl: null,
    verified: id === 1,
    isPrivate: id === 3,
    followerCount: followers,
    followingCount: 12,
    likesCount: followers * 9,
    videoCount: 40 + id,
    grantedScopes: DEFAULT_SCOPES,
    missingScopes: [],
    accessExpiresAt: null,
    refreshExpiresAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    refreshExpiresSoon: false,
    status,
    statusLabel: status,
    needsReconnect: status === 'needs_reconnect',
    lastSyncedAt: new Date(Date.now() - id * 3_600_000).toISOString(),
    lastError: null,
    label,
    isDefault: false,
    isCurrent: id === 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    removedAt: null,
    ...extra,
  };
}
