//! Applying an op: time, faults, restarts, the keychain, accounts and the creator's actions.

use super::*;

impl Rig {
    pub(crate) async fn apply(&mut self, op: &Op) -> Result<String, String> {
        if let Op::Restart = op {
            // No clone of the engine may outlive its shutdown: it holds the data folder.
            self.restart().await;
            return Ok(String::new());
        }
        let e = self.engine().clone();
        Ok(match *op {
            Op::Advance(secs) => {
                e.clock().advance(Duration::from_secs(secs.into()));
                self.ctl
                    .call(
                        Method::POST,
                        "/__sim/clock/advance",
                        json!({ "secs": secs }),
                    )
                    .await;
                String::new()
            }
            Op::Fault(ep, kind, times) => {
                self.ctl.fault(kind.spec(ep, times)).await;
                String::new()
            }
            Op::ClearFaults => {
                self.ctl.clear_faults().await;
                String::new()
            }
            Op::Restart => unreachable!("handled above"),
            Op::Lock => {
                self.lock.set(Refuse::Everything);
                String::new()
            }
            Op::Unlock => {
                self.lock.set(Refuse::Nothing);
                String::new()
            }
            Op::Hurry => {
                self.hurry = true;
                String::new()
            }
            Op::PausePublishing | Op::ResumePublishing => {
                let pause = matches!(op, Op::PausePublishing);
                let r = e
                    .update_settings(&SettingsPatch {
                        publishing_paused: Some(pause),
                        ..Default::default()
                    })
                    .await;
                if r.is_ok() {
                    self.paused = pause;
                }
                outcome(&r)
            }
            Op::RemoveAccount(k) => {
                let k = k as usize % self.accounts.len();
                if self.accounts[k].removed {
                    return Ok("skip: already removed".into());
                }
                if self.skips(Bug::RemovedAccountFailsForGood) {
                    for i in 0..self.posts.len() {
                        let busy = self.posts[i].account == k
                            && !self.posts[i].deleted
                            && self.view(i).await.is_some_and(|v| {
                                matches!(v.status, PostStatus::Queued | PostStatus::Publishing)
                            });
                        if busy {
                            return Ok("skip: known bug RemovedAccountFailsForGood".into());
                        }
                    }
                }
                let r = e.remove_account(self.accounts[k].id).await;
                if r.is_ok() {
                    self.accounts[k].removed = true;
                }
                outcome(&r)
            }
            Op::Reconnect(k) => {
                let k = k as usize % self.accounts.len();
                let r = self.connect(k).await;
                if r.is_ok() {
                    self.accounts[k].removed = false;
                }
                match r {
                    Ok(()) => "ok".into(),
                    Err(m) => format!("failed: {m}"),
                }
            }
            Op::EmptyTrash => {
                let r = e.empty_trash().await;
                if r.is_ok() {
                    for t in self.posts.iter_mut().filter(|t| t.trashed) {
                        t.trashed = false;
                        t.deleted = true;
                    }
                }
                outcome(&r)
            }
            Op::Act(p, a) => self.act(p as usize % self.posts.len(), a).await?,
        })
    }

    /// The Accounts page's Connect/Reconnect: the OAuth flow through the loopback listener.
    pub(crate) async fn connect(&self, k: usize) -> Result<(), String> {
        let flow = self
            .engine()
            .begin_connect()
            .await
            .map_err(|e| e.to_string())?;
        let url = format!(
            "{}&sim_open_id={}",
            flow.authorize_url, self.accounts[k].open_id
        );
        let resp = self
            .browser
            .get(url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let page = resp.text().await.unwrap_or_default();
        if status.is_success() && page.contains("is connected") {
            Ok(())
        } else {
            Err(format!("HTTP {status}"))
        }
    }

    pub(crate) async fn act(&mut self, i: usize, a: Action) -> Result<String, String> {
        if self.posts[i].deleted {
            return Ok("skip: deleted".into());
        }
        let Some(before) = self.view(i).await else {
            return Ok("skip: gone".into());
        };
        let offers = offered(&before);
        let queue_action = !matches!(a, Action::Edit | Action::Reschedule(_));
        if queue_action && !offers.contains(&a) {
            return Ok(format!("skip: not offered ({:?})", before.status));
        }
        let unknown = before.job.as_ref().is_some_and(|j| j.outcome_unknown);
        let live = self.live_count(i).await;
        let now = self.engine().clock().now_ms();
        // Known bugs: the combinations that hit them are skipped, and said so.
        let known = match a {
            Action::RelinkSame | Action::RelinkOther if unknown => {
                Some(Bug::RelinkAfterUnknownOutcome)
            }
            Action::Retry if live > 0 => Some(Bug::RetryAfterLostFinalAnswer),
            Action::Cancel | Action::Delete
                if before.status == PostStatus::Queued
                    || (before.status == PostStatus::Scheduled
                        && !before.paused
                        && before.scheduled_at_ms.is_some_and(|t| t <= now + 1000)) =>
            {
                Some(Bug::CancelRacesClaim)
            }
            Action::Delete if before.status == PostStatus::Publishing => {
                Some(Bug::QueueOffersDeleteWhilePublishing)
            }
            Action::PublishNow | Action::Reschedule(_) | Action::Retry
                if self.accounts[self.posts[i].account].removed =>
            {
                Some(Bug::RemovedAccountFailsForGood)
            }
            _ => None,
        };
        if let Some(bug) = known.filter(|b| self.skips(*b)) {
            return Ok(format!("skip: known bug {bug:?}"));
        }
        // The creator is honest about what TikTok shows.
        match a {
            Action::MarkPosted if live == 0 => return Ok("skip: TikTok does not hold it".into()),
            Action::Dismiss if live > 0 => return Ok("skip: TikTok holds it".into()),
            _ => {}
        }
        let e = self.engine().clone();
        let id = self.posts[i].id;
        let res: Result<(), CoreError> = match a {
            Action::PublishNow => e.reschedule_post(id, &When::Now).await.map(drop),
            Action::Retry => e.retry_publish(id).await.map(drop),
            Action::RelinkSame | Action::RelinkOther => {
                let other = a == Action::RelinkOther;
                let src = if other { &clips().b } else { &clips().a };
                let to = self
                    .dir
                    .path()
                    .join("media")
                    .join(format!("clip-{}.mp4", self.files));
                self.files += 1;
                std::fs::copy(src, &to).unwrap();
                e.relink_post_media(id, &to.to_string_lossy(), other, None)
                    .await
                    .map(drop)
            }
            Action::Reschedule(min) => e
                .reschedule_post(id, &at_minutes(e.clock(), min))
                .await
                .map(drop),
            Action::Edit => {
                let t = &mut self.posts[i];
                t.edits += 1;
                let patch = ComposePatch {
                    caption: Some(format!("{} take {}", t.tag, t.edits)),
                    allow_comment: Some(t.edits.is_multiple_of(2)),
                    ..Default::default()
                };
                let rules = if before.status == PostStatus::Scheduled {
                    match e
                        .creator_rules(self.posts[i].account_id(&self.accounts))
                        .await
                    {
                        Ok(r) => Some(r),
                        Err(err) => return Ok(format!("creator_info failed: {err}")),
                    }
                } else {
                    None
                };
                e.update_post(id, &patch, rules.as_ref()).await.map(drop)
            }
            Action::Cancel => {
                let step = before.job.as_ref().map(|j| j.step);
                if step == Some(PublishStep::Queued) {
                    e.cancel_publish(id).await.map(drop)
                } else {
                    e.cancel_post(id).await.map(drop)
                }
            }
            Action::Delete => e.delete_post(id).await,
            Action::Restore => e.restore_post(id).await.map(drop),
            Action::Undo => e.undo_trash(id).await.map(drop),
            Action::DeleteForever => e.delete_forever(id).await,
            Action::MarkPosted => e.mark_as_posted(id).await.map(drop),
            Action::Dismiss => e.dismiss_unknown_outcome(id).await.map(drop),
        };
        match res {
            Ok(()) => {
                match a {
                    Action::Restore | Action::Undo => {
                        // Out of Trash: a publish after it is scheduled again is legitimate.
                        self.posts[i].trashed = false;
                        self.closed.retain(|c| c.post != i);
                    }
                    Action::DeleteForever => {
                        self.posts[i].trashed = false;
                        self.posts[i].deleted = true;
                    }
                    _ => {}
                }
                if matches!(a, Action::Cancel | Action::Delete) {
                    self.posts[i].trashed = true;
                    if !unknown {
                        let sim = self.ctl.posts().await;
                        let pubs = sim_publishes(&sim, &self.posts[i].tag);
                        self.closed.push(Closed {
                            post: i,
                            what: if a == Action::Cancel {
                                "cancel"
                            } else {
                                "delete"
                            },
                            ids: pubs.iter().map(|(id, _)| id.clone()).collect(),
                            live: pubs
                                .iter()
                                .filter(|(_, l)| *l)
                                .map(|(id, _)| id.clone())
                                .collect(),
                        });
                    }
                }
                Ok("ok".into())
            }
            Err(CoreError::Conflict(msg))
                if self.accounts[self.posts[i].account].removed
                    && msg.contains("is disconnected — reconnect it first") =>
            {
                // Refused with the reason, and nothing changed (the post keeps its time).
                let after = self.view(i).await;
                if after.as_ref() != Some(&before) {
                    return Err(format!(
                        "{a:?} of post {i} was refused ({msg}) but the post changed: {before:?} → {after:?}"
                    ));
                }
                Ok(format!("refused: {msg}"))
            }
            Err(CoreError::Conflict(msg)) if queue_action => {
                let after = self.view(i).await;
                if after.as_ref() == Some(&before) {
                    Err(format!(
                        "(d) the Queue offers {a:?} for post {i} ({before:?}) but the engine refuses it: {msg}"
                    ))
                } else {
                    Ok(format!("refused after the post changed (race): {msg}"))
                }
            }
            Err(err) => Ok(format!("error: {err}")),
        }
    }

    // Invariants ------------------------------------------------------------------------------
}
