/**
 * The fake backend's bulk planning (#15): posting slots, free slots, planning settings,
 * budgets, caption presets, caption checks and the schedule CSV dialogs. Tests change
 * `backend.planning` (or replace a handler) before opening the page.
 */
import type { InvokeArgs } from '@tauri-apps/api/core';
import type {
  AccountBudget,
  CaptionCheck,
  CaptionPreset,
  CsvImportReport,
  FreeSlot,
  PlanningSettings,
  PostingSlot,
  SlotInput,
} from '../lib/bindings';

type Handler = (args: InvokeArgs | undefined) => unknown;

export type PlanningFake = {
  settings: PlanningSettings;
  /** Slots per account id. */
  slots: Record<number, PostingSlot[]>;
  zone: string;
  /** What next_free_slots answers per account (default: none). */
  free: Record<number, FreeSlot[]>;
  budgets: AccountBudget[];
  presets: CaptionPreset[];
  /** What the save dialog answers (null: cancelled). */
  savePath: string | null;
  /** What importing the chosen file answers (null: the dialog was cancelled). */
  importReport: CsvImportReport | null;
};

export function makePlanning(): PlanningFake {
  return {
    settings: { minGapMinutes: 60, staggerMinutes: 30 },
    slots: {},
    zone: 'Europe/London',
    free: {},
    budgets: [],
    presets: [],
    savePath: '/home/me/Tokdeck schedule 2026-12-02.csv',
    importReport: { created: [], errors: [] },
  };
}

export function makeBudget(over: Partial<AccountBudget> = {}): AccountBudget {
  return {
    accountId: 1,
    title: '@maya.makes',
    status: 'active',
    isPrivate: false,
    directLast24h: 3,
    directNext24h: 2,
    dailyCap: 15,
    inboxLast24h: 1,
    inboxCap: 5,
    refreshDaysLeft: 300,
    lastPublish: null,
    audit: 'audited',
    warnings: [],
    ...over,
  };
}

/** Like the engine's check: UTF-16 units, hashtags over 5 warned, @mentions once each. */
export function checkCaption(text: string): CaptionCheck {
  const hashtags = [...new Set(text.match(/#[\p{L}\p{N}_]+/gu) ?? [])];
  const mentions = [...new Set(text.match(/@[\w.]+/g) ?? [])];
  return {
    utf16Units: text.length,
    maxUnits: 2200,
    hashtags,
    mentions,
    error: text.length > 2200 ? 'The caption is longer than TikTok allows (2,200).' : null,
    warnings:
      hashtags.length > 5
        ? ['TikTok allows at most 5 hashtags; posts with more may be refused.']
        : [],
  };
}

export function planningHandlers(p: PlanningFake): Record<string, Handler> {
  let nextSlotId = 1;
  let nextPresetId = 1;
  const acct = (args: InvokeArgs | undefined) => (args as { accountId: number }).accountId;
  const slotsOf = (id: number) => ({ accountId: id, zone: p.zone, slots: p.slots[id] ?? [] });
  const sorted = (list: PostingSlot[]) =>
    [...list].sort((a, b) => a.weekday - b.weekday || a.time.localeCompare(b.time));
  const add = (id: number, inputs: SlotInput[]) => {
    const list = [...(p.slots[id] ?? [])];
    for (const s of inputs) {
      for (const weekday of s.weekdays) {
        if (!list.some((x) => x.weekday === weekday && x.time === s.time)) {
          list.push({ id: 1000 + nextSlotId++, weekday, time: s.time });
        }
      }
    }
    p.slots[id] = sorted(list);
  };
  return {
    get_planning_settings: () => p.settings,
    set_planning_settings: (args) => {
      p.settings = (args as { settings: PlanningSettings }).settings;
      return p.settings;
    },
    list_posting_slots: (args) => slotsOf(acct(args)),
    add_posting_slots: (args) => {
      add(acct(args), (args as { slots: SlotInput[] }).slots);
      return slotsOf(acct(args));
    },
    set_posting_slots: (args) => {
      p.slots[acct(args)] = [];
      add(acct(args), (args as { slots: SlotInput[] }).slots);
      return slotsOf(acct(args));
    },
    remove_posting_slot: (args) => {
      const { slotId } = args as { slotId: number };
      const owner = Object.keys(p.slots)
        .map(Number)
        .find((id) => p.slots[id].some((s) => s.id === slotId));
      if (owner === undefined) throw { code: 'not_found', message: 'This posting time is gone.' };
      p.slots[owner] = p.slots[owner].filter((s) => s.id !== slotId);
      return slotsOf(owner);
    },
    next_free_slots: (args) => {
      const { count } = args as { count: number };
      return (p.free[acct(args)] ?? []).slice(0, count);
    },
    account_budgets: () => p.budgets,
    check_caption: (args) => checkCaption((args as { text: string }).text),
    list_caption_presets: (args) => p.presets.filter((x) => x.accountId === acct(args)),
    save_caption_preset: (args) => {
      const preset = (args as { preset: CaptionPreset }).preset;
      if (!preset.name.trim()) throw { code: 'invalid_input', message: 'Give the preset a name.' };
      const saved = { ...preset, name: preset.name.trim(), id: preset.id ?? nextPresetId++ };
      const i = p.presets.findIndex((x) => x.id === saved.id);
      if (i >= 0) p.presets[i] = saved;
      else p.presets.push(saved);
      return saved;
    },
    delete_caption_preset: (args) => {
      const { presetId } = args as { presetId: number };
      p.presets = p.presets.filter((x) => x.id !== presetId);
      return null;
    },
    save_schedule_csv: () => p.savePath,
    open_schedule_csv: () => p.importReport,
  };
}
