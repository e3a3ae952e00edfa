import { describe, expect, it } from 'vitest';
import { pixelColor, rasterLine } from './pixelLines';

/** The image as rows of '#' (set) and '.' (empty). */
function rows(px: Uint32Array, width: number): string[] {
  const out: string[] = [];
  for (let y = 0; y < px.length / width; y++)
    out.push([...px.slice(y * width, (y + 1) * width)].map((v) => (v ? '#' : '.')).join(''));
  return out;
}

describe('pixel lines', () => {
  it('joins the points with one-pixel steps and breaks at a missing value', () => {
    const px = new Uint32Array(6 * 3);
    rasterLine(px, 6, 3, [0, 2, 3, 5], [0, 2, null, 1], 1);
    expect(rows(px, 6)).toEqual(['#.....', '.#...#', '..#...']);
  });

  it('clips what falls outside the image and draws thick lines as blocks', () => {
    const px = new Uint32Array(4 * 4);
    rasterLine(px, 4, 4, [-3, 1, 9], [1, 1, 1], 7, 2);
    expect(rows(px, 4)).toEqual(['....', '####', '####', '....']);
    expect(px[4]).toBe(7);
  });

  it('reads a colour as one RGBA pixel, whatever CSS form the canvas gives it back in', () => {
    const as = (given: string) => {
      const fake = {
        set fillStyle(_v: string) {},
        get fillStyle() {
          return given;
        },
      } as unknown as CanvasRenderingContext2D;
      return pixelColor('anything', fake);
    };
    expect(as('#102030')).toBe(0xff302010);
    expect(as('rgba(16, 32, 48, 0.5)')).toBe(0x80302010);
    expect(pixelColor('red', null)).toBeNull();
  });
});
