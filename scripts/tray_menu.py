#!/usr/bin/python3
"""Reads or clicks the tray menu the way a desktop's tray host does: through the
StatusNotifierItem registered with the session's watcher (scripts/fake_tray_host.py in tests)
and its com.canonical.dbusmenu object.

    tray_menu.py labels          one line per menu item: "<enabled 0|1>\t<label>"
    tray_menu.py click LABEL     sends the "clicked" event to the item with that label
Exits 2 when no tray item is registered yet, 3 when no item has the label."""
import sys
import time

import dbus

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"


def registered_items(bus):
    watcher = bus.get_object(WATCHER, "/StatusNotifierWatcher")
    props = dbus.Interface(watcher, dbus.PROPERTIES_IFACE)
    return [str(i) for i in props.Get(WATCHER, "RegisteredStatusNotifierItems")]


def menu_of(bus, item):
    service, _, path = item.partition("/")
    path = "/" + path if path else "/StatusNotifierItem"
    obj = bus.get_object(service, path)
    menu_path = dbus.Interface(obj, dbus.PROPERTIES_IFACE).Get(ITEM, "Menu")
    return dbus.Interface(bus.get_object(service, menu_path), MENU)


def plain(label):
    """dbusmenu labels use GTK mnemonics: "_x" marks an access key, "__" is a literal "_"."""
    out, i = [], 0
    while i < len(label):
        if label[i] == "_" and i + 1 < len(label):
            out.append(label[i + 1] if label[i + 1] == "_" else "")
            i += 2 if label[i + 1] == "_" else 1
        else:
            out.append(label[i])
            i += 1
    return "".join(out)


def flatten(node, out):
    item_id, props, children = node
    if "label" in props:
        label = plain(str(props["label"]))
        enabled = bool(props.get("enabled", True))
        visible = bool(props.get("visible", True))
        if visible:
            out.append((int(item_id), enabled, label))
    for child in children:
        flatten(child, out)


def items(menu):
    _, layout = menu.GetLayout(0, -1, dbus.Array(["label", "enabled", "visible"], signature="s"))
    out = []
    flatten(layout, out)
    return out


def main():
    bus = dbus.SessionBus()
    registered = registered_items(bus)
    if not registered:
        return 2
    menu = menu_of(bus, registered[-1])
    if sys.argv[1:2] == ["labels"]:
        for _, enabled, label in items(menu):
            print(f"{int(enabled)}\t{label}")
        return 0
    if sys.argv[1:2] == ["click"] and len(sys.argv) == 3:
        for item_id, _, label in items(menu):
            if label == sys.argv[2]:
                menu.Event(item_id, "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(int(time.time())))
                return 0
        return 3
    print(__doc__, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
