/**
 * The default time zone per account (where the composer starts its posts): the zones to offer,
 * the system's, and each listed account's zone in effect. Built during the Accounts page's
 * initialisation (its effect belongs to the page).
 */
import { commands, type AccountDto } from '../../lib/bindings';
import { call, toUiError } from '../../lib/ipc';
import { toasts } from '../../lib/toasts.svelte';
import { zoneLabel } from '../../lib/zones';

export class AccountZones {
  zones = $state<string[]>([]);
  systemZone = $state<string | null>(null);
  /** Each listed account's zone in effect (its own, else the system's). */
  byAccount = $state<Record<number, string>>({});
  busy = $state<Record<number, boolean>>({});
  /** Accounts whose zone was asked for (not reactive: only the answers are). */
  private readonly asked: Record<number, boolean> = {};

  /** `items` returns the accounts listed now; each one's zone is asked for once. */
  constructor(items: () => AccountDto[]) {
    $effect(() => {
      for (const a of items()) {
        if (this.asked[a.id]) continue;
        this.asked[a.id] = true;
        void call(() => commands.getAccountTimeZone(a.id)).then(
          (z) => (this.byAccount = { ...this.byAccount, [a.id]: z }),
          () => delete this.asked[a.id],
        );
      }
    });
  }

  /** Loads the zone list and the system's zone (call on mount). */
  start(): void {
    void call(commands.listTimeZones).then(
      (z) => (this.zones = z),
      () => {},
    );
    void call(commands.systemTimeZone).then(
      (z) => (this.systemZone = z),
      () => {},
    );
  }

  /** Sets the account's zone; null goes back to the system's. */
  async set(a: AccountDto, zone: string | null): Promise<void> {
    this.busy = { ...this.busy, [a.id]: true };
    try {
      const now = await call(() => commands.setAccountTimeZone(a.id, zone));
      this.byAccount = { ...this.byAccount, [a.id]: now };
      toasts.success(`${a.title}: new posts start in ${zoneLabel(now)}`);
    } catch (e) {
      toasts.fromError(toUiError(e));
    } finally {
      this.busy = { ...this.busy, [a.id]: false };
    }
  }
}
