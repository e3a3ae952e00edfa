//! Reading a failure out of a response body, in either of TikTok's two formats.

use super::{Error, ErrorKind};

/// A failure decoded from a response body, in either of TikTok's formats.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DecodedFailure {
    pub oauth: bool,
    pub code: String,
    pub message: String,
    pub log_id: Option<String>,
}

impl DecodedFailure {
    pub(crate) fn into_error(self, status: u16) -> Error {
        let kind = if self.oauth {
            ErrorKind::OAuth {
                error: self.code,
                description: self.message,
            }
        } else {
            ErrorKind::Api {
                code: self.code,
                message: self.message,
            }
        };
        Error::new(kind)
            .with_status(status)
            .with_log_id(self.log_id)
    }
}

/// Looks for an error in a parsed body. `Ok(None)` means the body is a success (`code == "ok"` or
/// no error member); `Err(())` means the body has an `error` member of a shape neither format uses.
pub(crate) fn decode_failure(body: &serde_json::Value) -> Result<Option<DecodedFailure>, ()> {
    let str_of = |v: Option<&serde_json::Value>| -> Option<String> {
        v.and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    match body.get("error") {
        None | Some(serde_json::Value::Null) => Ok(None),
        // Flat OAuth format; an empty string is treated as "no error" (seen in some gateways).
        Some(serde_json::Value::String(e)) if e.is_empty() => Ok(None),
        Some(serde_json::Value::String(e)) => Ok(Some(DecodedFailure {
            oauth: true,
            code: e.clone(),
            message: str_of(body.get("error_description")).unwrap_or_default(),
            log_id: str_of(body.get("log_id")),
        })),
        Some(serde_json::Value::Object(obj)) => {
            let code = str_of(obj.get("code")).unwrap_or_default();
            if code == "ok" {
                return Ok(None);
            }
            if code.is_empty() {
                return Err(());
            }
            Ok(Some(DecodedFailure {
                oauth: false,
                code,
                message: str_of(obj.get("message")).unwrap_or_default(),
                log_id: str_of(obj.get("log_id")).or_else(|| str_of(obj.get("logid"))),
            }))
        }
        Some(_) => Err(()),
    }
}

/// Extracts `log_id` from a success body of either format.
pub(crate) fn success_log_id(body: &serde_json::Value) -> Option<String> {
    body.get("error")
        .and_then(|e| e.get("log_id").or_else(|| e.get("logid")))
        .or_else(|| body.get("log_id"))
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}
