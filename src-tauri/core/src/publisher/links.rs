//! A finished post on TikTok: its public links (built the way TikTok's embed documentation
//! writes a video's page, `https://www.tiktok.com/@{username}/video/{id}`), when it was
//! published, and why there is no link when TikTok gave no id.

use serde::Serialize;
use ts_rs::TS;

use crate::db::accounts as accounts_db;
use crate::db::publish_jobs as db;
use crate::error::{CoreError, CoreResult};

use super::state::PublishStep;
use super::Publisher;

/// One public post TikTok named, with its web page when it can be built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TiktokLink {
    pub public_id: String,
    /// `None` when the account's @username is unknown (the profile scope was not granted).
    pub url: Option<String>,
}

/// What the read-only view of a post says about it on TikTok.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OnTiktok {
    pub post_id: i64,
    /// When TikTok took it (ms since the epoch), once it did.
    pub published_at: Option<i64>,
    /// Sent to the creator's TikTok inbox, to finish in the TikTok app.
    pub in_inbox: bool,
    pub links: Vec<TiktokLink>,
    /// No link yet because TikTok gives the public id after its review; Tokdeck keeps asking.
    pub id_pending: bool,
    /// Posted as "Only me": TikTok gives such a post no public id, ever.
    pub only_me: bool,
}

/// TikTok's page of a public post; `None` unless both parts are plainly safe to put in a URL
/// (usernames are letters, digits, `_` and `.`; post ids are digits).
pub fn post_url(username: &str, public_id: &str) -> Option<String> {
    let user_ok = !username.is_empty()
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    let id_ok = !public_id.is_empty() && public_id.chars().all(|c| c.is_ascii_digit());
    (user_ok && id_ok).then(|| format!("https://www.tiktok.com/@{username}/video/{public_id}"))
}

/// The ids kept from TikTok's status answers (a JSON array; numbers or strings).
pub fn parse_public_ids(json: Option<&str>) -> Vec<String> {
    let Some(json) = json else { return Vec::new() };
    let values: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    values
        .into_iter()
        .filter_map(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

impl Publisher {
    /// The post on TikTok: links, when, inbox; empty before it was published.
    pub async fn on_tiktok(&self, post_id: i64) -> CoreResult<OnTiktok> {
        let pool = self.ctx.pool();
        let job = db::load_job(pool, post_id).await?;
        let mut out = OnTiktok {
            post_id,
            published_at: None,
            in_inbox: false,
            links: Vec::new(),
            id_pending: false,
            only_me: false,
        };
        let Some(job) = job.filter(|j| j.step() == PublishStep::Published) else {
            return Ok(out);
        };
        let username = accounts_db::get(pool, job.account_id)
            .await?
            .map(|a| a.username)
            .unwrap_or_default();
        out.published_at = db::history(pool, post_id)
            .await?
            .iter()
            .rev()
            .find(|a| a.state == PublishStep::Published.as_str())
            .map(|a| a.at)
            .or(Some(job.updated_at));
        let post = crate::db::posts::load(pool, post_id).await?;
        out.only_me = post.privacy_level.as_deref() == Some("SELF_ONLY");
        out.in_inbox = job.tiktok_status.as_deref() == Some("SendToUserInbox");
        out.links = parse_public_ids(job.public_post_ids.as_deref())
            .into_iter()
            .map(|id| TiktokLink {
                url: post_url(&username, &id),
                public_id: id,
            })
            .collect();
        out.id_pending = out.links.is_empty() && job.public_id_next_at.is_some();
        Ok(out)
    }

    /// The page of one of the post's public ids, to open in the browser. Only a link the
    /// engine built from what TikTok answered is ever opened.
    pub async fn tiktok_link(&self, post_id: i64, public_id: &str) -> CoreResult<String> {
        let view = self.on_tiktok(post_id).await?;
        let link = view
            .links
            .into_iter()
            .find(|l| l.public_id == public_id)
            .ok_or_else(|| {
                CoreError::NotFound("TikTok gave this post no such public id.".into())
            })?;
        link.url.ok_or_else(|| {
            CoreError::InvalidInput(
                "Tokdeck doesn't know this account's @username, so it can't build the link. \
                 Sync the account on the Accounts page, then try again."
                    .into(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_tiktoks_documented_form() {
        assert_eq!(
            post_url("scout2015", "6718335390845095173").as_deref(),
            Some("https://www.tiktok.com/@scout2015/video/6718335390845095173")
        );
        assert_eq!(
            post_url("maya.makes_2", "7").as_deref(),
            Some("https://www.tiktok.com/@maya.makes_2/video/7")
        );
    }

    #[test]
    fn no_link_from_an_unknown_username_or_odd_parts() {
        assert_eq!(post_url("", "7"), None);
        assert_eq!(post_url("a/b", "7"), None);
        assert_eq!(post_url("dana", "7?x=1"), None);
        assert_eq!(post_url("dana", ""), None);
    }

    #[test]
    fn ids_are_read_as_numbers_or_strings() {
        assert_eq!(parse_public_ids(Some(r#"["7", 8]"#)), vec!["7", "8"]);
        assert!(parse_public_ids(Some("not json")).is_empty());
        assert!(parse_public_ids(None).is_empty());
    }
}
