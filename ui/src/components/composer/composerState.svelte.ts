/**
 * The state of one Direct Post composer (tiktok-api.md §7): the form's fields, what TikTok's
 * creator_info says about the account, the resolved schedule time, and the save / schedule /
 * cancel / delete actions. Built once per `Composer` during its initialisation
 * (its effects belong to that component); the sections bind to its fields.
 */
import { untrack } from 'svelte';
import {
  commands as api,
  type AccountDto,
  type RestoreOutcome,
  type UiError,
} from '../../lib/bindings';
import { attempt } from '../../lib/ipc';
import type { AppStore } from '../../lib/app.svelte';
import {
  captionParts,
  formatInstant,
  localInZone,
  MAX_CAPTION_UTF16,
  utf16Length,
  type CapWarning,
  type ComposePatch,
  type CreatorInfoDto,
  type DstChoice,
  type LocalResolution,
  type PostDto,
  type PostMode,
  type When,
} from '../../lib/posts';
import { toasts } from '../../lib/toasts.svelte';
import { moveToTrash } from '../../lib/trash';
import * as rules from './rules';
import { postTime } from '../../lib/format';
import { zones } from '../time/zoneStore.svelte';

/** "Wed 2 Dec, 15:00 your time (09:00 New York)", by the one rule for showing times. */
function scheduledText(iso: string, zone: string): string {
  const t = postTime(iso, zone, zones.yours);
  return t.own ? `${t.yours} your time (${t.own})` : t.yours;
}

/** What the composer gets from its parent; read live (they are the component's props). */
export interface ComposerProps {
  post: PostDto;
  accounts: AccountDto[];
  onsaved?: (post: PostDto) => void;
  onremoved?: () => void;
  /** The zone an unscheduled post starts in (the account's default); the system's when null. */
  defaultZone?: string | null;
  /** The user picked a zone by hand. */
  onzonechange?: (zone: string) => void;
  /** Opened by "Schedule…": the When section is brought into view with its first empty field
   * focused (the Schedule button when the time is set). */
  focusWhen?: boolean;
}

export class ComposerState {
  readonly initial: PostDto;

  saved: PostDto;
  creator = $state<CreatorInfoDto | null>(null);
  creatorError = $state<UiError | null>(null);
  creatorLoading = $state(false);

  caption: string;
  privacy: string;
  allowComment: boolean;
  allowDuet: boolean;
  allowStitch: boolean;
  disclosure: boolean;
  yourBrand: boolean;
  branded: boolean;
  aigc: boolean;
  coverMs: number | null;
  mode: PostMode;

  date: string;
  time: string;
  zone: string;
  zones = $state<string[]>([]);
  publishNow = $state(false);
  resolution = $state<LocalResolution | null>(null);
  resolveError = $state<string | null>(null);
  dst = $state<DstChoice | null>(null);

  busy = $state(false);
  error = $state<UiError | null>(null);
  warnings = $state<CapWarning[]>([]);
  scheduledMessage = $state<string | null>(null);

  previewUrl = $state<string | null>(null);
  previewFailed = $state(false);
  currentTime = $state(0);

  nowTick = $state(Date.now());

  private creatorSeq = 0;
  private resolveSeq = 0;
  /** A post without a saved zone follows the default until the user picks one by hand. */
  private zoneByHand = false;

  private readonly props: () => ComposerProps;
  private readonly app: AppStore;

  /** `props` returns the component's props (read inside, so they stay live). */
  constructor(props: () => ComposerProps, app: AppStore) {
    this.props = props;
    this.app = app;
    const initial = untrack(() => props().post);
    this.initial = initial;
    this.saved = $state(initial);
    this.caption = $state(initial.caption);
    this.privacy = $state(initial.privacyLevel ?? '');
    this.allowComment = $state(initial.allowComment);
    this.allowDuet = $state(initial.allowDuet);
    this.allowStitch = $state(initial.allowStitch);
    this.disclosure = $state(initial.commercial.enabled);
    this.yourBrand = $state(initial.commercial.yourBrand);
    this.branded = $state(initial.commercial.brandedContent);
    this.aigc = $state(initial.isAigc);
    this.coverMs = $state(initial.coverTimestampMs ?? null);
    this.mode = $state(initial.mode);
    const initialLocal = initial.scheduleLocalChosen ?? initial.scheduleLocal ?? '';
    this.date = $state(initialLocal.slice(0, 10));
    this.time = $state(initialLocal.slice(11, 16));
    this.zone = $state(initial.scheduleZone ?? '');

    // ---- creator_info: fetched fresh whenever the account changes ----
    $effect(() => {
      const id = this.accountId;
      this.creator = null;
      this.creatorError = null;
      if (id === null) return;
      const seq = ++this.creatorSeq;
      this.creatorLoading = true;
      void attempt(() => api.creatorInfo(id)).then((r) => {
        if (seq !== this.creatorSeq) return;
        this.creatorLoading = false;
        if (r.ok) {
          this.creator = r.value;
          // A privacy level this creator does not offer cannot stay selected.
          if (this.privacy && !r.value.privacyLevelOptions.includes(this.privacy))
            this.privacy = '';
          // What the creator turned off in TikTok cannot stay on here.
          if (r.value.commentDisabled) this.allowComment = false;
          if (r.value.duetDisabled) this.allowDuet = false;
          if (r.value.stitchDisabled) this.allowStitch = false;
        } else this.creatorError = r.error;
      });
    });

    // ---- time zones ----
    $effect(() => {
      void attempt(api.listTimeZones).then((r) => {
        if (r.ok) this.zones = r.value;
      });
      if (!untrack(() => this.zone)) {
        void attempt(api.systemTimeZone).then((r) => {
          if (!this.zone)
            this.zone = r.ok ? r.value : Intl.DateTimeFormat().resolvedOptions().timeZone;
        });
      }
    });
    $effect(() => {
      const d = this.props().defaultZone ?? null;
      if (d && !this.zoneByHand && !initial.scheduleZone) this.zone = d;
    });

    // ---- the preview player ----
    $effect(() => {
      const id = initial.id;
      this.previewFailed = false;
      this.previewUrl = null;
      void attempt(() => api.mediaPreviewUrl(id)).then((r) => {
        if (r.ok) this.previewUrl = r.value;
        else this.previewFailed = true;
      });
    });

    // ---- resolving the wall-clock time in the zone (never shifted silently) ----
    $effect(() => {
      const local = this.date && this.time ? `${this.date}T${this.time}` : '';
      const z = this.zone;
      this.resolution = null;
      this.resolveError = null;
      this.dst = null;
      if (!local || !z) return;
      const seq = ++this.resolveSeq;
      void attempt(() => api.resolveLocalTime(local, z)).then((r) => {
        if (seq !== this.resolveSeq) return;
        if (r.ok) this.resolution = r.value;
        else this.resolveError = r.error.message;
      });
    });

    $effect(() => {
      const t = setInterval(() => (this.nowTick = Date.now()), 30_000);
      return () => clearInterval(t);
    });
  }

  get path(): string {
    return this.initial.mediaPath;
  }
  get facts() {
    return this.initial.media;
  }
  get accounts(): AccountDto[] {
    return this.props().accounts;
  }

  readonly accountId = $derived.by((): number | null => this.saved.accountId);
  readonly direct = $derived.by(() => this.mode === 'direct');
  readonly cannotPost = $derived.by(() =>
    rules.cannotPost(this.mode, this.creator, this.creatorError),
  );
  readonly cannotPostReason = $derived.by(() =>
    rules.cannotPostReason(this.creator, this.creatorError),
  );
  readonly maxSec = $derived.by(() => this.creator?.maxVideoPostDurationSec ?? null);
  readonly tooLong = $derived.by(() => rules.tooLong(this.facts.durationMs, this.maxSec));
  readonly count = $derived.by(() => utf16Length(this.caption));
  readonly captionTooLong = $derived.by(() => this.count > MAX_CAPTION_UTF16);
  readonly parts = $derived.by(() => captionParts(this.caption));

  // TikTok's rules for a developer app that has not passed the Direct Post audit
  // (tiktok-api.md §8): "Only me", private accounts only. The options stay exactly
  // creator_info's; the user is told instead.
  readonly audit = $derived.by(() => this.app.tiktokConfig?.directPostAudit ?? null);
  readonly notAudited = $derived.by(() => this.audit === 'not_audited');
  readonly auditNote = $derived.by(
    () => this.notAudited || (this.audit === 'unknown' && this.app.tiktokConfig?.mode === 'tiktok'),
  );
  // creator_info offers "Everyone" only to public accounts (tiktok-api.md §6).
  readonly accountIsPublic = $derived.by(
    () => this.creator?.privacyLevelOptions.includes('PUBLIC_TO_EVERYONE') ?? false,
  );
  private readonly disclosureChoice = $derived.by((): rules.Disclosure => ({
    enabled: this.disclosure,
    yourBrand: this.yourBrand,
    branded: this.branded,
  }));
  readonly brandedActive = $derived.by(() => rules.brandedActive(this.disclosureChoice));
  readonly disclosureLabel = $derived.by(() => rules.disclosureLabel(this.disclosureChoice));
  readonly account = $derived.by(() => this.accounts.find((a) => a.id === this.accountId) ?? null);

  readonly instant = $derived.by(() => rules.chosenInstant(this.resolution, this.dst));
  readonly inPast = $derived.by(() => rules.isInPast(this.publishNow, this.instant, this.nowTick));

  readonly blockers = $derived.by(() =>
    rules.blockers({
      accountId: this.accountId,
      creator: this.creator,
      creatorError: this.creatorError,
      creatorLoading: this.creatorLoading,
      mode: this.mode,
      durationMs: this.facts.durationMs,
      caption: this.caption,
      privacy: this.privacy,
      disclosure: this.disclosureChoice,
      publishNow: this.publishNow,
      date: this.date,
      time: this.time,
      resolution: this.resolution,
      resolveError: this.resolveError,
      dst: this.dst,
      inPast: this.inPast,
    }),
  );

  readonly zoneOptions = $derived.by(() =>
    this.zones.includes(this.zone) || !this.zone ? this.zones : [this.zone, ...this.zones],
  );
  readonly todayLocal = $derived.by(() => {
    // A throwaway value read once; `nowTick` is what makes this re-run.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    return this.zone ? localInZone(new Date(this.nowTick), this.zone) : '';
  });

  title = (id: number) => this.accounts.find((a) => a.id === id)?.title ?? `Account ${id}`;
  fmtChoice = (iso: string) => (this.zone ? formatInstant(iso, this.zone) : iso);

  useFrame = () => {
    this.coverMs = Math.round(this.currentTime * 1000);
  };

  pickZone = () => {
    this.zoneByHand = true;
    this.props().onzonechange?.(this.zone);
  };

  patch(): ComposePatch {
    return {
      caption: this.caption,
      privacyLevel: this.privacy || null,
      allowComment: this.allowComment,
      allowDuet: this.allowDuet,
      allowStitch: this.allowStitch,
      commercial: {
        enabled: this.disclosure,
        yourBrand: this.yourBrand,
        brandedContent: this.branded,
      },
      isAigc: this.aigc,
      coverTimestampMs: this.coverMs,
      mode: this.mode,
    };
  }

  /** Saves the form (also before variants are made from it); null when it failed. */
  async save(): Promise<PostDto | null> {
    const data = this.patch();
    const id = this.saved.id;
    const r = await attempt(() => api.updatePost(id, data));
    if (!r.ok) {
      this.error = r.error;
      return null;
    }
    this.saved = r.value;
    this.props().onsaved?.(r.value);
    return r.value;
  }

  saveDraft = async () => {
    if (this.accountId === null || this.busy) return;
    this.busy = true;
    this.error = null;
    const p = await this.save();
    this.busy = false;
    if (p) toasts.success('Draft saved');
  };

  schedule = async () => {
    if (this.blockers.length > 0 || this.busy) return;
    this.busy = true;
    this.error = null;
    this.warnings = [];
    this.scheduledMessage = null;
    const p = await this.save();
    if (!p) {
      this.busy = false;
      return;
    }
    const { publishNow, date, time, zone, dst } = this;
    const when: When = publishNow
      ? { kind: 'now' }
      : { kind: 'at', local: `${date}T${time}`, zone, dst };
    const r = await attempt(() => api.schedulePost(p.id, when));
    this.busy = false;
    if (!r.ok) {
      this.error = r.error;
      return;
    }
    this.saved = r.value.post;
    this.warnings = r.value.warnings;
    this.props().onsaved?.(r.value.post);
    this.scheduledMessage = this.publishNow
      ? 'Publishing now.'
      : `Scheduled for ${r.value.post.scheduledAt ? scheduledText(r.value.post.scheduledAt, this.zone) : `${this.date} ${this.time}`}.`;
    toasts.success(this.publishNow ? 'Publishing now' : 'Post scheduled');
  };

  // Both go to Trash with an Undo toast (lib/trash.ts); an Undo shows the post here again.
  cancelPost = async () => {
    const id = this.saved.id;
    const back = (o: RestoreOutcome) => {
      this.saved = o.post;
      this.props().onsaved?.(o.post);
    };
    if (await moveToTrash('cancel', id, { restored: back })) {
      const r = await attempt(() => api.getPost(id));
      if (r.ok) back({ post: r.value, note: null });
    }
  };

  deletePost = async () => {
    const id = this.saved.id;
    const back = (o: RestoreOutcome) => this.props().onsaved?.(o.post);
    if (await moveToTrash('delete', id, { restored: back })) this.props().onremoved?.();
  };
}
