import { describe, expect, it } from 'vitest';
import { makePost } from '../test/backend';
import { draftItem } from '../test/draftsBackend';
import {
  accountOption,
  composeEntries,
  draftCount,
  draftTitle,
  validFilter,
  type DraftAccount,
} from './drafts';

const account = (partial: Partial<DraftAccount> = {}): DraftAccount => ({
  id: 1,
  title: 'Travel',
  handle: '@leo',
  label: 'Travel',
  avatar: null,
  status: 'active',
  removed: false,
  drafts: 3,
  ...partial,
});

describe('drafts', () => {
  it('names a draft by its caption, else its file', () => {
    expect(draftTitle({ caption: 'Sunset #travel', fileName: 'a.mp4' })).toBe('Sunset #travel');
    expect(draftTitle({ caption: '  ', fileName: 'a.mp4' })).toBe('a.mp4');
  });

  it('names accounts in the filter with their handle, count and removal', () => {
    expect(accountOption(account())).toBe('Travel (@leo) · 3');
    expect(accountOption(account({ title: '@leo', drafts: 1, removed: true }))).toBe(
      '@leo — removed · 1',
    );
    expect(draftCount(1)).toBe('1 draft');
    expect(draftCount(0)).toBe('0 drafts');
  });

  it('drops a filter whose account has no drafts left', () => {
    const list = { items: [], accounts: [account({ id: 4 })], total: 3 };
    expect(validFilter(list, 4)).toBe(4);
    expect(validFilter(list, 5)).toBeNull();
    expect(validFilter(list, null)).toBeNull();
  });

  it('lists every draft of the library, then what was opened here that is not a draft', () => {
    const old = makePost({ id: 1, mediaPath: '/v/old.mp4' });
    const fresh = makePost({ id: 2, mediaPath: '/v/new.mp4', accountId: 2 });
    const scheduled = makePost({ id: 3, mediaPath: '/v/s.mp4', status: 'scheduled' });
    const entries = composeEntries(
      [draftItem(fresh), draftItem(old, [{ kind: 'file_missing', message: 'gone' }])],
      [scheduled, { ...fresh, status: 'scheduled' }],
    );
    expect(entries).toEqual([
      { id: 2, name: 'new.mp4', status: 'scheduled', accountId: 2, problems: 0 },
      { id: 1, name: 'old.mp4', status: 'draft', accountId: 1, problems: 1 },
      { id: 3, name: 's.mp4', status: 'scheduled', accountId: 1, problems: 0 },
    ]);
  });
});
