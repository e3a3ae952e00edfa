import { afterEach, describe, expect, it } from 'vitest';
import { cellOf, DropHighlight, targetOf, targetOfCell } from './calendarDrag';

function grid() {
  document.body.innerHTML = `
    <table><tr>
      <td data-testid="calendar-day" data-date="2030-05-01"><button id="chip">x</button></td>
      <td data-testid="calendar-day" data-date="2030-05-02"></td>
    </tr></table>
    <table><tr>
      <td data-testid="calendar-slot" data-date="2030-05-01" data-hour="9"></td>
      <td data-testid="calendar-slot" data-date="2030-05-01" data-hour="10"></td>
    </tr></table>`;
}

describe('dragging on the calendar', () => {
  afterEach(() => (document.body.innerHTML = ''));

  it('finds the day or the hour under the pointer', () => {
    grid();
    expect(targetOf(document.getElementById('chip'))).toEqual({ date: '2030-05-01', hour: null });
    expect(targetOf(document.querySelector('[data-hour="10"]'))).toEqual({
      date: '2030-05-01',
      hour: 10,
    });
    expect(targetOf(document.body)).toBeNull();
    expect(targetOf(null)).toBeNull();
  });

  it('marks one cell at a time and touches nothing else', () => {
    grid();
    const h = new DropHighlight();
    const marked = () => [...document.querySelectorAll('.drop')].map((e) => e.outerHTML);
    const before = document.body.innerHTML;
    h.show({ date: '2030-05-02', hour: null });
    expect(marked()).toHaveLength(1);
    expect(document.querySelector('.drop')).toHaveAttribute('data-date', '2030-05-02');
    h.show({ date: '2030-05-01', hour: 9 });
    expect(marked()).toHaveLength(1);
    expect(document.querySelector('.drop')).toHaveAttribute('data-hour', '9');
    // A day that is not shown: nothing marked.
    h.show({ date: '2031-01-01', hour: null });
    expect(marked()).toHaveLength(0);
    h.show({ date: '2030-05-01', hour: null });
    h.clear();
    expect(document.body.innerHTML.replaceAll(' class=""', '')).toBe(before);
  });

  it('marks the cell found under the pointer without searching for it', () => {
    grid();
    const h = new DropHighlight();
    const cell = cellOf(document.getElementById('chip'));
    expect(targetOfCell(cell)).toEqual({ date: '2030-05-01', hour: null });
    h.mark(cell);
    expect(cell).toHaveClass('drop');
    h.mark(cellOf(document.body));
    expect(document.querySelectorAll('.drop')).toHaveLength(0);
  });
});
