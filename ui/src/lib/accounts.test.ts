import { describe, expect, it } from 'vitest';
import type { AccountCheck, AccountDto } from './bindings';
import {
  accountQuery,
  appendPage,
  replaceAccount,
  syncAllToast,
  withDefault,
  zoneChoices,
} from './accounts';

const acc = (id: number, over: Partial<AccountDto> = {}) =>
  ({ id, title: `A${id}`, isDefault: false, ...over }) as AccountDto;
const check = (accountId: number, ok: boolean) =>
  ({ accountId, ok, title: '', message: '' }) as AccountCheck;

describe('accounts helpers', () => {
  it('builds the list query without empty filters', () => {
    expect(accountQuery('', '')).toEqual({ limit: 20 });
    expect(accountQuery('dana', 'active', 'c1')).toEqual({
      search: 'dana',
      status: 'active',
      cursor: 'c1',
      limit: 20,
    });
    expect(Object.keys(accountQuery('x', 'disconnected', 'c'))).toEqual([
      'search',
      'status',
      'cursor',
      'limit',
    ]);
  });

  it('appends a page without the accounts already listed', () => {
    expect(appendPage([acc(1), acc(2)], [acc(2), acc(3)]).map((a) => a.id)).toEqual([1, 2, 3]);
  });

  it('replaces one account in place', () => {
    const out = replaceAccount([acc(1), acc(2)], acc(2, { title: 'new' }));
    expect(out.map((a) => a.title)).toEqual(['A1', 'new']);
  });

  it('moves the default to the fresh account', () => {
    const out = withDefault(
      [acc(1, { isDefault: true }), acc(2), acc(3)],
      acc(2, { isDefault: true }),
    );
    expect(out.map((a) => a.isDefault)).toEqual([false, true, false]);
  });

  it('offers an unknown current zone first', () => {
    expect(zoneChoices(undefined, ['UTC'])).toEqual(['UTC']);
    expect(zoneChoices('UTC', ['UTC', 'Europe/Paris'])).toEqual(['UTC', 'Europe/Paris']);
    expect(zoneChoices('Mars/Base', ['UTC'])).toEqual(['Mars/Base', 'UTC']);
  });

  it('summarises Sync all', () => {
    expect(syncAllToast([])).toEqual({ kind: 'info', message: 'No accounts to sync' });
    expect(syncAllToast([check(1, true), check(2, true)])).toEqual({
      kind: 'success',
      message: 'Synced 2 of 2',
    });
    expect(syncAllToast([check(1, true), check(2, false), check(3, false)])).toEqual({
      kind: 'warning',
      message: '2 of 3 accounts could not be synced',
    });
  });
});
