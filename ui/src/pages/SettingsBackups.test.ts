import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../App.svelte';
import { makeManifest } from '../test/backupBackend';
import { mockBackend } from '../test/backend';
import { resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

async function openBackups(backend = mockBackend()) {
  window.location.hash = '#/settings';
  render(App);
  await screen.findByTestId('app-ready');
  await screen.findByTestId('backup-status-title');
  return { backend, user: userEvent.setup() };
}

const toastTexts = () => screen.queryAllByTestId('toast').map((t) => t.textContent ?? '');

describe('Settings → Backups', () => {
  it('is in the jump list and shows the last automatic backup and the kept copies', async () => {
    await openBackups();
    expect(screen.getByTestId('jump-backups')).toHaveTextContent('Backups');
    expect(screen.getByTestId('backup-status')).toHaveAttribute('data-tone', 'ok');
    expect(screen.getByTestId('backup-status-title')).toHaveTextContent(/^Last backup: /);
    expect(screen.getAllByTestId('backup-copy')).toHaveLength(2);
    expect(screen.getAllByTestId('backup-copy')[1]).toHaveTextContent('Before an update');
  });

  it('shows a failed automatic backup with its reason', async () => {
    const backend = mockBackend();
    backend.backups.status.lastFailure = {
      at: '2026-12-02T09:00:00.000Z',
      reason: 'The disk is full. Free some space and try again.',
    };
    await openBackups(backend);
    expect(screen.getByTestId('backup-status')).toHaveAttribute('data-tone', 'failed');
    expect(screen.getByTestId('backup-status-title')).toHaveTextContent(
      /^The last automatic backup failed/,
    );
    expect(screen.getByTestId('backup-status-detail')).toHaveTextContent('The disk is full.');
  });

  it('backs up with the connections only once the passphrase is typed twice the same', async () => {
    const { backend, user } = await openBackups();
    await user.click(screen.getByTestId('backup-include-connections'));
    await user.type(screen.getByTestId('backup-passphrase'), 'correct horse');
    await user.type(screen.getByTestId('backup-passphrase-confirm'), 'correct hrose');
    await user.click(screen.getByTestId('backup-now-button'));
    expect(screen.getByTestId('backup-passphrase-problem')).toHaveTextContent('not the same');
    expect(backend.calls('choose_backup_destination')).toHaveLength(0);

    await user.clear(screen.getByTestId('backup-passphrase-confirm'));
    await user.type(screen.getByTestId('backup-passphrase-confirm'), 'correct horse');
    await user.click(screen.getByTestId('backup-now-button'));
    await waitFor(() =>
      expect(backend.calls('back_up_now')).toEqual([
        { path: '/home/me/Tokdeck backup.tokdeck-backup', passphrase: 'correct horse' },
      ]),
    );
    await waitFor(() =>
      expect(toastTexts().join()).toMatch(/Backed up 2 accounts and 12 posts.*Tokdeck backup/),
    );
    // The passphrase is not kept on the page once used.
    expect(screen.getByTestId('backup-passphrase')).toHaveValue('');
  });

  it('does nothing when the save dialog is cancelled, and backs up without connections by default', async () => {
    const backend = mockBackend();
    backend.backups.destination = null;
    const { user } = await openBackups(backend);
    await user.click(screen.getByTestId('backup-now-button'));
    await waitFor(() => expect(backend.calls('choose_backup_destination')).toHaveLength(1));
    expect(backend.calls('back_up_now')).toHaveLength(0);

    backend.backups.destination = '/x/b.tokdeck-backup';
    await user.click(screen.getByTestId('backup-now-button'));
    await waitFor(() =>
      expect(backend.calls('back_up_now')).toEqual([
        { path: '/x/b.tokdeck-backup', passphrase: null },
      ]),
    );
  });

  it('previews a backup, unlocks its connections, warns, then restores with the passphrase', async () => {
    const { backend, user } = await openBackups();
    await user.click(screen.getByTestId('restore-button'));
    const preview = await screen.findByTestId('restore-preview');
    expect(backend.calls('inspect_backup')).toEqual([
      { path: '/media/usb/Tokdeck backup.tokdeck-backup', passphrase: null },
    ]);
    const p = within(preview);
    expect(p.getByTestId('restore-accounts')).toHaveTextContent('@maya.makes, @leo_travels');
    expect(p.getByTestId('restore-posts')).toHaveTextContent('12 posts: 3 scheduled');
    expect(p.getByTestId('restore-connections')).toHaveTextContent('locked with a passphrase');
    expect(p.getByTestId('restore-warning')).toHaveTextContent(
      /replaces everything Tokdeck holds now.*safety copy/,
    );
    expect(p.getByTestId('restore-confirm')).toHaveTextContent('Restore without the connections');

    // A wrong passphrase is refused with the engine's words; the preview stays.
    await user.type(p.getByTestId('restore-passphrase'), 'wrong one');
    await user.click(p.getByTestId('restore-unlock'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent(
      'The passphrase is not the one this backup was made with',
    );
    await user.clear(p.getByTestId('restore-passphrase'));
    await user.type(p.getByTestId('restore-passphrase'), 'correct horse');
    await user.click(p.getByTestId('restore-unlock'));
    await waitFor(() =>
      expect(p.getByTestId('restore-connections')).toHaveTextContent('Included and unlocked'),
    );
    expect(p.getByTestId('restore-confirm')).toHaveTextContent('Restore this backup');

    await user.click(p.getByTestId('restore-confirm'));
    await waitFor(() =>
      expect(backend.calls('restore_backup')).toEqual([
        { path: '/media/usb/Tokdeck backup.tokdeck-backup', passphrase: 'correct horse' },
      ]),
    );
    await waitFor(() => expect(toastTexts().join()).toMatch(/Restored the backup of/));
  });

  it('says why a file cannot be restored, naming it', async () => {
    const backend = mockBackend();
    backend.handlers.inspect_backup = () => {
      throw {
        code: 'invalid_input',
        message: 'This backup was made by a newer Tokdeck. Update Tokdeck, then restore it.',
      };
    };
    const { user } = await openBackups(backend);
    await user.click(screen.getByTestId('restore-button'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent("Tokdeck backup.tokdeck-backup can't be restored");
    expect(banner).toHaveTextContent('made by a newer Tokdeck');
    expect(screen.queryByTestId('restore-preview')).not.toBeInTheDocument();
  });

  it('lists the missing videos and finds moved ones in a folder', async () => {
    const backend = mockBackend();
    backend.backups.missing = [
      { postId: 4, status: 'scheduled', path: '/old/laptop/clip one.mp4' },
      { postId: 5, status: 'draft', path: '/old/laptop/clip two.mp4' },
    ];
    backend.backups.relinked = [4];
    const { user } = await openBackups(backend);
    const rows = await screen.findAllByTestId('missing-video');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Scheduled · clip one.mp4'),
      expect.stringContaining('Draft · clip two.mp4'),
    ]);
    await user.click(screen.getByTestId('relink-folder'));
    await waitFor(() =>
      expect(backend.calls('relink_folder')).toEqual([{ folder: '/home/me/Videos' }]),
    );
    expect(await screen.findByTestId('relink-result')).toHaveTextContent(
      'Found 1 video and linked it again. 1 is still missing',
    );
    expect(screen.getAllByTestId('missing-video')).toHaveLength(1);
  });

  it('exports in the chosen format to the chosen folder', async () => {
    const { backend, user } = await openBackups();
    await user.selectOptions(screen.getByTestId('export-format'), 'json');
    await user.click(screen.getByTestId('export-button'));
    await waitFor(() =>
      expect(backend.calls('export_data')).toEqual([{ folder: '/home/me/Videos', format: 'json' }]),
    );
    await waitFor(() => expect(toastTexts().join()).toMatch(/Exported 12 posts, 2 accounts/));
  });

  it('reloads the whole app when the data was replaced, without a restart', async () => {
    const { backend } = await openBackups();
    const before = {
      info: backend.calls('app_info').length,
      status: backend.calls('backup_status').length,
    };
    backend.backups.status.lastGoodAt = '2026-12-02T11:00:00.000Z';
    await backend.emit({ kind: 'dataReplaced', message: 'Your backup was restored.' });
    await waitFor(() => expect(toastTexts().join()).toContain('Your backup was restored.'));
    await waitFor(() => expect(backend.calls('app_info').length).toBeGreaterThan(before.info));
    // The page mounted again and read the backups afresh.
    await waitFor(() =>
      expect(backend.calls('backup_status').length).toBeGreaterThan(before.status),
    );
  });
});

describe('a manifest without connections', () => {
  it('restores without asking for a passphrase', async () => {
    const backend = mockBackend();
    backend.backups.manifest = makeManifest({ tokensIncluded: false });
    const { user } = await openBackups(backend);
    await user.click(screen.getByTestId('restore-button'));
    const preview = await screen.findByTestId('restore-preview');
    expect(within(preview).queryByTestId('restore-passphrase')).not.toBeInTheDocument();
    expect(within(preview).getByTestId('restore-connections')).toHaveTextContent(
      'Not included: the accounts will ask to be reconnected.',
    );
    await user.click(within(preview).getByTestId('restore-confirm'));
    await waitFor(() =>
      expect(backend.calls('restore_backup')).toEqual([
        { path: '/media/usb/Tokdeck backup.tokdeck-backup', passphrase: null },
      ]),
    );
  });
});
