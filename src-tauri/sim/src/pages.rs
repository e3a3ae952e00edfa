//! The HTML a person sees in a browser: consent page and TikTok-style error page.
//! Plain forms and inline CSS, no JavaScript.

use crate::accounts::Account;

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f1f1f2;\
color:#161823;margin:0;padding:32px}main{max-width:560px;margin:0 auto;background:#fff;border-radius:12px;\
padding:24px 28px;box-shadow:0 2px 12px rgba(0,0,0,.08)}h1{font-size:22px;margin:0 0 4px}\
p.sub{color:#555;margin:0 0 20px}.acct{border:1px solid #e3e3e4;border-radius:10px;padding:14px 16px;\
margin:0 0 14px}.head{display:flex;align-items:center;gap:12px;margin-bottom:10px}.av{width:40px;\
height:40px;border-radius:50%;color:#fff;display:flex;align-items:center;justify-content:center;\
font-weight:700;font-size:18px}.name{font-weight:600}.tag{font-size:12px;padding:2px 8px;\
border-radius:10px;background:#eee;margin-left:6px}.tag.private{background:#fde2e4}label{display:block;\
margin:4px 0;font-size:14px}.btns{margin-top:12px;display:flex;gap:10px}button{font-size:15px;\
padding:8px 18px;border-radius:6px;border:1px solid #ccc;background:#fff;cursor:pointer}\
button.primary{background:#fe2c55;border-color:#fe2c55;color:#fff}input[type=text]{font-size:15px;\
padding:6px 8px;border:1px solid #ccc;border-radius:6px}.err{color:#b00020}";

/// The TikTok-style page for requests that cannot be redirected back (bad client or redirect).
pub fn error_page(field: &str, detail: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>TikTok (simulated) – error</title>\
<style>{STYLE}</style></head><body><main><h1>Something went wrong</h1>\
<p class=\"err\">We couldn't log in with TikTok. This may be due to specific app settings.</p>\
<p>If you're the developer, correct the following and try again: <b>{}</b></p><p>{}</p></main></body></html>",
        escape(field),
        escape(detail)
    )
}

fn hidden(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect()
}

/// `params` are the original authorize query pairs, carried through the forms.
pub fn consent_page(
    app_name: &str,
    accounts: &[Account],
    requested: &[String],
    params: &[(String, String)],
) -> String {
    let hidden = hidden(params);
    let mut body = String::new();
    for a in accounts {
        let initial = a
            .display_name
            .chars()
            .next()
            .unwrap_or('?')
            .to_uppercase()
            .collect::<String>();
        let [r, g, b] = crate::png::colour_for(&a.open_id);
        let scopes: String = requested
            .iter()
            .map(|s| {
                format!(
                    "<label><input type=\"checkbox\" name=\"granted\" value=\"{0}\" checked> {0}</label>",
                    escape(s)
                )
            })
            .collect();
        let (tag_class, tag) = if a.private {
            ("tag private", "private")
        } else {
            ("tag", "public")
        };
        body.push_str(&format!(
            "<form class=\"acct\" method=\"post\" action=\"/v2/auth/authorize/consent\">{hidden}\
<input type=\"hidden\" name=\"open_id\" value=\"{open_id}\">\
<div class=\"head\"><div class=\"av\" style=\"background:rgb({r},{g},{b})\">{initial}</div>\
<div><div class=\"name\">{name} <span class=\"{tag_class}\">{tag}</span></div><div>@{user}</div></div></div>\
{scopes}<div class=\"btns\"><button class=\"primary\" name=\"action\" value=\"authorize\">Authorize</button>\
<button name=\"action\" value=\"cancel\">Cancel</button></div></form>",
            open_id = escape(&a.open_id),
            initial = escape(&initial),
            name = escape(&a.display_name),
            user = escape(&a.username),
        ));
    }
    if accounts.is_empty() {
        body.push_str("<p>No simulated TikTok accounts exist yet. Create one to continue.</p>");
    }
    body.push_str(&format!(
        "<form class=\"acct\" method=\"post\" action=\"/v2/auth/authorize/account\">{hidden}\
<div class=\"name\">Create a simulated account</div>\
<label>Username <input type=\"text\" name=\"username\" required pattern=\"[A-Za-z0-9._]+\"></label>\
<label><input type=\"checkbox\" name=\"private\" value=\"on\"> Private account</label>\
<div class=\"btns\"><button name=\"action\" value=\"create\">Create account</button></div></form>"
    ));
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Log in with TikTok (simulated)</title>\
<style>{STYLE}</style></head><body><main><h1>{app} would like to access your TikTok account</h1>\
<p class=\"sub\">Choose the account to continue as and the permissions to grant.</p>{body}</main></body></html>",
        app = escape(app_name)
    )
}
