#!/usr/bin/python3
"""Asks an X11 window to close the way a window manager's close button does: a WM_DELETE_WINDOW
client message. Used by the end-to-end tests, which run under Xvfb with no window manager.
usage: close_window.py TITLE"""
import sys

from Xlib import X, display, protocol


def find(win, title):
    try:
        name = win.get_wm_name()
    except Exception:
        name = None
    if name == title:
        attrs = win.get_attributes()
        if attrs.map_state == X.IsViewable:
            return win
    for child in win.query_tree().children:
        found = find(child, title)
        if found:
            return found
    return None


def main():
    title = sys.argv[1]
    d = display.Display()
    win = find(d.screen().root, title)
    if win is None:
        print(f"no visible window titled {title!r}", file=sys.stderr)
        return 1
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    ev = protocol.event.ClientMessage(
        window=win, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
    )
    win.send_event(ev, event_mask=X.NoEventMask)
    d.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
