//! Launching, driving and closing the app under test.

use super::*;

impl App {
    /// Saves what the window shows to `dir/<name>.png`, once two frames have been painted since
    /// the last change (to look at; nothing is asserted about pixels).
    pub async fn shoot_to(&self, dir: &std::path::Path, name: &str) {
        self.client
            .execute_async(
                "const done = arguments[0]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                vec![],
            )
            .await
            .unwrap();
        let png = self.screenshot().await.unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// What the window shows, as PNG.
    pub async fn screenshot(&self) -> Result<Vec<u8>, fantoccini::error::CmdError> {
        // WebKit's driver takes a screenshot after the page's next paint. Drawn without
        // compositing (`TOKDECK_RENDERING=software`) a page that has stopped changing never
        // paints again, and the screenshot waited forever; so one pixel keeps changing, too
        // faintly to see, until the screenshot is in.
        let _ = self
            .client
            .execute(
                "const dot = document.createElement('div'); \
                 dot.id = 'e2e-paint-keeper'; \
                 dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;z-index:2147483647;pointer-events:none'; \
                 document.body.append(dot); \
                 let odd = false; \
                 const tick = () => { if (!dot.isConnected) return; odd = !odd; \
                   dot.style.background = odd ? 'rgba(0,0,0,0.004)' : 'transparent'; \
                   requestAnimationFrame(tick); }; \
                 tick();",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await;
        let _ = self
            .client
            .execute(
                "document.getElementById('e2e-paint-keeper')?.remove();",
                vec![],
            )
            .await;
        png
    }

    /// `shoot_to` into `tests/artifacts/<folder>/`.
    pub async fn shoot(&self, folder: &str, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/artifacts")
            .join(folder);
        self.shoot_to(&dir, name).await;
    }

    /// `shoot` with `selector` scrolled into view first (`block`: "start", "center"…).
    pub async fn shoot_at(&self, folder: &str, name: &str, selector: &str, block: &str) {
        self.js(
            "document.querySelector(arguments[0])?.scrollIntoView({ block: arguments[1] });",
            vec![json!(selector), json!(block)],
        )
        .await;
        self.shoot(folder, name).await;
    }

    /// Runs `script` in the page; answers what it returns.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap()
    }

    /// Resizes the window to `w`×`h` and waits until the page has that width.
    pub async fn resize(&self, w: u32, h: u32) {
        self.client.set_window_size(w, h).await.unwrap_or_default();
        wait_for(&format!("the page to be {w} wide"), async || {
            let got = self
                .client
                .execute("return innerWidth;", vec![])
                .await
                .unwrap();
            if got == json!(w) {
                Ok(())
            } else {
                Err(got.to_string())
            }
        })
        .await;
    }

    pub async fn launch(name: &str, opts: Launch) -> App {
        require_desktop();
        // A given root (to relaunch over the same data, settings and home) or a fresh one.
        let (root_path, tmp) = match opts.root {
            Some(p) => (p, None),
            None => {
                let t = tempfile::tempdir().unwrap();
                (t.path().to_path_buf(), Some(t))
            }
        };
        let root = RootDir(&root_path);
        let data_dir = opts.data_dir.unwrap_or_else(|| root.path().join("data"));
        let xdg_data = root.path().join("xdg-data");
        let xdg_config = root.path().join("xdg-config");
        install_fake_browser(&xdg_data, &xdg_config);
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        let mut env = vec![
            (
                "TOKDECK_DATA_DIR".to_owned(),
                data_dir.display().to_string(),
            ),
            // A home of its own: some libraries (autostart) ignore XDG_CONFIG_HOME.
            (
                "HOME".to_owned(),
                root.path().join("home").display().to_string(),
            ),
            ("XDG_DATA_HOME".to_owned(), xdg_data.display().to_string()),
            (
                "XDG_CONFIG_HOME".to_owned(),
                xdg_config.display().to_string(),
            ),
            (
                "TOKDECK_FAKE_BROWSER_LOG".to_owned(),
                root.path().join("browser.log").display().to_string(),
            ),
            (
                "TOKDECK_KEYCHAIN_SERVICE".to_owned(),
                "tokdeck-e2e".to_owned(),
            ),
            ("TOKDECK_LOG".to_owned(), "info".to_owned()),
            (
                "TOKDECK_SIM_CONTROL_TOKEN".to_owned(),
                SIM_CONTROL_TOKEN.to_owned(),
            ),
        ];
        env.extend(opts.env);
        let port = free_port();
        let native_port = free_port();
        let driver_log = std::fs::File::create(root.path().join("tauri-driver.log")).unwrap();
        // Its own process group, so closing ends WebKitWebDriver and the app with it.
        let driver = Command::new("tauri-driver")
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(driver_log.try_clone().unwrap())
            .stderr(driver_log)
            .spawn()
            .expect("tauri-driver is installed by scripts/setup.sh");
        let url = format!("http://127.0.0.1:{port}");
        // Ready means the native driver behind tauri-driver answers too.
        let status_url = format!("{url}/status");
        let http = reqwest::Client::new();
        wait_for("tauri-driver to answer", async || {
            match http.get(&status_url).send().await {
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(r.status().to_string()),
                Err(e) => Err(e.to_string()),
            }
        })
        .await;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": bin(), "args": [] }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("WebDriver session with the app");
        let app = App {
            name: name.to_owned(),
            root: root_path,
            _tmp: tmp,
            data_dir,
            env,
            driver,
            client,
            closed: false,
        };
        app.wait_testid("app-ready").await;
        app
    }

    /// Runs `body` against a launched app; on failure saves a screenshot and the logs, then
    /// fails the test with the original panic.
    pub async fn run<F>(self, body: F)
    where
        F: AsyncFnOnce(&App),
    {
        let result = std::panic::AssertUnwindSafe(body(&self))
            .catch_unwind()
            .await;
        // After a passing body: no credential the simulator issued may sit in the data folder.
        let result = match result {
            Ok(()) => {
                std::panic::AssertUnwindSafe(self.check_secrets())
                    .catch_unwind()
                    .await
            }
            failed => failed,
        };
        if let Err(panic) = result {
            self.save_artifacts().await;
            self.close().await;
            std::panic::resume_unwind(panic);
        }
        self.close().await;
    }

    /// The secrets tripwire over the app's database files (WAL included) and logs, for every
    /// secret the app's simulator issued. Skipped when the app does not run the simulator or
    /// its window is gone.
    async fn check_secrets(&self) {
        let script = r#"
            const [done] = arguments;
            window.__TAURI_INTERNALS__.invoke("app_info", {}).then(done, () => done(null));
        "#;
        let Ok(info) = self.client.execute_async(script, vec![]).await else {
            return;
        };
        let Some(sim) = info["simulatorUrl"].as_str() else {
            return;
        };
        let secrets: Vec<tokdeck_sim::IssuedSecret> = reqwest::Client::new()
            .get(format!("{}/__sim/secrets", sim.trim_end_matches('/')))
            .header(tokdeck_sim::CONTROL_TOKEN_HEADER, SIM_CONTROL_TOKEN)
            .send()
            .await
            .expect("the simulator lists its secrets")
            .json()
            .await
            .expect("secrets as JSON");
        tripwire::Tripwire::new(&secrets)
            .scan_data_dir(&self.data_dir)
            .assert_clean();
    }

    async fn save_artifacts(&self) {
        let dir = repo().join("tests/artifacts").join(&self.name);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.screenshot().await {
            let _ = std::fs::write(dir.join("screenshot.png"), png);
        }
        copy_dir(&self.data_dir.join("logs"), &dir.join("logs"));
        let _ = std::fs::copy(self.root.join("browser.log"), dir.join("browser.log"));
        let _ = std::fs::copy(
            self.root.join("tauri-driver.log"),
            dir.join("tauri-driver.log"),
        );
        eprintln!("e2e artifacts saved in {}", dir.display());
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        kill_group(&self.driver);
        let _ = self.driver.wait();
        self.closed = true;
        // The app may have kept running in the tray; end it so the next test starts clean.
        for pid in app_pids() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        wait_until(PATIENCE, "the app to exit", || app_pids().is_empty()).await;
        // The next launch must not find this instance's single-instance name still on the bus.
        wait_until(PATIENCE, "the single-instance name to be released", || {
            !single_instance_name_owned()
        })
        .await;
    }

    /// Drives the window made again after the last one was closed to the tray (WebDriver's
    /// current window went with the old webview), once its page has loaded.
    pub async fn follow_new_window(&self) {
        wait_for("WebDriver to reach the new window", async || {
            let handles = self.client.windows().await.map_err(|e| e.to_string())?;
            let handle = handles.last().cloned().ok_or("no window yet")?;
            self.client
                .switch_to_window(handle)
                .await
                .map_err(|e| e.to_string())?;
            let state = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .map_err(|e| e.to_string())?;
            if state == "complete" {
                Ok(())
            } else {
                Err(format!("page {state}"))
            }
        })
        .await;
        self.wait_testid("app-ready").await;
    }

    pub async fn wait_testid(&self, id: &str) -> Element {
        self.wait_css(&testid(id)).await
    }

    /// The first element matching `selector`, once there is one.
    pub async fn wait_css(&self, selector: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .every(POLL)
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("{selector} did not appear: {e}"))
    }

    pub async fn all_testid(&self, id: &str) -> Vec<fantoccini::elements::Element> {
        self.wait_testid(id).await;
        self.client
            .find_all(Locator::Css(&format!("[data-testid=\"{id}\"]")))
            .await
            .unwrap()
    }

    /// The account card of an account, waiting for it to appear.
    pub async fn card(&self, open_id: &str) -> Element {
        self.wait_css(&card_selector(open_id)).await
    }

    pub async fn card_opt(&self, open_id: &str) -> Option<Element> {
        self.client
            .find(Locator::Css(&card_selector(open_id)))
            .await
            .ok()
    }

    pub async fn text(&self, id: &str) -> String {
        self.wait_testid(id).await.text().await.unwrap()
    }

    pub async fn click(&self, id: &str) {
        self.click_css(&testid(id)).await;
    }

    /// Clicks what `selector` finds the way a person would: once it is shown and enabled, and
    /// only where it is on top. Something covering it is a bug to fix (a toast once covered
    /// the composer); this only absorbs transitions such as a menu closing, and says so.
    pub async fn click_css(&self, selector: &str) {
        wait_for(&format!("{selector} to take a click"), async || {
            let el = self.usable(selector).await?;
            match el.click().await {
                Ok(()) => Ok(()),
                Err(e) if retryable(&e) => {
                    eprintln!("e2e: click on {selector} not taken yet: {e}");
                    Err(e.to_string())
                }
                Err(e) => panic!("clicking {selector}: {e}"),
            }
        })
        .await;
    }

    /// Chooses `value` in the `<select>` with this test id, as a person would, and waits until
    /// the select holds it.
    pub async fn select(&self, id: &str, value: &str) {
        let selector = testid(id);
        wait_for(&format!("{selector} to take {value}"), async || {
            let el = self.usable(&selector).await?;
            match el.select_by_value(value).await {
                Ok(()) => {}
                Err(e) if retryable(&e) => {
                    eprintln!("e2e: choosing {value} in {selector} not taken yet: {e}");
                    return Err(e.to_string());
                }
                Err(e) => panic!("choosing {value} in {selector}: {e}"),
            }
            let now = el.prop("value").await.map_err(|e| e.to_string())?;
            if now.as_deref() == Some(value) {
                Ok(())
            } else {
                Err(format!("the select holds {now:?}"))
            }
        })
        .await;
    }

    /// The element `selector` finds, if it is there, displayed and enabled.
    async fn usable(&self, selector: &str) -> Result<Element, String> {
        let el = self
            .client
            .find(Locator::Css(selector))
            .await
            .map_err(|e| e.to_string())?;
        let shown = el.is_displayed().await.map_err(|e| e.to_string())?;
        let enabled = el.is_enabled().await.map_err(|e| e.to_string())?;
        match (shown, enabled) {
            (true, true) => Ok(el),
            (false, _) => Err("not displayed".into()),
            (true, false) => Err("disabled".into()),
        }
    }

    /// From now on, notes the text of every toast the window shows, so a short-lived one is
    /// not missed by a test that looks at the wrong moment (see [`App::wait_toast`]).
    pub async fn record_toasts(&self) {
        self.client
            .execute(
                r#"window.__toastsSeen = [];
                   const note = () => {
                     for (const t of document.querySelectorAll('[data-testid="toast"]')) {
                       if (!window.__toastsSeen.includes(t.textContent))
                         window.__toastsSeen.push(t.textContent);
                     }
                   };
                   new MutationObserver(note).observe(document.body,
                     { childList: true, subtree: true, characterData: true });
                   note();"#,
                vec![],
            )
            .await
            .unwrap();
    }

    /// Waits until a toast containing `text` has shown since [`App::record_toasts`]; answers
    /// its whole text.
    pub async fn wait_toast(&self, text: &str) -> String {
        wait_for(&format!("a toast saying {text:?}"), async || {
            let seen = self
                .client
                .execute("return window.__toastsSeen;", vec![])
                .await
                .unwrap();
            seen.as_array()
                .expect("record_toasts was called")
                .iter()
                .filter_map(Value::as_str)
                .find(|t| t.contains(text))
                .map(str::to_owned)
                .ok_or_else(|| seen.to_string())
        })
        .await
    }

    /// Calls a Tokdeck command through the same IPC the UI uses.
    pub async fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let script = r#"
            const [cmd, args, done] = arguments;
            window.__TAURI_INTERNALS__.invoke(cmd, args)
              .then((ok) => done({ ok: ok === undefined ? null : ok }), (err) => done({ err }));
        "#;
        let out = self
            .client
            .execute_async(script, vec![json!(cmd), args])
            .await
            .expect("execute script");
        match out.get("ok") {
            Some(v) => Ok(v.clone()),
            None => Err(out.get("err").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Starts the binary a second time, as the OS does for a `tokdeck://` link, and waits for it
    /// to hand over to the running instance and exit.
    pub async fn second_launch(&self, args: &[&str]) -> std::process::ExitStatus {
        let mut child = Command::new(bin())
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the second launch did not exit: single-instance hand-over failed");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The home directory this app run uses.
    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    /// What the fake system browser visited (see scripts/fake_browser.py).
    pub fn browser_log(&self) -> String {
        std::fs::read_to_string(self.root.join("browser.log")).unwrap_or_default()
    }

    pub fn log_text(&self) -> String {
        let mut out = String::new();
        if let Ok(entries) = std::fs::read_dir(self.data_dir.join("logs")) {
            for e in entries.flatten() {
                out.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        out
    }
}
