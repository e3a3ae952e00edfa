import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/svelte';
import { makeAccount, mockBackend } from '../test/backend';
import { card, cards, openAccounts, resetAppBetweenTests } from '../test/pages';
import { actionText, detailText, outcomeText } from '../components/accounts/activity';
import { matchesSearch } from '../components/accounts/removed';

resetAppBetweenTests();

const removedRows = () => screen.queryAllByTestId('removed-account');

describe('removed accounts (Disconnected)', () => {
  it('a removed account stays listed under Disconnected, and Reconnect starts a connect', async () => {
    const backend = mockBackend({
      accounts: [
        makeAccount({ id: 1, openId: 'leo', username: 'leo_travels', displayName: 'Leo' }),
        makeAccount({ id: 2, openId: 'maya', username: 'maya.makes' }),
      ],
    });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(2));
    expect(screen.queryByTestId('removed-accounts')).not.toBeInTheDocument();

    await user.click(card('leo').getByTestId('account-remove'));
    await user.click(await screen.findByTestId('confirm-remove-yes'));

    await waitFor(() => expect(removedRows()).toHaveLength(1));
    expect(cards()).toHaveLength(1);
    const section = screen.getByTestId('removed-accounts');
    expect(section).toHaveTextContent('Disconnected');
    expect(removedRows()[0]).toHaveTextContent('@leo_travels');
    // The toast names the place and button that bring it back, both real.
    expect(await screen.findByTestId('toast')).toHaveTextContent('Reconnect it under Disconnected');

    await user.click(within(removedRows()[0]).getByRole('button', { name: 'Reconnect' }));
    expect(backend.calls('connect_account')).toHaveLength(1);
    expect(await screen.findByTestId('pending-connect')).toBeInTheDocument();
  });

  it('follows the status filter and the search', async () => {
    const gone = makeAccount({
      id: 9,
      openId: 'gone',
      username: 'old.shop',
      status: 'disconnected',
      removedAt: '2025-11-20T10:00:00Z',
    });
    mockBackend({ accounts: [makeAccount({ id: 1, openId: 'live' }), gone] });
    const user = await openAccounts();
    await waitFor(() => expect(removedRows()).toHaveLength(1));

    await user.selectOptions(screen.getByTestId('accounts-status-filter'), 'needs_reconnect');
    await waitFor(() => expect(removedRows()).toHaveLength(0));
    await user.selectOptions(screen.getByTestId('accounts-status-filter'), 'disconnected');
    await waitFor(() => expect(removedRows()).toHaveLength(1));
    expect(screen.queryByTestId('accounts-no-match')).not.toBeInTheDocument();

    expect(matchesSearch(gone, '@OLD')).toBe(true);
    expect(matchesSearch(gone, 'maya')).toBe(false);
    expect(matchesSearch(gone, '  ')).toBe(true);
  });

  it('with every account removed, the page says none is connected and lists them', async () => {
    mockBackend({
      accounts: [
        makeAccount({
          id: 3,
          openId: 'x',
          status: 'disconnected',
          removedAt: '2025-11-20T10:00:00Z',
        }),
      ],
    });
    await openAccounts();
    await waitFor(() => expect(removedRows()).toHaveLength(1));
    expect(screen.getByText('No connected accounts')).toBeInTheDocument();
  });
});

describe('account cards', () => {
  it('hold their "Posts start in" zone picker inside the card', async () => {
    mockBackend({ accounts: [makeAccount({ id: 1, openId: 'a' })] });
    await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));
    const zone = await waitFor(() => card('a').getByTestId('account-zone'));
    expect(cards()[0].contains(zone)).toBe(true);
  });

  it('never say the sign-in is healthy when it needs a reconnect', async () => {
    mockBackend({
      accounts: [
        makeAccount({ id: 1, openId: 'ok' }),
        makeAccount({
          id: 2,
          openId: 'dead',
          status: 'needs_reconnect',
          needsReconnect: true,
          statusLabel: 'Sign-in expired — reconnect',
        }),
      ],
    });
    await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(2));
    expect(card('ok').getByText('Sign-in healthy')).toBeInTheDocument();
    expect(card('dead').queryByText('Sign-in healthy')).not.toBeInTheDocument();
    expect(card('dead').getByTestId('account-reconnect')).toBeInTheDocument();
  });
});

describe('private accounts', () => {
  it('are marked private on their card; public and unknown ones are not', async () => {
    mockBackend({
      accounts: [
        makeAccount({ id: 1, openId: 'quiet', isPrivate: true }),
        makeAccount({ id: 2, openId: 'open', isPrivate: false }),
        makeAccount({ id: 3, openId: 'unknown' }),
      ],
    });
    await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(3));
    expect(card('quiet').getByTestId('account-is-private')).toHaveTextContent('Private');
    expect(card('open').queryByTestId('account-is-private')).not.toBeInTheDocument();
    expect(card('unknown').queryByTestId('account-is-private')).not.toBeInTheDocument();
  });
});

describe('activity log words', () => {
  it('names every action in plain words, never its id', () => {
    expect(actionText('account.connect.start')).toBe('Started connecting an account');
    expect(actionText('account.restore')).toBe('Reconnected a removed account');
    expect(actionText('something.new_thing')).toBe('Something new thing');
    expect(outcomeText('rejected')).toBe('Refused');
  });

  it('drops TikTok codes and scope ids from details', () => {
    expect(detailText('scopes user.info.basic,video.publish; avatar kept')).toBe(
      '2 permissions; avatar kept',
    );
    expect(
      detailText(
        'TikTok no longer accepts it (TikTok code invalid_grant, log id 2026AB). Reconnect.',
      ),
    ).toBe('TikTok no longer accepts it (TikTok reference 2026AB). Reconnect.');
    expect(detailText('Refused (TikTok code access_token_invalid).')).toBe('Refused.');
  });
});
