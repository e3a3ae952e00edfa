import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/svelte';
import { makeAccount, makeItem, mockBackend } from '../test/backend';
import { openAccounts, resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

describe('publishing paused', () => {
  it('is said on every page with Resume, and scheduled posts show as paused', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 })],
      items: [makeItem({ id: 11, accountId: 1, accountTitle: 'Alpha', caption: 'Dance' })],
      settings: { publishingPaused: true },
    });
    const user = await openAccounts('#/queue');
    const banner = await screen.findByTestId('paused-banner');
    expect(banner).toHaveTextContent('Publishing is paused.');
    const row = await screen.findByTestId('queue-row');
    expect(within(row).getByTestId('queue-status')).toHaveTextContent('Paused');
    expect(within(row).getByTestId('queue-reason')).toHaveTextContent('goes out when you resume');
    for (const page of ['#/calendar', '#/accounts', '#/compose', '#/settings']) {
      window.location.hash = page;
      await waitFor(() => expect(screen.getByTestId('paused-banner')).toBeInTheDocument());
    }
    await user.click(screen.getByTestId('paused-banner-resume'));
    await waitFor(() => expect(screen.queryByTestId('paused-banner')).toBeNull());
    expect(backend.calls('update_settings')).toContainEqual({
      patch: expect.objectContaining({ publishingPaused: false }),
    });
    expect(backend.settings.publishingPaused).toBe(false);
  });

  it('says nothing while publishing runs, and keeps the banner when Resume fails', async () => {
    const backend = mockBackend({ settings: { publishingPaused: false } });
    await openAccounts('#/queue');
    expect(screen.queryByTestId('paused-banner')).toBeNull();
    backend.handlers.update_settings = () => {
      throw { code: 'storage', message: 'Disk full' };
    };
    // Paused from elsewhere (the tray): the engine's event shows the banner.
    backend.emit({
      kind: 'settingsChanged',
      settings: { ...backend.settings, publishingPaused: true },
    });
    const resume = await screen.findByTestId('paused-banner-resume');
    resume.click();
    await screen.findByText(/Publishing is still paused: Disk full/);
    expect(screen.getByTestId('paused-banner')).toBeInTheDocument();
  });
});
