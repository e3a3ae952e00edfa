import type { IngestResult } from '../../lib/posts';

/** How far the drop being checked has come. */
export interface IngestProgress {
  done: number;
  total: number;
}

export function isProblem(r: IngestResult): boolean {
  return r.error !== null || r.violations.length > 0 || r.draftId === null;
}

/** `next` merged into `list`: a file checked again replaces its old result, in place. */
export function mergeResults(list: IngestResult[], next: IngestResult[]): IngestResult[] {
  const fresh = new Map(next.map((r) => [r.path, r]));
  const kept = list.map((r) => fresh.get(r.path) ?? r);
  const known = new Set(list.map((r) => r.path));
  return [...kept, ...next.filter((r) => !known.has(r.path))];
}

/** Files that need the creator first, then the ones that became drafts; order kept within. */
export function problemsFirst(list: IngestResult[]): IngestResult[] {
  return [...list.filter(isProblem), ...list.filter((r) => !isProblem(r))];
}

/** "498 added as drafts · 2 need a look", in plain words. */
export function ingestSummary(list: IngestResult[]): string {
  const added = list.filter((r) => r.draftId !== null).length;
  const problems = list.length - added;
  const parts = [];
  if (added > 0) parts.push(`${added} added as ${added === 1 ? 'a draft' : 'drafts'}`);
  if (problems > 0) parts.push(`${problems} ${problems === 1 ? 'needs' : 'need'} a look`);
  return parts.join(' · ') || 'No videos found';
}
