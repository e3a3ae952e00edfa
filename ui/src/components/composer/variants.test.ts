import { describe, expect, it } from 'vitest';
import { makeCreator } from '../../test/fixtures';
import {
  applyResults,
  duplicateWarning,
  keptPrivacy,
  localFields,
  pending,
  privacyRequired,
  resultSummary,
  staggerText,
  suggestedInstant,
  variantBlockers,
  type ScheduleResult,
  type VariantRow,
} from './variants';

function row(over: Partial<VariantRow> = {}): VariantRow {
  return {
    accountId: 2,
    postId: 20,
    caption: 'Hello',
    privacy: 'SELF_ONLY',
    allowComment: false,
    allowDuet: false,
    allowStitch: false,
    coverMs: null,
    date: '2099-05-01',
    time: '10:30',
    zone: 'UTC',
    notes: [],
    state: { kind: 'draft' },
    ...over,
  };
}

const ready = {
  mode: 'direct' as const,
  creator: makeCreator(),
  creatorError: null,
  durationMs: 20_000,
  brandedActive: false,
};

describe('variants: stagger', () => {
  it('says the stagger in plain words', () => {
    expect(staggerText(30)).toBe('Each account posts 30 min after the one before.');
    expect(staggerText(90)).toBe('Each account posts 1 h 30 min after the one before.');
    expect(staggerText(0)).toContain('same time');
  });

  it("takes the engine's suggestion, else the composer's time plus k staggers", () => {
    expect(suggestedInstant('2099-05-01T11:00:00Z', null, 1, 30)).toBe('2099-05-01T11:00:00Z');
    expect(suggestedInstant(null, '2099-05-01T10:00:00Z', 1, 30)).toBe('2099-05-01T10:30:00.000Z');
    expect(suggestedInstant(null, '2099-05-01T10:00:00Z', 2, 30)).toBe('2099-05-01T11:00:00.000Z');
    expect(suggestedInstant(null, null, 1, 30)).toBeNull();
  });

  it("shows the time in the account's own zone", () => {
    expect(localFields('2099-05-01T10:30:00Z', 'America/New_York')).toEqual({
      date: '2099-05-01',
      time: '06:30',
    });
    expect(localFields(null, 'UTC')).toEqual({ date: '', time: '' });
  });
});

describe('variants: privacy', () => {
  it('must be chosen by the creator for a direct post, never for an inbox upload', () => {
    expect(privacyRequired('direct', '')).toBe(true);
    expect(privacyRequired('direct', 'SELF_ONLY')).toBe(false);
    expect(privacyRequired('inbox', '')).toBe(false);
  });

  it('keeps a copied audience only when that account offers it (no default otherwise)', () => {
    const friendsOnly = makeCreator({
      privacyLevelOptions: ['MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
    });
    expect(keptPrivacy('PUBLIC_TO_EVERYONE', friendsOnly)).toBe('');
    expect(keptPrivacy('SELF_ONLY', friendsOnly)).toBe('SELF_ONLY');
    expect(keptPrivacy(null, friendsOnly)).toBe('');
  });

  it('blocks a copy until its audience and time are chosen and the account can post', () => {
    expect(variantBlockers(row(), ready)).toEqual([]);
    expect(variantBlockers(row({ privacy: '' }), ready)).toEqual(['Choose who can see this copy.']);
    expect(variantBlockers(row({ time: '' }), ready)).toEqual(['Choose a date and time.']);
    expect(variantBlockers(row({ privacy: '' }), { ...ready, mode: 'inbox' })).toEqual([]);
    expect(
      variantBlockers(row(), {
        ...ready,
        creator: makeCreator({ canPost: false, cannotPostReason: 'Posting limit reached.' }),
      }),
    ).toEqual(['Posting limit reached.']);
    expect(variantBlockers(row(), { ...ready, brandedActive: true })[0]).toContain('Branded');
    expect(variantBlockers(row({ caption: 'a'.repeat(2201) }), ready)[0]).toContain(
      '1 characters over',
    );
  });
});

describe('variants: Schedule all', () => {
  const rows = [row({ accountId: 2 }), row({ accountId: 3 }), row({ accountId: 4 })];
  const results: ScheduleResult[] = [
    { accountId: 2, ok: true, at: '2099-05-01T10:30:00Z' },
    { accountId: 3, ok: false, reason: 'This account reached its 15 posts for the day.' },
  ];
  const title = (id: number) => `@acct${id}`;

  it('marks the scheduled ones and keeps a failed one listed with its reason', () => {
    const next = applyResults(rows, results);
    expect(next.map((v) => v.state.kind)).toEqual(['scheduled', 'failed', 'draft']);
    expect(next[1].state).toEqual({
      kind: 'failed',
      reason: 'This account reached its 15 posts for the day.',
    });
    // A retry does the failed one and the one not yet done, never the scheduled one again.
    expect(pending(next).map((v) => v.accountId)).toEqual([3, 4]);
  });

  it('sums up a partial failure in plain words', () => {
    expect(resultSummary(results, title)).toBe(
      '1 copy scheduled; not scheduled: @acct3. Fix what is said there and try again.',
    );
    expect(resultSummary([results[0], { ...results[0], accountId: 4 }], title)).toBe(
      '2 copies scheduled.',
    );
  });

  it('says the duplicate-content warning once', () => {
    const s = 'The same video is already published on @leo.';
    expect(duplicateWarning([s, s], 2)).toEqual([s]);
    expect(duplicateWarning([], 2)[0]).toContain('unoriginal');
    expect(duplicateWarning([], 0)).toEqual([]);
  });
});
