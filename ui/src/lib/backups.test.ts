import { describe, expect, it } from 'vitest';
import {
  accountHandles,
  baseName,
  exportSummary,
  fileSize,
  folderOf,
  kindLabel,
  missingLabel,
  passphraseProblem,
  postCountsText,
  relinkSummary,
  restoreSummary,
  statusLine,
} from './backups';
import { makeBackups, makeManifest } from '../test/backupBackend';

describe('the automatic backups in plain words', () => {
  it('says when the last good backup was taken', () => {
    const line = statusLine(makeBackups().status, 'en-GB');
    expect(line.tone).toBe('ok');
    expect(line.title).toMatch(/^Last backup: .*2026/);
  });

  it('puts a failure first, with its reason and the last good one', () => {
    const status = {
      ...makeBackups().status,
      lastFailure: {
        at: '2026-12-02T09:00:00.000Z',
        reason: 'The disk is full. Free some space and try again.',
      },
    };
    const line = statusLine(status, 'en-GB');
    expect(line.tone).toBe('failed');
    expect(line.title).toMatch(/^The last automatic backup failed/);
    expect(line.detail).toContain('The disk is full. Free some space and try again.');
    expect(line.detail).toContain('Your last good backup is from');
  });

  it('says there is none yet, and what to do', () => {
    const line = statusLine({ lastGoodAt: null, lastFailure: null, backups: [], folder: '/b' });
    expect(line).toMatchObject({ tone: 'none', title: 'No backup yet' });
    expect(line.detail).toContain('Back up now');
  });

  it('names the kinds of kept copies and their sizes in words', () => {
    expect(kindLabel('daily')).toBe('Daily');
    expect(kindLabel('pre-restore')).toBe('Before a restore');
    expect(kindLabel('pre-migration')).toBe('Before an update');
    expect(kindLabel('something-new')).toBe('Automatic');
    expect(fileSize(512)).toBe('512 B');
    expect(fileSize(2_400_000)).toBe('2.3 MB');
    expect(fileSize(300 * 1024 * 1024)).toBe('300 MB');
  });
});

describe('the passphrase', () => {
  it('must be given, long enough and typed twice the same', () => {
    expect(passphraseProblem('', '')).toMatch(/Choose a passphrase/);
    expect(passphraseProblem('short', 'short')).toMatch(/at least 8 characters/);
    // As the engine counts: spaces around do not count, UTF-8 bytes do.
    expect(passphraseProblem('  short  ', '  short  ')).toMatch(/at least 8 characters/);
    expect(passphraseProblem('ééééé', 'ééééé')).toBeNull();
    expect(passphraseProblem('long enough', 'long enuogh')).toMatch(/not the same/);
    expect(passphraseProblem('long enough', 'long enough')).toBeNull();
  });
});

describe('what a backup holds', () => {
  it('counts posts by state in words', () => {
    expect(postCountsText({ scheduled: 3, published: 8, draft: 1 })).toBe(
      '12 posts: 3 scheduled, 8 published, 1 draft',
    );
    expect(postCountsText({ needs_attention: 2, cancelled: 1 })).toBe(
      '3 posts: 2 needing attention, 1 in Trash',
    );
    expect(postCountsText({})).toBe('No posts');
  });

  it('lists the accounts by handle, removed ones said so', () => {
    const m = makeManifest();
    m.accounts[1].removed = true;
    expect(accountHandles(m)).toEqual(['@maya.makes', '@leo_travels (removed)']);
  });
});

describe('after a restore', () => {
  const report = {
    manifest: makeManifest(),
    tokensRestored: 2,
    tokensProblem: null,
    missingVideos: [],
    safetyBackup: '/b/pre-restore',
  };

  it('says what came back, and nothing more when the connections did too', () => {
    const { message, warning } = restoreSummary(report);
    expect(message).toMatch(/^Restored the backup of .*: 2 accounts, 12 posts: /);
    expect(warning).toBeNull();
  });

  it('asks to reconnect when the connections did not come back', () => {
    expect(restoreSummary({ ...report, tokensRestored: 0 }).warning).toMatch(/reconnect/);
    const none = {
      ...report,
      manifest: makeManifest({ tokensIncluded: false }),
      tokensRestored: 0,
    };
    expect(restoreSummary(none).warning).toMatch(/holds no connections/);
    const problem = { ...report, tokensRestored: 0, tokensProblem: 'The keychain is locked.' };
    expect(restoreSummary(problem).warning).toMatch(/The keychain is locked\. Reconnect/);
  });

  it('reports how many moved videos were found', () => {
    const missing = { postId: 9, status: 'scheduled', path: '/old/b.mp4' };
    expect(relinkSummary({ relinked: [1, 2], stillMissing: [], notRelinked: [] })).toBe(
      'Found 2 videos and linked them again. Every video is back.',
    );
    expect(relinkSummary({ relinked: [1], stillMissing: [missing], notRelinked: [] })).toBe(
      'Found 1 video and linked it again. 1 is still missing: try another folder.',
    );
    expect(relinkSummary({ relinked: [], stillMissing: [missing], notRelinked: [] })).toBe(
      'No missing video was found in that folder. 1 is still missing: try another folder.',
    );
    expect(missingLabel(missing)).toBe('Scheduled · b.mp4');
  });

  it('splits paths on either separator', () => {
    expect(baseName('/home/me/clip.mp4')).toBe('clip.mp4');
    expect(baseName('C:\\Videos\\clip.mp4')).toBe('clip.mp4');
    expect(folderOf('/home/me/clip.mp4')).toBe('/home/me');
    expect(folderOf('clip.mp4')).toBe('');
  });

  it('says what an export wrote and where', () => {
    const base = { posts: 1, accounts: 2, auditEntries: 1, snapshots: 0, samples: 0 };
    expect(exportSummary({ ...base, files: ['/x/tokdeck-posts.csv'] })).toBe(
      'Exported 1 post, 2 accounts and 1 activity entry to 1 file in /x.',
    );
    const five = ['posts', 'accounts', 'activity', 'account-history', 'post-samples'];
    expect(
      exportSummary({
        ...base,
        files: five.map((f) => `/x/tokdeck-${f}.csv`),
        snapshots: 730,
        samples: 1,
      }),
    ).toBe(
      'Exported 1 post, 2 accounts, 1 activity entry and 731 analytics records to 5 files in /x.',
    );
  });
});
