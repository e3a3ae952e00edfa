import { describe, expect, it } from 'vitest';
import { accountClass, iconClass } from './chipStyles';

const rules = () =>
  [...document.querySelectorAll<HTMLStyleElement>('style[data-chip-styles]')].flatMap((el) =>
    [...(el.sheet?.cssRules ?? [])].map((r) => r.cssText),
  );

describe('chip style classes', () => {
  it('gives an account one colour class, and its avatar a class of its own that follows changes', () => {
    const first = accountClass(41, 'data:image/png;base64,AAAA');
    const again = accountClass(41, 'data:image/png;base64,AAAA');
    const changed = accountClass(41, 'data:image/png;base64,BBBB');
    const none = accountClass(41, null);
    expect(first).toBe(again);
    expect(first.split(' ')[0]).toBe('acct-41');
    expect(changed.split(' ')[0]).toBe('acct-41');
    // A new avatar is a new class; no avatar, no avatar class (nothing stale drawn).
    expect(changed).not.toBe(first);
    expect(none).toBe('acct-41');
    expect(
      rules().filter((r) => r.includes('acct-41') && r.includes('border-left-color')),
    ).toHaveLength(1);
  });

  it('keeps an avatar inside its url(): a quote cannot end the rule', () => {
    const before = rules().length;
    accountClass(42, 'data:x"); } .injected { color: red; } .x { background: url("y');
    const added = rules().slice(before);
    // The whole text stays one rule's url (escaped), never a rule of its own.
    expect(added.some((r) => r.startsWith('.injected'))).toBe(false);
    expect(added.filter((r) => r.includes('background-image'))).toHaveLength(1);
  });

  it('names a state icon class by its icon, made once', () => {
    expect(iconClass('clock')).toBe('st-clock');
    iconClass('clock');
    expect(rules().filter((r) => r.startsWith('.st-clock'))).toHaveLength(1);
  });
});
