//! The engine's settings and audit through a real store.

use tokdeck_core::events::EngineEvent;
use tokdeck_core::secrets::Secrets;
use tokdeck_core::settings::{SettingsPatch, Theme};
use tokdeck_core::{Engine, EngineConfig};

fn config(dir: &std::path::Path) -> EngineConfig {
    EngineConfig::new(
        dir.to_path_buf(),
        Secrets::with_store("tokdeck-test", keyring_core::mock::Store::new().unwrap()),
    )
}

#[tokio::test]
async fn settings_default_then_persist_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).await.unwrap();
    let s = engine.settings().await;
    assert!(s.notifications_enabled);
    assert!(!s.launch_at_login, "launch at login is off by default");
    assert!(!s.publishing_paused);

    let mut events = engine.events().subscribe();
    let patch = SettingsPatch {
        publishing_paused: Some(true),
        theme: Some(Theme::Dark),
        ..Default::default()
    };
    let s = engine.update_settings(&patch).await.unwrap();
    assert!(s.publishing_paused);
    assert!(s.notifications_enabled, "untouched fields keep their value");
    match events.recv().await.unwrap() {
        EngineEvent::SettingsChanged { settings } => assert_eq!(settings, s),
        other => panic!("unexpected {other:?}"),
    }
    engine.shutdown().await;
    drop(engine);

    let engine = Engine::open(config(dir.path())).await.unwrap();
    let s = engine.settings().await;
    assert!(s.publishing_paused);
    assert_eq!(s.theme, Theme::Dark);
    let audit = engine
        .list_audit(&tokdeck_core::audit::AuditQuery::default())
        .await
        .unwrap();
    let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"settings.update"), "{actions:?}");
    assert!(actions.contains(&"app.quit"), "{actions:?}");
}
