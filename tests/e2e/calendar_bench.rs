//! P-calendar-ui (`make bench`): the month view with 1,000 posts, measured inside the real
//! app's webview. Goal: the busy month renders in ≤ 50 ms (from pressing Next to the first
//! frame painted with the month's posts) and a drag across it keeps frames ≤ ~17 ms (no
//! dropped frame). The reference, in the same run and the same way, is the same month empty.
//! The page asks for the months next to the one shown ahead (and asks again when it shows
//! one): after the two warm-up renders, a press draws a month it has, as a creator going back
//! and forth through months sees it; the steps line says when the engine's answer came. That
//! answer is awaited after each render, so that none lands in the next one, and the bench
//! prints the chips in each frame it measured: a page that asked again only after the frame
//! (tried, not kept) was timed drawing the month as kept before the posts were seeded, with no
//! chips, and looked twice as fast. The page keeps the months next to the one shown drawn out
//! of sight (`ui/src/lib/monthStage.ts`): the bench waits before each press until the page has
//! settled (its re-ask answered, the months next to it drawn), as a creator looking at a month
//! does, and prints how many renders showed the grid drawn ahead.

use std::str::FromStr;
use std::time::Duration;

use chrono::{Datelike, Local, Months, NaiveDate, TimeZone};
use serde_json::{json, Value};

use crate::accounts::Sim;
use crate::compose::{click_next, connect, draft, make_video, schedule};
use crate::support::App;

const POSTS: i64 = 1000;
const REPS: usize = 15;

/// Renders of `period` (`YYYY-MM`), each from `prev` by pressing Next: milliseconds from the
/// press to the frame after the month's posts are in the DOM (the grid says `data-period` once
/// its posts are rendered). Two warm-up runs are left out.
const RENDER: &str = r#"
const [period, prev, reps, done] = arguments;
const sel = (p) => `[data-testid="calendar-month-view"][data-period="${p}"]:not([data-loading])`;
const btn = (label) => document.querySelector(`[data-testid=page-calendar] button[aria-label=${label}]`);
const until = (p) => new Promise((res) => {
  if (document.querySelector(sel(p))) return res();
  const mo = new MutationObserver(() => {
    if (document.querySelector(sel(p))) { mo.disconnect(); res(); }
  });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-period', 'data-loading', 'data-testid'] });
});
// The frame with the change: a task queued from its animation frame runs once it is painted.
const painted = () => new Promise((res) => requestAnimationFrame(() => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => res();
  ch.port2.postMessage(0);
}));
// When the month's IPC is sent and answered, and when the months next to it are drawn after
// that: the page marks each (performance marks).
const at = (name) => performance.getEntriesByName(name, 'mark').at(-1)?.startTime ?? -1;
const markAfter = (name, t) => new Promise((res) => {
  const t1 = performance.now();
  const poll = () => {
    const m = at(name);
    if (m >= t) res(m);
    else if (performance.now() - t1 > 5000) res(NaN);
    else setTimeout(poll, 5);
  };
  poll();
});
(async () => {
  const out = [];
  for (let i = 0; i < reps + 2; i++) {
    // Previous, then wait until the page has settled: its re-ask answered and the months
    // next to it drawn (out of sight, after its frame), as a creator looking at a month sees
    // it before pressing Next; that work never lands in the render measured.
    const back = performance.now();
    btn('Previous').click();
    await until(prev);
    await markAfter('calendar:drawn', await markAfter('calendar:answered', back));
    await painted();
    await painted();
    // The month as drawn out of sight before the press, if it was: shown as it is, or not.
    const ahead = document.querySelector(`[data-testid=calendar-month-drawn][data-period="${period}"]`);
    const t0 = performance.now();
    btn('Next').click();
    await until(period);
    const asDrawn = ahead !== null && document.querySelector(sel(period)) === ahead ? 1 : 0;
    // Where the time goes: the DOM is updated (IPC and script), style and layout, then paint.
    const dom = performance.now();
    const chips = document.querySelectorAll(`${sel(period)} [data-testid=calendar-post]`).length;
    void document.body.offsetHeight;
    const layout = performance.now();
    await painted();
    const total = performance.now() - t0;
    // The page asks the engine again for the month it shows: that answer (and the drawing of
    // the months next to it) is awaited before the next press, so that it never lands in
    // another render.
    const answered = await markAfter('calendar:answered', t0);
    await markAfter('calendar:drawn', answered);
    const sent = at('calendar:sent');
    if (i >= 2)
      out.push([total, dom - t0, layout - dom, sent - t0, (answered || -1) - t0, chips, asDrawn]);
  }
  done(out);
})().catch((e) => done({ error: String(e) }));
"#;

/// A drag of a post across every day of the month shown, one pointer move per frame (as the
/// browser delivers them), dropped back where it started; answers the frame intervals.
const DRAG: &str = r#"
const [period, done] = arguments;
const grid = document.querySelector(`[data-testid="calendar-month-view"][data-period="${period}"]`);
const chip = grid.querySelector('[data-testid=calendar-post]');
const cells = [...grid.querySelectorAll('[data-testid=calendar-day]')];
const r0 = chip.getBoundingClientRect();
const home = { x: r0.left + 6, y: r0.top + 6 };
const points = [];
let from = home;
for (const cell of [...cells, cells[0]]) {
  const r = cell.getBoundingClientRect();
  const to = { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  for (let s = 1; s <= 4; s++)
    points.push({ x: from.x + ((to.x - from.x) * s) / 4, y: from.y + ((to.y - from.y) * s) / 4 });
  from = to;
}
points.push(home);
const ev = (type, target, p) => target.dispatchEvent(new PointerEvent(type, {
  bubbles: true, cancelable: true, button: 0, buttons: type === 'pointerup' ? 0 : 1,
  clientX: p.x, clientY: p.y, pointerId: 1, pointerType: 'mouse', isPrimary: true }));
const frames = [];
let last = null;
let i = 0;
ev('pointerdown', chip, home);
const step = (ts) => {
  if (last !== null) frames.push(ts - last);
  last = ts;
  if (i < points.length) {
    ev('pointermove', document.body, points[i++]);
    requestAnimationFrame(step);
  } else {
    ev('pointerup', document.body, home);
    done(frames);
  }
};
requestAnimationFrame(step);
"#;

/// For a profile (`scripts/webkit-profile.py`): the app started again shows the busy month.
const SETUP: &str = r#"
const [period, prev, done] = arguments;
const q = (s) => document.querySelector(s);
const until = async (f) => { while (!f()) await new Promise((r) => setTimeout(r, 50)); };
const shown = () => q('[data-testid=calendar-month-view]:not([data-loading])')?.dataset.period;
(async () => {
  await until(() => q('[data-testid=nav-calendar]'));
  q('[data-testid=nav-calendar]').click();
  await until(() => q('[data-testid=calendar-toggle-month]'));
  q('[data-testid=calendar-toggle-month]').click();
  await until(shown);
  const btn = (l) => q(`[data-testid=page-calendar] button[aria-label=${l}]`);
  for (let i = 0; i < 24 && shown() !== period; i++) {
    const before = shown();
    btn(shown() < period ? 'Next' : 'Previous').click();
    await until(() => shown() && shown() !== before);
  }
  done(shown());
})();
"#;

/// The floor: from a change of one small element's text to its painted frame, measured the
/// same way as a render (the frame the webview paints anyway, whatever the page does).
const FRAME: &str = r#"
const [reps, done] = arguments;
const painted = () => new Promise((res) => requestAnimationFrame(() => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => res();
  ch.port2.postMessage(0);
}));
const el = document.createElement('div');
el.style.cssText = 'position:fixed;left:0;bottom:0;font-size:10px';
document.body.append(el);
(async () => {
  const out = [];
  for (let i = 0; i < reps; i++) {
    await painted();
    await painted();
    const t0 = performance.now();
    el.textContent = String(i);
    await painted();
    out.push(performance.now() - t0);
  }
  el.remove();
  done(out);
})().catch((e) => done({ error: String(e) }));
"#;

/// The month view's IPC alone: `calendar_month` answered, in milliseconds.
const IPC: &str = r#"
const [year, month, zone, reps, done] = arguments;
(async () => {
  const out = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = await window.__TAURI_INTERNALS__.invoke('calendar_month',
      { year, month, zone, accountId: null });
    out.push([performance.now() - t0, JSON.stringify(r).length]);
  }
  done(out);
})().catch((e) => done({ error: String(e) }));
"#;

fn ms(v: &Value) -> Vec<f64> {
    let mut out: Vec<f64> = v
        .as_array()
        .unwrap_or_else(|| panic!("measurements, not {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Renders of a month: the totals, then the parts (DOM updated, style and layout), each sorted.
struct Renders {
    total: Vec<f64>,
    dom: Vec<f64>,
    layout: Vec<f64>,
    /// From the press to the month's IPC sent (the press's own script).
    sent: Vec<f64>,
    /// From the press to the month's IPC answered. The page asks even for a month it has
    /// already (asked for ahead): answered after the DOM was updated means it drew that one.
    answered: Vec<f64>,
    /// Chips in the month's grid when its DOM was updated (sorted).
    chips: Vec<f64>,
    /// Renders that showed the grid drawn out of sight before the press (`monthStage`).
    as_drawn: usize,
}

async fn renders(app: &App, period: &str, prev: &str) -> Renders {
    let v = app
        .client
        .execute_async(RENDER, vec![json!(period), json!(prev), json!(REPS)])
        .await
        .unwrap();
    let part = |i: usize| {
        ms(&json!(v
            .as_array()
            .unwrap_or_else(|| panic!("measurements, not {v}"))
            .iter()
            .map(|r| r[i].clone())
            .collect::<Vec<_>>()))
    };
    Renders {
        total: part(0),
        dom: part(1),
        layout: part(2),
        sent: part(3),
        answered: part(4),
        chips: part(5),
        as_drawn: part(6).iter().filter(|&&x| x > 0.0).count(),
    }
}

/// `POSTS` posts in the month starting `first`, copies of the three scheduled `templates`
/// (one per account) spread over every day and hour, a few needing attention, failed or
/// missed. Written into the app's database as another process would (SQLite in WAL mode).
async fn seed(app: &App, templates: &[i64], first: NaiveDate) {
    let db = app.data_dir.join("tokdeck.sqlite3");
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .unwrap()
        .busy_timeout(Duration::from_secs(30));
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    let start = Local
        .from_local_datetime(&first.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .timestamp_millis();
    let next = first + Months::new(1);
    let span = (next - first).num_days() * 86_400_000;
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('posts') WHERE name != 'id'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let at = "(?4 + n.i * ?5 + (n.i * 7919) % 1800000)";
    let values: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "caption" => "'Busy month ' || n.i || ' · ' || t.caption".to_owned(),
            "scheduled_at" => at.to_owned(),
            "schedule_zone" => "'UTC'".to_owned(),
            "schedule_local" => format!("strftime('%Y-%m-%dT%H:%M', {at} / 1000, 'unixepoch')"),
            "status" => "CASE n.i % 50 WHEN 7 THEN 'needs_attention' WHEN 19 THEN 'failed' \
                         WHEN 31 THEN 'missed' ELSE 'scheduled' END"
                .to_owned(),
            "paused_reason" => "CASE n.i % 50 WHEN 43 THEN 'paused' ELSE NULL END".to_owned(),
            other => format!("t.{other}"),
        })
        .collect();
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
         INSERT INTO posts ({cols}) SELECT {vals} FROM n JOIN posts t \
         ON t.id = CASE n.i % 3 WHEN 0 THEN ?1 WHEN 1 THEN ?2 ELSE ?3 END",
        last = POSTS - 1,
        cols = columns.join(", "),
        vals = values.join(", "),
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(templates[0])
        .bind(templates[1])
        .bind(templates[2])
        .bind(start)
        .bind(span / POSTS)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), POSTS as u64);
    pool.close().await;
}

#[tokio::test]
#[ignore = "a benchmark: run `make bench`"]
async fn calendar_month_render_and_drag() {
    let root = tempfile::tempdir().unwrap();
    // A profile's replay needs the video where the posts say it is.
    let keep = crate::support::profile_dir();
    let video = make_video(keep.as_deref().unwrap_or(root.path()));
    let app = App::launch("calendar_bench", crate::support::profile_launch()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let today = Local::now().date_naive();
        // The busy month is two months ahead; the three posts copied into it are in the next.
        let busy = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap() + Months::new(2);
        let later = busy + Months::new(1);
        let mut templates = vec![];
        for name in ["maya.makes", "leo_travels", "quiet.kitchen"] {
            let account = connect(app, &sim, name).await;
            let id = draft(app, &video, account, &format!("Template of {name} #bench")).await;
            let local = format!("{}T10:00", later.format("%Y-%m-%d"));
            schedule(app, id, json!({ "kind": "at", "local": local })).await;
            templates.push(id);
        }
        app.resize(1920, 1080).await;
        app.click("nav-calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, 2).await;
        let period = busy.format("%Y-%m").to_string();
        let prev = (busy - Months::new(1)).format("%Y-%m").to_string();

        let empty = renders(app, &period, &prev).await;
        seed(app, &templates, busy).await;
        crate::support::profile_replay(json!({
            "setup": SETUP, "setup_args": [period, prev],
            "script": RENDER, "args": [period, prev, REPS],
        }));
        let full = renders(app, &period, &prev).await;
        let chips = app
            .client
            .execute("return document.querySelectorAll('[data-testid=calendar-post]').length;", vec![])
            .await
            .unwrap();
        app.shoot("calendar_bench", "busy-month-1920x1080").await;
        let frames = ms(&app
            .client
            .execute_async(DRAG, vec![json!(period)])
            .await
            .unwrap());
        let floor = ms(&app
            .client
            .execute_async(FRAME, vec![json!(REPS)])
            .await
            .unwrap());
        let zone = app.invoke("system_time_zone", json!({})).await.unwrap();
        let ipc = app
            .client
            .execute_async(
                IPC,
                vec![json!(busy.year()), json!(busy.month()), zone, json!(REPS)],
            )
            .await
            .unwrap();
        let mut ipc_ms: Vec<f64> = ipc
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x[0].as_f64().unwrap())
            .collect();
        ipc_ms.sort_by(f64::total_cmp);
        let bytes = ipc[0][1].as_i64().unwrap();

        let (b50, b95) = (pct(&full.total, 0.5), pct(&full.total, 0.95));
        let (e50, e95) = (pct(&empty.total, 0.5), pct(&empty.total, 0.95));
        let verdict = |ok: bool| if ok { "ok" } else { "OVER GOAL" };
        println!(
            "P-calendar-ui month render, {POSTS} posts ({chips} chips shown): p50 {b50:.1} ms, p95 {b95:.1} ms \
             (goal <= 50 ms: {}); same month empty p50 {e50:.1} ms, p95 {e95:.1} ms; busy/empty p50 = {:.2}x; \
             {REPS} renders each",
            verdict(b95 <= 50.0),
            b50 / e50
        );
        println!(
            "P-calendar-ui chips in the frame measured: busy {}-{}, empty {}-{}; the month shown as drawn \
             out of sight before the press (the months next to the one shown are kept drawn): busy {}/{REPS}, \
             empty {}/{REPS}",
            full.chips[0],
            full.chips[full.chips.len() - 1],
            empty.chips[0],
            empty.chips[empty.chips.len() - 1],
            full.as_drawn,
            empty.as_drawn,
        );
        println!(
            "P-calendar-ui where it goes (p50, busy / empty): DOM updated {:.1} / {:.1} ms (of which \
             calendar_month IPC {:.1} ms, {bytes} bytes of JSON), style and layout {:.1} / {:.1} ms, \
             paint the rest",
            pct(&full.dom, 0.5),
            pct(&empty.dom, 0.5),
            pct(&ipc_ms, 0.5),
            pct(&full.layout, 0.5),
            pct(&empty.layout, 0.5),
        );
        let p50 = |v: &[f64]| pct(v, 0.5);
        println!(
            "P-calendar-ui steps (p50, busy / empty): press to IPC sent {:.1} / {:.1} ms, IPC answered \
             {:.1} / {:.1} ms after the press, DOM updated {:.1} / {:.1} ms after it; the floor (one \
             small text change to its painted frame, same page) p50 {:.1} ms, p95 {:.1} ms",
            p50(&full.sent),
            p50(&empty.sent),
            p50(&full.answered),
            p50(&empty.answered),
            p50(&full.dom),
            p50(&empty.dom),
            p50(&floor),
            pct(&floor, 0.95),
        );
        println!(
            "P-calendar-ui drag across the busy month: {} frames, interval p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms \
             (goal <= ~17 ms, no dropped frame: {})",
            frames.len(),
            pct(&frames, 0.5),
            pct(&frames, 0.95),
            frames[frames.len() - 1],
            verdict(pct(&frames, 0.95) <= 17.5)
        );
        // The drop went back where it started: nothing moved.
        let post = app
            .invoke("get_post", json!({ "postId": templates[0] }))
            .await
            .unwrap();
        assert_eq!(post["status"], "scheduled");
    })
    .await;
}
