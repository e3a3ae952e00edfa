//! Each account's TikTok budget for the panel: posts in the last 24 h against the cap, pending
//! inbox uploads, days left on the sign-in, the app's audit, private or public, and the last
//! publish that ended — the failures creators hit most, visible before they happen.

use std::collections::HashMap;

use super::dto::{AccountBudget, LastPublish};
use super::service::Planning;
use crate::accounts::dto::{display, AccountStatus};
use crate::clock::rfc3339;
use crate::db;
use crate::error::CoreResult;
use crate::posts::caps::{caps, DAY_MS};
use crate::tiktok_config::DirectPostAudit;

/// A sign-in this close to expiring is warned about (the refresher's warning window).
const WARN_DAYS: i64 = 7;

impl Planning {
    /// One budget per live account, in id order.
    pub async fn account_budgets(&self) -> CoreResult<Vec<AccountBudget>> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let caps = caps(pool).await?;
        let audit = self
            .tiktok_app
            .direct_post_audit()
            .await
            .unwrap_or_default();
        let mut accounts = Vec::new();
        for s in [
            AccountStatus::Active,
            AccountStatus::NeedsReconnect,
            AccountStatus::Disconnected,
        ] {
            accounts.extend(db::accounts::live_with_status(pool, s).await?);
        }
        accounts.sort_by_key(|a| a.id);
        let counts: HashMap<i64, (i64, i64, i64)> =
            db::posts::planning::budget_counts(pool, now, DAY_MS)
                .await?
                .into_iter()
                .map(|(a, d, n, i)| (a, (d, n, i)))
                .collect();
        let last: HashMap<i64, LastPublish> = db::publish_jobs::last_ended_per_account(pool)
            .await?
            .into_iter()
            .map(|(a, post_id, state, at, message)| {
                let message = (state != "published").then_some(message).flatten();
                (
                    a,
                    LastPublish {
                        post_id,
                        state,
                        at: rfc3339(at),
                        message,
                    },
                )
            })
            .collect();
        Ok(accounts
            .into_iter()
            .map(|a| {
                let (direct, next, inbox) = counts.get(&a.id).copied().unwrap_or_default();
                let status = AccountStatus::parse(&a.status);
                let refresh_days_left = a
                    .refresh_expires_at
                    .map(|t| (t - now).max(0) / (24 * 3600 * 1000));
                let mut warnings = Vec::new();
                if status != AccountStatus::Active {
                    warnings.push(format!(
                        "{} must be reconnected: its posts cannot go out until then.",
                        display(&a)
                    ));
                } else if let Some(d) = refresh_days_left.filter(|d| *d < WARN_DAYS) {
                    warnings.push(format!(
                        "The sign-in ends in {d} day{}: reconnect {} before then.",
                        if d == 1 { "" } else { "s" },
                        display(&a)
                    ));
                }
                if direct >= i64::from(caps.daily_posts) {
                    warnings.push(format!(
                        "{direct} direct posts in the last 24 hours: TikTok allows about {}, so the next ones may be refused.",
                        caps.daily_posts
                    ));
                }
                if inbox >= i64::from(caps.pending_inbox) {
                    warnings.push(format!(
                        "{inbox} inbox uploads in the last 24 hours: TikTok allows {} pending drafts.",
                        caps.pending_inbox
                    ));
                }
                if audit == DirectPostAudit::NotAudited && a.is_private == Some(false) {
                    warnings.push(
                        "This app is not audited by TikTok yet, so it can only post to private accounts: switch this account to Private in TikTok."
                            .to_owned(),
                    );
                }
                AccountBudget {
                    account_id: a.id,
                    title: display(&a),
                    status,
                    is_private: a.is_private,
                    direct_last_24h: direct as u32,
                    direct_next_24h: next as u32,
                    daily_cap: caps.daily_posts,
                    inbox_last_24h: inbox as u32,
                    inbox_cap: caps.pending_inbox,
                    refresh_days_left,
                    last_publish: last.get(&a.id).cloned(),
                    audit,
                    warnings,
                }
            })
            .collect())
    }
}
