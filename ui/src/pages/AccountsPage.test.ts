import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/svelte';
import { deferred, makeAccount, mockBackend } from '../test/backend';
import { card, cards, openAccounts, resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

describe('connecting an account', () => {
  it('shows the pending panel, then the new card and a toast when the flow succeeds', async () => {
    const backend = mockBackend();
    const user = await openAccounts();
    await user.click(await screen.findByTestId('add-account'));

    expect(backend.calls('connect_account')).toHaveLength(1);
    const panel = await screen.findByTestId('pending-connect');
    expect(panel).toHaveTextContent('Waiting for TikTok…');
    // The 10-minute expiry counts down (9:59 or 10:00 depending on the tick).
    expect(within(panel).getByTestId('pending-countdown').textContent).toMatch(/^(10:00|9:5\d)$/);

    const account = makeAccount({ openId: 'new-1', username: 'newbie', displayName: 'New Bie' });
    backend.accounts.push(account);
    await backend.emit({
      kind: 'connectFinished',
      flowId: backend.pending!.flowId,
      ok: true,
      message: 'New Bie is connected.',
      account,
    });

    await waitFor(() => expect(screen.queryByTestId('pending-connect')).not.toBeInTheDocument());
    await waitFor(() => expect(cards()).toHaveLength(1));
    expect(card('new-1').getByTestId('account-handle')).toHaveTextContent('@newbie');
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('New Bie is connected.');
    expect(toast).toHaveAttribute('data-level', 'success');
  });

  it('shows no pending panel when the flow finished before connectAccount answered', async () => {
    const backend = mockBackend();
    const answer = deferred<void>();
    const realConnect = backend.handlers.connect_account;
    backend.handlers.connect_account = async (args) => {
      const flow = await realConnect(args);
      await answer.promise;
      return flow;
    };
    const user = await openAccounts();
    await user.click(await screen.findByTestId('connect-first'));
    await waitFor(() => expect(backend.calls('connect_account')).toHaveLength(1));

    const account = makeAccount({ openId: 'fast-1', username: 'fast' });
    backend.accounts.push(account);
    await backend.emit({
      kind: 'connectFinished',
      flowId: backend.pending!.flowId,
      ok: true,
      message: 'Fast is connected.',
      account,
    });
    answer.resolve();

    await waitFor(() => expect(cards()).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId('pending-connect')).not.toBeInTheDocument();
  });

  it("shows TikTok's reason in an error banner when the flow fails", async () => {
    const backend = mockBackend();
    const user = await openAccounts();
    await user.click(await screen.findByTestId('add-account'));
    await screen.findByTestId('pending-connect');

    const reason =
      'TikTok says the redirect URI is not registered for this app. Add http://127.0.0.1:*/callback/ in the developer portal, then try again.';
    await backend.emit({
      kind: 'connectFinished',
      flowId: backend.pending!.flowId,
      ok: false,
      message: reason,
      account: null,
    });

    const banner = await screen.findByTestId('connect-error');
    expect(banner).toHaveTextContent("Couldn't connect the account");
    expect(banner).toHaveTextContent(reason);
    expect(screen.queryByTestId('pending-connect')).not.toBeInTheDocument();
    expect(cards()).toHaveLength(0);
  });

  it('cancel calls cancelConnect, hides the panel and treats the cancelled event as no error', async () => {
    const backend = mockBackend();
    const user = await openAccounts();
    await user.click(await screen.findByTestId('add-account'));
    const panel = await screen.findByTestId('pending-connect');
    const flowId = backend.pending!.flowId;

    await user.click(within(panel).getByTestId('pending-cancel'));
    expect(backend.calls('cancel_connect')).toHaveLength(1);
    await waitFor(() => expect(screen.queryByTestId('pending-connect')).not.toBeInTheDocument());

    await backend.emit({
      kind: 'connectFinished',
      flowId,
      ok: false,
      message: 'Connecting was cancelled.',
      account: null,
    });
    // Give the event a chance to render something (it must not).
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('connect-error')).not.toBeInTheDocument();
  });

  it('a second Add account while one is pending shows the pending one instead of starting another', async () => {
    const backend = mockBackend();
    const user = await openAccounts();
    await user.click(await screen.findByTestId('add-account'));
    await screen.findByTestId('pending-connect');
    await user.click(screen.getByTestId('add-account'));
    expect(backend.calls('connect_account')).toHaveLength(1);
    expect(screen.getAllByTestId('pending-connect')).toHaveLength(1);
  });

  it('restores a flow that was already pending when the page opened', async () => {
    const backend = mockBackend();
    backend.handlers.pending_connect = () => ({
      flowId: 'f-old',
      authorizeUrl: 'http://127.0.0.1:4790/v2/auth/authorize/?state=zzz',
      redirectUri: 'http://127.0.0.1:5000/callback/',
      redirectMode: 'loopback',
      expiresAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
    await openAccounts();
    expect(await screen.findByTestId('pending-connect')).toHaveTextContent('Waiting for TikTok…');
  });

  it('"Open the sign-in page again" shows the address as text without navigating', async () => {
    const backend = mockBackend();
    const user = await openAccounts();
    await user.click(await screen.findByTestId('add-account'));
    const panel = await screen.findByTestId('pending-connect');
    const before = window.location.href;

    await user.click(within(panel).getByTestId('pending-show-url'));

    expect(within(panel).getByTestId('pending-url')).toHaveTextContent(
      backend.pending!.authorizeUrl,
    );
    expect(window.location.href).toBe(before);
  });

  it('shows the engine error when a connect cannot start', async () => {
    const backend = mockBackend();
    backend.handlers.connect_account = () => {
      throw {
        code: 'invalid_input',
        message:
          "Add your TikTok app's client secret in Settings → TikTok before connecting an account.",
      };
    };
    const user = await openAccounts();
    await user.click(await screen.findByTestId('add-account'));
    expect(await screen.findByTestId('connect-error')).toHaveTextContent('Add your TikTok app');
    expect(screen.queryByTestId('pending-connect')).not.toBeInTheDocument();
  });
});

describe('account cards', () => {
  it('render status, compact followers, token warning, last error and reconnect', async () => {
    const soon = new Date(Date.now() + 5 * 86_400_000 - 60_000).toISOString();
    mockBackend({
      accounts: [
        makeAccount({
          openId: 'a',
          username: 'ana',
          followerCount: 12_345,
          refreshExpiresSoon: true,
          refreshExpiresAt: soon,
        }),
        makeAccount({
          openId: 'b',
          username: 'bo',
          status: 'needs_reconnect',
          followerCount: 1_200_000,
          lastError: 'TikTok no longer accepts this sign-in: reconnect the account.',
        }),
      ],
    });
    await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(2));

    const a = card('a');
    expect(a.getByTestId('account-status')).toHaveTextContent('Active');
    expect(a.getByTestId('account-followers')).toHaveTextContent('12.3K');
    expect(a.getByTestId('account-token-warning')).toHaveTextContent(
      'Refresh token expires in 5 days',
    );

    const b = card('b');
    expect(b.getByTestId('account-status')).toHaveTextContent('Needs reconnect');
    expect(b.getByTestId('account-followers')).toHaveTextContent('1.2M');
    expect(b.queryByTestId('account-token-warning')).not.toBeInTheDocument();
    expect(b.getByTestId('account-last-error')).toHaveTextContent('reconnect the account');
    expect(b.getByTestId('account-reconnect')).toBeEnabled();
  });

  it('shows which permissions each account granted and what they enable', async () => {
    mockBackend({
      accounts: [
        makeAccount({ openId: 'all' }),
        makeAccount({
          openId: 'inbox-only',
          grantedScopes: ['user.info.basic', 'video.upload'],
          missingScopes: ['user.info.profile', 'user.info.stats', 'video.list', 'video.publish'],
        }),
      ],
    });
    await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(2));
    const shown = (openId: string) =>
      card(openId)
        .getAllByTestId('account-permission')
        .map((li) => [li.dataset.scope, li.dataset.granted, li.textContent?.trim()]);

    expect(shown('all')).toEqual([
      ['video.publish', 'true', 'Can post directly'],
      ['video.upload', 'true', 'Can send to inbox'],
      ['user.info.stats', 'true', 'Can read stats'],
      ['video.list', 'true', 'Can list videos'],
      ['user.info.profile', 'true', 'Can show the profile'],
    ]);
    expect(card('all').queryByTestId('account-missing-scopes')).not.toBeInTheDocument();

    expect(shown('inbox-only')).toEqual([
      ['video.publish', 'false', 'Cannot post directly'],
      ['video.upload', 'true', 'Can send to inbox'],
      ['user.info.stats', 'false', 'Cannot read stats'],
      ['video.list', 'false', 'Cannot list videos'],
      ['user.info.profile', 'false', 'Cannot show the profile'],
    ]);
    expect(card('inbox-only').getByTestId('account-missing-scopes')).toHaveTextContent(
      'video.publish',
    );
  });

  it('Reconnect starts a connect flow', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ openId: 'b', status: 'needs_reconnect' })],
    });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));
    await user.click(card('b').getByTestId('account-reconnect'));
    expect(backend.calls('connect_account')).toHaveLength(1);
    expect(await screen.findByTestId('pending-connect')).toBeInTheDocument();
  });

  it('remove asks for confirmation (scheduled posts are kept) before calling removeAccount', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 7, openId: 'x', username: 'xo' })],
    });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));

    await user.click(card('x').getByTestId('account-remove'));
    const dialog = card('x').getByTestId('confirm-remove');
    expect(dialog).toHaveTextContent('scheduled posts are paused and kept');
    expect(backend.calls('remove_account')).toHaveLength(0);

    // "Keep it" closes without removing.
    await user.click(within(dialog).getByTestId('confirm-remove-no'));
    expect(screen.queryByTestId('confirm-remove')).not.toBeInTheDocument();
    expect(backend.calls('remove_account')).toHaveLength(0);

    await user.click(card('x').getByTestId('account-remove'));
    await user.click(screen.getByTestId('confirm-remove-yes'));
    expect(backend.calls('remove_account')).toEqual([{ accountId: 7 }]);
    await waitFor(() => expect(cards()).toHaveLength(0));
  });

  it('renames the label inline', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 3, openId: 'l', displayName: 'Lia' })],
    });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));

    await user.click(card('l').getByTestId('account-label-edit'));
    const input = card('l').getByTestId('account-label-input');
    expect(input).toHaveFocus();
    await user.type(input, 'Brand{Enter}');

    expect(backend.calls('set_account_label')).toEqual([{ accountId: 3, label: 'Brand' }]);
    await waitFor(() => expect(card('l').getByRole('heading')).toHaveTextContent('Brand'));
    expect(card('l').queryByTestId('account-label-input')).not.toBeInTheDocument();
  });

  it('Escape cancels a rename without calling the engine', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ openId: 'l' })] });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));
    await user.click(card('l').getByTestId('account-label-edit'));
    await user.type(card('l').getByTestId('account-label-input'), 'Nope{Escape}');
    expect(card('l').queryByTestId('account-label-input')).not.toBeInTheDocument();
    expect(backend.calls('set_account_label')).toHaveLength(0);
  });

  it('sets the default account', async () => {
    const backend = mockBackend({
      accounts: [
        makeAccount({ id: 1, openId: 'one', isDefault: true }),
        makeAccount({ id: 2, openId: 'two' }),
      ],
    });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(2));
    expect(card('one').getByTestId('account-default')).toBeDisabled();

    await user.click(card('two').getByTestId('account-default'));

    expect(backend.calls('set_default_account')).toEqual([{ accountId: 2 }]);
    await waitFor(() => expect(card('two').getByTestId('account-default')).toBeDisabled());
    expect(card('two').getByTestId('account-default')).toHaveTextContent('Default');
    expect(card('one').getByTestId('account-default')).toBeEnabled();
  });

  it('sync refreshes the card and a failure is reported', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ id: 4, openId: 's' })] });
    const user = await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));
    expect(card('s').getByTestId('account-last-sync')).toHaveTextContent('Not synced yet');

    await user.click(card('s').getByTestId('account-sync'));
    expect(backend.calls('sync_account')).toEqual([{ accountId: 4 }]);
    await waitFor(() =>
      expect(card('s').getByTestId('account-last-sync')).toHaveTextContent('Synced just now'),
    );

    backend.handlers.sync_account = () => {
      throw { code: 'tiktok', message: 'TikTok is rate limiting: try again in a minute.' };
    };
    await user.click(card('s').getByTestId('account-sync'));
    expect(
      await screen.findByText('TikTok is rate limiting: try again in a minute.'),
    ).toBeVisible();
  });

  it('refreshes a card in place when the engine reports a change to it', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ id: 9, openId: 'e' })] });
    await openAccounts();
    await waitFor(() => expect(cards()).toHaveLength(1));
    backend.accounts[0] = { ...backend.accounts[0], status: 'needs_reconnect' };

    await backend.emit({ kind: 'accountsChanged', accountId: 9 });

    await waitFor(() =>
      expect(card('e').getByTestId('account-status')).toHaveTextContent('Needs reconnect'),
    );
    expect(backend.calls('get_account')).toEqual([{ accountId: 9 }]);
  });
});
