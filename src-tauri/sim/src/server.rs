//! Routes: one base URL serves the authorize page, OAuth, Open API, upload host and control.

use std::sync::Arc;

use axum::routing::{get, patch, post, put};
use axum::Router;

use crate::state::Sim;
use crate::{control, display, oauth, posting, upload};

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/v2/auth/authorize/", get(oauth::authorize_page))
        .route("/v2/auth/authorize/consent", post(oauth::consent_post))
        .route(
            "/v2/auth/authorize/account",
            post(oauth::create_account_post),
        )
        .route("/v2/oauth/token/", post(oauth::token))
        .route("/v2/oauth/revoke/", post(oauth::revoke))
        .route("/v2/user/info/", get(display::user_info))
        .route("/v2/video/list/", post(display::video_list))
        .route("/v2/video/query/", post(display::video_query))
        .route(
            "/v2/post/publish/creator_info/query/",
            post(posting::creator_info),
        )
        .route("/v2/post/publish/video/init/", post(posting::video_init))
        .route(
            "/v2/post/publish/inbox/video/init/",
            post(posting::inbox_init),
        )
        .route("/v2/post/publish/status/fetch/", post(posting::status))
        .route("/v2/post/publish/cancel/", post(posting::cancel))
        .route("/upload/video/", put(upload::put_chunk))
        .route("/__sim/reset", post(control::reset))
        .route(
            "/__sim/app",
            get(control::get_app).patch(control::patch_app),
        )
        .route(
            "/__sim/behaviour",
            get(control::get_behaviour).post(control::post_behaviour),
        )
        .route(
            "/__sim/accounts",
            get(control::list_accounts).post(control::create_account),
        )
        .route("/__sim/accounts/{open_id}", patch(control::patch_account))
        .route("/__sim/consent", post(control::consent))
        .route("/__sim/secrets", get(control::issued_secrets))
        .route("/__sim/tokens", get(control::list_tokens))
        .route("/__sim/tokens/revoke", post(control::revoke_tokens))
        .route("/__sim/tokens/expire", post(control::expire_tokens))
        .route(
            "/__sim/faults",
            get(control::list_faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route("/__sim/posts", get(control::list_posts))
        .route(
            "/__sim/posts/{publish_id}/publish",
            post(control::publish_draft),
        )
        .route("/__sim/requests", get(control::requests))
        .route("/__sim/clock", get(control::get_clock))
        .route("/__sim/clock/advance", post(control::advance_clock))
        .route("/__sim/avatar/{file}", get(control::image))
        .route("/__sim/cover/{file}", get(control::image))
        .with_state(sim)
}
