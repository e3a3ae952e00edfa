/**
 * Advice on a clip TikTok accepts but that tends to do badly: very short, or landscape. Said
 * before scheduling; never blocks (TikTok's own rules are the engine's `violations`).
 */
import type { VideoFacts } from '../../lib/bindings';
import { formatDuration } from '../../lib/posts';

/** Below this a clip is "very short" (TikTok takes 1 s clips; viewers scroll past them). */
export const SHORT_MS = 3_000;

export type Advice = { kind: 'short' | 'landscape'; message: string };

export function clipAdvice(
  facts: Pick<VideoFacts, 'durationMs' | 'width' | 'height'> | null,
): Advice[] {
  if (!facts) return [];
  const out: Advice[] = [];
  if (facts.durationMs > 0 && facts.durationMs < SHORT_MS)
    out.push({
      kind: 'short',
      message: `This clip is only ${formatDuration(facts.durationMs)} long. TikTok accepts it, but very short clips tend to perform badly; a few seconds more usually helps.`,
    });
  if (facts.width > facts.height)
    out.push({
      kind: 'landscape',
      message: `This clip is landscape (${facts.width}×${facts.height}). TikTok accepts it, but it shows small with bars on a phone; vertical 9:16 video usually performs better.`,
    });
  return out;
}
