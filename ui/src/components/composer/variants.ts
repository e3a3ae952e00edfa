/**
 * "Post to other accounts too" (#15): the rules of per-account variants of one video, pure so
 * they are unit-tested without Svelte or the engine. A variant is a draft the engine made for
 * another account (`create_variants`); the creator edits its caption, audience, interactions,
 * cover and time, then schedules all of them at once or keeps them as drafts.
 */
import { minutesText } from '../../lib/slotsText';
import {
  BRANDED_NOT_PRIVATE,
  localInZone,
  MAX_CAPTION_UTF16,
  utf16Length,
  type CreatorInfoDto,
  type PostMode,
} from '../../lib/posts';

/** What happened to a variant the last time it was scheduled or saved. */
export type VariantState =
  | { kind: 'draft' }
  | { kind: 'working' }
  | { kind: 'scheduled'; at: string | null }
  | { kind: 'failed'; reason: string };

/** One account's variant as the composer edits it. */
export interface VariantRow {
  accountId: number;
  postId: number;
  caption: string;
  /** '' while none is chosen. */
  privacy: string;
  allowComment: boolean;
  allowDuet: boolean;
  allowStitch: boolean;
  coverMs: number | null;
  /** `YYYY-MM-DD` and `HH:MM` in `zone`; '' while not chosen. */
  date: string;
  time: string;
  zone: string;
  notes: string[];
  state: VariantState;
}

/** "Each account posts 30 min after the one before." */
export function staggerText(minutes: number): string {
  return minutes <= 0
    ? 'All accounts start at the same time as this post (no time between accounts).'
    : `Each account posts ${minutesText(minutes)} after the one before.`;
}

/**
 * The k-th variant's suggested instant (k from 1): the engine's when the source post had a
 * time, else the time chosen in the composer plus k staggers; null when there is no time yet.
 */
export function suggestedInstant(
  engine: string | null,
  base: string | null,
  k: number,
  staggerMinutes: number,
): string | null {
  if (engine) return engine;
  if (!base) return null;
  const t = Date.parse(base);
  if (Number.isNaN(t)) return null;
  return new Date(t + k * staggerMinutes * 60_000).toISOString();
}

/** The date and time fields of an instant in the account's zone ('' when none). */
export function localFields(instant: string | null, zone: string): { date: string; time: string } {
  if (!instant || !zone) return { date: '', time: '' };
  const local = localInZone(new Date(instant), zone);
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}

/**
 * TikTok's Direct Post rules: the creator must choose who can see each post themselves (no
 * default), from that account's own options; an inbox upload has no audience to choose.
 */
export function privacyRequired(mode: PostMode, privacy: string): boolean {
  return mode === 'direct' && !privacy;
}

/** A copied privacy level the account does not offer is dropped (chosen again by the creator). */
export function keptPrivacy(privacy: string | null, creator: CreatorInfoDto | null): string {
  if (!privacy || !creator) return '';
  return creator.privacyLevelOptions.includes(privacy) ? privacy : '';
}

export interface VariantCheck {
  mode: PostMode;
  creator: CreatorInfoDto | null;
  creatorError: string | null;
  durationMs: number;
  brandedActive: boolean;
}

/** Why this variant cannot be scheduled yet, most important first (empty: it can). */
export function variantBlockers(v: VariantRow, c: VariantCheck): string[] {
  const out: string[] = [];
  const direct = c.mode === 'direct';
  if (direct) {
    if (c.creatorError) out.push(c.creatorError);
    else if (!c.creator) out.push("Checking the account's TikTok settings…");
    else if (!c.creator.canPost)
      out.push(c.creator.cannotPostReason ?? 'TikTok says this account cannot post now.');
    const maxSec = c.creator?.maxVideoPostDurationSec ?? null;
    if (maxSec !== null && c.durationMs > maxSec * 1000)
      out.push(`This account can post videos up to ${maxSec} s.`);
  }
  const count = utf16Length(v.caption);
  if (count > MAX_CAPTION_UTF16)
    out.push(`The caption is ${count - MAX_CAPTION_UTF16} characters over TikTok's limit.`);
  if (privacyRequired(c.mode, v.privacy)) out.push('Choose who can see this copy.');
  if (direct && c.brandedActive && v.privacy === 'SELF_ONLY') out.push(BRANDED_NOT_PRIVATE);
  if (!v.date || !v.time) out.push('Choose a date and time.');
  return out;
}

/** The outcome of scheduling one variant (its post on success, the reason on failure). */
export type ScheduleResult =
  | { accountId: number; ok: true; at: string | null }
  | { accountId: number; ok: false; reason: string };

/** Each variant's new state after "Schedule all"; variants not in `results` keep theirs. */
export function applyResults(rows: VariantRow[], results: ScheduleResult[]): VariantRow[] {
  return rows.map((v) => {
    const r = results.find((x) => x.accountId === v.accountId);
    if (!r) return v;
    return {
      ...v,
      state: r.ok ? { kind: 'scheduled', at: r.at } : { kind: 'failed', reason: r.reason },
    };
  });
}

/** The line said after "Schedule all", in plain words. */
export function resultSummary(results: ScheduleResult[], title: (id: number) => string): string {
  const ok = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => !r.ok).map((r) => title(r.accountId));
  const done = ok === 1 ? '1 copy scheduled' : `${ok} copies scheduled`;
  if (failed.length === 0) return `${done}.`;
  return `${done}; not scheduled: ${failed.join(', ')}. Fix what is said there and try again.`;
}

/** The variants "Schedule all" still has to do (not scheduled yet, not being worked on). */
export function pending(rows: VariantRow[]): VariantRow[] {
  return rows.filter((v) => v.state.kind === 'draft' || v.state.kind === 'failed');
}

/**
 * The duplicate-content warning, said once: the same file is already scheduled or published
 * on other accounts (the engine's sentences, each once), or is about to be.
 */
export function duplicateWarning(found: string[], variantCount: number): string[] {
  const unique = [...new Set(found)];
  if (unique.length > 0 || variantCount === 0) return unique;
  return [
    'This same video will go to several accounts. TikTok treats identical uploads on several accounts as unoriginal content and may limit their reach; consider a different edit for each.',
  ];
}
