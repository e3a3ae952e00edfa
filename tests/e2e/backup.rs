//! Moving to a new laptop (#16): back up from the real app with a passphrase, then start on an
//! empty data folder and an empty keychain, restore the file through Settings → Backups, and
//! see the accounts, their connections and the month's calendar again, with no restart; the
//! video that moved is found again by "Find moved files in a folder…".
//!
//! The native dialogs cannot be driven through WebDriver: the app built with the `e2e`
//! feature answers every dialog with the path written in the file that
//! `TOKDECK_E2E_DIALOG_ANSWER` names (see `src-tauri/src/dialogs.rs`); the test writes it just
//! before the click that opens the dialog.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{Duration as Days, Local, NaiveDate};
use fantoccini::Locator;
use serde_json::json;

use crate::accounts::Sim;
use crate::calendar::months_to;
use crate::compose::{click_next, connect, draft, goto, make_video, schedule};
use crate::support::{wait_for, wait_invoke, wait_text, App, Launch};

const PASSPHRASE: &str = "correct horse battery";
const CAPTION: &str = "Moves to the new laptop";

/// Where every dialog's answer is written.
struct Dialogs(PathBuf);

impl Dialogs {
    fn env(&self) -> (String, String) {
        (
            "TOKDECK_E2E_DIALOG_ANSWER".to_owned(),
            self.0.display().to_string(),
        )
    }

    /// The next dialog chooses `path`.
    fn answer(&self, path: &Path) {
        std::fs::write(&self.0, path.display().to_string()).unwrap();
    }
}

/// Types `text` into the input with this test id, once it is there.
async fn type_into(app: &App, id: &str, text: &str) {
    let input = app.wait_testid(id).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

async fn open_backups(app: &App) {
    goto(app, "#/settings").await;
    app.wait_testid("backup-status-title").await;
    app.js(
        "document.getElementById('backups')?.scrollIntoView({ block: 'start' });",
        vec![],
    )
    .await;
}

/// Months from today's month to `day`'s.
#[derive(Default, Clone)]
struct Before {
    maya: String,
    leo: String,
    day: Option<NaiveDate>,
}

#[tokio::test]
async fn back_up_wipe_restore_on_a_new_laptop_and_find_the_moved_video() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let backup = root.path().join("Tokdeck backup.tokdeck-backup");
    let dialogs = Dialogs(root.path().join("dialog-answer"));
    let old = root.path().join("old-laptop");
    std::fs::create_dir_all(&old).unwrap();
    let before = Mutex::new(Before::default());

    // The old laptop: two accounts, a scheduled post, and a backup with the connections.
    let app = App::launch(
        "backup_old_laptop",
        Launch {
            root: Some(old.clone()),
            env: vec![dialogs.env()],
            ..Default::default()
        },
    )
    .await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        connect(app, &sim, "leo_travels").await;
        let post = draft(app, &video, maya, CAPTION).await;
        let day = Local::now().date_naive() + Days::days(2);
        let local = format!("{}T10:30", day.format("%Y-%m-%d"));
        schedule(app, post, json!({ "kind": "at", "local": local })).await;

        open_backups(app).await;
        app.click("backup-include-connections").await;
        type_into(app, "backup-passphrase", PASSPHRASE).await;
        type_into(app, "backup-passphrase-confirm", PASSPHRASE).await;
        app.record_toasts().await;
        dialogs.answer(&backup);
        app.click("backup-now-button").await;
        let toast = app.wait_toast("Backed up").await;
        assert!(toast.contains("2 accounts"), "{toast}");
        assert!(toast.contains("connections are in it"), "{toast}");
        assert!(backup.is_file(), "the backup file was written");
        *before.lock().unwrap() = Before {
            maya: sim.open_id_of("maya.makes").await,
            leo: sim.open_id_of("leo_travels").await,
            day: Some(day),
        };
    })
    .await;
    let b = before.lock().unwrap().clone();
    let day = b.day.unwrap();

    // The new laptop: an empty data folder and a keychain with no Tokdeck entry in it. TikTok
    // is the same TikTok (the demo's simulated world is carried over), and the video was
    // copied to another folder under another name.
    let new = root.path().join("new-laptop");
    std::fs::create_dir_all(new.join("data/demo")).unwrap();
    std::fs::copy(
        old.join("data/demo/simulated-tiktok.json"),
        new.join("data/demo/simulated-tiktok.json"),
    )
    .unwrap();
    let moved = root.path().join("Videos from the old laptop");
    std::fs::create_dir_all(&moved).unwrap();
    std::fs::rename(&video, moved.join("renamed clip.mp4")).unwrap();
    let app = App::launch(
        "backup_new_laptop",
        Launch {
            root: Some(new.clone()),
            env: vec![
                dialogs.env(),
                (
                    "TOKDECK_KEYCHAIN_SERVICE".to_owned(),
                    "tokdeck-e2e-new-laptop".to_owned(),
                ),
            ],
            ..Default::default()
        },
    )
    .await;
    app.run(async |app| {
        let accounts = app
            .invoke("list_accounts", json!({ "query": {} }))
            .await
            .unwrap();
        assert_eq!(accounts["items"], json!([]), "a new laptop starts empty");

        open_backups(app).await;
        dialogs.answer(&backup);
        app.click("restore-button").await;
        let accounts = wait_text(app, "[data-testid=restore-accounts]", "the preview", |t| {
            t.contains("@maya.makes")
        })
        .await;
        assert!(accounts.contains("@leo_travels"), "{accounts}");
        let posts = app.text("restore-posts").await;
        assert!(posts.contains("1 scheduled"), "{posts}");
        assert!(app.text("restore-warning").await.contains("safety copy"));
        assert!(app
            .text("restore-missing")
            .await
            .contains("1 video file is"));
        type_into(app, "restore-passphrase", PASSPHRASE).await;
        app.click("restore-unlock").await;
        wait_text(
            app,
            "[data-testid=restore-connections]",
            "the connections to unlock",
            |t| t.contains("unlocked"),
        )
        .await;
        // To look at (nothing asserted about pixels): the preview at both window sizes.
        for (w, h) in [(900, 600), (1920, 1080)] {
            app.resize(w, h).await;
            app.shoot_at(
                "backup_new_laptop",
                &format!("restore-preview-{w}x{h}"),
                "[data-testid=restore-preview]",
                "start",
            )
            .await;
        }
        app.record_toasts().await;
        app.click("restore-confirm").await;
        app.wait_toast("Your backup was restored.").await;

        // No restart: the app shows the restored data at once.
        let page = wait_invoke(
            app,
            "the restored accounts",
            "list_accounts",
            json!({ "query": {} }),
            |p| p["items"].as_array().is_some_and(|a| a.len() == 2),
        )
        .await;
        let maya = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["openId"] == b.maya)
            .expect("Maya is back")["id"]
            .as_i64()
            .unwrap();
        // Her connection came back with the passphrase: TikTok answers with it.
        let synced = app
            .invoke("sync_account", json!({ "accountId": maya }))
            .await
            .unwrap();
        assert_eq!(synced["status"], "active", "{synced}");

        goto(app, "#/accounts").await;
        app.card(&b.maya).await;
        app.card(&b.leo).await;
        goto(app, "#/calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, months_to(day)).await;
        let chip =
            format!("[data-testid=calendar-day][data-date=\"{day}\"] [data-testid=calendar-post]");
        wait_for("the post in the month", async || {
            let text = app
                .js(
                    "return document.querySelector(arguments[0])?.textContent ?? '';",
                    vec![json!(chip)],
                )
                .await;
            let text = text.as_str().unwrap_or_default().to_owned();
            if text.contains(&CAPTION[..12]) {
                Ok(())
            } else {
                Err(text)
            }
        })
        .await;

        // The video is not where it was: listed, then found by its content in another folder.
        open_backups(app).await;
        let row = wait_text(
            app,
            "[data-testid=missing-video]",
            "the missing video",
            |t| t.contains("clip.mp4"),
        )
        .await;
        assert!(
            row.contains("Scheduled") || row.contains("Needs attention"),
            "{row}"
        );
        app.shoot_at(
            "backup_new_laptop",
            "missing-videos",
            "[data-testid=missing-videos]",
            "center",
        )
        .await;
        dialogs.answer(&moved);
        app.click("relink-folder").await;
        let result = app.text("relink-result").await;
        assert!(result.starts_with("Found 1 video"), "{result}");
        wait_for("the missing list to empty", async || {
            let rows = app
                .client
                .find_all(Locator::Css("[data-testid=missing-video]"))
                .await
                .map_err(|e| e.to_string())?;
            if rows.is_empty() {
                Ok(())
            } else {
                Err(format!("{} rows", rows.len()))
            }
        })
        .await;
    })
    .await;
}

/// The newest complete backup in `data/backups/` (partial files are never taken).
fn newest_backup(data_dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir.join("backups"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.to_string_lossy().ends_with(".partial"))
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    files.pop().expect("a backup")
}

/// A damaged database at start: before, the app showed a generic "couldn't start" with a
/// raw code and no way out but moving files by hand. Now a screen says what happened and
/// restores the latest good backup (by its date) without a restart; the damaged file is kept.
#[tokio::test]
async fn a_damaged_database_offers_the_latest_good_backup_and_opens_on_it() {
    let root = tempfile::tempdir().unwrap();
    let launch = || Launch {
        root: Some(root.path().to_path_buf()),
        ..Default::default()
    };
    let maya = Mutex::new(String::new());
    let app = App::launch("damaged_before", launch()).await;
    let data_dir = app.data_dir.clone();
    app.run(async |app| {
        let sim = Sim::of(app).await;
        connect(app, &sim, "maya.makes").await;
        *maya.lock().unwrap() = sim.open_id_of("maya.makes").await;
    })
    .await;
    let maya = maya.lock().unwrap().clone();
    // The daily backup is taken at start when none is there: without the one taken before
    // Maya was connected, the next start takes one that holds her.
    std::fs::remove_dir_all(data_dir.join("backups")).unwrap();
    App::launch("damaged_backup", launch())
        .await
        .run(async |app| {
            wait_invoke(app, "the daily backup", "backup_status", json!({}), |s| {
                s["backups"].as_array().is_some_and(|b| !b.is_empty())
            })
            .await;
        })
        .await;

    // The disk damages the database: a whole database file whose middle is garbage.
    let db = data_dir.join("tokdeck.sqlite3");
    std::fs::copy(newest_backup(&data_dir), &db).unwrap();
    for sidecar in ["tokdeck.sqlite3-wal", "tokdeck.sqlite3-shm"] {
        let _ = std::fs::remove_file(data_dir.join(sidecar));
    }
    let mut bytes = std::fs::read(&db).unwrap();
    let len = bytes.len();
    assert!(len > 3 * 8192, "a database of {len} bytes");
    for b in &mut bytes[len / 2..len / 2 + 8192] {
        *b = 0xAB;
    }
    std::fs::write(&db, &bytes).unwrap();

    let app = App::launch("damaged_start", launch()).await;
    app.run(async |app| {
        let screen = app.text("damaged-start").await;
        assert!(screen.contains("data file is damaged"), "{screen}");
        assert!(!screen.contains("Error code"), "no raw code: {screen}");
        let button = app.text("restore-latest-backup").await;
        assert!(
            button.starts_with("Restore the latest good backup ("),
            "{button}"
        );
        for (w, h) in [(900, 600), (1920, 1080)] {
            app.resize(w, h).await;
            app.shoot("damaged_start", &format!("damaged-{w}x{h}"))
                .await;
        }
        app.record_toasts().await;
        app.click("restore-latest-backup").await;
        app.wait_toast("The latest good backup was restored.").await;
        // The app opens on the backup, no restart: the sidebar and Maya's card are back.
        app.click("nav-accounts").await;
        app.card(&maya).await;
        let kept: Vec<_> = std::fs::read_dir(app.data_dir.join("damaged"))
            .expect("the damaged file is kept aside")
            .flatten()
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        // Kept whole, damage included (the header may say WAL now: SQLite opened it to check).
        let kept = std::fs::read(kept[0].path().join("tokdeck.sqlite3")).unwrap();
        assert_eq!(kept.len(), len, "the damaged file is kept whole");
        assert!(
            kept[len / 2..len / 2 + 8192] == bytes[len / 2..len / 2 + 8192],
            "the damaged file is kept as it was"
        );
    })
    .await;
}
