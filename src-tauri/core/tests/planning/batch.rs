//! Batch edit (template, hashtag set, privacy, interactions: conflicts per post), caption
//! presets, and the account budget panel.

use tokdeck_core::planning::{BatchEdit, CaptionPreset, PresetKind};
use tokdeck_core::posts::Caps;

use super::media_common::private_creator;
use super::*;

#[tokio::test]
async fn batch_edit_applies_what_each_account_allows_and_reports_the_rest() {
    let mut r = Rig::new().await;
    let a = r.account("ana", "UTC").await;
    let b = r.account("bo", "UTC").await;
    r.rules.insert(b, private_creator("Bo"));
    let e = &r.env.engine;
    let mut ids = r.drafts(a, 2).await;
    ids.extend(r.drafts(b, 1).await);
    let edit = BatchEdit {
        caption_template: Some("{file} part {n} by {account}".into()),
        hashtags: Some("#one #two".into()),
        privacy_level: Some("PUBLIC_TO_EVERYONE".into()),
        allow_comment: Some(true),
        allow_duet: Some(true),
        allow_stitch: None,
    };
    let out = e.batch_edit_with(&ids, &edit, &r.rules).await.unwrap();
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|i| i.saved), "{out:?}");
    assert_eq!(
        out[0].caption.as_deref(),
        Some("v part 1 by @ana #one #two")
    );
    assert_eq!(
        out[1].caption.as_deref(),
        Some("v part 2 by @ana #one #two")
    );
    assert!(out[0].conflicts.is_empty());
    // Bo's account is private with duets off: privacy and duets are reported, not dropped.
    assert_eq!(out[2].conflicts.len(), 2, "{:?}", out[2].conflicts);
    assert!(out[2].conflicts[0].contains("Bo does not offer it"));
    assert!(out[2].conflicts[1].contains("turned duets off"));
    let p = e.post(ids[2]).await.unwrap();
    assert!(p.allow_comment && !p.allow_duet);
    assert_eq!(p.caption, "v part 3 by @bo #one #two");

    let many = BatchEdit {
        hashtags: Some("#a #b #c #d".into()),
        ..Default::default()
    };
    let out = e.batch_edit_with(&ids[..1], &many, &r.rules).await.unwrap();
    assert!(out[0].warnings[0].starts_with("6 hashtags"), "{out:?}");
}

#[tokio::test]
async fn presets_are_saved_listed_and_deleted_per_account() {
    let mut r = Rig::new().await;
    let a = r.account("ana", "UTC").await;
    let e = &r.env.engine;
    let p = e
        .save_caption_preset(&CaptionPreset {
            id: None,
            account_id: a,
            kind: PresetKind::Hashtags,
            name: " travel ".into(),
            body: "#travel #beach".into(),
        })
        .await
        .unwrap();
    assert_eq!(p.name, "travel");
    let list = e.caption_presets(a).await.unwrap();
    assert_eq!(list, vec![p.clone()]);
    let err = e
        .save_caption_preset(&CaptionPreset {
            name: "".into(),
            ..p.clone()
        })
        .await
        .unwrap_err();
    assert!(err.user_message().contains("name"));
    e.delete_caption_preset(p.id.unwrap()).await.unwrap();
    assert!(e.caption_presets(a).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_budget_counts_the_last_day_against_the_caps() {
    let mut r = Rig::new().await;
    let a = r.account("ana", "UTC").await;
    let e = &r.env.engine;
    e.set_posting_caps(Caps {
        daily_posts: 2,
        pending_inbox: 5,
    })
    .await
    .unwrap();
    let ids = r.drafts(a, 3).await;
    let now = e.clock().now_ms();
    for (i, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE posts SET status = 'published', scheduled_at = ? WHERE id = ?")
            .bind(now - (i as i64 + 1) * 3_600_000)
            .bind(id)
            .execute(e.store().pool())
            .await
            .unwrap();
    }
    sqlx::query("UPDATE accounts SET refresh_expires_at = ? WHERE id = ?")
        .bind(now + 3 * 24 * 3_600_000 + 60_000)
        .bind(a)
        .execute(e.store().pool())
        .await
        .unwrap();
    let b = e.account_budgets().await.unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!((b[0].direct_last_24h, b[0].daily_cap), (3, 2));
    assert_eq!(b[0].refresh_days_left, Some(3));
    assert!(
        b[0].warnings
            .iter()
            .any(|w| w.contains("sign-in ends in 3 days")),
        "{:?}",
        b[0].warnings
    );
    assert!(b[0]
        .warnings
        .iter()
        .any(|w| w.contains("3 direct posts in the last 24 hours")));
}

#[tokio::test]
async fn variants_take_each_accounts_rules_a_stagger_and_warn_of_duplicate_content() {
    let mut r = Rig::new().await;
    let a = r.account("ana", "UTC").await;
    let b = r.account("bo", "UTC").await;
    let c = r.account("cy", "UTC").await;
    r.rules.insert(c, private_creator("Cy"));
    let e = &r.env.engine;
    e.set_posting_slots(a, &[slot(&[0, 1, 2, 3, 4, 5, 6], "10:00")])
        .await
        .unwrap();
    let src = r.drafts(a, 1).await[0];
    e.update_post(
        src,
        &tokdeck_core::posts::ComposePatch {
            allow_duet: Some(true),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let q = e.add_to_queue_with(src, &r.rules).await.unwrap();
    let at = q.scheduled[0].at_ms.unwrap();
    let out = e
        .create_variants_with(src, &[a, b, c], &r.rules)
        .await
        .unwrap();
    assert_eq!(out.len(), 2, "its own account is skipped");
    let stagger = 30 * 60_000;
    assert_eq!(
        out[0].suggested_at.as_deref(),
        Some(tokdeck_core::clock::rfc3339(at + stagger).as_str())
    );
    assert_eq!(
        out[1].suggested_at.as_deref(),
        Some(tokdeck_core::clock::rfc3339(at + 2 * stagger).as_str())
    );
    let pb = out[0].post.as_ref().unwrap();
    assert_eq!(pb.privacy_level.as_deref(), Some("PUBLIC_TO_EVERYONE"));
    assert!(pb.allow_duet);
    let pc = out[1].post.as_ref().unwrap();
    assert_eq!(pc.privacy_level, None, "no default: Cy must choose");
    assert!(!pc.allow_duet);
    assert_eq!(out[1].notes.len(), 2, "{:?}", out[1].notes);
    assert!(
        out[0].warnings[0].contains("same video is scheduled for"),
        "{:?}",
        out[0].warnings
    );
    assert!(out[0].warnings[0].contains("@ana"));
    // A draft alone on its account has no duplicate yet once the scheduled one is undone.
    e.undo_slot_schedule(&q.undo).await.unwrap();
    assert!(e.duplicate_content(pb.id).await.unwrap().is_empty());
}
