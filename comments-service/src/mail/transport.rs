//! The SMTP side: the transport built from `[mail] smtp_url`, and a
//! [`Letter`] made into a multipart message with its stable Message-ID.
//! Errors are reduced to their kind and SMTP code: a server's answer can
//! quote the recipient's address, which must never reach the log.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::mail::letters::Letter;
use crate::mail_config::MailSettings;

/// The SMTP client and the sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Why a send failed, with nothing in it from the message or the answer.
#[derive(Debug, Clone)]
pub struct SendError {
    /// A 5xx answer: retrying the same mail will not help much.
    pub permanent: bool,
    pub what: String,
}

impl Mailer {
    /// Builds the transport (no connection is made until a mail is sent).
    pub fn new(m: &MailSettings) -> Result<Mailer, String> {
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(m.smtp_url.for_transport())
                .map_err(|_| "mail.smtp_url: cannot build an SMTP client from it".to_string())?
                .timeout(Some(std::time::Duration::from_secs(30)));
        if let Some(pem) = &m.ca_pem {
            builder = builder.tls(tls_with_roots(m.smtp_url.for_transport(), pem)?);
        }
        let transport = builder.build();
        let from = m
            .from
            .parse()
            .map_err(|_| "mail.from: not an e-mail address".to_string())?;
        Ok(Mailer { transport, from })
    }

    /// Sends `letter` with `message_id` (the same on every attempt).
    pub async fn send(&self, letter: &Letter, message_id: &str) -> Result<(), SendError> {
        let msg = self.message(letter, message_id).map_err(|what| SendError {
            permanent: true,
            what,
        })?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| {
            let code = e.status().map(|c| c.to_string());
            SendError {
                permanent: e.is_permanent(),
                what: match code {
                    Some(c) => format!("the server answered {c}"),
                    None if e.is_timeout() => "timed out".into(),
                    None => "no answer (connection or TLS failed)".into(),
                },
            }
        })
    }

    fn message(&self, l: &Letter, message_id: &str) -> Result<Message, String> {
        let to: Mailbox =
            l.to.parse()
                .map_err(|_| "a recipient that is not an address".to_string())?;
        let mut b = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(l.subject.clone())
            .message_id(Some(message_id.to_string()))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ));
        if let Some(u) = &l.unsubscribe {
            b = b
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{u}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        b.multipart(MultiPart::alternative_plain_html(
            l.text.clone(),
            l.html.clone(),
        ))
        .map_err(|_| "the message could not be built".to_string())
    }
}

/// The TLS mode of `url` again, trusting the CA certificates in `pem` too.
fn tls_with_roots(url: &str, pem: &[u8]) -> Result<Tls, String> {
    let u = url::Url::parse(url).map_err(|_| "mail.smtp_url: not a URL".to_string())?;
    let host = u.host_str().unwrap_or_default().to_string();
    let cert = Certificate::from_pem(pem).map_err(|_| "mail.ca_file: not a PEM certificate")?;
    let params = TlsParameters::builder(host)
        .add_root_certificate(cert)
        .build_rustls()
        .map_err(|_| "mail.ca_file: the TLS client cannot start with it".to_string())?;
    let tls = u.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v);
    Ok(match (u.scheme(), tls.as_deref()) {
        ("smtps", _) => Tls::Wrapper(params),
        (_, Some("opportunistic")) => Tls::Opportunistic(params),
        _ => Tls::Required(params),
    })
}

/// The stable Message-ID of outbox row `id`: receivers can drop a duplicate.
pub fn message_id(id: i64, created_us: i64, site: &url::Url) -> String {
    let host = site.host_str().unwrap_or("localhost");
    format!("<causerie.{id}.{created_us}@{host}>")
}
