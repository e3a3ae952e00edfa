/**
 * Tiny hash router: `#/accounts`, `#/compose`, … so a reload keeps the page.
 * Later pages may add a sub-path (`#/compose/draft-1`); `router.rest` exposes it.
 */
export const PAGES = [
  'accounts',
  'compose',
  'drafts',
  'calendar',
  'queue',
  'analytics',
  'trash',
  'settings',
] as const;
export type PageId = (typeof PAGES)[number];
export const DEFAULT_PAGE: PageId = 'accounts';

export function isPageId(value: string): value is PageId {
  return (PAGES as readonly string[]).includes(value);
}

export function href(page: PageId, rest = ''): string {
  return `#/${page}${rest ? `/${rest}` : ''}`;
}

/** Parse `#/page/rest…`; unknown or empty hashes fall back to the default page. */
export function parseHash(hash: string): { page: PageId; rest: string } {
  const path = hash.replace(/^#\/?/, '');
  const [head = '', ...tail] = path.split('/');
  return isPageId(head) ? { page: head, rest: tail.join('/') } : { page: DEFAULT_PAGE, rest: '' };
}

/** The composer's sub-path: `<postId>` opens a post, `<postId>/when` opens it to be scheduled. */
export function openedFrom(rest: string): { id: number | null; when: boolean } {
  const [head = '', tail = ''] = rest.split('/');
  const id = Number(head);
  return head && Number.isInteger(id) ? { id, when: tail === 'when' } : { id: null, when: false };
}

export class Router {
  page = $state<PageId>(DEFAULT_PAGE);
  rest = $state('');

  /** Sync from `location.hash` and follow `hashchange`. Returns a stop function. */
  start(): () => void {
    this.#sync();
    const onChange = () => this.#sync();
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }

  go(page: PageId, rest = ''): void {
    this.page = page;
    this.rest = rest;
    const target = href(page, rest);
    if (window.location.hash !== target) window.location.hash = target;
  }

  #sync(): void {
    const { page, rest } = parseHash(window.location.hash);
    this.page = page;
    this.rest = rest;
  }
}

export const router = new Router();
