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

/**
 * A zone as a creator reads it: "UTC" rather than `Etc/UTC`, "UTC+05:00" rather than
 * `Etc/GMT-5` (whose sign is inverted by convention), spaces rather than underscores.
 */
export function zoneText(zone: string): string {
  if (/^(Etc\/)?(UTC|UCT|GMT|Zulu|Universal|Greenwich)(0|[+-]0)?$/.test(zone)) return 'UTC';
  const etc = /^Etc\/GMT([+-])(\d{1,2})$/.exec(zone);
  if (etc) {
    const sign = etc[1] === '+' ? '−' : '+';
    return `UTC${sign}${etc[2].padStart(2, '0')}:00`;
  }
  return zone.replaceAll('_', ' ');
}
