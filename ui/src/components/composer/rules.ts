/**
 * The composer's blocking rules (tiktok-api.md §7, TikTok's Direct Post UX guidelines): what
 * keeps a post from being scheduled, in the words the creator sees. Pure, so every rule is
 * unit-tested without Svelte or the engine.
 */
import {
  BRANDED_NOT_PRIVATE,
  DISCLOSURE_REQUIRED,
  formatDuration,
  LABEL_PAID,
  LABEL_PROMOTIONAL,
  MAX_CAPTION_UTF16,
  utf16Length,
  type CreatorInfoDto,
  type DstChoice,
  type LocalResolution,
  type PostMode,
} from '../../lib/posts';

type Creator = Pick<CreatorInfoDto, 'canPost' | 'cannotPostReason' | 'maxVideoPostDurationSec'>;

/**
 * creator_info governs Direct Post only: an inbox upload needs no creator_info (TikTok's inbox
 * init takes no post settings), so an account that cannot post directly — e.g. it did not
 * allow it — can still send to its inbox.
 */
export function cannotPost(
  mode: PostMode,
  creator: Creator | null,
  creatorError: { message: string } | null,
): boolean {
  return (
    mode === 'direct' && (creatorError !== null || (creator !== null && creator.canPost === false))
  );
}

export function cannotPostReason(
  creator: Creator | null,
  creatorError: { message: string } | null,
): string {
  return (
    creatorError?.message ??
    creator?.cannotPostReason ??
    'TikTok says this account cannot post now.'
  );
}

/** The video is longer than creator_info's max_video_post_duration_sec (none: no limit known). */
export function tooLong(durationMs: number, maxSec: number | null): boolean {
  return maxSec !== null && durationMs > maxSec * 1000;
}

export interface Disclosure {
  /** "This video promotes a brand, product or service" is on. */
  enabled: boolean;
  yourBrand: boolean;
  branded: boolean;
}

/** Branded content counts only while the disclosure switch is on. */
export function brandedActive(d: Disclosure): boolean {
  return d.enabled && d.branded;
}

/** Disclosure on but neither "Your brand" nor "Branded content" chosen (Direct Post only). */
export function disclosureIncomplete(mode: PostMode, d: Disclosure): boolean {
  return mode === 'direct' && d.enabled && !d.yourBrand && !d.branded;
}

/** The label TikTok will put on the post; null when there is none yet. */
export function disclosureLabel(d: Disclosure): string | null {
  return !d.enabled ? null : d.branded ? LABEL_PAID : d.yourBrand ? LABEL_PROMOTIONAL : null;
}

/** The instant the chosen wall-clock time means, once it is unambiguous. */
export function chosenInstant(
  resolution: LocalResolution | null,
  dst: DstChoice | null,
): string | null {
  if (!resolution) return null;
  if (resolution.kind === 'unique') return resolution.instant;
  if (!dst) return null;
  if (resolution.kind === 'ambiguous')
    return dst === 'earlier' ? resolution.earlier : resolution.later;
  return dst === 'earlier' ? resolution.before : resolution.after;
}

export function isInPast(publishNow: boolean, instant: string | null, nowMs: number): boolean {
  return !publishNow && instant !== null && Date.parse(instant) <= nowMs;
}

export interface ComposeInput {
  accountId: number | null;
  creator: Creator | null;
  creatorError: { message: string } | null;
  creatorLoading: boolean;
  mode: PostMode;
  durationMs: number;
  caption: string;
  /** The chosen privacy level; '' while none is chosen. */
  privacy: string;
  disclosure: Disclosure;
  publishNow: boolean;
  /** `YYYY-MM-DD` and `HH:MM`; '' while not chosen. */
  date: string;
  time: string;
  resolution: LocalResolution | null;
  resolveError: string | null;
  dst: DstChoice | null;
  inPast: boolean;
}

/** Why the post cannot be scheduled yet, most important first (empty: it can). */
export function blockers(i: ComposeInput): string[] {
  const out: string[] = [];
  const direct = i.mode === 'direct';
  if (i.accountId === null) out.push('Choose the account to post to.');
  else if (i.creatorLoading || (!i.creator && !i.creatorError))
    out.push("Checking the account's TikTok settings…");
  if (cannotPost(i.mode, i.creator, i.creatorError))
    out.push(cannotPostReason(i.creator, i.creatorError));
  if (disclosureIncomplete(i.mode, i.disclosure)) out.push(DISCLOSURE_REQUIRED);
  const maxSec = i.creator?.maxVideoPostDurationSec ?? null;
  if (tooLong(i.durationMs, maxSec) && maxSec !== null)
    out.push(
      `The video is ${formatDuration(i.durationMs)} long; this account can post videos up to ${maxSec} s.`,
    );
  const count = utf16Length(i.caption);
  if (count > MAX_CAPTION_UTF16)
    out.push(`The caption is ${count - MAX_CAPTION_UTF16} characters over TikTok's limit.`);
  if (direct && !i.privacy) out.push('Choose who can see this post.');
  if (direct && brandedActive(i.disclosure) && i.privacy === 'SELF_ONLY')
    out.push(BRANDED_NOT_PRIVATE);
  if (!i.publishNow) {
    if (!i.date || !i.time) out.push('Choose a date and time, or Publish now.');
    else if (i.resolveError) out.push(i.resolveError);
    else if (i.resolution && i.resolution.kind !== 'unique' && !i.dst)
      out.push('Choose which of the two times you mean.');
    else if (i.inPast)
      out.push('That time has already passed. Choose a later time or Publish now.');
  }
  return out;
}
