//! The rig a case runs on: clips, the engine over the simulator, what the UI offers, and the
//! views the invariants read.

use super::*;

// ---------------------------------------------------------------------------------------------
// Clips (made once per test binary)

pub(crate) struct Clips {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) a: PathBuf,
    pub(crate) b: PathBuf,
}

pub(crate) fn clips() -> &'static Clips {
    static CLIPS: OnceLock<Clips> = OnceLock::new();
    CLIPS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let a = media_common::h264(dir.path(), "a.mp4", 1.0);
        let b = media_common::h264(dir.path(), "b.mp4", 1.5);
        Clips { _dir: dir, a, b }
    })
}

// ---------------------------------------------------------------------------------------------
// The rig: one case's world

pub(crate) struct Acct {
    pub(crate) open_id: String,
    pub(crate) id: i64,
    pub(crate) removed: bool,
}

pub(crate) struct Tracked {
    pub(crate) id: i64,
    pub(crate) tag: String,
    pub(crate) account: usize,
    /// Gone for good (deleted forever, or Trash emptied).
    pub(crate) deleted: bool,
    /// In Trash (a Delete or Cancel answered OK, no Restore or Undo since).
    pub(crate) trashed: bool,
    pub(crate) edits: u32,
}

/// A cancel or delete that answered OK: TikTok's publishes of the post at that moment.
pub(crate) struct Closed {
    pub(crate) post: usize,
    pub(crate) what: &'static str,
    pub(crate) ids: BTreeSet<String>,
    pub(crate) live: BTreeSet<String>,
}

/// What the Queue page sees of a post.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct View {
    pub(crate) status: PostStatus,
    pub(crate) scheduled_at_ms: Option<i64>,
    pub(crate) paused: bool,
    pub(crate) job: Option<JobView>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JobView {
    pub(crate) step: PublishStep,
    pub(crate) outcome_unknown: bool,
    pub(crate) retryable: bool,
    pub(crate) publish_id: Option<String>,
}

pub(crate) struct Rig {
    pub(crate) bugs: &'static [Bug],
    pub(crate) _sim: Simulator,
    pub(crate) ctl: SimCtl,
    pub(crate) browser: reqwest::Client,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) config: EngineConfig,
    pub(crate) engine: Option<Arc<Engine>>,
    pub(crate) lock: Lock,
    pub(crate) events: Arc<Mutex<Vec<EngineEvent>>>,
    pub(crate) accounts: Vec<Acct>,
    pub(crate) posts: Vec<Tracked>,
    pub(crate) paused: bool,
    pub(crate) hurry: bool,
    pub(crate) since: HashMap<usize, u64>,
    pub(crate) closed: Vec<Closed>,
    pub(crate) files: u32,
    pub(crate) trace: Vec<String>,
}

pub(crate) fn engine_config(
    dir: &Path,
    secrets: Secrets,
    (base, token): (&str, &str),
    clock: Clock,
) -> EngineConfig {
    let mut c = EngineConfig::new(dir.to_path_buf(), secrets).with_simulator(base, token);
    c.clock = clock;
    c.rate_window = Duration::from_secs(1);
    c.client_tuning = Some(tune);
    c
}

/// A post's TikTok publishes: (publish id, live).
pub(crate) fn sim_publishes(sim_posts: &[Value], tag: &str) -> Vec<(String, bool)> {
    sim_posts
        .iter()
        .filter(|p| {
            p["post_info"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with(tag))
        })
        .map(|p| {
            let status = p["status"].as_str().unwrap_or("");
            let all_bytes = p["uploaded_bytes"] == p["video_size"];
            let live = status == "PUBLISH_COMPLETE" || (status == "PROCESSING_UPLOAD" && all_bytes);
            (p["publish_id"].as_str().unwrap_or("").to_owned(), live)
        })
        .collect()
}

/// The actions the Queue page shows for a post: `postActions` (ui/src/lib/postActions.ts)
/// transcribed, checked against the way-out table by [`offered_matches_the_way_out_table`]
/// (as the vitest checks the UI and publish_integrity.rs the engine), plus the page's Relink
/// button on a post that needs attention. Edit (the composer) and Reschedule (the calendar)
/// are offered elsewhere and are not checked by (d).
pub(crate) fn offered(v: &View) -> Vec<Action> {
    use Action::*;
    // In Trash: the Trash page's actions, and the Undo toast's.
    if v.status == PostStatus::Cancelled {
        let mut out = post_actions(v.status, v.job.as_ref());
        out.push(Undo);
        return out;
    }
    let listed = matches!(
        v.status,
        PostStatus::Scheduled
            | PostStatus::NeedsAttention
            | PostStatus::Queued
            | PostStatus::Publishing
            | PostStatus::Published
            | PostStatus::Failed
            | PostStatus::Missed
    ) && v.scheduled_at_ms.is_some();
    if !listed {
        return vec![];
    }
    let mut out = post_actions(v.status, v.job.as_ref());
    if v.status == PostStatus::NeedsAttention {
        out.extend([RelinkSame, RelinkOther]);
    }
    out
}

/// `postActions(status, job)` of the UI, in the model's action names.
pub(crate) fn post_actions(status: PostStatus, job: Option<&JobView>) -> Vec<Action> {
    use Action::*;
    // Being published: the engine itself ends it (retries and deadlines are bounded).
    if status == PostStatus::Publishing {
        return vec![];
    }
    if status == PostStatus::Cancelled {
        return vec![Restore, DeleteForever];
    }
    let mut out = vec![Delete];
    let state = job.map(|j| j.step.post_status());
    if job.is_some_and(|j| j.outcome_unknown && j.step == PublishStep::NeedsAttention)
        && status == PostStatus::NeedsAttention
    {
        out.extend([MarkPosted, Dismiss]);
    } else {
        let cancellable = matches!(
            status,
            PostStatus::Draft
                | PostStatus::Scheduled
                | PostStatus::Missed
                | PostStatus::NeedsAttention
                | PostStatus::Failed
                | PostStatus::Queued
        );
        if cancellable
            && (status != PostStatus::Queued || job.is_some_and(|j| j.step == PublishStep::Queued))
        {
            out.push(Cancel);
        }
        if job.is_some_and(|j| matches!(j.step, PublishStep::Failed | PublishStep::NeedsAttention))
            && Some(status) == state
        {
            out.push(Retry);
        }
        if matches!(
            status,
            PostStatus::Scheduled | PostStatus::Missed | PostStatus::Failed
        ) {
            out.push(PublishNow);
        }
    }
    out
}

/// The model's copy of `postActions` gives what the way-out table says for every row (the
/// table's actions the model has no op for — checkAgain — aside).
#[test]
fn offered_matches_the_way_out_table() {
    let table: Value =
        serde_json::from_str(include_str!("../../../../ui/src/lib/wayOut.json")).unwrap();
    for row in table["rows"].as_array().unwrap() {
        let status = PostStatus::parse(row["status"].as_str().unwrap());
        let job = row["job"].as_object().map(|j| JobView {
            step: PublishStep::parse(j["state"].as_str().unwrap()),
            outcome_unknown: j.get("outcomeUnknown") == Some(&json!(true)),
            retryable: j.get("retryable") == Some(&json!(true)),
            publish_id: (j.get("publishId") == Some(&json!(true))).then(|| "p".to_owned()),
        });
        let mut want: Vec<String> = row["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .filter(|a| a != "checkAgain")
            .collect();
        let mut got: Vec<String> = post_actions(status, job.as_ref())
            .iter()
            .map(|a| {
                match a {
                    Action::PublishNow => "publishNow",
                    Action::Retry => "retry",
                    Action::Cancel => "cancel",
                    Action::Delete => "delete",
                    Action::MarkPosted => "markPosted",
                    Action::Dismiss => "dismiss",
                    Action::Restore => "restore",
                    Action::DeleteForever => "deleteForever",
                    other => unreachable!("{other:?} is not a Queue action"),
                }
                .to_owned()
            })
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "row {}", row["name"]);
    }
}

pub(crate) type Check = Result<(), String>;

impl Rig {
    pub(crate) async fn start(case: &Case, bugs: &'static [Bug]) -> Rig {
        let lock = Lock::default();
        let clock = Clock::system();
        let keychain_lock = lock.clone();
        let tweak_clock = clock.clone();
        let h = common::start_keyed(
            fast(),
            move |_| {
                Secrets::with_store("tokdeck-model", LockableStore::open(keychain_lock.clone()))
            },
            move |c| {
                let base = c.simulator_url.clone().unwrap();
                let token = c.simulator_token.clone().unwrap();
                engine_config(&c.data_dir, c.secrets.clone(), (&base, &token), tweak_clock)
            },
        )
        .await;
        let ctl = h.sim_ctl();
        ctl.call(
            Method::POST,
            "/__sim/behaviour",
            json!({"rate_window_ms": 1000}),
        )
        .await;
        let mut accounts = Vec::new();
        for k in 0..case.accounts.clamp(1, 2) {
            let (open_id, id) = h.connected_account(&format!("acct{k}")).await;
            accounts.push(Acct {
                open_id,
                id,
                removed: false,
            });
        }
        let media = h.dir.path().join("media");
        std::fs::create_dir_all(&media).unwrap();
        let first = media.join("clip-0.mp4");
        std::fs::copy(&clips().a, &first).unwrap();
        let mut posts = Vec::new();
        let mut rules = HashMap::new();
        for (i, p) in case.posts.iter().enumerate() {
            let account = p.account as usize % accounts.len();
            let acc_id = accounts[account].id;
            let tag = format!("p{i}·");
            let id = h
                .direct_draft(acc_id, &first, &format!("{tag} take 0"))
                .await;
            if let std::collections::hash_map::Entry::Vacant(slot) = rules.entry(acc_id) {
                slot.insert(h.engine.creator_rules(acc_id).await.unwrap());
            }
            let when = if p.due_min == 0 {
                When::Now
            } else {
                at_minutes(h.engine.clock(), p.due_min)
            };
            h.engine
                .schedule_post(id, &when, &rules[&acc_id])
                .await
                .unwrap();
            posts.push(Tracked {
                id,
                tag,
                account,
                deleted: false,
                trashed: false,
                edits: 0,
            });
        }
        let base = h.base.clone();
        let common::H {
            sim,
            engine,
            secrets,
            dir,
            browser,
            ..
        } = h;
        let token = sim.control_token().to_owned();
        let config = engine_config(dir.path(), secrets, (&base, &token), engine.clock().clone());
        let mut rig = Rig {
            bugs,
            _sim: sim,
            ctl,
            browser,
            dir,
            config,
            engine: Some(engine),
            lock,
            events: Arc::default(),
            accounts,
            posts,
            paused: false,
            hurry: false,
            since: HashMap::new(),
            closed: Vec::new(),
            files: 1,
            trace: Vec::new(),
        };
        rig.begin();
        rig
    }

    pub(crate) fn engine(&self) -> &Arc<Engine> {
        self.engine.as_ref().expect("engine running")
    }

    /// Starts the background work and collects every event the engine emits (for the secrets
    /// tripwire).
    pub(crate) fn begin(&mut self) {
        let engine = self.engine().clone();
        let mut rx = engine.events().subscribe();
        let sink = self.events.clone();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(e) => sink.lock().unwrap().push(e),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                }
            }
        });
        engine.start_background();
    }

    pub(crate) async fn restart(&mut self) {
        let old = self.engine.take().expect("engine running");
        old.shutdown().await;
        drop(old);
        let deadline = Instant::now() + Duration::from_secs(5);
        let engine = loop {
            match Engine::open(self.config.clone()).await {
                Ok(e) => break e,
                Err(e) if Instant::now() < deadline => {
                    tracing::debug!("engine not open yet: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("cannot reopen the engine: {e}"),
            }
        };
        self.engine = Some(engine);
        self.begin();
    }

    pub(crate) async fn shutdown(&mut self) {
        if let Some(e) = self.engine.take() {
            e.shutdown().await;
        }
    }

    pub(crate) async fn sim_now(&self) -> u64 {
        let v = self
            .ctl
            .call(Method::GET, "/__sim/clock", Value::Null)
            .await;
        v["now_ms"].as_u64().unwrap()
    }

    pub(crate) async fn view(&self, i: usize) -> Option<View> {
        let e = self.engine();
        let id = self.posts[i].id;
        let post = match e.post(id).await {
            Ok(p) => p,
            Err(CoreError::NotFound(_)) => return None,
            Err(err) => panic!("post {id}: {err}"),
        };
        let job = e.publish_job(id).await.unwrap().map(|j| JobView {
            step: j.step(),
            outcome_unknown: j.outcome_unknown,
            retryable: j.retryable,
            publish_id: j.publish_id.clone(),
        });
        Some(View {
            status: post.status,
            scheduled_at_ms: post
                .scheduled_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp_millis()),
            paused: post.paused_reason.is_some(),
            job,
        })
    }

    /// Changes when anything the engine or the simulator holds changes.
    pub(crate) async fn fingerprint(&self) -> String {
        let mut s = String::new();
        for i in 0..self.posts.len() {
            s.push_str(&format!("{:?};", self.view(i).await));
        }
        let req = self
            .ctl
            .call(Method::GET, "/__sim/requests", Value::Null)
            .await;
        s.push_str(&req.to_string());
        s
    }

    /// Waits until no publish runs and nothing changed for a moment (at most 2.5 s: a status
    /// poll sleeping in real time may still be running then).
    pub(crate) async fn settle(&self) {
        let start = Instant::now();
        let mut last = self.fingerprint().await;
        let mut quiet = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let fp = self.fingerprint().await;
            if fp != last {
                last = fp;
                quiet = Instant::now();
            } else if self.engine().active_publishes().is_empty()
                && quiet.elapsed() >= Duration::from_millis(40)
            {
                return;
            }
            if start.elapsed() > Duration::from_millis(2500) {
                return;
            }
        }
    }

    /// One line: each post's status and publish step, and TikTok's publishes of it.
    pub(crate) async fn states(&self) -> String {
        let sim = self.ctl.posts().await;
        let mut out = Vec::new();
        for (i, t) in self.posts.iter().enumerate() {
            let v = self.view(i).await;
            let pubs: Vec<String> = sim
                .iter()
                .filter(|p| {
                    p["post_info"]["title"]
                        .as_str()
                        .is_some_and(|x| x.starts_with(&t.tag))
                })
                .map(|p| {
                    let st = p["status"].as_str().unwrap_or("?");
                    let short = match st {
                        "PUBLISH_COMPLETE" => "complete".to_owned(),
                        "PROCESSING_UPLOAD" => {
                            format!("uploading {}/{}", p["uploaded_bytes"], p["video_size"])
                        }
                        other => other.to_lowercase(),
                    };
                    short
                })
                .collect();
            let me = match v {
                None => "deleted".to_owned(),
                Some(v) => match &v.job {
                    Some(j) => format!(
                        "{:?}/{:?}{}{}",
                        v.status,
                        j.step,
                        if j.outcome_unknown { " unknown" } else { "" },
                        if j.retryable { " retryable" } else { "" }
                    ),
                    None => format!("{:?}", v.status),
                },
            };
            out.push(format!("p{i} {me} tiktok{pubs:?}"));
        }
        out.join("; ")
    }

    pub(crate) async fn live_count(&self, i: usize) -> usize {
        let posts = self.ctl.posts().await;
        sim_publishes(&posts, &self.posts[i].tag)
            .iter()
            .filter(|(_, live)| *live)
            .count()
    }

    pub(crate) fn skips(&self, bug: Bug) -> bool {
        self.bugs.contains(&bug)
    }
}
