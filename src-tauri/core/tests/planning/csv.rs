//! CSV import and export of the schedule: every row's errors with line numbers, all or
//! nothing, and export → import → export the same.

use super::*;

const HEADER: &str =
    "file,account,local_time,zone,caption,privacy,allow_comment,allow_duet,allow_stitch,mode\n";

#[tokio::test]
async fn errors_name_their_lines_and_nothing_is_created() {
    let mut r = Rig::new().await;
    let a = r.account("ana", "UTC").await;
    let e = &r.env.engine;
    let v = r.video.to_string_lossy().into_owned();
    let text = format!(
        "{HEADER}\
         {v},@ana,2027-05-01T09:00,Europe/London,ok,everyone,yes,no,no,direct\n\
         {v},@nobody,2027-05-01T10:00,UTC,x,everyone,no,no,no,direct\n\
         {v},ana,2027-03-14T02:30,America/New_York,gap,everyone,no,no,no,\n\
         /no/such/file.mp4,ana,2027-05-02T09:00,UTC,x,everyone,no,no,no,direct\n\
         {v},ana,2027-05-03T09:00,UTC,x,everybody,no,no,no,direct\n\
         {v},ana,2027-05-04T09:00,UTC,\"quoted, with comma\",everyone,maybe,no,no,direct\n\
         {v},ana,2027-05-01T09:10,Europe/London,too close,everyone,no,no,no,direct\n"
    );
    let rep = e.import_schedule_csv_with(&text, &r.rules).await.unwrap();
    assert!(rep.created.is_empty());
    let lines: Vec<u64> = rep.errors.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{:?}", rep.errors);
    assert!(rep.errors[0].message.contains("@nobody"));
    assert!(rep.errors[1]
        .message
        .contains("does not exist in America/New_York"));
    assert!(rep.errors[3].message.contains("everybody"));
    assert!(rep.errors[4].message.contains("yes or no"));
    assert!(
        rep.errors[5].message.contains("within 30 minutes"),
        "{:?}",
        rep.errors[5]
    );
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM posts WHERE account_id = ?")
        .bind(a)
        .fetch_one(e.store().pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    let err = e
        .import_schedule_csv_with("a,b\n1,2\n", &r.rules)
        .await
        .unwrap_err();
    assert!(err.user_message().contains("must name the columns"));
}

#[tokio::test]
async fn export_then_import_round_trips() {
    let mut r = Rig::new().await;
    let a = r.account("ana", "Europe/London").await;
    let b = r.account("bo", "America/New_York").await;
    let e = &r.env.engine;
    for acc in [a, b] {
        e.set_posting_slots(acc, &[slot(&[0, 2, 4], "09:00"), slot(&[1, 3], "18:30")])
            .await
            .unwrap();
    }
    let mut ids = r.drafts(a, 4).await;
    ids.extend(r.drafts(b, 3).await);
    e.update_post(
        ids[0],
        &tokdeck_core::posts::ComposePatch {
            caption: Some("line one\n\"two\", three".into()),
            allow_comment: Some(true),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let plan = r.preview(&ids).await;
    let done = e
        .commit_slot_schedule_with(&planned(&plan), &r.rules)
        .await
        .unwrap();
    assert_eq!(done.scheduled.len(), 7);
    let first = e.export_schedule_csv().await.unwrap();
    assert_eq!(first.lines().next().unwrap(), HEADER.trim_end());
    e.undo_slot_schedule(&done.undo).await.unwrap();
    assert_eq!(e.export_schedule_csv().await.unwrap().lines().count(), 1);
    let rep = e.import_schedule_csv_with(&first, &r.rules).await.unwrap();
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    assert_eq!(rep.created.len(), 7);
    assert_eq!(e.export_schedule_csv().await.unwrap(), first);
}
