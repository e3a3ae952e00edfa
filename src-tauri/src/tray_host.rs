//! Is there a tray to hide into?
//!
//! On Linux the tray icon is a StatusNotifierItem; without a `org.kde.StatusNotifierWatcher` on
//! the session bus (plain X servers, GNOME without the AppIndicator extension) the icon is
//! invisible, and hiding the window would strand the user. Other platforms always have a tray.

#[cfg(target_os = "linux")]
pub fn available() -> bool {
    if let Some(forced) = std::env::var("TOKDECK_TRAY")
        .ok()
        .as_deref()
        .and_then(parse_force)
    {
        return forced;
    }
    let check = || -> zbus::Result<bool> {
        let conn = zbus::blocking::Connection::session()?;
        let dbus = zbus::blocking::fdo::DBusProxy::new(&conn)?;
        let name = zbus::names::BusName::try_from("org.kde.StatusNotifierWatcher")?;
        Ok(dbus.name_has_owner(name)?)
    };
    match check() {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "could not ask the session bus for a tray host");
            false
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn available() -> bool {
    std::env::var("TOKDECK_TRAY")
        .ok()
        .as_deref()
        .and_then(parse_force)
        .unwrap_or(true)
}

fn parse_force(v: &str) -> Option<bool> {
    match v {
        "on" | "1" | "true" => Some(true),
        "off" | "0" | "false" => Some(false),
        _ => None,
    }
}
