import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesce';

describe('coalesced', () => {
  it('runs a burst of calls at most twice, the last one after the burst', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const load = coalesced(
      () =>
        new Promise<void>((done) => {
          runs += 1;
          release = done;
        }),
    );
    const calls = Array.from({ length: 20 }, () => load());
    expect(runs).toBe(1);
    release();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    release();
    await Promise.all(calls);
    expect(runs).toBe(2);
  });

  it('runs again for a call made after the last run ended', async () => {
    let runs = 0;
    const load = coalesced(async () => {
      runs += 1;
    });
    await load();
    await load();
    expect(runs).toBe(2);
  });

  it('keeps working after a run fails', async () => {
    let runs = 0;
    const load = coalesced(async () => {
      runs += 1;
      if (runs === 1) throw new Error('boom');
    });
    await expect(load()).rejects.toThrow('boom');
    await load();
    expect(runs).toBe(2);
  });
});
