// Puts every IPC command under the capability ACL: a command the capability does not grant
// cannot be called from the webview.
include!("core/src/command_names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/core/src/command_names.rs");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    // `generate_context!` needs the frontend folder to exist even when only running unit tests.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(&dist);
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("tauri build script failed");
}
