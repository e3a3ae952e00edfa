/**
 * Posts, media and creator rules: helpers around the generated post DTOs and commands
 * (`./bindings`), the engine's post events, and TikTok's required wording (tiktok-api.md §7).
 */
import type { CalendarItem, EngineEvent, PostStatus, VideoFacts } from './bindings';

export type {
  CalendarItem,
  CalendarRange,
  CapWarning,
  ComposePatch,
  CreatorInfoDto,
  DstChoice,
  IngestResult,
  LocalResolution,
  PostDto,
  PostMode,
  PostStatus,
  QueueQuery,
  ScheduleOutcome,
  VideoFacts,
  Violation,
  When,
} from './bindings';

/** Engine events about posts, dropped files, publishing and their numbers (analytics). */
export type PostEvent = Extract<
  EngineEvent,
  {
    kind:
      | 'postsChanged'
      | 'dropHover'
      | 'ingestProgress'
      | 'ingested'
      | 'publishProgress'
      | 'publishStateChanged'
      | 'analyticsChanged';
  }
>;

// ---------------------------------------------------------------------------------------------
// Post events: `AppStore.handleEvent` forwards them here; pages subscribe without context.

type Listener = (event: PostEvent) => void;
const listeners = new Set<Listener>();

export function onPostEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function dispatchPostEvent(event: PostEvent): void {
  for (const l of [...listeners]) {
    try {
      l(event);
    } catch (e) {
      console.warn('post event listener failed', e);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// TikTok's rules and wording (tiktok-api.md §7)

export const MAX_CAPTION_UTF16 = 2200;

/** Caption length in UTF-16 code units (what TikTok counts); JS string length is exactly that. */
export function utf16Length(text: string): number {
  return text.length;
}

export const PRIVACY_LABELS: Record<string, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};

export function privacyLabel(option: string): string {
  return PRIVACY_LABELS[option] ?? option;
}

export const DISCLOSURE_REQUIRED =
  'You need to indicate if your content promotes yourself, a third party, or both.';
export const BRANDED_NOT_PRIVATE = 'Branded content visibility cannot be set to private.';
export const BRANDED_DISABLED_PRIVATE =
  'Branded content cannot be private. Choose another audience than "Only me" to mark it as branded content.';
export const LABEL_PROMOTIONAL = "Your photo/video will be labeled as 'Promotional content'";
export const LABEL_PAID = "Your photo/video will be labeled as 'Paid partnership'";
export const MUSIC_URL = 'https://www.tiktok.com/legal/page/global/music-usage-confirmation/en';
export const BC_POLICY_URL = 'https://www.tiktok.com/legal/page/global/bc-policy/en';
export const PROCESSING_NOTE =
  'After publishing, it can take a few minutes for the post to appear on your profile.';

/** Split a caption into plain text and `#hashtag` / `@mention` tokens (for highlighting). */
export type CaptionPart = { text: string; kind: 'text' | 'hashtag' | 'mention' };
export function captionParts(text: string): CaptionPart[] {
  const parts: CaptionPart[] = [];
  const re = /(^|[\s])([#@][^\s#@]+)/gu;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const start = (m.index ?? 0) + m[1].length;
    if (start > last) parts.push({ text: text.slice(last, start), kind: 'text' });
    const token = m[2];
    parts.push({ text: token, kind: token.startsWith('#') ? 'hashtag' : 'mention' });
    last = start + token.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), kind: 'text' });
  return parts;
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return `${m}:${String(rest).padStart(2, '0')} min`;
}

export function describeFacts(f: VideoFacts): string {
  const mb = f.sizeBytes / (1024 * 1024);
  return [
    f.container.toUpperCase(),
    f.codecTag || f.codec,
    `${f.width}×${f.height}`,
    `${Math.round(f.frameRate * 100) / 100} fps`,
    formatDuration(f.durationMs),
    mb >= 1024 ? `${(mb / 1024).toFixed(2)} GB` : `${mb.toFixed(1)} MB`,
  ].join(' · ');
}

/** A stable colour for an account (same id → same hue, spread around the wheel). */
export function accountColor(accountId: number): string {
  const hue = Math.round((accountId * 137.508) % 360);
  return `hsl(${hue} 65% 45%)`;
}

export const STATUS_LABELS: Record<PostStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  needs_attention: 'Needs attention',
  cancelled: 'Cancelled',
  queued: 'Queued',
  publishing: 'Publishing',
  published: 'Published',
  failed: 'Failed',
  missed: 'Missed',
};

type QueuedItem = Pick<
  CalendarItem,
  'id' | 'accountId' | 'status' | 'scheduledAt' | 'paused' | 'needsAttention'
>;

/**
 * Why a due post has not started, or `null` when it is not waiting for another publish. The engine publishes two
 * posts at once and one per account; a due post waits (it is never marked missed for that) and
 * starts as soon as a slot frees. `all` is what the view knows of the other posts.
 */
export function waitingNote(
  it: QueuedItem,
  all: readonly Pick<QueuedItem, 'id' | 'accountId' | 'status'>[],
  now: number,
): string | null {
  if (it.status !== 'scheduled' || it.paused || it.needsAttention) return null;
  if (!(Date.parse(it.scheduledAt) <= now)) return null;
  const publishing = all.filter((p) => p.id !== it.id && p.status === 'publishing');
  if (publishing.some((p) => p.accountId === it.accountId))
    return 'Waiting — another post of this account is publishing';
  const n = publishing.length;
  // Nothing publishing: it starts at the scheduler's next look (or publishing is paused).
  if (n === 0) return null;
  return `Waiting — ${n} post${n === 1 ? ' is' : 's are'} publishing`;
}

// ---------------------------------------------------------------------------------------------
// Zone-aware date helpers (no library: Intl does the zone maths)

/** One wall-clock formatter per zone (building one costs far more than using it). */
const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DDTHH:MM` of an instant in `zone`. */
export function localInZone(instant: Date, zone: string): string {
  let f = wallClocks.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    wallClocks.set(zone, f);
  }
  const parts = f.formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

export function formatInstant(iso: string, zone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** Add days to a `YYYY-MM-DD` key (calendar arithmetic, zone-free). */
export function addDays(key: string, days: number): string {
  const [y, m, d] = key.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** Monday of the week containing `key`. */
export function mondayOf(key: string): string {
  const [y, m, d] = key.split('-').map(Number);
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(key, -((dow + 6) % 7));
}
