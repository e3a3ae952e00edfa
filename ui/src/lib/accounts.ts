/**
 * Pure helpers of the Accounts page: the list query, merging pages and answers into the
 * loaded list, zone choices and the summary of a "Sync all".
 */
import type { AccountCheck, AccountDto, AccountQuery, AccountStatus } from './bindings';

export const ACCOUNTS_PAGE_SIZE = 20;

/** The query for one page of the list; empty filters are left out. */
export function accountQuery(
  search: string,
  status: AccountStatus | '',
  cursor?: string,
  limit = ACCOUNTS_PAGE_SIZE,
): AccountQuery {
  return {
    ...(search ? { search } : {}),
    ...(status ? { status } : {}),
    ...(cursor ? { cursor } : {}),
    limit,
  };
}

/** The next page appended, without the accounts already listed (the list may have shifted). */
export function appendPage(items: AccountDto[], page: AccountDto[]): AccountDto[] {
  const seen = new Set(items.map((a) => a.id));
  return [...items, ...page.filter((a) => !seen.has(a.id))];
}

/** One account replaced by a fresh copy, in place. */
export function replaceAccount(items: AccountDto[], account: AccountDto): AccountDto[] {
  return items.map((a) => (a.id === account.id ? account : a));
}

/** The new default in place; the previous default is no longer one. */
export function withDefault(items: AccountDto[], fresh: AccountDto): AccountDto[] {
  return items.map((x) =>
    x.id === fresh.id ? fresh : x.isDefault ? { ...x, isDefault: false } : x,
  );
}

/** The zones offered for an account: the list, plus its own zone first when not in it. */
export function zoneChoices(current: string | undefined, zones: string[]): string[] {
  return current && !zones.includes(current) ? [current, ...zones] : zones;
}

/** The toast after "Sync all". */
export function syncAllToast(results: AccountCheck[]): {
  kind: 'info' | 'success' | 'warning';
  message: string;
} {
  const failed = results.filter((r) => !r.ok).length;
  if (results.length === 0) return { kind: 'info', message: 'No accounts to sync' };
  if (failed === 0)
    return { kind: 'success', message: `Synced ${results.length} of ${results.length}` };
  return {
    kind: 'warning',
    message: `${failed} of ${results.length} accounts could not be synced`,
  };
}
