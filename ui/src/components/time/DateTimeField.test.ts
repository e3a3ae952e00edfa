import { fireEvent, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import DateTimeField from './DateTimeField.svelte';
import ZonePicker from './ZonePicker.svelte';

const today = '2026-12-02';

describe('DateTimeField', () => {
  it('says "No time set" when empty, with inputs that do not look filled in', () => {
    render(DateTimeField, { props: { date: '', time: '', today } });
    expect(screen.getByTestId('when-readback')).toHaveTextContent('No time set');
    expect(screen.getByTestId('when-date')).toHaveValue('');
    expect(screen.getByTestId('when-date').getAttribute('placeholder')).toMatch(/^Type a date/);
  });

  it('reads digits typed in the locale order back in words', async () => {
    render(DateTimeField, { props: { date: '', time: '', today } });
    const order = screen.getByTestId('when-field').dataset.order;
    const digits =
      order === 'mdy' ? '12022027 0900' : order === 'ymd' ? '20271202 0900' : '02122027 0900';
    const user = userEvent.setup();
    await user.type(screen.getByTestId('when-date'), digits);
    const words = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: 'UTC' }).format(
      new Date('2027-12-02T00:00:00Z'),
    );
    expect(screen.getByTestId('when-readback')).toHaveTextContent(words);
    expect(screen.getByTestId('when-readback')).toHaveTextContent('9:00');
    // Leaving the field writes the date out; the time moved to its own field.
    await fireEvent.blur(screen.getByTestId('when-date'));
    expect((screen.getByTestId('when-date') as HTMLInputElement).value).toContain('2027');
    expect((screen.getByTestId('when-time') as HTMLInputElement).value).toContain('9:00');
  });

  it('says what it could not read once the field is left, not while typing', async () => {
    render(DateTimeField, { props: { date: '', time: '', today } });
    const user = userEvent.setup();
    await user.type(screen.getByTestId('when-date'), '31 Feb');
    expect(screen.queryByTestId('when-parse-error')).toBeNull();
    await fireEvent.blur(screen.getByTestId('when-date'));
    expect(screen.getByTestId('when-parse-error')).toHaveTextContent('Couldn\'t read "31 Feb"');
  });

  it('picks a day from the small calendar', async () => {
    render(DateTimeField, { props: { date: '', time: '18:00', today } });
    const user = userEvent.setup();
    await user.click(screen.getByTestId('when-date-calendar'));
    await user.click(document.querySelector('[data-day="2026-12-24"]') as HTMLElement);
    expect(screen.getByTestId('when-readback')).toHaveTextContent('2026');
    expect(screen.queryByTestId('date-calendar')).toBeNull();
  });
});

describe('ZonePicker', () => {
  const zones = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Etc/UTC'];

  it('finds a zone by city and by offset, said as people say it', async () => {
    const picked: string[] = [];
    render(ZonePicker, {
      props: { value: 'Etc/UTC', zones, onpick: (z: string) => picked.push(z) },
    });
    expect(screen.getByTestId('zone-picker')).toHaveTextContent('UTC');
    expect(screen.getByTestId('zone-picker')).not.toHaveTextContent('Etc');
    const user = userEvent.setup();
    await user.click(screen.getByTestId('zone-picker'));
    await user.type(screen.getByTestId('zone-picker-search'), 'new y');
    const options = screen.getAllByTestId('zone-picker-option');
    expect(options[0]).toHaveTextContent(/^New York \(GMT-[45]\)/);
    await user.clear(screen.getByTestId('zone-picker-search'));
    await user.type(screen.getByTestId('zone-picker-search'), '+5:30{Enter}');
    expect(picked).toEqual(['Asia/Kolkata']);
  });
});
