/** The Analytics page's reads over IPC. */
import { commands, type AccountDto, type AccountSeries } from '../../lib/bindings';
import { call } from '../../lib/ipc';

/** Every connected or signed-out account (removed ones have no page of their own here). */
export async function allAccounts(): Promise<AccountDto[]> {
  const out: AccountDto[] = [];
  let cursor: string | undefined;
  // The engine answers 50 a page.
  for (let i = 0; i < 100; i++) {
    const page = await call(() =>
      commands.listAccounts({ limit: 50, ...(cursor ? { cursor } : {}) }),
    );
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** Each account's whole series, in the accounts' order. */
export function allSeries(accounts: AccountDto[]): Promise<AccountSeries[]> {
  return Promise.all(accounts.map((a) => call(() => commands.accountSeries(a.id, null, null))));
}
