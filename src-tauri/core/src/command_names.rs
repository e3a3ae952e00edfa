// The one list of IPC commands. Included by the shell's build script (to put every command
// under the capability ACL) and by `ipc` (to generate the UI bindings); tests check the shell
// registers exactly these and the capability grants exactly these.
pub const COMMAND_NAMES: &[&str] = &[
    "app_info",
    "get_settings",
    "update_settings",
    "open_logs_folder",
    "recent_audit",
];
