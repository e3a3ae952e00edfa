/** Pure helpers of the Disconnected list (removed accounts). */
import type { AccountDto } from '../../lib/bindings';

/** Whether a removed account matches the page's search, as the engine matches live ones:
 * case-insensitive, in the username, display name or label, a leading `@` ignored. */
export function matchesSearch(account: AccountDto, search: string): boolean {
  const needle = search.trim().toLowerCase().replace(/^@/, '');
  if (!needle) return true;
  return [account.username, account.displayName, account.label].some((s) =>
    s.toLowerCase().includes(needle),
  );
}
