//! `tokdeck-sim --port N [--seed] [--fast] [--state FILE]`: in memory unless given a file to
//! keep its world in. The control API's secret comes from `TOKDECK_SIM_CONTROL_TOKEN` or is
//! made up and printed.

use std::process::ExitCode;

use tokdeck_sim::{SimOptions, Simulator};

fn usage() -> ExitCode {
    eprintln!("usage: tokdeck-sim --port N [--seed] [--fast] [--state FILE]");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut opts = SimOptions {
        control_token: std::env::var("TOKDECK_SIM_CONTROL_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
        ..Default::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => opts.port = p,
                None => return usage(),
            },
            "--seed" => opts.seed = true,
            "--fast" => opts.fast = true,
            "--state" => match args.next() {
                Some(f) => opts.state_file = Some(f.into()),
                None => return usage(),
            },
            "-h" | "--help" => {
                usage();
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        }
    }
    let sim = match Simulator::start(opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tokdeck-sim: cannot bind: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("tokdeck-sim listening on {}", sim.base_url());
    println!(
        "control API secret ({}): {}",
        tokdeck_sim::CONTROL_TOKEN_HEADER,
        sim.control_token()
    );
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    ExitCode::SUCCESS
}
