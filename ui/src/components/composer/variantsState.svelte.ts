/**
 * The state of "Post to other accounts too": the accounts chosen, the variants the engine made
 * for them (`create_variants`), each account's own creator_info and zone, the stagger, the
 * duplicate-content warning, and "Schedule all" / "Keep as drafts". The rules are in
 * `variants.ts`; built once per composer, next to its `ComposerState`.
 */
import { commands as api, type CreatorInfoDto, type When } from '../../lib/bindings';
import { attempt } from '../../lib/ipc';
import { toasts } from '../../lib/toasts.svelte';
import { moveToTrash } from '../../lib/trash';
import type { ComposerState } from './composerState.svelte';
import {
  applyResults,
  duplicateWarning,
  localFields,
  pending,
  resultSummary,
  suggestedInstant,
  variantBlockers,
  type ScheduleResult,
  type VariantRow,
} from './variants';

/** An account the engine could not make a copy for, and why. */
export interface VariantFailure {
  accountId: number;
  reason: string;
}

export class VariantsState {
  targets = $state<number[]>([]);
  rows = $state<VariantRow[]>([]);
  failures = $state<VariantFailure[]>([]);
  creators = $state<Record<number, CreatorInfoDto>>({});
  creatorErrors = $state<Record<number, string>>({});
  /** Minutes between accounts (Settings → Planning); null until read. */
  stagger = $state<number | null>(null);
  found = $state<string[]>([]);
  busy = $state(false);
  summary = $state<string | null>(null);
  error = $state<string | null>(null);

  private readonly c: ComposerState;

  constructor(c: ComposerState) {
    this.c = c;
    void attempt(api.getPlanningSettings).then((r) => {
      this.stagger = r.ok ? r.value.staggerMinutes : 30;
    });
  }

  /** The accounts a variant can still be made for (not this post's, not one already made). */
  readonly choices = $derived.by(() =>
    this.c.accounts.filter(
      (a) => a.id !== this.c.saved.accountId && !this.rows.some((v) => v.accountId === a.id),
    ),
  );

  readonly warnings = $derived.by(() => duplicateWarning(this.found, this.rows.length));

  blockers = (v: VariantRow): string[] =>
    variantBlockers(v, {
      mode: this.c.mode,
      creator: this.creators[v.accountId] ?? null,
      creatorError: this.creatorErrors[v.accountId] ?? null,
      durationMs: this.c.facts.durationMs,
      brandedActive: this.c.brandedActive,
    });

  /** Saves the composer's form, then makes a draft per chosen account from it. */
  create = async () => {
    if (this.targets.length === 0 || this.busy) return;
    this.busy = true;
    this.error = null;
    this.summary = null;
    const source = await this.c.save();
    if (!source) {
      this.busy = false;
      this.error = "Couldn't save this post first; see the message above.";
      return;
    }
    const r = await attempt(() => api.createVariants(source.id, this.targets));
    if (!r.ok) {
      this.busy = false;
      this.error = r.error.message;
      return;
    }
    const stagger = this.stagger ?? 30;
    // A throwaway value read once.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const now = new Date().toISOString();
    const base = this.c.publishNow ? now : (this.c.instant ?? this.c.saved.scheduledAt);
    const made: VariantRow[] = [];
    const failed: VariantFailure[] = [];
    const found = [...this.found];
    let k = this.rows.length;
    for (const o of r.value) {
      if (!o.post) {
        failed.push({ accountId: o.accountId, reason: o.error ?? "Couldn't make a copy." });
        continue;
      }
      k += 1;
      const zone = await this.zoneOf(o.accountId);
      // The engine counts its staggers from 1 in each call: a later batch goes on from the
      // copies already listed instead.
      const at = suggestedInstant(this.rows.length === 0 ? o.suggestedAt : null, base, k, stagger);
      made.push({
        accountId: o.accountId,
        postId: o.post.id,
        caption: o.post.caption,
        privacy: o.post.privacyLevel ?? '',
        allowComment: o.post.allowComment,
        allowDuet: o.post.allowDuet,
        allowStitch: o.post.allowStitch,
        coverMs: o.post.coverTimestampMs ?? null,
        ...localFields(at, zone),
        zone,
        notes: o.notes,
        state: { kind: 'draft' },
      });
      found.push(...o.warnings);
      void this.loadCreator(o.accountId);
    }
    const dup = await attempt(() => api.duplicateContent(source.id));
    if (dup.ok) found.push(...dup.value);
    this.rows = [...this.rows, ...made];
    this.failures = failed;
    this.found = found;
    this.targets = failed.map((f) => f.accountId);
    this.busy = false;
  };

  private async zoneOf(accountId: number): Promise<string> {
    const r = await attempt(() => api.getAccountTimeZone(accountId));
    return r.ok ? r.value : this.c.zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  }

  private async loadCreator(accountId: number) {
    const r = await attempt(() => api.creatorInfo(accountId));
    if (r.ok) {
      this.creators[accountId] = r.value;
      const v = this.rows.find((x) => x.accountId === accountId);
      if (!v) return;
      if (v.privacy && !r.value.privacyLevelOptions.includes(v.privacy)) v.privacy = '';
      if (r.value.commentDisabled) v.allowComment = false;
      if (r.value.duetDisabled) v.allowDuet = false;
      if (r.value.stitchDisabled) v.allowStitch = false;
    } else this.creatorErrors[accountId] = r.error.message;
  }

  private async saveRow(v: VariantRow): Promise<string | null> {
    const base = this.c.patch();
    const r = await attempt(() =>
      api.updatePost(v.postId, {
        ...base,
        caption: v.caption,
        privacyLevel: v.privacy || null,
        allowComment: v.allowComment,
        allowDuet: v.allowDuet,
        allowStitch: v.allowStitch,
        coverTimestampMs: v.coverMs,
      }),
    );
    return r.ok ? null : r.error.message;
  }

  private async scheduleRow(v: VariantRow): Promise<ScheduleResult> {
    const blocked = this.blockers(v)[0];
    if (blocked) return { accountId: v.accountId, ok: false, reason: blocked };
    const saveError = await this.saveRow(v);
    if (saveError) return { accountId: v.accountId, ok: false, reason: saveError };
    const when: When = { kind: 'at', local: `${v.date}T${v.time}`, zone: v.zone, dst: null };
    const r = await attempt(() => api.schedulePost(v.postId, when));
    return r.ok
      ? { accountId: v.accountId, ok: true, at: r.value.post.scheduledAt }
      : { accountId: v.accountId, ok: false, reason: r.error.message };
  }

  private async run(rows: VariantRow[]): Promise<ScheduleResult[]> {
    for (const v of rows) v.state = { kind: 'working' };
    const results: ScheduleResult[] = [];
    // One after another: each schedule is checked against the caps the others just took.
    for (const v of rows) results.push(await this.scheduleRow(v));
    this.rows = applyResults(this.rows, results);
    return results;
  }

  /** Schedules this post (when it is still a draft and ready) and every variant not done. */
  scheduleAll = async () => {
    if (this.busy) return;
    this.busy = true;
    this.summary = null;
    if (this.c.saved.status === 'draft' && this.c.blockers.length === 0) await this.c.schedule();
    const results = await this.run(pending(this.rows));
    await this.recheck();
    this.busy = false;
    this.summary = resultSummary(results, this.c.title);
    if (results.length > 0 && results.every((r) => r.ok)) toasts.success(this.summary);
  };

  /** The duplicate-content warning again, now that copies are scheduled. */
  private async recheck() {
    const r = await attempt(() => api.duplicateContent(this.c.saved.id));
    if (r.ok && r.value.length > 0) this.found = r.value;
  }

  /** Schedules one variant again (after its reason was fixed). */
  retry = async (accountId: number) => {
    const v = this.rows.find((x) => x.accountId === accountId);
    if (!v || this.busy) return;
    this.busy = true;
    const results = await this.run([v]);
    this.busy = false;
    this.summary = resultSummary(results, this.c.title);
  };

  /** Saves every variant not scheduled as a draft (they wait on the Drafts page). */
  keepDrafts = async () => {
    if (this.busy) return;
    this.busy = true;
    const todo = pending(this.rows);
    let saved = 0;
    for (const v of todo) {
      const e = await this.saveRow(v);
      if (e) v.state = { kind: 'failed', reason: e };
      else saved += 1;
    }
    this.busy = false;
    this.summary = `${saved === 1 ? '1 copy' : `${saved} copies`} kept as drafts (on the Drafts page).`;
    toasts.success(this.summary);
  };

  /**
   * Removes a copy not yet scheduled: its draft goes to Trash (with the usual Undo, which
   * brings it back as a draft on the Drafts page) and its account is offered again.
   */
  remove = async (accountId: number) => {
    const v = this.rows.find((x) => x.accountId === accountId);
    if (!v || v.state.kind === 'scheduled' || this.busy) return;
    this.busy = true;
    const gone = await moveToTrash('delete', v.postId);
    this.busy = false;
    if (!gone) return;
    this.rows = this.rows.filter((x) => x.accountId !== accountId);
    this.summary = null;
  };

  useFrame = (accountId: number) => {
    const v = this.rows.find((x) => x.accountId === accountId);
    if (v) v.coverMs = Math.round(this.c.currentTime * 1000);
  };
}
