import { describe, expect, it } from 'vitest';
import {
  BRANDED_NOT_PRIVATE,
  DISCLOSURE_REQUIRED,
  LABEL_PAID,
  LABEL_PROMOTIONAL,
} from '../../lib/posts';
import {
  blockers,
  brandedActive,
  cannotPost,
  cannotPostReason,
  chosenInstant,
  disclosureIncomplete,
  disclosureLabel,
  isInPast,
  tooLong,
  type ComposeInput,
} from './rules';

const creator = { canPost: true, cannotPostReason: null, maxVideoPostDurationSec: 600 };
const off = { enabled: false, yourBrand: false, branded: false };

/** A post that can be scheduled: every rule satisfied. */
function ready(over: Partial<ComposeInput> = {}): ComposeInput {
  return {
    accountId: 1,
    creator,
    creatorError: null,
    creatorLoading: false,
    mode: 'direct',
    durationMs: 30_000,
    caption: 'hello #tag',
    privacy: 'PUBLIC_TO_EVERYONE',
    disclosure: off,
    publishNow: false,
    date: '2030-05-01',
    time: '09:30',
    resolution: { kind: 'unique', instant: '2030-05-01T07:30:00Z' },
    resolveError: null,
    dst: null,
    inPast: false,
    ...over,
  };
}

describe('composer blockers', () => {
  it('lets a complete post through', () => {
    expect(blockers(ready())).toEqual([]);
    expect(blockers(ready({ publishNow: true, date: '', time: '', resolution: null }))).toEqual([]);
  });

  it('needs an account, then waits for creator_info', () => {
    expect(blockers(ready({ accountId: null, creator: null }))).toEqual([
      'Choose the account to post to.',
    ]);
    const checking = "Checking the account's TikTok settings…";
    expect(blockers(ready({ creatorLoading: true }))).toEqual([checking]);
    expect(blockers(ready({ creator: null }))).toEqual([checking]);
  });

  it('stops a Direct Post the creator cannot make, with TikTok reason first', () => {
    const no = { ...creator, canPost: false, cannotPostReason: 'Too many posts today.' };
    expect(blockers(ready({ creator: no }))).toEqual(['Too many posts today.']);
    expect(blockers(ready({ creator: { ...no, cannotPostReason: null } }))).toEqual([
      'TikTok says this account cannot post now.',
    ]);
    expect(
      blockers(ready({ creator: null, creatorError: { message: 'Reconnect first.' } })),
    ).toEqual(['Reconnect first.']);
  });

  it('lets an inbox upload through whatever creator_info says (no privacy needed)', () => {
    const no = { ...creator, canPost: false, cannotPostReason: 'No.' };
    expect(blockers(ready({ mode: 'inbox', creator: no, privacy: '' }))).toEqual([]);
    expect(
      blockers(ready({ mode: 'inbox', creator: null, creatorError: { message: 'x' } })),
    ).toEqual([]);
  });

  it('needs a privacy level for a Direct Post (no default)', () => {
    expect(blockers(ready({ privacy: '' }))).toEqual(['Choose who can see this post.']);
  });

  it('needs "Your brand" or "Branded content" once disclosure is on', () => {
    expect(blockers(ready({ disclosure: { ...off, enabled: true } }))).toEqual([
      DISCLOSURE_REQUIRED,
    ]);
    for (const d of [
      { enabled: true, yourBrand: true, branded: false },
      { enabled: true, yourBrand: false, branded: true },
      { enabled: true, yourBrand: true, branded: true },
      { enabled: false, yourBrand: false, branded: true },
    ])
      expect(blockers(ready({ disclosure: d }))).toEqual([]);
    expect(blockers(ready({ mode: 'inbox', disclosure: { ...off, enabled: true } }))).toEqual([]);
  });

  it('refuses branded content as "Only me"', () => {
    const branded = { enabled: true, yourBrand: false, branded: true };
    expect(blockers(ready({ disclosure: branded, privacy: 'SELF_ONLY' }))).toEqual([
      BRANDED_NOT_PRIVATE,
    ]);
    // Only while the disclosure switch is on, and only for a Direct Post.
    expect(
      blockers(ready({ disclosure: { ...branded, enabled: false }, privacy: 'SELF_ONLY' })),
    ).toEqual([]);
    expect(blockers(ready({ mode: 'inbox', disclosure: branded, privacy: 'SELF_ONLY' }))).toEqual(
      [],
    );
    expect(
      blockers(
        ready({
          disclosure: { ...branded, yourBrand: true, branded: false },
          privacy: 'SELF_ONLY',
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a video longer than max_video_post_duration_sec', () => {
    const c60 = { ...creator, maxVideoPostDurationSec: 60 };
    expect(blockers(ready({ creator: c60, durationMs: 61_000 }))).toEqual([
      'The video is 1:01 min long; this account can post videos up to 60 s.',
    ]);
    expect(blockers(ready({ creator: c60, durationMs: 60_000 }))).toEqual([]);
    expect(
      blockers(ready({ creator: { ...c60, maxVideoPostDurationSec: null }, durationMs: 9e6 })),
    ).toEqual([]);
  });

  it('refuses a caption over 2200 UTF-16 units', () => {
    expect(blockers(ready({ caption: 'a'.repeat(2200) }))).toEqual([]);
    expect(blockers(ready({ caption: 'a'.repeat(2199) + '😀' }))).toEqual([
      "The caption is 1 characters over TikTok's limit.",
    ]);
  });

  it('needs a date and time unless publishing now', () => {
    const need = 'Choose a date and time, or Publish now.';
    expect(blockers(ready({ date: '', resolution: null }))).toEqual([need]);
    expect(blockers(ready({ time: '', resolution: null }))).toEqual([need]);
  });

  it('shows why the time could not be resolved', () => {
    expect(blockers(ready({ resolution: null, resolveError: 'Unknown time zone.' }))).toEqual([
      'Unknown time zone.',
    ]);
  });

  it('needs a choice for a skipped or repeated time', () => {
    const choose = 'Choose which of the two times you mean.';
    const gap = { kind: 'nonexistent', before: 'a', after: 'b' } as const;
    const overlap = { kind: 'ambiguous', earlier: 'a', later: 'b' } as const;
    expect(blockers(ready({ resolution: gap }))).toEqual([choose]);
    expect(blockers(ready({ resolution: overlap }))).toEqual([choose]);
    expect(blockers(ready({ resolution: overlap, dst: 'later' }))).toEqual([]);
  });

  it('refuses a time in the past', () => {
    expect(blockers(ready({ inPast: true }))).toEqual([
      'That time has already passed. Choose a later time or Publish now.',
    ]);
    expect(blockers(ready({ inPast: true, publishNow: true }))).toEqual([]);
  });

  it('lists every reason, most important first', () => {
    expect(
      blockers(
        ready({
          creator: { canPost: false, cannotPostReason: 'No.', maxVideoPostDurationSec: 10 },
          disclosure: { ...off, enabled: true },
          durationMs: 20_000,
          caption: 'a'.repeat(2201),
          privacy: '',
          date: '',
        }),
      ),
    ).toEqual([
      'No.',
      DISCLOSURE_REQUIRED,
      'The video is 20 s long; this account can post videos up to 10 s.',
      "The caption is 1 characters over TikTok's limit.",
      'Choose who can see this post.',
      'Choose a date and time, or Publish now.',
    ]);
  });
});

describe('composer rule helpers', () => {
  it('cannotPost is about Direct Post only', () => {
    const no = { ...creator, canPost: false };
    expect(cannotPost('direct', no, null)).toBe(true);
    expect(cannotPost('direct', null, { message: 'x' })).toBe(true);
    expect(cannotPost('direct', creator, null)).toBe(false);
    expect(cannotPost('direct', null, null)).toBe(false);
    expect(cannotPost('inbox', no, { message: 'x' })).toBe(false);
  });

  it('cannotPostReason prefers the error, then TikTok reason', () => {
    expect(cannotPostReason({ ...creator, cannotPostReason: 'r' }, { message: 'e' })).toBe('e');
    expect(cannotPostReason({ ...creator, cannotPostReason: 'r' }, null)).toBe('r');
    expect(cannotPostReason(null, null)).toBe('TikTok says this account cannot post now.');
  });

  it('tooLong compares milliseconds with the limit in seconds', () => {
    expect(tooLong(60_001, 60)).toBe(true);
    expect(tooLong(60_000, 60)).toBe(false);
    expect(tooLong(1e9, null)).toBe(false);
  });

  it('disclosure: active branding, incompleteness and the label TikTok adds', () => {
    expect(brandedActive({ enabled: true, yourBrand: false, branded: true })).toBe(true);
    expect(brandedActive({ enabled: false, yourBrand: false, branded: true })).toBe(false);
    expect(disclosureIncomplete('direct', { ...off, enabled: true })).toBe(true);
    expect(disclosureIncomplete('inbox', { ...off, enabled: true })).toBe(false);
    expect(disclosureLabel(off)).toBeNull();
    expect(disclosureLabel({ ...off, enabled: true })).toBeNull();
    expect(disclosureLabel({ enabled: true, yourBrand: true, branded: false })).toBe(
      LABEL_PROMOTIONAL,
    );
    expect(disclosureLabel({ enabled: true, yourBrand: false, branded: true })).toBe(LABEL_PAID);
    expect(disclosureLabel({ enabled: true, yourBrand: true, branded: true })).toBe(LABEL_PAID);
    expect(disclosureLabel({ enabled: false, yourBrand: true, branded: true })).toBeNull();
  });

  it('chosenInstant picks the side of a clock change the creator chose', () => {
    expect(chosenInstant(null, 'earlier')).toBeNull();
    expect(chosenInstant({ kind: 'unique', instant: 'u' }, null)).toBe('u');
    const overlap = { kind: 'ambiguous', earlier: 'e', later: 'l' } as const;
    const gap = { kind: 'nonexistent', before: 'b', after: 'a' } as const;
    expect(chosenInstant(overlap, null)).toBeNull();
    expect(chosenInstant(overlap, 'earlier')).toBe('e');
    expect(chosenInstant(overlap, 'later')).toBe('l');
    expect(chosenInstant(gap, 'earlier')).toBe('b');
    expect(chosenInstant(gap, 'later')).toBe('a');
  });

  it('isInPast counts "now" as past and ignores Publish now', () => {
    const t = Date.parse('2030-01-01T00:00:00Z');
    expect(isInPast(false, '2030-01-01T00:00:00Z', t)).toBe(true);
    expect(isInPast(false, '2030-01-01T00:00:01Z', t)).toBe(false);
    expect(isInPast(true, '2000-01-01T00:00:00Z', t)).toBe(false);
    expect(isInPast(false, null, t)).toBe(false);
  });
});
