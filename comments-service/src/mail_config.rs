//! The `[mail]` and `[notify]` tables and the service's `language`: what the
//! mail and webhook notifications need, validated once with the rest of the
//! configuration. The SMTP password lives only in [`MailSettings::smtp_url`],
//! whose `Debug` hides it.

use serde::Deserialize;

/// `[mail]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFileConfig {
    /// `smtp://host:port` (plain), `smtp://host:port?tls=starttls`, or
    /// `smtps://host:port` (implicit TLS); `user:password@` for AUTH.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Blog <blog@example.com>`.
    pub from: Option<String>,
    /// The blog owner's address: gets a mail per new or held comment.
    pub owner: Option<String>,
    /// The service's public base URL for the links in mails; default: the
    /// address it listens on.
    pub public_url: Option<String>,
    /// A PEM file of extra CA certificates the SMTP server's TLS certificate
    /// may chain to (a private relay); the system's roots are always trusted.
    pub ca_file: Option<std::path::PathBuf>,
}

/// `[notify]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyFileConfig {
    /// An http(s) URL that gets a JSON POST per new or held comment.
    pub webhook: Option<String>,
}

/// The SMTP URL, kept out of `Debug` output (it may hold a password).
#[derive(Clone)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    /// The URL in the form `lettre` reads (`tls=starttls` → `tls=required`).
    pub fn for_transport(&self) -> &str {
        &self.0
    }

    /// True for `smtps://` or a `tls=` upgrade.
    pub fn uses_tls(&self) -> bool {
        self.0.starts_with("smtps:") || self.0.contains("tls=")
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpUrl(..)")
    }
}

/// The validated `[mail]` table.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp_url: SmtpUrl,
    pub from: String,
    pub owner: Option<String>,
    /// Base of the links in mails; `None` until the listening address is known.
    pub public_url: Option<url::Url>,
    /// The extra CA certificates (PEM), read from `ca_file` at load.
    pub ca_pem: Option<Vec<u8>>,
}

/// Checks `[mail]`; `None` when there is no `smtp_url` (mail is off).
pub fn mail_settings(m: MailFileConfig) -> Result<Option<MailSettings>, String> {
    let Some(raw) = m.smtp_url.filter(|s| !s.trim().is_empty()) else {
        if m.owner.is_some() || m.from.is_some() {
            return Err("mail.smtp_url: required when mail.from or mail.owner is set".into());
        }
        return Ok(None);
    };
    let smtp_url = smtp_url(&raw)?;
    let from = m
        .from
        .filter(|f| !f.trim().is_empty())
        .ok_or("mail.from: required with mail.smtp_url (the sender address)")?;
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err("mail.from: not an e-mail address".into());
    }
    let owner = m.owner.filter(|o| !o.trim().is_empty());
    if owner
        .as_deref()
        .is_some_and(|o| o.parse::<lettre::message::Mailbox>().is_err())
    {
        return Err("mail.owner: not an e-mail address".into());
    }
    let public_url = match m.public_url {
        Some(u) => Some(http_url("mail.public_url", &u)?),
        None => None,
    };
    let ca_pem = match m.ca_file {
        Some(p) => {
            if !smtp_url.uses_tls() {
                return Err("mail.ca_file: only used with TLS (smtps:// or ?tls=starttls)".into());
            }
            let pem =
                std::fs::read(&p).map_err(|e| format!("mail.ca_file: {}: {e}", p.display()))?;
            if lettre::transport::smtp::client::Certificate::from_pem(&pem).is_err() {
                return Err(format!(
                    "mail.ca_file: {}: not a PEM certificate",
                    p.display()
                ));
            }
            Some(pem)
        }
        None => None,
    };
    Ok(Some(MailSettings {
        smtp_url,
        from,
        owner,
        public_url,
        ca_pem,
    }))
}

/// Checks `[notify] webhook`.
pub fn webhook(n: &NotifyFileConfig) -> Result<Option<url::Url>, String> {
    n.webhook
        .as_deref()
        .filter(|w| !w.trim().is_empty())
        .map(|w| http_url("notify.webhook", w))
        .transpose()
}

/// Checks `language` (a BCP 47 tag such as `en`, `fr`, `fa`).
pub fn language(raw: Option<String>) -> Result<String, String> {
    let tag = raw.unwrap_or_else(|| "en".into()).trim().to_string();
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .split('-')
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !ok {
        return Err(format!(
            "language: {tag:?} is not a language tag such as \"en\" or \"fa\""
        ));
    }
    Ok(tag)
}

fn http_url(key: &str, raw: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(raw.trim()).map_err(|e| format!("{key}: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!("{key}: must be an http(s) URL"));
    }
    Ok(u)
}

/// Parses the SMTP URL; errors never repeat the URL (it may hold a password).
fn smtp_url(raw: &str) -> Result<SmtpUrl, String> {
    let mut u =
        url::Url::parse(raw.trim()).map_err(|e| format!("mail.smtp_url: not a URL ({e})"))?;
    if u.host_str().is_none_or(str::is_empty) {
        return Err("mail.smtp_url: give a host, e.g. smtp://mail.example.com:587".into());
    }
    let tls = u
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let tls = match (u.scheme(), tls.as_deref()) {
        ("smtp", None) => None,
        ("smtp", Some("starttls" | "required")) => Some("required"),
        ("smtp", Some("opportunistic")) => Some("opportunistic"),
        ("smtps", None) => None,
        ("smtp" | "smtps", Some(_)) => {
            return Err(
                "mail.smtp_url: tls= takes starttls or opportunistic (smtp:// only)".into(),
            );
        }
        _ => return Err("mail.smtp_url: the scheme must be smtp or smtps".into()),
    };
    u.set_query(None);
    if let Some(t) = tls {
        u.query_pairs_mut().append_pair("tls", t);
    }
    Ok(SmtpUrl(u.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(url: &str) -> MailFileConfig {
        MailFileConfig {
            smtp_url: Some(url.into()),
            from: Some("Blog <blog@example.com>".into()),
            owner: Some("owner@example.com".into()),
            public_url: None,
            ca_file: None,
        }
    }

    #[test]
    fn starttls_is_spelled_for_lettre_and_the_password_is_hidden() {
        let s = mail_settings(mail("smtp://u:s3cret@mx.example:587?tls=starttls"))
            .unwrap()
            .unwrap();
        assert!(s.smtp_url.for_transport().ends_with("?tls=required"));
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn bad_urls_are_refused_without_repeating_them() {
        for bad in [
            "http://u:s3cret@mx.example/",
            "smtp://u:s3cret@mx.example?tls=maybe",
            "smtps://u:s3cret@mx.example?tls=starttls",
        ] {
            let e = mail_settings(mail(bad)).unwrap_err();
            assert!(e.starts_with("mail.smtp_url"), "{e}");
            assert!(!e.contains("s3cret"), "{e}");
        }
    }

    #[test]
    fn an_owner_without_a_server_is_an_error() {
        let m = MailFileConfig {
            owner: Some("o@example.com".into()),
            ..Default::default()
        };
        assert!(mail_settings(m).unwrap_err().starts_with("mail.smtp_url"));
        let plain_with_ca = MailFileConfig {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..mail("smtp://mx.example:25")
        };
        let e = mail_settings(plain_with_ca).unwrap_err();
        assert!(e.starts_with("mail.ca_file: only used with TLS"), "{e}");
        let missing = MailFileConfig {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..mail("smtps://mx.example")
        };
        let e = mail_settings(missing).unwrap_err();
        assert!(e.contains("/nonexistent/ca.pem"), "names the file: {e}");
        assert!(language(Some("fa-IR".into())).is_ok());
        assert!(language(Some("en_US!".into())).is_err());
    }
}
