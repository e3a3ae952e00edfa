/**
 * Caption presets and hashtag sets per account, shared by the manager (Accounts) and the
 * picker (batch edit, composer): one cache per account, refreshed after a save or delete.
 */
import { commands } from '../../lib/bindings';
import { call } from '../../lib/ipc';
import type { CaptionPreset, PresetKind } from '../../lib/slotsText';

const cache = new Map<number, Promise<CaptionPreset[]>>();

/** The account's presets (cached; `fresh` reloads). */
export function presetsOf(accountId: number, fresh = false): Promise<CaptionPreset[]> {
  let list = cache.get(accountId);
  if (!list || fresh) {
    list = call(() => commands.listCaptionPresets(accountId));
    cache.set(accountId, list);
    list.catch(() => cache.delete(accountId));
  }
  return list;
}

/** Forget every cached list (tests; a restore). */
export function forgetPresets(): void {
  cache.clear();
}

export const KIND_LABEL: Record<PresetKind, string> = {
  caption: 'Caption',
  hashtags: 'Hashtag set',
};
