//! Benchmark P1: upload throughput and memory of the client against the simulator, compared
//! with curl sending the same chunks.
//!
//! Layout: the simulator runs in a child process (this same binary with
//! `TOKDECK_BENCH_SIM_CHILD=1`), so its buffers never count toward the client's memory, and
//! curl runs as child processes too. The parent creates the file (random 1 MiB blocks), then:
//! 1. client: direct-post init + `upload_file`; peak RSS growth is measured around this step
//!    only, by resetting the kernel's high-water mark (`echo 5 > /proc/self/clear_refs`) just
//!    before and reading `VmHWM` after, minus `VmRSS` before. If the reset is refused, the
//!    growth is `VmHWM after - VmRSS before` with `VmHWM` not reset (an upper bound that
//!    includes file creation, which uses a single 1 MiB buffer);
//! 2. curl: a fresh init, then one `curl -T -` per chunk with explicit Content-Type,
//!    Content-Length and Content-Range, its stdin fed from the file range by a reader thread.
//!
//! Both uploads are verified by the sha256 the simulator computed over the received bytes.
//! `TOKDECK_BENCH_BYTES` shrinks the file for quick runs (default 1 GiB).

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};
use tiktok_api::{ClientConfig, ClientSecret, PostInfo, PrivacyLevel, Scope, TikTokClient};

const REDIRECT: &str = "http://127.0.0.1:53682/callback/";

fn main() {
    if std::env::var_os("TOKDECK_BENCH_SIM_CHILD").is_some() {
        return serve_sim();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

/// Child mode: run the simulator until stdin closes (the parent exiting closes it).
fn serve_sim() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sim = tokdeck_sim::Simulator::start(tokdeck_sim::SimOptions {
            fast: true,
            ..Default::default()
        })
        .await
        .unwrap();
        // The parent reads "<base URL> <control secret>".
        println!("{} {}", sim.base_url(), sim.control_token());
        std::io::stdout().flush().unwrap();
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .unwrap();
        sim.shutdown().await;
    });
}

fn proc_status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn make_file(path: &Path, size: u64) -> String {
    use rand::{RngCore, SeedableRng};
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::create(path).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        rng.fill_bytes(&mut buf[..n]);
        hasher.update(&buf[..n]);
        f.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    f.sync_all().unwrap();
    hex::encode(hasher.finalize())
}

async fn control(
    http: &reqwest::Client,
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let r = http
        .request(method, format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn received_sha(http: &reqwest::Client, base: &str, publish_id: &str) -> String {
    let posts = control(
        http,
        base,
        reqwest::Method::GET,
        "/__sim/posts",
        Value::Null,
    )
    .await;
    posts
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["publish_id"] == publish_id)
        .and_then(|p| p["sha256"].as_str())
        .unwrap_or("")
        .to_owned()
}

async fn run() {
    let bytes: u64 = std::env::var("TOKDECK_BENCH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 30);

    // Simulator child.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("TOKDECK_BENCH_SIM_CHILD", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start simulator child");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (base, token) = line.trim().split_once(' ').expect("base URL and secret");
    let (base, token) = (base.to_owned(), token.to_owned());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.mp4");
    let t = Instant::now();
    let sha = make_file(&path, bytes);
    eprintln!("created {bytes} B file in {:.1?}", t.elapsed());

    let mut control_headers = reqwest::header::HeaderMap::new();
    control_headers.insert(tokdeck_sim::CONTROL_TOKEN_HEADER, token.parse().unwrap());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(control_headers)
        .build()
        .unwrap();
    let acc = control(
        &http,
        &base,
        reqwest::Method::POST,
        "/__sim/accounts",
        json!({"username": "bench"}),
    )
    .await;
    let open_id = acc["open_id"].as_str().unwrap().to_owned();
    let config = ClientConfig::new("sim_client_key", ClientSecret::new("sim_client_secret"))
        .with_server(&base)
        .unwrap();
    let client = TikTokClient::new(config).unwrap();
    control(
        &http,
        &base,
        reqwest::Method::POST,
        "/__sim/consent",
        json!({"open_id": open_id}),
    )
    .await;
    let req = client.authorization_request(REDIRECT, &Scope::ALL).unwrap();
    let resp = http.get(req.url.clone()).send().await.unwrap();
    let loc = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let code = tiktok_api::AuthorizationCallback::from_url(&loc)
        .into_code(&req.state)
        .unwrap();
    let tokens = client
        .exchange_code(&code.code, &req.verifier, REDIRECT)
        .await
        .unwrap();
    let token = tokens.access_token;
    let plan = client.plan_upload(bytes).unwrap();
    eprintln!(
        "plan: chunk_size {} x {} chunks",
        plan.chunk_size(),
        plan.total_chunk_count()
    );

    // 1. The client.
    let init = client
        .init_direct_post(&token, &PostInfo::new(PrivacyLevel::SelfOnly), &plan)
        .await
        .unwrap();
    let rss_before = proc_status_kib("VmRSS:");
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let t = Instant::now();
    let out = client.upload_file(&init, &path, |_| {}).await.unwrap();
    let client_secs = t.elapsed().as_secs_f64();
    let hwm = proc_status_kib("VmHWM:");
    assert!(out.complete);
    assert_eq!(
        received_sha(&http, &base, &init.publish_id.0).await,
        sha,
        "client upload corrupted"
    );
    let growth_mib = hwm.saturating_sub(rss_before) as f64 / 1024.0;

    // 2. curl, same chunks, fresh init.
    let init2 = client
        .init_direct_post(&token, &PostInfo::new(PrivacyLevel::SelfOnly), &plan)
        .await
        .unwrap();
    let url = init2.upload_url.secret().to_string();
    let t = Instant::now();
    for chunk in plan.chunks() {
        let mut curl = Command::new("curl")
            .args([
                "-sS",
                "-X",
                "PUT",
                "-T",
                "-",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
            ])
            .args(["-H", "Content-Type: video/mp4"])
            .args(["-H", "Transfer-Encoding:"])
            .args(["-H", &format!("Content-Length: {}", chunk.len)])
            .args([
                "-H",
                &format!(
                    "Content-Range: bytes {}-{}/{}",
                    chunk.start,
                    chunk.last_byte(),
                    bytes
                ),
            ])
            .arg(&url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("curl");
        let mut stdin = curl.stdin.take().unwrap();
        let p = path.clone();
        let feeder = std::thread::spawn(move || {
            let mut f = std::fs::File::open(p).unwrap();
            f.seek(SeekFrom::Start(chunk.start)).unwrap();
            std::io::copy(&mut f.take(chunk.len), &mut stdin).unwrap();
        });
        let outp = curl.wait_with_output().unwrap();
        feeder.join().unwrap();
        let code = String::from_utf8_lossy(&outp.stdout).to_string();
        assert!(
            code == "206" || code == "201",
            "curl chunk {} answered {code}",
            chunk.index
        );
    }
    let curl_secs = t.elapsed().as_secs_f64();
    assert_eq!(
        received_sha(&http, &base, &init2.publish_id.0).await,
        sha,
        "curl upload corrupted"
    );

    let mb = bytes as f64 / 1e6;
    let (x, y) = (mb / client_secs, mb / curl_secs);
    let label = if bytes == 1 << 30 {
        "1GiB".to_string()
    } else {
        format!("{bytes}B")
    };
    println!(
        "P1 upload {label}: client {x:.1} MB/s, curl {y:.1} MB/s, ratio {:.2} (goal >= 0.9)",
        x / y
    );
    println!(
        "P1 peak memory growth: {growth_mib:.1} MiB (goal <= chunk + 16 MiB = {:.1} MiB; HWM {})",
        plan.chunk_size() as f64 / 1048576.0 + 16.0,
        if reset {
            "reset via clear_refs"
        } else {
            "not reset: upper bound"
        }
    );
    drop(child.stdin.take());
    let _ = child.wait();
}
