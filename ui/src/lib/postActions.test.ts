import { describe, expect, it } from 'vitest';
import type { PostStatus } from './bindings';
import { postActions, type JobFacts, type PostAction } from './postActions';
import table from './wayOut.json';

interface Row {
  name: string;
  status: PostStatus;
  job: JobFacts | null;
  actions: PostAction[];
  auto?: string;
}

const rows = table.rows as Row[];
const STATUSES: PostStatus[] = [
  'draft',
  'scheduled',
  'needs_attention',
  'cancelled',
  'queued',
  'publishing',
  'published',
  'failed',
  'missed',
];

describe('the Queue page’s ways out', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_, row) => {
    expect(postActions(row.status, row.job)).toEqual(row.actions);
  });

  it('covers every post status, and no state is without a way out', () => {
    for (const s of STATUSES) expect(rows.some((r) => r.status === s)).toBe(true);
    for (const r of rows) expect(r.actions.length > 0 || Boolean(r.auto)).toBe(true);
  });
});
