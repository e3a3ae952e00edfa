//! The invariants checked after every step and at the end of a case.

use super::*;

impl Rig {
    pub(crate) async fn check(&mut self) -> Check {
        let sim = self.ctl.posts().await;
        // (a)
        for (i, t) in self.posts.iter().enumerate() {
            let pubs = sim_publishes(&sim, &t.tag);
            let live: Vec<_> = pubs.iter().filter(|(_, l)| *l).collect();
            if live.len() > 1 {
                return Err(format!(
                    "(a) TikTok holds {} live publishes of post {i}: {pubs:?}",
                    live.len()
                ));
            }
        }
        // (b)
        for c in &self.closed {
            let pubs = sim_publishes(&sim, &self.posts[c.post].tag);
            for (id, live) in &pubs {
                if !c.ids.contains(id) {
                    return Err(format!(
                        "(b) post {} got a new TikTok publish {id} after its {} answered OK",
                        c.post, c.what
                    ));
                }
                if *live && !c.live.contains(id) {
                    return Err(format!(
                        "(b) post {}'s publish {id} became live after its {} answered OK",
                        c.post, c.what
                    ));
                }
            }
        }
        // (f) a post in Trash stays there until the creator takes it out: nothing claims,
        // publishes or moves it (and it is listed in Trash).
        let trash: Vec<i64> = self
            .engine()
            .trash()
            .await
            .map_err(|e| format!("(f) Trash unreadable: {e}"))?
            .iter()
            .map(|t| t.id)
            .collect();
        for i in 0..self.posts.len() {
            let t = &self.posts[i];
            if t.deleted {
                if self.view(i).await.is_some() {
                    return Err(format!(
                        "(f) post {i} was deleted for good but is still there"
                    ));
                }
                continue;
            }
            if !t.trashed {
                continue;
            }
            let v = self.view(i).await;
            if v.as_ref().map(|v| v.status) != Some(PostStatus::Cancelled) {
                return Err(format!("(f) post {i} left Trash by itself: {v:?}"));
            }
            if !trash.contains(&t.id) {
                return Err(format!(
                    "(f) post {i} is in Trash but Trash does not list it"
                ));
            }
        }
        // (e) and (c)
        let now = self.sim_now().await;
        for i in 0..self.posts.len() {
            if self.posts[i].deleted {
                continue;
            }
            let Some(v) = self.view(i).await else {
                continue;
            };
            // Retry is offered on every failed post (the engine accepts it), so "for good" is
            // the job's own judgement: not retryable.
            if v.status == PostStatus::Failed && !v.job.as_ref().is_some_and(|j| j.retryable) {
                return Err(format!(
                    "(e) post {i} failed for good (not retryable): {v:?}; job {:#?}",
                    self.engine()
                        .publish_job(self.posts[i].id)
                        .await
                        .ok()
                        .flatten()
                ));
            }
            let busy = matches!(v.status, PostStatus::Queued | PostStatus::Publishing);
            let exempt = self.lock.is_locked()
                || self.paused
                || self.accounts[self.posts[i].account].removed;
            if !busy || exempt {
                self.since.remove(&i);
                continue;
            }
            let since = *self.since.entry(i).or_insert(now);
            if now.saturating_sub(since) <= BOUND_MS {
                continue;
            }
            // Past the bound: the engine gets a moment of real time to move it.
            let deadline = Instant::now() + STUCK_GRACE;
            let stuck = loop {
                let v2 = self.view(i).await;
                if v2.as_ref() != Some(&v) {
                    break None;
                }
                if Instant::now() > deadline {
                    break v2;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            if let Some(v) = stuck {
                // Queued for a slot is fine; queued but still paused for an account that is
                // connected again is not (the reconnect must lift the pause).
                let movable = v.status == PostStatus::Queued
                    && !v.paused
                    && offered(&v).contains(&Action::Cancel);
                if !movable {
                    return Err(format!(
                        "(c) post {i} is {:?} for {} min of simulated time and nothing the UI offers moves it: {v:?}",
                        v.status,
                        now.saturating_sub(since) / 60_000
                    ));
                }
            } else {
                self.since.remove(&i);
            }
        }
        Ok(())
    }

    /// Every event the engine emitted in this case (over restarts), as text.
    pub(crate) fn event_texts(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .map(|e| format!("{e:?}"))
            .collect()
    }

    /// The secrets tripwire, run after every passing case with the engine still open: every
    /// credential the simulator issued (tokens, codes, upload URLs and their tokens, rotated
    /// ones included) must appear nowhere in the data folder (SQLite and its WAL, logs) or in
    /// any event the engine emitted (notifications included).
    pub(crate) async fn end_of_case(&self) -> Check {
        let issued = self._sim.issued_secrets();
        let mut scan = common::tripwire::Tripwire::new(&issued);
        scan.scan_data_dir(self.dir.path())
            .scan_texts("event", &self.event_texts());
        match scan.hits() {
            [] => Ok(()),
            hits => Err(format!("secrets tripwire: {}", hits.join("; "))),
        }
    }
}

impl Tracked {
    pub(crate) fn account_id(&self, accounts: &[Acct]) -> i64 {
        accounts[self.account].id
    }
}

pub(crate) fn outcome<T>(r: &Result<T, CoreError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("error: {e}"),
    }
}

/// A calendar time `min` minutes from the engine's now, in UTC.
pub(crate) fn at_minutes(clock: &Clock, min: u16) -> When {
    let t = clock.now() + chrono::Duration::minutes(min.into());
    When::At {
        local: t.format("%Y-%m-%dT%H:%M").to_string(),
        zone: Some("UTC".into()),
        dst: None,
    }
}
