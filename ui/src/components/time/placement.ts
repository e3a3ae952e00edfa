/**
 * Where a popover opens next to the control that opened it: below, unless it would run past
 * what can be seen (the window, the content pane that scrolls, any clipping box) and there is
 * more room above. Near the window's bottom edge a popover opening downward fell out of sight
 * and its search box could not be typed in.
 */

export type Bounds = { top: number; bottom: number };

export type Placement = {
  /** Opens upward, its bottom edge just above the control. */
  up: boolean;
  /** The height there is on that side (px), for the popover to fit into. */
  room: number;
};

/** The vertical part of the window `el` can show in: the window cut by every box around it
 * that scrolls or clips. */
export function visibleBounds(el: Element): Bounds {
  let top = 0;
  let bottom = window.innerHeight;
  for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (!/auto|scroll|hidden|clip/.test(s.overflowY)) continue;
    const r = p.getBoundingClientRect();
    // A box jsdom never laid out (0 × 0) clips nothing.
    if (r.height <= 0) continue;
    top = Math.max(top, r.top);
    bottom = Math.min(bottom, r.bottom);
  }
  return { top, bottom };
}

/** Below when `height` fits there or there is at least as much room below as above. */
export function placePopover(anchor: Element, height: number, gap = 4): Placement {
  const a = anchor.getBoundingClientRect();
  const { top, bottom } = visibleBounds(anchor);
  const below = Math.max(0, bottom - a.bottom - gap);
  const above = Math.max(0, a.top - top - gap);
  const up = height > below && above > below;
  return { up, room: up ? above : below };
}
