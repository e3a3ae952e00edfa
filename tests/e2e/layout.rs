//! The window's frame stays put: only the content pane scrolls. Before, scrolling the composer
//! to its end (or anything that scrolled an element into view) scrolled the whole document,
//! and the header and the navigation slid out of the window.

use serde_json::{json, Value};

use crate::accounts::Sim;
use crate::compose::{connect, goto, ingest, make_video};
use crate::support::{App, Launch};

/// Scrolls the way a creator's wheel and the app's own `scrollIntoView` calls do, then answers
/// how far the document ever scrolled, how much taller than the window it is, where the header
/// is and how far the content pane scrolled.
async fn scroll_everything(app: &App, target: &str) -> Value {
    app.client
        .execute(
            "const doc = document.scrollingElement; \
             let documentTop = 0; \
             const note = () => { documentTop = Math.max(documentTop, doc.scrollTop); }; \
             document.querySelector(arguments[0]).scrollIntoView({ block: 'end' }); note(); \
             window.scrollBy(0, 2000); note(); \
             document.querySelector('.sidebar')?.scrollIntoView({ block: 'end' }); note(); \
             const main = document.getElementById('main'); \
             return { \
               documentTop, \
               documentTaller: doc.scrollHeight - innerHeight, \
               headerTop: document.querySelector('.header').getBoundingClientRect().top, \
               paneScrolled: main.scrollTop, \
             };",
            vec![json!(target)],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn only_the_content_pane_scrolls() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("only_pane_scrolls", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let draft = ingest(app, &video, maya).await["draftId"]
            .as_i64()
            .expect("a draft");
        goto(app, &format!("#/compose/{draft}")).await;
        app.wait_testid("compose-creator-nickname").await;
        // The smallest supported window, where the composer is far taller than the pane.
        app.resize(900, 600).await;
        let after = scroll_everything(app, "[data-testid=composer] > :last-child").await;
        assert!(
            after["paneScrolled"].as_f64().unwrap() > 0.0,
            "the composer is taller than the pane, so the pane scrolls: {after}"
        );
        assert_eq!(
            after["documentTop"],
            json!(0),
            "the document scrolled: {after}"
        );
        assert!(
            after["documentTaller"].as_f64().unwrap() <= 0.0,
            "the document is taller than the window: {after}"
        );
        assert_eq!(
            after["headerTop"],
            json!(0),
            "the header slid away: {after}"
        );

        // The Accounts page (screen-reader-only labels, a long card list) the same way.
        goto(app, "#/accounts").await;
        app.wait_testid("account-card").await;
        let after = scroll_everything(app, "[data-testid=account-card]").await;
        assert_eq!(
            after["documentTop"],
            json!(0),
            "the document scrolled: {after}"
        );
        assert_eq!(
            after["headerTop"],
            json!(0),
            "the header slid away: {after}"
        );
    })
    .await;
}
