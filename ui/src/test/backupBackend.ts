/**
 * The fake backend's Backups (Settings → Backups and the damaged-start screen): the status,
 * the dialogs' answers and what each command answers. Tests change `backups` (or replace a
 * handler) before opening the page.
 */
import type { InvokeArgs } from '@tauri-apps/api/core';
import type {
  BackupPreview,
  BackupStatus,
  Manifest,
  MissingVideo,
  Recovered,
  RelinkReport,
  RestoreReport,
} from '../lib/bindings';

type Handler = (args: InvokeArgs | undefined) => unknown;

export function makeManifest(over: Partial<Manifest> = {}): Manifest {
  return {
    format: 1,
    appVersion: '0.1.0',
    schemaVersion: 12,
    createdAt: '2026-11-30T08:00:00.000Z',
    accounts: [
      { handle: '@maya.makes', displayName: 'Maya', status: 'active', removed: false },
      { handle: '@leo_travels', displayName: 'Leo', status: 'active', removed: false },
    ],
    postCounts: { scheduled: 3, published: 8, draft: 1 },
    tokensIncluded: true,
    databaseSha256: 'ab'.repeat(32),
    databaseSize: 4096,
    ...over,
  };
}

export type BackupsFake = {
  status: BackupStatus;
  missing: MissingVideo[];
  /** What each dialog answers (null: cancelled). */
  destination: string | null;
  backupFile: string | null;
  folder: string | null;
  manifest: Manifest;
  /** The passphrase the fake backup was made with. */
  passphrase: string;
  relinked: number[];
};

export function makeBackups(): BackupsFake {
  return {
    status: {
      lastGoodAt: '2026-12-01T09:00:00.000Z',
      lastFailure: null,
      backups: [
        { kind: 'daily', createdAt: '2026-12-01T09:00:00.000Z', size: 2_400_000 },
        { kind: 'pre-migration', createdAt: '2026-11-28T10:00:00.000Z', size: 2_300_000 },
      ],
      folder: '/home/me/.local/share/app.tokdeck.desktop/backups',
    },
    missing: [],
    destination: '/home/me/Tokdeck backup.tokdeck-backup',
    backupFile: '/media/usb/Tokdeck backup.tokdeck-backup',
    folder: '/home/me/Videos',
    manifest: makeManifest(),
    passphrase: 'correct horse',
    relinked: [],
  };
}

const wrongPassphrase = {
  code: 'invalid_input',
  message:
    'The passphrase is not the one this backup was made with. Check it (letters, case, spaces) and try again; nothing was changed.',
};

export function backupHandlers(b: BackupsFake): Record<string, Handler> {
  const passphraseOf = (args: InvokeArgs | undefined) =>
    (args as { passphrase: string | null }).passphrase;
  const unlock = (given: string | null) => {
    if (given !== null && given !== b.passphrase) throw wrongPassphrase;
    return given !== null && b.manifest.tokensIncluded;
  };
  return {
    backup_status: () => b.status,
    missing_videos: () => b.missing,
    choose_backup_destination: () => b.destination,
    choose_backup_file: () => b.backupFile,
    choose_relink_folder: () => b.folder,
    choose_export_folder: () => b.folder,
    back_up_now: (args) => ({ ...b.manifest, tokensIncluded: passphraseOf(args) !== null }),
    inspect_backup: (args): BackupPreview => ({
      manifest: b.manifest,
      tokensUnlocked: unlock(passphraseOf(args)),
      missingVideos: b.missing,
    }),
    restore_backup: (args): RestoreReport => {
      const unlocked = unlock(passphraseOf(args));
      return {
        manifest: b.manifest,
        tokensRestored: unlocked ? b.manifest.accounts.length : 0,
        tokensProblem: null,
        missingVideos: b.missing,
        safetyBackup: '/data/backups/pre-restore.sqlite3',
      };
    },
    restore_latest_backup: (): Recovered => ({
      backupTakenAt: b.status.lastGoodAt ?? '2026-12-01T09:00:00.000Z',
      damagedKeptIn: '/data/damaged/2026-12-02T10-00-00Z',
    }),
    relink_folder: (): RelinkReport => {
      const relinked = b.missing.filter((m) => b.relinked.includes(m.postId));
      b.missing = b.missing.filter((m) => !b.relinked.includes(m.postId));
      return { relinked: relinked.map((m) => m.postId), stillMissing: b.missing, notRelinked: [] };
    },
    export_data: () => ({
      files: ['/home/me/Videos/tokdeck-posts.csv', '/home/me/Videos/tokdeck-accounts.csv'],
      posts: 12,
      accounts: 2,
      auditEntries: 40,
      snapshots: 0,
      samples: 0,
    }),
  };
}
