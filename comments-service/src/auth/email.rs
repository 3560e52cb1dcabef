//! Sign-in by e-mail link: a random one-time token (only its hash is kept,
//! as a flow record, for [`LINK_TTL_US`]) mailed as a link to
//! `/auth/email/{token}`. The mail goes out through the `[mail]` transport
//! in the background, retried a few times: the link is short-lived, so it
//! is not queued in the durable outbox (whose rows belong to comments), and
//! the answer never depends on whether it was sent (no enumeration).

use serde::{Deserialize, Serialize};

use super::{random_hex, token_hash};
use crate::error::Result;
use crate::escape::escape as esc;
use crate::mail::letters::Letter;
use crate::mail::transport::Mailer;
use crate::state::AppState;
use crate::store::now_us;

/// How long a mailed link works.
pub const LINK_TTL_US: i64 = 15 * 60 * 1_000_000;

/// What the flow record of a mailed link holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct EmailFlow {
    pub email: String,
    /// The name the reader gave with the address (may be empty).
    #[serde(default)]
    pub name: String,
    #[serde(rename = "return")]
    pub return_to: String,
}

/// The flow id of link token `token` (its hash, so a leak gives no link).
pub fn flow_id(token: &str) -> String {
    format!("email:{}", token_hash(token))
}

/// Stores a new link for `flow` and mails it in the background.
pub async fn send_link(st: &AppState, flow: EmailFlow) -> Result<()> {
    let Some(mail) = st.cfg.mail.clone() else {
        return Ok(()); // refused at start-up: sign_in.email needs [mail]
    };
    let token = random_hex(32)?;
    let payload = serde_json::to_string(&flow)
        .map_err(|e| crate::error::Error::Config(format!("sign-in flow: {e}")))?;
    st.store
        .put_flow(&flow_id(&token), &payload, now_us() + LINK_TTL_US)
        .await?;
    let base = mail
        .public_url
        .clone()
        .unwrap_or_else(|| st.cfg.site_url.clone());
    let link = base
        .join(&format!("auth/email/{token}"))
        .map(|u| u.to_string())
        .unwrap_or_default();
    let w = crate::words::sign_in::words(&st.cfg.language);
    let letter = Letter {
        to: flow.email,
        subject: w.mail_subject.to_string(),
        text: format!("{}\n\n{link}\n\n{}\n", w.mail_intro, w.mail_ignore),
        html: format!(
            "<p>{}</p>\n<p><a href=\"{}\">{}</a></p>\n<p><small>{}</small></p>\n",
            esc(w.mail_intro),
            esc(&link),
            esc(&link),
            esc(w.mail_ignore)
        ),
        unsubscribe: None,
    };
    let host = st
        .cfg
        .site_url
        .host_str()
        .unwrap_or("localhost")
        .to_string();
    let message_id = format!("<causerie.sign-in.{}@{host}>", &random_hex(12)?);
    tokio::spawn(async move {
        let mailer = match Mailer::new(&mail) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "sign-in mail not sent");
                return;
            }
        };
        for attempt in 1..=4u32 {
            match mailer.send(&letter, &message_id).await {
                Ok(()) => {
                    tracing::info!("sign-in mail sent");
                    return;
                }
                Err(e) => {
                    tracing::warn!(attempt, error = %e.what, "sign-in mail not sent yet");
                    if e.permanent {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1 << attempt)).await;
                }
            }
        }
    });
    Ok(())
}
