/**
 * Many lines drawn as pixels: the comparison's 100 accounts × 730 days, stroked by the canvas,
 * cost the webview ~5× more to paint than the same lines set pixel by pixel (one-pixel lines,
 * no anti-aliasing: a hundred overlapping lines read the same) and laid on the chart as one
 * image. uPlot still does everything else (scales, axes, grid, cursor); its own paths for
 * these series are turned off (`paths: () => null`).
 */
import type uPlot from 'uplot';

/** `css` (any CSS colour) as one little-endian RGBA pixel; `null` when it cannot be read. */
export function pixelColor(css: string, ctx: CanvasRenderingContext2D | null): number | null {
  if (!ctx) return null;
  ctx.fillStyle = '#000';
  ctx.fillStyle = css;
  const s = String(ctx.fillStyle);
  let r: number, g: number, b: number, a: number;
  if (s.startsWith('#')) {
    const v = parseInt(s.slice(1, 7), 16);
    [r, g, b, a] = [(v >> 16) & 255, (v >> 8) & 255, v & 255, 255];
  } else {
    const m = s.match(/[\d.]+/g)?.map(Number);
    if (!m || m.length < 3) return null;
    [r, g, b, a] = [m[0], m[1], m[2], Math.round((m[3] ?? 1) * 255)];
  }
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * One line through the points (`xs`, `ys`: pixels; `null` breaks the line) into `px`, a
 * `width` × `height` image, `thick` pixels wide (Bresenham; outside points are clipped).
 */
export function rasterLine(
  px: Uint32Array,
  width: number,
  height: number,
  xs: ArrayLike<number>,
  ys: ArrayLike<number | null>,
  color: number,
  thick = 1,
): void {
  const plot = (x: number, y: number) => {
    for (let j = 0; j < thick; j++) {
      const row = y + j;
      if (row < 0 || row >= height) continue;
      for (let i = 0; i < thick; i++) {
        const col = x + i;
        if (col >= 0 && col < width) px[row * width + col] = color;
      }
    }
  };
  let x0 = 0;
  let y0 = 0;
  let open = false;
  for (let i = 0; i < xs.length; i++) {
    const yv = ys[i];
    if (yv === null || yv === undefined || !Number.isFinite(yv)) {
      open = false;
      continue;
    }
    const x1 = Math.round(xs[i]);
    const y1 = Math.round(yv);
    if (!open) {
      plot(x1, y1);
    } else {
      let x = x0;
      let y = y0;
      const dx = Math.abs(x1 - x);
      const dy = -Math.abs(y1 - y);
      const sx = x < x1 ? 1 : -1;
      const sy = y < y1 ? 1 : -1;
      let err = dx + dy;
      for (;;) {
        plot(x, y);
        if (x === x1 && y === y1) break;
        const e2 = 2 * err;
        if (e2 >= dy) {
          err += dy;
          x += sx;
        }
        if (e2 <= dx) {
          err += dx;
          y += sy;
        }
      }
    }
    x0 = x1;
    y0 = y1;
    open = true;
  }
}

let scratch: HTMLCanvasElement | null = null;
let probe: CanvasRenderingContext2D | null = null;

/**
 * A uPlot `draw` hook: every shown series (`colors[i]` is series `i`'s CSS colour) set as
 * pixels in the plot area, then drawn on the chart as one image.
 */
export function drawPixelLines(colors: string[]): (u: uPlot) => void {
  return (u) => {
    const { left, top } = u.bbox;
    const width = Math.round(u.bbox.width);
    const height = Math.round(u.bbox.height);
    if (width <= 0 || height <= 0) return;
    scratch ??= document.createElement('canvas');
    probe ??= document.createElement('canvas').getContext('2d');
    const sctx = scratch.getContext('2d');
    if (!sctx) return;
    if (scratch.width !== width || scratch.height !== height) {
      scratch.width = width;
      scratch.height = height;
    }
    const img = sctx.createImageData(width, height);
    const px = new Uint32Array(img.data.buffer);
    const thick = Math.max(1, Math.round(devicePixelRatio || 1));
    const data = u.data[0];
    const xs = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) xs[i] = u.valToPos(data[i], 'x', true) - left;
    const ys = new Float64Array(data.length);
    for (let s = 1; s < u.series.length; s++) {
      const line = u.series[s];
      const color = pixelColor(colors[s] ?? '#888', probe);
      if (!line.show || color === null) continue;
      const col = u.data[s] as (number | null | undefined)[];
      const key = line.scale ?? 'y';
      for (let i = 0; i < col.length; i++) {
        const v = col[i];
        ys[i] = v === null || v === undefined ? NaN : u.valToPos(v, key, true) - top;
      }
      rasterLine(px, width, height, xs, ys, color, thick);
    }
    sctx.putImageData(img, 0, 0);
    u.ctx.drawImage(scratch, left, top);
  };
}
