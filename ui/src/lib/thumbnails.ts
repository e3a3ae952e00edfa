import { commands } from './bindings';
import { attempt, inTauri } from './ipc';

/**
 * Where post thumbnails are served (the loopback preview server, the one origin the CSP
 * allows for images besides the app's own); null when it is not available.
 */
export async function thumbnailBase(): Promise<string | null> {
  if (!inTauri()) return null;
  const r = await attempt(commands.thumbnailBaseUrl);
  return r.ok ? r.value : null;
}

/**
 * The image URL of a post's thumbnail, or null when it has none (no ffmpeg, unreadable file).
 * The file name follows the video and cover, so putting it in the query refreshes the image
 * when the cover changes.
 */
export function thumbnailSrc(
  base: string | null,
  item: { id: number; thumbnailPath: string | null },
): string | null {
  if (!base || !item.thumbnailPath) return null;
  const name = item.thumbnailPath.split(/[\\/]/).pop() ?? '';
  return `${base}${item.id}?v=${encodeURIComponent(name)}`;
}
