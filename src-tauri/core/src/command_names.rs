// The one list of IPC commands. Included by the shell's build script (to put every command
// under the capability ACL) and by `ipc` (to generate the UI bindings); tests check the shell
// registers exactly these and the capability grants exactly these.
pub const COMMAND_NAMES: &[&str] = &[
    "app_info",
    "get_settings",
    "update_settings",
    "open_logs_folder",
    "recent_audit",
    "get_tiktok_config",
    "update_tiktok_config",
    "connect_account",
    "cancel_connect",
    "pending_connect",
    "list_accounts",
    "get_account",
    "set_account_label",
    "set_default_account",
    "set_current_account",
    "get_current_account",
    "sync_account",
    "sync_all_accounts",
    "test_account_connection",
    "accounts_summary",
    "remove_account",
    "list_audit",
];
