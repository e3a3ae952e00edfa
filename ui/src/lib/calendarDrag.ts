/**
 * Dragging a post across the calendar without re-rendering it: the drag lives outside Svelte's
 * state, and only the cell under the pointer (and the chip being dragged) change class. With a
 * thousand posts in a month, a reactive drag re-ran every cell's and every chip's bindings on
 * each pointer move.
 */
import type { DropTarget } from './calendarView';

/** The cells a post can be dropped on: a month day or a week hour. */
export const DROP_CELLS = '[data-testid="calendar-slot"], [data-testid="calendar-day"]';

/** The drop cell `hit` is in (a month day or a week hour), if any. */
export function cellOf(hit: Element | null): HTMLElement | null {
  return hit?.closest?.<HTMLElement>(DROP_CELLS) ?? null;
}

/** The drop target under the pointer (`hit`: the element there, else the event's target). */
export function targetOf(hit: Element | null): DropTarget | null {
  return targetOfCell(cellOf(hit));
}

/** The day (and hour) a drop cell stands for. */
export function targetOfCell(cell: HTMLElement | null): DropTarget | null {
  if (!cell?.dataset.date) return null;
  return {
    date: cell.dataset.date,
    hour: cell.dataset.hour === undefined ? null : Number(cell.dataset.hour),
  };
}

/** The element under a pointer event (jsdom has no `elementFromPoint`: its target then). */
export function hitOf(e: PointerEvent): Element | null {
  return (
    (typeof document.elementFromPoint === 'function'
      ? document.elementFromPoint(e.clientX, e.clientY)
      : null) ?? (e.target as Element | null)
  );
}

/** Marks one drop cell at a time with the `drop` class; nothing else is touched. */
export class DropHighlight {
  #cell: Element | null = null;

  /** Marks the cell of `target` (none: clears the mark). */
  show(target: DropTarget | null, root: ParentNode = document): void {
    this.mark(target ? findCell(root, target) : null);
  }

  /** Marks `cell` (the one under the pointer, already found: no search). */
  mark(cell: Element | null): void {
    if (cell === this.#cell) return;
    this.#cell?.classList.remove('drop');
    cell?.classList.add('drop');
    this.#cell = cell;
  }

  clear(): void {
    this.show(null);
  }
}

function findCell(root: ParentNode, t: DropTarget): Element | null {
  const date = `[data-date="${t.date}"]`;
  return t.hour === null
    ? root.querySelector(`[data-testid="calendar-day"]${date}`)
    : root.querySelector(`[data-testid="calendar-slot"]${date}[data-hour="${t.hour}"]`);
}

/** Enough movement to be a drag rather than a click. */
export const DRAG_THRESHOLD = 4;
