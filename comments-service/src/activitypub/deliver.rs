//! Signed deliveries from the blog's actor: a POST of an activity to a
//! remote inbox, signed draft-cavage style (what every fediverse server
//! checks), through the SSRF-guarded client.

use super::ActorKeys;
use super::remote::Remote;
use super::signature::cavage;

/// Why a delivery did not land; `retry` when trying later may help.
#[derive(Debug)]
pub struct Failed {
    pub message: String,
    pub retry: bool,
}

/// POSTs `activity` to `inbox`, signed with `keys` as `key_id`.
pub async fn deliver(
    remote: &Remote,
    keys: &ActorKeys,
    key_id: &str,
    inbox: &str,
    activity: &serde_json::Value,
) -> Result<(), Failed> {
    let fail = |message: String, retry| Failed { message, retry };
    let url = url::Url::parse(inbox).map_err(|e| fail(format!("{inbox}: {e}"), false))?;
    let body = serde_json::to_vec(activity).map_err(|e| fail(e.to_string(), false))?;
    let headers = cavage::sign_headers("POST", &url, &body, key_id, jiff::Timestamp::now(), |b| {
        keys.sign(b).ok()
    })
    .ok_or_else(|| fail("cannot sign".into(), false))?;
    let f = remote
        .fetcher()
        .ok_or_else(|| fail("no HTTP client".into(), true))?;
    // reqwest sets Host from the URL, the same value as signed.
    let headers: Vec<(String, String)> = headers.into_iter().filter(|(k, _)| k != "Host").collect();
    match f
        .post_with(inbox, "application/activity+json", body, &headers)
        .await
    {
        Ok(r) if (200..300).contains(&r.status) => Ok(()),
        Ok(r) => Err(fail(
            format!("{inbox} answered {}", r.status),
            r.status >= 500 || r.status == 429,
        )),
        Err(e) => Err(fail(e.to_string(), true)),
    }
}
