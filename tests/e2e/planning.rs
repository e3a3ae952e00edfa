//! Bulk planning (#15) as a creator does it: a folder of videos (in subfolders) chosen in
//! Compose becomes one draft per video; on the Drafts page all of them are chosen, edited at
//! once (a caption with a counter, who can watch), and scheduled into the account's posting
//! slots after a preview of where each lands; after a restart the Queue still lists them at
//! their slots.
//!
//! The folder picker is a native dialog WebDriver cannot click: the app built with the `e2e`
//! feature answers it with the path in the file `TOKDECK_E2E_DIALOG_ANSWER` names.

use std::path::Path;

use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, goto, make_video};
use crate::support::{wait_for, wait_invoke, wait_text, App, Launch};

/// How many elements with `testid` show, once exactly `want` do.
async fn count(app: &App, css: &str, want: usize) {
    wait_for(&format!("{want} × {css}"), async || {
        let n = app
            .js(
                "return document.querySelectorAll(arguments[0]).length;",
                vec![json!(css)],
            )
            .await
            .as_u64()
            .unwrap_or(0) as usize;
        if n == want {
            Ok(())
        } else {
            Err(format!("{n} shown"))
        }
    })
    .await;
}

/// Three videos in a folder and its subfolders, as a creator's export folder looks.
fn trip_folder(root: &Path) -> std::path::PathBuf {
    let folder = root.join("trip");
    for sub in ["day1", "day2", "day2/evening"] {
        let dir = folder.join(sub);
        std::fs::create_dir_all(&dir).unwrap();
        make_video(&dir);
    }
    std::fs::write(folder.join("notes.txt"), "not a video").unwrap();
    folder
}

#[tokio::test]
async fn a_folder_of_videos_is_edited_at_once_scheduled_into_slots_and_kept_after_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let folder = trip_folder(root.path());
    let answer = root.path().join("dialog-answer");
    std::fs::write(&answer, folder.display().to_string()).unwrap();
    std::fs::create_dir_all(root.path().join("app")).unwrap();
    let launch = || Launch {
        root: Some(root.path().join("app")),
        env: vec![(
            "TOKDECK_E2E_DIALOG_ANSWER".to_owned(),
            answer.display().to_string(),
        )],
        ..Default::default()
    };

    let mut scheduled: Vec<i64> = Vec::new();
    let app = App::launch("planning_first_run", launch()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        // Posting slots every day at 09:00 and 18:00 in the account's zone (what the Accounts
        // page's slot editor saves).
        let every_day = [0, 1, 2, 3, 4, 5, 6];
        app.invoke(
            "set_posting_slots",
            json!({ "accountId": maya, "slots": [
                { "weekdays": every_day, "time": "09:00" },
                { "weekdays": every_day, "time": "18:00" },
            ] }),
        )
        .await
        .unwrap();

        goto(app, "#/compose").await;
        app.select("compose-account", &maya.to_string()).await;
        app.click("compose-choose-folder").await;
        count(app, "[data-testid=ingest-result][data-ok=true]", 3).await;
        wait_text(app, "[data-testid=ingest-summary]", "3 added", |t| {
            t.contains("3 added as drafts")
        })
        .await;

        app.click("nav-drafts").await;
        count(app, "[data-testid=draft-card]", 3).await;
        app.click("drafts-select-all").await;
        app.click("drafts-batch-edit").await;
        let caption = app.wait_testid("batch-caption").await;
        caption.send_keys("Trip day {n}").await.unwrap();
        app.select("batch-privacy", "SELF_ONLY").await;
        app.click("batch-apply").await;
        wait_text(
            app,
            "[data-testid=batch-results]",
            "3 drafts updated",
            |t| t.contains("3 drafts updated"),
        )
        .await;
        for n in 1..=3 {
            wait_text(app, "[data-testid=page-drafts]", "the new captions", |t| {
                t.contains(&format!("Trip day {n}"))
            })
            .await;
        }

        app.record_toasts().await;
        app.click("drafts-plan-slots").await;
        wait_text(app, "[data-testid=slot-plan-summary]", "all placed", |t| {
            t.contains("All 3 drafts fit into free slots")
        })
        .await;
        app.shoot("planning", "slot-plan-preview").await;
        app.click("slot-plan-commit").await;
        app.wait_toast("3 posts scheduled").await;
        count(app, "[data-testid=draft-card]", 0).await;

        let queue = wait_invoke(
            app,
            "three scheduled posts",
            "queue",
            json!({ "query": {} }),
            |q| {
                q.as_array()
                    .is_some_and(|a| a.iter().filter(|p| p["status"] == "scheduled").count() == 3)
            },
        )
        .await;
        scheduled = queue
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["status"] == "scheduled")
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
    })
    .await;

    let app = App::launch("planning_after_restart", launch()).await;
    app.run(async |app| {
        goto(app, "#/queue").await;
        for id in &scheduled {
            app.wait_css(&format!("[data-testid=queue-row][data-post-id=\"{id}\"]"))
                .await;
        }
        // The batch edit's captions, numbered in the order the drafts were shown.
        let queue = app.invoke("queue", json!({ "query": {} })).await.unwrap();
        let mut captions: Vec<String> = queue
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["status"] == "scheduled")
            .map(|p| p["caption"].as_str().unwrap_or_default().to_owned())
            .collect();
        captions.sort();
        assert_eq!(captions, ["Trip day 1", "Trip day 2", "Trip day 3"]);
        // At the slots: 09:00 or 18:00.
        let rows = app
            .js(
                "return [...document.querySelectorAll('[data-testid=queue-row]')].map(r => r.textContent);",
                vec![],
            )
            .await;
        for row in rows.as_array().unwrap() {
            let row = row.as_str().unwrap();
            assert!(
                row.contains("09:00") || row.contains("18:00") || row.contains("9:00") || row.contains("6:00"),
                "a slot time: {row}"
            );
        }
    })
    .await;
}
