/**
 * Pure rules of the Queue page: which section a post is in, the publish step to show, upload
 * progress and the grouping per account (a finished post's TikTok link is the engine's).
 */
import type { PublishJob, PublishStep } from './bindings';
import type { CalendarItem, PostDto } from './posts';

export type Section = 'upcoming' | 'progress' | 'published' | 'attention';

export const SECTIONS: { key: Section | 'all'; label: string }[] = [
  { key: 'all', label: 'All' },
  { key: 'upcoming', label: 'Upcoming' },
  { key: 'progress', label: 'In progress' },
  { key: 'published', label: 'Published' },
  { key: 'attention', label: 'Needs attention / failed' },
];

export const STEP_LABELS: Record<PublishStep, string> = {
  queued: 'Queued',
  checking: 'Checking',
  initializing: 'Starting upload',
  uploading: 'Uploading',
  processing: 'Processing on TikTok',
  published: 'Published',
  failed: 'Failed',
  needs_attention: 'Needs attention',
};

/** Live state and bytes from `publishProgress` / `publishStateChanged`. */
export type LiveStep = {
  state: PublishStep;
  confirmed: number;
  /** Bytes sent, TikTok's answer not in yet (moves inside a chunk; at least `confirmed`). */
  sent: number;
  total: number;
  message: string | null;
};

// One page at a time keeps every search within the 2 ms budget; "Show more" asks for the next.
export const PAGE = 50;
export const FINISHED_PAGE = 25;
export const MAX_LIMIT = 200;
export const FINISHED: readonly string[] = ['published', 'failed', 'missed'];

/** Whether a full page came back for upcoming or finished posts (so more may exist). */
export function hasMore(
  items: readonly Pick<CalendarItem, 'status'>[],
  upcomingLimit: number,
  finishedLimit: number,
): boolean {
  return (
    (upcomingLimit < MAX_LIMIT &&
      items.filter((i) => !FINISHED.includes(i.status)).length >= upcomingLimit) ||
    (finishedLimit < MAX_LIMIT &&
      items.filter((i) => FINISHED.includes(i.status)).length >= finishedLimit)
  );
}

/** The publish state to show: live events first, then the job, then the post's status. */
export function stepOf(
  it: Pick<CalendarItem, 'status'>,
  live: LiveStep | undefined,
  job: PublishJob | null | undefined,
): PublishStep | null {
  if (live) return live.state;
  if (job) return job.state as PublishStep;
  if (it.status === 'published') return 'published';
  if (it.status === 'failed') return 'failed';
  if (it.status === 'queued') return 'queued';
  return null;
}

export function sectionOf(
  it: Pick<CalendarItem, 'status' | 'needsAttention'>,
  step: PublishStep | null,
  job: PublishJob | null | undefined,
): Section {
  if (it.needsAttention || step === 'failed' || step === 'needs_attention') return 'attention';
  if (it.status === 'missed' && !step) return 'attention';
  if (job?.outcomeUnknown) return 'attention';
  if (step === 'published') return 'published';
  if (step && step !== 'queued') return 'progress';
  if (it.status === 'publishing') return 'progress';
  return 'upcoming';
}

export function reasonOf(
  live: LiveStep | undefined,
  job: PublishJob | null | undefined,
): string | null {
  if (live?.message) return live.message;
  return job?.errorMessage ?? null;
}

export function percent(live: LiveStep | undefined, job: PublishJob | null | undefined): number {
  const total = live?.total || job?.videoSize || 0;
  const done = live ? Math.max(live.sent, live.confirmed) : (job?.confirmedBytes ?? 0);
  if (!total) return 0;
  return Math.min(100, Math.round((done / total) * 100));
}

/** What Check again found: TikTok's answer, not just that it was asked. */
export function checkedText(p: Pick<PostDto, 'status'>): string {
  if (p.status === 'published') return 'TikTok says it is posted';
  if (p.status === 'failed') return 'TikTok says it was not posted: retry or reschedule it';
  return 'TikTok has not finished with it yet: check again later';
}

export function countSections(
  items: readonly CalendarItem[],
  section: (it: CalendarItem) => Section,
): Record<Section | 'all', number> {
  const c: Record<Section | 'all', number> = {
    all: items.length,
    upcoming: 0,
    progress: 0,
    published: 0,
    attention: 0,
  };
  for (const it of items) c[section(it)]++;
  return c;
}

export type AccountGroup = { title: string; accountId: number; items: CalendarItem[] };

/** Items per account, accounts by title; each keeps the order it was given. */
export function groupByAccount(items: readonly CalendarItem[]): AccountGroup[] {
  const map: Record<number, AccountGroup> = {};
  for (const it of items)
    (map[it.accountId] ??= {
      title: it.accountTitle,
      accountId: it.accountId,
      items: [],
    }).items.push(it);
  return Object.values(map).sort((a, b) => a.title.localeCompare(b.title));
}

/** The start of a caption as a row shows it: its first line, at most 80 characters. */
export function captionStart(caption: string, max = 80): string {
  const line = (caption.split('\n').find((l) => l.trim()) ?? '').trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}
