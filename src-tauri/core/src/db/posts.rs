//! SQL of the `posts` table (and `account_post_settings`, the per-account posting defaults).

use sqlx::SqlitePool;

/// The file and probe facts of a post, for the preview server: (media path, facts JSON).
pub async fn media_of(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT media_path, media_facts FROM posts WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// A post's thumbnail file, if it has one (`None` also when there is no such post).
pub async fn thumbnail_of(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    let path: Option<Option<String>> =
        sqlx::query_scalar("SELECT thumbnail_path FROM posts WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(path.flatten())
}
