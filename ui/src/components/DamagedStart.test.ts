import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../App.svelte';
import { backupDate } from '../lib/backups';
import { DEFAULT_INFO, mockBackend } from '../test/backend';
import { resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

const DAMAGED = {
  code: 'damaged' as const,
  message:
    'The database /data/tokdeck.sqlite3 is damaged. Tokdeck left it untouched. Restore the latest good backup, from 1 Dec 2026 09:00 UTC (the damaged file is kept aside, never deleted).',
};

function damagedBackend(latestGoodBackup: string | null) {
  const backend = mockBackend({ info: { startupError: DAMAGED, latestGoodBackup } });
  backend.handlers.get_settings = () => {
    throw DAMAGED;
  };
  return backend;
}

describe('a damaged database at start', () => {
  it('says what happened and offers the latest good backup by its date, then brings the app back', async () => {
    const backend = damagedBackend('2026-12-01T09:00:00.000Z');
    render(App);
    const screenEl = await screen.findByTestId('damaged-start');
    expect(screen.queryByTestId('startup-error')).not.toBeInTheDocument();
    expect(screenEl).toHaveTextContent("Tokdeck's data file is damaged");
    expect(screenEl).toHaveTextContent('changed nothing');
    expect(screen.getByTestId('damaged-latest')).toHaveTextContent('kept aside');
    // No raw code on screen.
    expect(screenEl.textContent).not.toMatch(/\bdamaged\b.*code|Error code/);
    const button = screen.getByTestId('restore-latest-backup');
    expect(button).toHaveTextContent(
      `Restore the latest good backup (${backupDate('2026-12-01T09:00:00.000Z')})`,
    );

    // The engine opens on the backup: app info no longer carries a startup error.
    backend.handlers.app_info = () => ({ ...DEFAULT_INFO });
    backend.handlers.get_settings = () => backend.settings;
    await userEvent.setup().click(button);
    expect(backend.calls('restore_latest_backup')).toHaveLength(1);
    await backend.emit({ kind: 'dataReplaced', message: 'The latest good backup was restored.' });
    await waitFor(() => expect(screen.queryByTestId('damaged-start')).not.toBeInTheDocument());
    expect(await screen.findByTestId('nav-settings')).toBeInTheDocument();
  });

  it('says so when there is no good backup to restore', async () => {
    damagedBackend(null);
    render(App);
    expect(await screen.findByTestId('damaged-no-backup')).toHaveTextContent(
      'There is no good backup on this computer to restore',
    );
    expect(screen.queryByTestId('restore-latest-backup')).not.toBeInTheDocument();
  });

  it('shows why a restore failed', async () => {
    const backend = damagedBackend('2026-12-01T09:00:00.000Z');
    backend.handlers.restore_latest_backup = () => {
      throw { code: 'storage', message: 'Tokdeck could not restore the backup: the disk is full.' };
    };
    render(App);
    await userEvent.setup().click(await screen.findByTestId('restore-latest-backup'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('the disk is full');
  });
});
