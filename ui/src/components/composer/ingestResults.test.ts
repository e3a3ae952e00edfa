import { describe, expect, it } from 'vitest';
import type { IngestResult } from '../../lib/posts';
import { ingestSummary, mergeResults, problemsFirst } from './ingestResults';

const r = (path: string, draftId: number | null, error: string | null = null): IngestResult => ({
  path,
  facts: null,
  error,
  violations: [],
  accountId: 1,
  draftId,
});

describe('ingest results', () => {
  it('merges a file checked again in place and appends new ones', () => {
    const merged = mergeResults([r('/a', null, 'gone'), r('/b', 2)], [r('/a', 3), r('/c', 4)]);
    expect(merged.map((x) => [x.path, x.draftId])).toEqual([
      ['/a', 3],
      ['/b', 2],
      ['/c', 4],
    ]);
  });

  it('lists the files that need a look first, order kept within', () => {
    const list = [r('/ok1', 1), r('/bad1', null, 'x'), r('/ok2', 2), r('/bad2', null, 'y')];
    expect(problemsFirst(list).map((x) => x.path)).toEqual(['/bad1', '/bad2', '/ok1', '/ok2']);
  });

  it('sums a drop up in plain words', () => {
    expect(ingestSummary([r('/a', 1)])).toBe('1 added as a draft');
    expect(ingestSummary([r('/a', 1), r('/b', 2), r('/c', null, 'x')])).toBe(
      '2 added as drafts · 1 needs a look',
    );
    expect(ingestSummary([])).toBe('No videos found');
  });
});
