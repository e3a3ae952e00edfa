/**
 * The activity log in a creator's words: what each recorded action means and how it ended.
 * The engine records stable action ids (`account.connect.start`); the log shows these phrases.
 */

const ACTIONS: Record<string, string> = {
  'account.connect.start': 'Started connecting an account',
  'account.connect.callback': 'TikTok answered the sign-in',
  'account.connect.cancel': 'Stopped connecting an account',
  'account.connect.expire': 'A sign-in took too long and was stopped',
  'account.connect': 'Connected an account',
  'account.reconnect': 'Reconnected an account',
  'account.restore': 'Reconnected a removed account',
  'account.scope_warning': 'TikTok did not grant every permission',
  'account.needs_reconnect': 'An account needs to be reconnected',
  'account.sync': 'Synced an account',
  'account.sync_all': 'Synced all accounts',
  'account.test': 'Tested the connection',
  'account.label': 'Renamed an account',
  'account.set_default': 'Made an account the default',
  'account.set_current': 'Switched the account you work on',
  'account.remove': 'Removed an account',
  'account.revoke': 'Told TikTok to forget the sign-in',
  'token.refresh': 'Renewed a sign-in',
  'token.refresh_expiry_warning': 'Warned that a sign-in ends soon',
  'tiktok_config.update': 'Changed the TikTok app settings',
  'settings.update': 'Changed settings',
  'app.start': 'Tokdeck started',
  'app.quit': 'Tokdeck quit',
  'deeplink.receive': 'Opened a Tokdeck link',
  'post.create': 'Created a draft',
  'post.update': 'Edited a post',
  'post.schedule': 'Scheduled a post',
  'post.reschedule': 'Moved a post',
  'post.duplicate': 'Duplicated a post',
  'post.cancel': 'Cancelled a post',
  'post.delete': 'Deleted a post',
  'post.pause': 'Paused a post',
  'post.relink': 'Linked a post to its video again',
  'post.needs_attention': 'A post needs your attention',
  'post.missed': 'A post missed its time',
  'post.publish': 'Published a post',
  'post.mark_posted': 'Marked a post as posted',
  'posts.caps': 'Changed the posting limits',
};

/** Words for an action id; an unknown one becomes a readable sentence rather than the id. */
export function actionText(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  const words = action.replace(/[._]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Something happened';
}

const OUTCOMES: Record<string, string> = {
  ok: 'Done',
  error: 'Failed',
  rejected: 'Refused',
};

/** How it ended, in a word. */
export function outcomeText(outcome: string): string {
  return OUTCOMES[outcome] ?? outcome;
}

/**
 * What the engine's detail says, without the machine parts a creator cannot use: TikTok's
 * error codes go (its log id stays, as a reference for support) and the `scopes a,b` note
 * of a sign-in becomes the number of permissions.
 */
export function detailText(detail: string): string {
  return detail
    .replace(/ \(TikTok code [^,)]*(?:, log id ([^)]+))?\)/g, (_all, log) =>
      log ? ` (TikTok reference ${log})` : '',
    )
    .replace(/(^|; )(?:scopes|not granted:) ([a-z_.,]+)/g, (_all, lead, list) => {
      const n = String(list).split(',').filter(Boolean).length;
      return `${lead}${n} permission${n === 1 ? '' : 's'}`;
    });
}

/** Action filters: `listAudit` matches `action` as a prefix. */
export const ACTION_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'All actions' },
  { value: 'account.connect', label: 'Connect' },
  { value: 'account.reconnect', label: 'Reconnect' },
  { value: 'account.restore', label: 'Reconnect a removed account' },
  { value: 'account.sync', label: 'Sync' },
  { value: 'account.test', label: 'Connection test' },
  { value: 'account.label', label: 'Rename' },
  { value: 'account.set_', label: 'Default / current account' },
  { value: 'account.remove', label: 'Remove' },
  { value: 'account.revoke', label: 'Revoke at TikTok' },
  { value: 'token.', label: 'Sign-in renewal' },
  { value: 'post.', label: 'Posts' },
  { value: 'tiktok_config', label: 'TikTok app settings' },
  { value: 'settings.', label: 'Settings' },
  { value: 'app.', label: 'App start / quit' },
];

export const OUTCOME_FILTERS = [
  { value: '', label: 'Any outcome' },
  { value: 'ok', label: 'Done' },
  { value: 'error', label: 'Failed' },
  { value: 'rejected', label: 'Refused' },
];
