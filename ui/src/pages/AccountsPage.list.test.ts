import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import type { AccountPage, AuditEntry } from '../lib/bindings';
import { deferred, makeAccount, mockBackend } from '../test/backend';
import { card, cards, openAccounts, resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

describe('list', () => {
  it('searches after a 200 ms pause, with the whole search string', async () => {
    const backend = mockBackend({
      accounts: [
        makeAccount({ openId: 'ali', username: 'alice' }),
        makeAccount({ openId: 'bob', username: 'bob' }),
      ],
    });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(2));

    await user.type(screen.getByTestId('accounts-search'), 'ali');
    // Debounced: nothing sent while typing.
    expect(
      backend.calls('list_accounts').filter((q) => JSON.stringify(q).includes('search')),
    ).toEqual([]);

    await waitFor(() => expect(cards()).toHaveLength(1));
    const searches = backend
      .calls('list_accounts')
      .map((a) => (a as { query: { search?: string } }).query.search)
      .filter(Boolean);
    expect(searches).toEqual(['ali']);
    expect(card('ali').getByTestId('account-handle')).toHaveTextContent('@alice');
  });

  it('filters by status', async () => {
    const backend = mockBackend({
      accounts: [
        makeAccount({ openId: 'ok' }),
        makeAccount({ openId: 'bad', status: 'needs_reconnect' }),
      ],
    });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(2));
    await user.selectOptions(screen.getByTestId('accounts-status-filter'), 'needs_reconnect');
    await waitFor(() => expect(cards()).toHaveLength(1));
    expect(backend.calls('list_accounts').at(-1)).toEqual({
      query: { status: 'needs_reconnect', limit: 20 },
    });
  });

  it('Load more asks for the next page with the cursor and appends it', async () => {
    const accounts = Array.from({ length: 25 }, (_, i) => makeAccount({ openId: `p${i}` }));
    const backend = mockBackend({ accounts });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(20));

    await user.click(screen.getByTestId('accounts-load-more'));

    await waitFor(() => expect(cards()).toHaveLength(25));
    expect(backend.calls('list_accounts').at(-1)).toEqual({ query: { cursor: '20', limit: 20 } });
    expect(screen.queryByTestId('accounts-load-more')).not.toBeInTheDocument();
  });

  it('shows skeletons while loading, then an error banner whose Retry reloads', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ openId: 'r' })] });
    const first = deferred<AccountPage>();
    backend.handlers.list_accounts = () => first.promise;
    await openAccounts();
    expect(await screen.findByTestId('accounts-loading')).toBeInTheDocument();

    first.reject({ code: 'storage', message: 'The database is locked' });
    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent("Couldn't load your accounts");
    expect(banner).toHaveTextContent('The database is locked');
    expect(screen.queryByTestId('accounts-loading')).not.toBeInTheDocument();

    backend.handlers.list_accounts = () => ({ items: [backend.accounts[0]], nextCursor: null });
    await userEvent.setup().click(within(banner).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(cards()).toHaveLength(1));
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('summary row shows totals, and Sync all lists per-account results', async () => {
    const backend = mockBackend({
      accounts: [
        makeAccount({ id: 1, openId: 'a', followerCount: 10_000, likesCount: 2_000_000 }),
        makeAccount({ id: 2, openId: 'b', followerCount: 2_500, status: 'needs_reconnect' }),
      ],
    });
    backend.handlers.sync_all_accounts = () => [
      { accountId: 1, title: 'Creator A', ok: true, message: 'Up to date.', latencyMs: null },
      {
        accountId: 2,
        title: 'Creator B',
        ok: false,
        message: 'Reconnect this account.',
        latencyMs: null,
      },
    ];
    const user = await openAccounts();
    const summary = await screen.findByTestId('accounts-summary');
    expect(within(summary).getByTestId('summary-accounts')).toHaveTextContent('2');
    expect(within(summary).getByTestId('summary-active')).toHaveTextContent('1');
    expect(within(summary).getByTestId('summary-followers')).toHaveTextContent('12.5K');

    await user.click(within(summary).getByTestId('sync-all'));

    expect(backend.calls('sync_all_accounts')).toHaveLength(1);
    const results = await screen.findAllByTestId('sync-result');
    expect(results).toHaveLength(2);
    expect(results[1]).toHaveAttribute('data-ok', 'false');
    expect(results[1]).toHaveTextContent('Reconnect this account.');
  });

  it('no matches offers to clear the filters', async () => {
    mockBackend({ accounts: [makeAccount({ openId: 'a', username: 'zed' })] });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));
    await user.type(screen.getByTestId('accounts-search'), 'nobody');
    expect(await screen.findByTestId('accounts-no-match')).toHaveTextContent('nobody');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(cards()).toHaveLength(1));
  });
});

describe('activity log', () => {
  const entries: AuditEntry[] = [
    {
      id: 2,
      at: '2025-11-23T10:05:00Z',
      accountId: 1,
      action: 'account.sync',
      outcome: 'error',
      detail: 'rate limited',
    },
    {
      id: 1,
      at: '2025-11-23T10:00:00Z',
      accountId: 1,
      action: 'account.connect',
      outcome: 'ok',
      detail: 'scopes user.info.basic',
    },
  ];

  it('lists entries with coloured outcomes and filters through listAudit', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1, openId: 'a', username: 'ana' })],
      audit: entries,
    });
    const user = await openAccounts('#/accounts/activity');
    const log = await screen.findByTestId('audit-log');
    await waitFor(() => expect(within(log).getAllByTestId('audit-row')).toHaveLength(2));
    const first = within(log).getAllByTestId('audit-row')[0];
    expect(first).toHaveTextContent('@ana');
    // In plain words: never the action id or the raw outcome.
    expect(first).toHaveTextContent('Synced an account');
    expect(first).not.toHaveTextContent('account.sync');
    expect(first).toHaveTextContent('rate limited');
    expect(within(first).getByTestId('audit-outcome')).toHaveClass('outcome-error');
    expect(within(first).getByTestId('audit-outcome')).toHaveTextContent('Failed');
    const second = within(log).getAllByTestId('audit-row')[1];
    expect(second).toHaveTextContent('Connected an account');
    expect(second).toHaveTextContent('1 permission');
    expect(second).not.toHaveTextContent('user.info.basic');

    await user.selectOptions(within(log).getByTestId('audit-filter-outcome'), 'ok');
    await waitFor(() => expect(within(log).getAllByTestId('audit-row')).toHaveLength(1));
    expect(backend.calls('list_audit').at(-1)).toEqual({ query: { outcome: 'ok', limit: 100 } });

    await user.selectOptions(within(log).getByTestId('audit-filter-action'), 'account.connect');
    await user.selectOptions(within(log).getByTestId('audit-filter-account'), '1');
    expect(backend.calls('list_audit').at(-1)).toEqual({
      query: { accountId: 1, action: 'account.connect', outcome: 'ok', limit: 100 },
    });
  });

  it('is reachable from the Activity log tab', async () => {
    mockBackend();
    const user = await openAccounts();
    await user.click(screen.getByTestId('tab-activity'));
    expect(await screen.findByTestId('audit-log')).toBeInTheDocument();
    expect(window.location.hash).toBe('#/accounts/activity');
    expect(await screen.findByTestId('audit-empty')).toBeInTheDocument();
  });
});

describe('header account switcher', () => {
  it('shows the current account, lists active accounts and switches', async () => {
    const backend = mockBackend({
      accounts: [
        makeAccount({ id: 1, openId: 'a', displayName: 'Ana', username: 'ana' }),
        makeAccount({ id: 2, openId: 'b', displayName: 'Bo', username: 'bo' }),
        makeAccount({ id: 3, openId: 'c', displayName: 'Cy', status: 'needs_reconnect' }),
      ],
    });
    const user = await openAccounts();
    // The placeholder is replaced once the current account is known.
    await waitFor(() => expect(screen.getByTestId('account-switcher')).toHaveTextContent('Ana'));
    const switcher = screen.getByTestId('account-switcher');

    await user.click(switcher);
    const options = await screen.findAllByTestId('account-switcher-option');
    expect(options.map((o) => o.textContent)).toEqual([
      expect.stringContaining('Ana'),
      expect.stringContaining('Bo'),
    ]);
    expect(backend.calls('list_accounts')).toContainEqual({
      query: { status: 'active', limit: 50 },
    });
    expect(options[0]).toHaveAttribute('aria-checked', 'true');

    await user.click(options[1]);

    expect(backend.calls('set_current_account')).toEqual([{ accountId: 2 }]);
    await waitFor(() => expect(screen.getByTestId('account-switcher')).toHaveTextContent('Bo'));
    expect(screen.queryByTestId('account-switcher-option')).not.toBeInTheDocument();
  });

  it('closes with Escape and follows account events', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ id: 1, displayName: 'Ana' })] });
    const user = await openAccounts();
    // The placeholder is replaced once the current account is known.
    await waitFor(() => expect(screen.getByTestId('account-switcher')).toHaveTextContent('Ana'));
    const switcher = screen.getByTestId('account-switcher');
    await user.click(switcher);
    await screen.findAllByTestId('account-switcher-option');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('account-switcher-option')).not.toBeInTheDocument();

    // A label is the account's name everywhere, the header included (as on its card and in
    // the composer), not the TikTok display name.
    backend.accounts[0] = { ...backend.accounts[0], label: 'Brand deals', title: 'Brand deals' };
    await backend.emit({ kind: 'accountsChanged', accountId: 1 });
    await waitFor(() =>
      expect(screen.getByTestId('account-switcher-name')).toHaveTextContent('Brand deals'),
    );
    expect(screen.getByTestId('account-switcher-name')).not.toHaveTextContent('Ana');
  });
});

describe('default time zone per account', () => {
  it('shows each account’s zone and sets it with the searchable picker, or resets it', async () => {
    const backend = mockBackend({
      accounts: [
        makeAccount({ id: 1, openId: 'o1', displayName: 'Ana' }),
        makeAccount({ id: 2, openId: 'o2', displayName: 'Bo' }),
      ],
      zone: 'UTC',
      accountZones: { 2: 'Europe/Berlin' },
    });
    const user = await openAccounts();
    const cell = (openId: string) =>
      document
        .querySelector(`[data-testid="account-card"][data-open-id="${openId}"]`)!
        .closest('.cell')! as HTMLElement;
    const picker = (openId: string) =>
      cell(openId).querySelector<HTMLButtonElement>('[data-testid="account-zone-picker"]')!;
    await waitFor(() => expect(picker('o1')).toHaveAttribute('data-zone', 'UTC'));
    await waitFor(() => expect(picker('o2')).toHaveAttribute('data-zone', 'Europe/Berlin'));
    // Said as people say it, never a tz id; no flat list of every zone.
    expect(picker('o2')).toHaveTextContent('Berlin (GMT');
    expect(cell('o1').querySelector('select')).toBeNull();

    // The composer's picker: search a city, pick it.
    await user.click(picker('o1'));
    const search = within(cell('o1')).getByTestId('account-zone-picker-search');
    await user.type(search, 'new york');
    const option = within(cell('o1')).getAllByTestId('account-zone-picker-option')[0];
    expect(option).toHaveAttribute('data-zone', 'America/New_York');
    await user.click(option);
    await waitFor(() =>
      expect(backend.calls('set_account_time_zone')).toEqual([
        { accountId: 1, zone: 'America/New_York' },
      ]),
    );
    expect(backend.accountZones[1]).toBe('America/New_York');
    await waitFor(() => expect(picker('o1')).toHaveAttribute('data-zone', 'America/New_York'));

    // The zone picked last comes first next time, on another card too.
    await user.click(picker('o2'));
    const first = within(cell('o2')).getAllByTestId('account-zone-picker-option')[0];
    expect(first).toHaveAttribute('data-zone', 'America/New_York');
    await user.keyboard('{Escape}');

    const reset = within(cell('o2')).getByTestId('account-zone-reset');
    await user.click(reset);
    await waitFor(() => expect(picker('o2')).toHaveAttribute('data-zone', 'UTC'));
    expect(backend.calls('set_account_time_zone').at(-1)).toEqual({ accountId: 2, zone: null });
    expect(backend.accountZones[2]).toBeUndefined();
  });
});
