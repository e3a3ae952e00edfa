/**
 * Backups, restore and export in a creator's words: what Settings → Backups and the
 * damaged-start screen say about the engine's answers (`backup_status`, `inspect_backup`,
 * `restore_backup`, `relink_folder`, `export_data`). Pure functions, tested on their own.
 */
import type {
  BackupEntry,
  BackupStatus,
  ExportReport,
  Manifest,
  MissingVideo,
  RelinkReport,
  RestoreReport,
} from './bindings';

/** "Wed 2 Dec 2026, 09:00" in this computer's time (a backup's date, as a person reads it). */
export function backupDate(iso: string, locale?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

const KINDS: Record<string, string> = {
  daily: 'Daily',
  'pre-migration': 'Before an update',
  'pre-restore': 'Before a restore',
};

/** What a kept copy is, e.g. "Before a restore". */
export function kindLabel(kind: string): string {
  return KINDS[kind] ?? 'Automatic';
}

/** "2.4 MB" */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export type StatusLine = { tone: 'ok' | 'failed' | 'none'; title: string; detail: string };

/** The automatic backups' state: the last good one, or the failure and its reason. */
export function statusLine(status: BackupStatus, locale?: string): StatusLine {
  const last = status.lastGoodAt ? backupDate(status.lastGoodAt, locale) : null;
  if (status.lastFailure) {
    return {
      tone: 'failed',
      title: `The last automatic backup failed (${backupDate(status.lastFailure.at, locale)})`,
      detail: last
        ? `${status.lastFailure.reason} Your last good backup is from ${last}.`
        : status.lastFailure.reason,
    };
  }
  if (last) {
    return {
      tone: 'ok',
      title: `Last backup: ${last}`,
      detail: 'Tokdeck makes one a day while it runs, and one before every update or restore.',
    };
  }
  return {
    tone: 'none',
    title: 'No backup yet',
    detail: 'Tokdeck makes the first one within a day of running. Back up now to have one today.',
  };
}

/** The kept copies, newest first, as the list shows them. */
export function keptCopies(backups: BackupEntry[], locale?: string): string[] {
  return backups.map(
    (b) => `${backupDate(b.createdAt, locale)} · ${kindLabel(b.kind)} · ${fileSize(b.size)}`,
  );
}

export const MIN_PASSPHRASE = 8;

/**
 * Why the passphrase cannot be used yet, or null when it can. Only asked for when the
 * connections are included.
 */
export function passphraseProblem(passphrase: string, confirm: string): string | null {
  if (passphrase.trim().length === 0)
    return 'Choose a passphrase to protect your account connections.';
  // Counted as the engine counts it (UTF-8 bytes, surrounding spaces left out).
  if (new TextEncoder().encode(passphrase.trim()).length < MIN_PASSPHRASE)
    return `Use at least ${MIN_PASSPHRASE} characters: anyone holding the file can try to guess it.`;
  if (confirm !== passphrase) return 'The two passphrases are not the same.';
  return null;
}

const STATUS_WORDS: Record<string, [string, string]> = {
  draft: ['draft', 'drafts'],
  scheduled: ['scheduled', 'scheduled'],
  queued: ['queued', 'queued'],
  publishing: ['publishing', 'publishing'],
  published: ['published', 'published'],
  failed: ['failed', 'failed'],
  needs_attention: ['needing attention', 'needing attention'],
  missed: ['missed', 'missed'],
  cancelled: ['in Trash', 'in Trash'],
};

/** "12 posts: 3 scheduled, 8 published, 1 draft" */
export function postCountsText(counts: Record<string, number | undefined>): string {
  const entries = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0) as [string, number][];
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return 'No posts';
  const parts = entries.map(([status, n]) => {
    const [one, many] = STATUS_WORDS[status] ?? [status.replace(/_/g, ' '), status];
    return `${n} ${n === 1 ? one : many}`;
  });
  return `${total} post${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The accounts a backup holds, as handles ("@maya.makes"), removed ones said so. */
export function accountHandles(manifest: Manifest): string[] {
  return manifest.accounts.map((a) => (a.removed ? `${a.handle} (removed)` : a.handle));
}

/** What a restore did, for the toast after it. */
export function restoreSummary(report: RestoreReport): { message: string; warning: string | null } {
  const accounts = report.manifest.accounts.filter((a) => !a.removed).length;
  const base = `Restored the backup of ${backupDate(report.manifest.createdAt)}: ${accounts} account${accounts === 1 ? '' : 's'}, ${postCountsText(report.manifest.postCounts).toLowerCase()}.`;
  if (report.tokensProblem)
    return {
      message: base,
      // The engine's sentence says what was restored and why the connections were not.
      warning: `${report.tokensProblem} Reconnect the accounts on the Accounts page.`,
    };
  if (report.manifest.tokensIncluded && report.tokensRestored === 0)
    return {
      message: base,
      warning: 'The connections were not restored: reconnect the accounts on the Accounts page.',
    };
  if (!report.manifest.tokensIncluded && accounts > 0)
    return {
      message: base,
      warning:
        'This backup holds no connections: reconnect each account on the Accounts page to publish again.',
    };
  return { message: base, warning: null };
}

/** What "Find moved files in a folder…" found. */
export function relinkSummary(report: RelinkReport): string {
  const found = report.relinked.length;
  const missing = report.stillMissing.length;
  const foundText =
    found === 0
      ? 'No missing video was found in that folder.'
      : `Found ${found} video${found === 1 ? '' : 's'} and linked ${found === 1 ? 'it' : 'them'} again.`;
  const rest =
    missing === 0
      ? found > 0
        ? ' Every video is back.'
        : ''
      : ` ${missing} ${missing === 1 ? 'is' : 'are'} still missing: try another folder.`;
  const refused = report.notRelinked.length
    ? ` ${report.notRelinked.length} could not be linked: ${report.notRelinked.join(' ')}`
    : '';
  return foundText + rest + refused;
}

/** The file name of a path (both separators), for lists that have no room for folders. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** The folder of a path, or '' for a bare name. */
export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : '';
}

const POST_STATUS: Record<string, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  needs_attention: 'Needs attention',
  missed: 'Missed',
  failed: 'Failed',
  queued: 'Queued',
};

export function missingLabel(video: MissingVideo): string {
  return `${POST_STATUS[video.status] ?? 'Post'} · ${baseName(video.path)}`;
}

/** What an export wrote. */
export function exportSummary(report: ExportReport): string {
  const n = report.files.length;
  const where = n > 0 ? ` in ${folderOf(report.files[0])}` : '';
  const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const analytics = report.snapshots + report.samples;
  const parts = [
    plural(report.posts, 'post', 'posts'),
    plural(report.accounts, 'account', 'accounts'),
    plural(report.auditEntries, 'activity entry', 'activity entries'),
    ...(analytics > 0 ? [plural(analytics, 'analytics record', 'analytics records')] : []),
  ];
  const list = `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `Exported ${list} to ${plural(n, 'file', 'files')}${where}.`;
}
