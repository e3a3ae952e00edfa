import { cleanup, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import DateTimeField from './DateTimeField.svelte';
import ZonePicker from './ZonePicker.svelte';

const zones = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata'];

/** The controls popovers open from (jsdom has no offsetParent: the calendar's is its row). */
const ANCHORS = '.zone-picker, .dt, .inputs';

/** Lays the page out as a 600 px-high window would: `at` is the control's top edge. */
function layout(at: number, sizes: Record<string, number>) {
  vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (
    this: HTMLElement,
  ) {
    const h =
      Object.entries(sizes).find(([css]) => this.matches(css))?.[1] ??
      (this.matches(ANCHORS) ? 32 : 0);
    const top = this.matches(ANCHORS) ? at : 0;
    return DOMRect.fromRect({ x: 0, y: top, width: h ? 300 : 0, height: h });
  });
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('the zone picker near the window’s edge', () => {
  it('opens upward at the bottom, whole and typeable', async () => {
    layout(540, { '.panel': 330, '[role=listbox]': 240 });
    render(ZonePicker, { props: { value: 'UTC', zones, onpick: () => {} } });
    const user = userEvent.setup();
    await user.click(screen.getByTestId('zone-picker'));
    const panel = screen.getByTestId('zone-picker-panel');
    expect(panel).toHaveAttribute('data-placement', 'above');
    expect(panel).toHaveClass('up');
    // 540 px above the button: the whole panel fits, the list keeps its full height.
    expect(screen.getByRole('listbox').style.maxHeight).toBe('240px');
    await user.type(screen.getByTestId('zone-picker-search'), 'kolk');
    expect(screen.getAllByTestId('zone-picker-option')[0]).toHaveAttribute(
      'data-zone',
      'Asia/Kolkata',
    );
  });

  it('opens downward when there is room below', async () => {
    layout(100, { '.panel': 330, '[role=listbox]': 240 });
    render(ZonePicker, { props: { value: 'UTC', zones, onpick: () => {} } });
    await userEvent.setup().click(screen.getByTestId('zone-picker'));
    const panel = screen.getByTestId('zone-picker-panel');
    expect(panel).toHaveAttribute('data-placement', 'below');
    expect(panel).not.toHaveClass('up');
  });

  it('shortens its list when neither side has room for all of it', async () => {
    // 300 px below a control at 264..296 of a 600 px window, 260 above: below, list cut to fit.
    layout(264, { '.panel': 330, '[role=listbox]': 240 });
    render(ZonePicker, { props: { value: 'UTC', zones, onpick: () => {} } });
    await userEvent.setup().click(screen.getByTestId('zone-picker'));
    expect(screen.getByTestId('zone-picker-panel')).toHaveAttribute('data-placement', 'below');
    // 600 - 296 - 4 = 300 px of room, 90 px of it for the search and hint.
    expect(screen.getByRole('listbox').style.maxHeight).toBe('210px');
  });
});

describe('the date field’s calendar near the window’s edge', () => {
  it('opens upward at the bottom', async () => {
    layout(500, { '.mini': 260 });
    render(DateTimeField, { props: { date: '', time: '', today: '2026-12-02' } });
    await userEvent.setup().click(screen.getByTestId('when-date-calendar'));
    expect(screen.getByTestId('date-calendar')).toHaveClass('up');
  });

  it('opens downward with room below', async () => {
    layout(80, { '.mini': 260 });
    render(DateTimeField, { props: { date: '', time: '', today: '2026-12-02' } });
    await userEvent.setup().click(screen.getByTestId('when-date-calendar'));
    expect(screen.getByTestId('date-calendar')).not.toHaveClass('up');
  });
});
