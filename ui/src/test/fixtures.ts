/** Defaults and builders for the fake backend's data: override any field. */
import type { AccountDto, AppInfo, PublishJob, Settings, TiktokConfigDto } from '../lib/bindings';
import type { CreatorInfoDto, VideoFacts } from '../lib/posts';

export const DEFAULT_INFO: AppInfo = {
  version: '0.1.0-test',
  dataDir: '/home/test/.local/share/tokdeck',
  logDir: '/home/test/.local/share/tokdeck/logs',
  tiktokMode: 'simulator',
  simulatorUrl: 'http://127.0.0.1:4790',
  trayAvailable: true,
  startupError: null,
  latestGoodBackup: null,
};

export const DEFAULT_SETTINGS: Settings = {
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
    // A real app's audit is unknown until the user says; the in-app simulator's app is audited.
    directPostAudit: clientKey ? 'unknown' : 'audited',
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
    isPrivate: null,
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

export function makeFacts(partial: Partial<VideoFacts> = {}): VideoFacts {
  return {
    container: 'mp4',
    codec: 'h264',
    codecTag: 'avc1',
    width: 1080,
    height: 1920,
    frameRate: 30,
    durationMs: 42_000,
    sizeBytes: 12 * 1024 * 1024,
    ...partial,
  };
}

export function makeCreator(partial: Partial<CreatorInfoDto> = {}): CreatorInfoDto {
  return {
    accountId: 1,
    nickname: 'Fake Creator',
    username: 'fake_creator',
    avatarUrl: null,
    privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
    commentDisabled: false,
    duetDisabled: false,
    stitchDisabled: false,
    maxVideoPostDurationSec: 300,
    canPost: true,
    cannotPostReason: null,
    ...partial,
  };
}

/** A publish job as the engine would keep it; override anything. */
export function makeJob(partial: Partial<PublishJob> = {}): PublishJob {
  return {
    postId: 1,
    accountId: 1,
    state: 'queued',
    publishId: null,
    uploadUrlExpiresAt: null,
    videoSize: null,
    chunkSize: null,
    totalChunks: null,
    confirmedBytes: 0,
    attempts: 0,
    nextRetryAt: null,
    retryable: false,
    outcomeUnknown: false,
    errorCode: null,
    errorMessage: null,
    logId: null,
    tiktokStatus: null,
    publicPostIds: null,
    createdAt: 0,
    updatedAt: 0,
    processingDeadlineAt: null,
    publicIdNextAt: null,
    publicIdUntil: null,
    ...partial,
  };
}
