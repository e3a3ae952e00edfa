//! Bulk planning: 500 drafts of 20 accounts scheduled into their slots ("Schedule all into
//! slots": the preview, then the commit in one transaction), with 2,000 posts already
//! scheduled over the next months occupying slots. Goal: the commit ≤ 1 s (issue 15). The
//! reference, measured in the same run, is the sqlite3 CLI running the same 500 plain
//! UPDATEs in one transaction on the same file (rolled back).

mod common;
use common::{insert_accounts, open_engine, runtime};

use std::collections::HashMap;
use std::time::Instant;

use tokdeck_core::db::open::DB_FILE;
use tokdeck_core::planning::{PlannedPost, SlotInput};
use tokdeck_core::posts::CreatorRules;

const ACCOUNTS: i64 = 20;
const DRAFTS: i64 = 500;
const TAKEN: i64 = 2_000;
const ZONES: &[&str] = &[
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Adelaide",
    "UTC",
];

fn rules() -> CreatorRules {
    CreatorRules {
        nickname: "bench".into(),
        privacy_level_options: vec!["PUBLIC_TO_EVERYONE".into(), "SELF_ONLY".into()],
        comment_disabled: false,
        duet_disabled: false,
        stitch_disabled: false,
        max_video_post_duration_sec: Some(600),
    }
}

fn main() {
    let rt = runtime();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let engine = open_engine(dir.path()).await;
        let pool = engine.store().pool();
        let video = dir.path().join("clip.mp4");
        std::fs::write(&video, vec![0u8; 4096]).unwrap();
        let facts = r#"{"container":"mp4","codec":"h264","codecTag":"avc1","width":1080,"height":1920,"frameRate":30.0,"durationMs":30000,"sizeBytes":4096}"#;
        let mut tx = pool.begin().await.unwrap();
        insert_accounts(&mut tx, ACCOUNTS).await;
        let now = engine.clock().now_ms();
        for i in 0..(DRAFTS + TAKEN) {
            let account = i % ACCOUNTS + 1;
            let taken = i >= DRAFTS;
            // Taken posts sit on the hour, a few per account per day, over the next 100 days.
            let at = taken.then(|| (now / 3_600_000 + 5 + (i - DRAFTS) / ACCOUNTS * 12) * 3_600_000);
            sqlx::query(
                "INSERT INTO posts (account_id, status, mode, caption, privacy_level, media_path,
                    media_size, media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts,
                    scheduled_at, schedule_zone, schedule_local, consent_at, created_at, updated_at)
                 VALUES (?, ?, 'direct', ?, 'PUBLIC_TO_EVERYONE', ?, 4096, 0, 'h', 't', ?, ?, 'UTC',
                    '', ?, 1, 1)",
            )
            .bind(account)
            .bind(if taken { "scheduled" } else { "draft" })
            .bind(format!("post {i} #bench"))
            .bind(video.to_string_lossy().into_owned())
            .bind(facts)
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut map = HashMap::new();
        for a in 1..=ACCOUNTS {
            engine
                .set_account_default_zone(a, Some(ZONES[a as usize % ZONES.len()]))
                .await
                .unwrap();
            let times = ["09:00", "12:00", "15:00", "18:00", "21:00"];
            let slots: Vec<SlotInput> = times
                .iter()
                .map(|t| SlotInput { weekdays: (0..7).collect(), time: (*t).into() })
                .collect();
            engine.set_posting_slots(a, &slots).await.unwrap();
            map.insert(a, rules());
        }
        let ids: Vec<i64> = (1..=DRAFTS).collect();

        let started = Instant::now();
        let plan = engine.preview_slot_schedule_with(&ids, &map).await.unwrap();
        let preview_ms = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(plan.placed as i64, DRAFTS, "{:?}", plan.items.iter().find(|i| i.problem.is_some()));
        let planned: Vec<PlannedPost> = plan
            .items
            .iter()
            .map(|i| PlannedPost { post_id: i.post_id, at_ms: i.at_ms.unwrap(), updated_at: i.updated_at })
            .collect();

        // The reference: the same 500 rows updated by the CLI in one transaction, rolled back.
        let mut script = String::from("BEGIN IMMEDIATE;\n");
        for p in &planned {
            script.push_str(&format!(
                "UPDATE posts SET status = 'scheduled', scheduled_at = {}, schedule_zone = 'UTC', schedule_local = '', consent_at = 1, updated_at = 2 WHERE id = {} AND status = 'draft' AND updated_at = 1;\n",
                p.at_ms, p.post_id
            ));
        }
        script.push_str("ROLLBACK;\n");
        let reference = {
            use std::io::Write;
            let started = Instant::now();
            let child = std::process::Command::new("sqlite3")
                .arg(dir.path().join(DB_FILE))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn();
            child.ok().and_then(|mut c| {
                c.stdin.take()?.write_all(script.as_bytes()).ok()?;
                c.wait().ok()?.success().then(|| started.elapsed().as_secs_f64() * 1000.0)
            })
        };

        let started = Instant::now();
        let done = engine.commit_slot_schedule_with(&planned, &map).await.unwrap();
        let commit_ms = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(done.scheduled.len() as i64, DRAFTS, "{:?}", done.refused.first());

        let started = Instant::now();
        let undo = engine.undo_slot_schedule(&done.undo).await.unwrap();
        let undo_ms = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(undo.undone.len() as i64, DRAFTS);

        // CSV import: 1,000 rows, 50 per account two hours apart, of one real clip.
        let clip = dir.path().join("real.mp4");
        let made = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"])
            .arg(&clip)
            .status()
            .is_ok_and(|s| s.success());
        let csv_line = if made {
            let mut text = String::from("file,account,local_time,zone,caption,privacy,allow_comment,allow_duet,allow_stitch,mode\n");
            let base = (now / 3_600_000 + 48) * 3_600_000;
            for i in 0..1000i64 {
                let account = i % ACCOUNTS + 1;
                let at = base + (i / ACCOUNTS) * 2 * 3_600_000 + account * 60_000;
                let local = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at).unwrap().format("%Y-%m-%dT%H:%M");
                text.push_str(&format!("{},@creator{account},{local},UTC,row {i} #bench,everyone,no,no,no,direct\n", clip.display()));
            }
            let started = Instant::now();
            let rep = engine.import_schedule_csv_with(&text, &map).await.unwrap();
            let import_ms = started.elapsed().as_secs_f64() * 1000.0;
            assert!(rep.errors.is_empty(), "{:?}", rep.errors.first());
            assert_eq!(rep.created.len(), 1000);
            let verdict = if import_ms <= 1000.0 { "ok" } else { "OVER GOAL" };
            format!("P-csv: 1000 rows imported (validated, then created and scheduled in one transaction) in {import_ms:.1} ms (goal <= 1000 ms: {verdict})")
        } else {
            "P-csv: ffmpeg not installed, CSV import not measured".to_owned()
        };

        let verdict = if commit_ms <= 1000.0 && preview_ms + commit_ms <= 1000.0 { "ok" } else { "OVER GOAL" };
        let ratio = reference
            .map(|r| format!("sqlite3 CLI, same 500 UPDATEs in one transaction: {r:.1} ms; commit / CLI = {:.1}x", commit_ms / r))
            .unwrap_or_else(|| "sqlite3 CLI not installed, no ratio".into());
        println!(
            "P-slots: {DRAFTS} drafts of {ACCOUNTS} accounts into slots ({TAKEN} posts already scheduled): preview {preview_ms:.1} ms, commit (one transaction) {commit_ms:.1} ms, preview + commit {:.1} ms (goal <= 1000 ms: {verdict}); undo {undo_ms:.1} ms; {ratio}",
            preview_ms + commit_ms
        );
        println!("{csv_line}");
    });
}
