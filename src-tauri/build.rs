// Puts every IPC command under the capability ACL: a command the capability does not grant
// cannot be called from the webview. The commands come from `core/src/commands.list.rs`.
macro_rules! tokdeck_commands {
    ($(
        $module:ident :: $name:ident $args:tt
            -> $ret:ident $([$($arr:tt)*])? $(| $null:ident)?;
    )*) => {
        const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("core/src/commands.list.rs");

/// The permission set the capability grants: `allow-<name>` for every listed command and nothing
/// else. Tauri generates the single `allow-` permissions from `AppManifest::commands` but no set
/// of them for an app (only for inlined plugins, whose commands get a `plugin:` prefix).
const COMMAND_SET: &str = "tokdeck-commands";

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/core/src/commands.list.rs");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    // `generate_context!` needs the frontend folder to exist even when only running unit tests.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(&dist);
    }

    // Written to OUT_DIR, not the source tree: it is derived, and the shell's tests read it there.
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let set_file = out_dir.join(format!("{COMMAND_SET}.json"));
    let grants = COMMAND_NAMES
        .iter()
        .map(|c| format!("\"allow-{}\"", c.replace('_', "-")))
        .collect::<Vec<_>>()
        .join(", ");
    let set = format!(
        "{{\"set\": [{{\"identifier\": \"{COMMAND_SET}\", \"description\": \"Every Tokdeck \
         command (src-tauri/core/src/commands.list.rs) and no plugin command.\", \
         \"permissions\": [{grants}]}}]}}\n"
    );
    std::fs::write(&set_file, set).expect("could not write the command permission set");
    // The app's only permission file besides the generated `allow-`/`deny-` ones (this replaces
    // the default `permissions/**/*`). A glob pattern, so the path is escaped.
    let pattern: &'static str =
        Box::leak(glob_escape(&set_file.to_string_lossy()).into_boxed_str());

    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(
                tauri_build::AppManifest::new()
                    .commands(COMMAND_NAMES)
                    .permissions_path_pattern(pattern),
            ),
    )
    .expect("tauri build script failed");
}

/// What `glob::Pattern::escape` does, without a build dependency for it.
fn glob_escape(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            '?' | '*' | '[' | ']' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect()
}
