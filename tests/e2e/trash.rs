//! #13, trap 2: Delete and Cancel were instant and final (Queue's red Delete deleted with no
//! undo; a cancelled post vanished from every screen). Now both go to Trash with an Undo
//! toast, Trash lists them with Restore, and the toast never sits on a control.

use chrono::{Duration as Span, Local};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{post_status, wait_for, App, Launch};

const SIZES: [(u32, u32); 2] = [(900, 600), (1920, 1080)];

fn row(page: &str, id: i64, testid: &str) -> String {
    format!("[data-testid={page}-row][data-post-id=\"{id}\"] [data-testid={testid}]")
}

/// Every visible control (button, input, select, textarea, link) outside the toasts whose
/// visible part (clipped by its scrolling ancestors and the window) a toast's visible part
/// intersects.
const COVERED: &str = r#"
const toasts = [...document.querySelectorAll('[data-testid="toast"]')];
if (toasts.length === 0) return { toasts: 0, covered: [] };
const region = document.querySelector('[data-testid="toaster"]');
const clip = (el) => {
  let r = el.getBoundingClientRect();
  let box = { l: r.left, t: r.top, r: r.right, b: r.bottom };
  for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const q = p.getBoundingClientRect();
    box = { l: Math.max(box.l, q.left), t: Math.max(box.t, q.top),
            r: Math.min(box.r, q.right), b: Math.min(box.b, q.bottom) };
  }
  box = { l: Math.max(box.l, 0), t: Math.max(box.t, 0),
          r: Math.min(box.r, innerWidth), b: Math.min(box.b, innerHeight) };
  return box.r > box.l && box.b > box.t ? box : null;
};
const covered = [];
const controls = document.querySelectorAll('button, input, select, textarea, a[href]');
for (const t of toasts) {
  // A toast scrolled partly out of its capped region shows (and covers) only its visible part.
  const tb = clip(t);
  if (!tb) continue;
  const tr = { left: tb.l, top: tb.t, right: tb.r, bottom: tb.b };
  for (const c of controls) {
    if (region.contains(c)) continue;
    const s = getComputedStyle(c);
    if (s.visibility === 'hidden' || s.display === 'none' || c.closest('.sr-only')) continue;
    const box = clip(c);
    if (!box) continue;
    if (box.l < tr.right && tr.left < box.r && box.t < tr.bottom && tr.top < box.b)
      covered.push((c.dataset.testid || c.textContent.trim() || c.tagName).slice(0, 40));
  }
}
return { toasts: toasts.length, covered };
"#;

/// `shown`: a toast must be there (checked right after the action that shows one).
pub(crate) async fn toast_covers_nothing(app: &App, when: &str, shown: bool) {
    let out = app.client.execute(COVERED, vec![]).await.unwrap();
    if shown {
        assert!(
            out["toasts"].as_u64().unwrap_or(0) > 0,
            "{when}: no toast shown"
        );
    }
    assert_eq!(
        out["covered"],
        json!([]),
        "{when}: a toast covers these controls"
    );
}

/// Saves what the window shows once two frames have been painted.
async fn shoot(app: &App, name: &str) {
    app.shoot("trash", name).await;
}

async fn gone_from_queue(app: &App, id: i64) {
    let sel = format!("[data-testid=queue-row][data-post-id=\"{id}\"]");
    wait_for(&format!("post {id} to leave the Queue"), async || {
        let gone = app
            .client
            .execute(
                "return !document.querySelector(arguments[0]);",
                vec![json!(sel)],
            )
            .await
            .unwrap();
        if gone == json!(true) {
            Ok(())
        } else {
            Err("still listed".into())
        }
    })
    .await;
}

#[tokio::test]
async fn delete_and_cancel_go_to_trash_with_undo_and_restore() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("trash_undo", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let at = (Local::now() + Span::days(2))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        app.record_toasts().await;
        for (w, h) in SIZES {
            app.resize(w, h).await;
            let size = format!("{w}x{h}");
            let kept = draft(app, &video, maya, &format!("Undo me {size}")).await;
            let restored = draft(app, &video, maya, &format!("Restore me {size}")).await;
            let cancelled = draft(app, &video, maya, &format!("Cancel me {size}")).await;
            for id in [kept, restored, cancelled] {
                schedule(app, id, json!({ "kind": "at", "local": at })).await;
            }
            goto(app, "#/queue").await;
            // The last size's toasts (and their Undo) are not this one's.
            app.client
                .execute(
                    "document.querySelector('[data-testid=toast-dismiss-all]')?.click(); for (const b of document.querySelectorAll('[aria-label=\"Dismiss notification\"]')) b.click();",
                    vec![],
                )
                .await
                .unwrap();

            // Delete in the Queue → Undo gives it back exactly: scheduled, at its time.
            app.click_css(&row("queue", kept, "queue-delete")).await;
            app.wait_toast("Post deleted").await;
            gone_from_queue(app, kept).await;
            toast_covers_nothing(app, &format!("Queue at {size}"), true).await;
            shoot(app, &format!("queue-undo-toast-{size}")).await;
            let before = post_status(app, kept, "cancelled").await;
            // The newest toast is the last one: this delete's.
            app.click_css("[data-testid=toast]:last-child [data-testid=toast-action]")
                .await;
            let back = post_status(app, kept, "scheduled").await;
            assert_eq!(back["scheduledAt"], before["scheduledAt"], "same time");
            app.wait_css(&format!("[data-testid=queue-row][data-post-id=\"{kept}\"]"))
                .await;

            // Delete → Trash lists it → Restore → a draft (never straight back on schedule).
            app.click_css(&row("queue", restored, "queue-delete")).await;
            post_status(app, restored, "cancelled").await;
            // Cancel of a scheduled post: findable in Trash too.
            app.click_css(&row("queue", cancelled, "queue-cancel")).await;
            post_status(app, cancelled, "cancelled").await;
            app.click("nav-trash").await;
            app.wait_css(&format!("[data-testid=trash-row][data-post-id=\"{cancelled}\"]"))
                .await;
            let was = app
                .client
                .find(fantoccini::Locator::Css(&row("trash", cancelled, "trash-was")))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(was.contains("Cancelled"), "{was}");
            let goes = app
                .client
                .find(fantoccini::Locator::Css(&row("trash", cancelled, "trash-goes")))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(goes.contains("30 days"), "{goes}");
            toast_covers_nothing(app, &format!("Trash at {size}"), false).await;
            shoot(app, &format!("trash-page-{size}")).await;
            app.click_css(&row("trash", restored, "trash-restore")).await;
            let post = post_status(app, restored, "draft").await;
            assert!(post["scheduledAt"].is_null(), "not on the schedule: {post}");
            app.wait_toast("Restored as a draft").await;

            // The cancelled one opened in the composer says it is in Trash, with Restore.
            goto(app, &format!("#/compose/{cancelled}")).await;
            let said = app.text("compose-trashed").await;
            assert!(said.contains("This post is in Trash"), "{said}");
            assert!(
                app.client
                    .find(fantoccini::Locator::Css("[data-testid=composer]"))
                    .await
                    .is_err(),
                "no fields to edit"
            );
            toast_covers_nothing(app, &format!("Composer in Trash at {size}"), false).await;
            app.client
                .execute(
                    "document.querySelector('[data-testid=compose-trashed]').scrollIntoView({ block: 'center' });",
                    vec![],
                )
                .await
                .unwrap();
            shoot(app, &format!("composer-trashed-{size}")).await;
            app.click("compose-restore").await;
            post_status(app, cancelled, "draft").await;
            app.wait_testid("composer").await;
        }
    })
    .await;
}
