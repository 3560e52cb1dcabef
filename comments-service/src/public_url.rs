//! The service's own public base URL, named once: links in mails, sign-in
//! callbacks and the fediverse actor's inbox are all made from it, so a
//! service behind a proxy path needs one key, not one per feature.

/// The service's one public base URL: the top-level `public_url`, else the
/// older `[mail] public_url`. The sections that had their own key take it
/// when theirs is unset, so every link the service makes names one place.
pub(crate) fn resolve(
    top: Option<&str>,
    mail: Option<&mut crate::mail_config::MailSettings>,
    activitypub: Option<&mut crate::activitypub_config::ActivityPubSettings>,
) -> std::result::Result<Option<url::Url>, String> {
    let top = match top {
        Some(raw) => {
            let u = url::Url::parse(raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| format!("public_url: expected an http(s) URL, found {raw:?}"))?;
            Some(u)
        }
        None => None,
    };
    let mut own = top.or_else(|| mail.as_ref().and_then(|m| m.public_url.clone()));
    if let Some(u) = &mut own
        && !u.path().ends_with('/')
    {
        u.set_path(&format!("{}/", u.path()));
    }
    if let Some(m) = mail
        && m.public_url.is_none()
    {
        m.public_url = own.clone();
    }
    if let Some(a) = activitypub
        && a.service_url.is_none()
    {
        a.service_url = own
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_string());
    }
    Ok(own)
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Overrides};

    fn load(text: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(Some(&path), &Overrides::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn one_key_serves_mail_sign_in_and_the_fediverse() {
        let c = load(
            "site_url = \"https://blog.example/\"\npublic_url = \"https://blog.example/comments\"\n\
             [activitypub]\nusername = \"blog\"\n",
        )
        .unwrap();
        let own = c.public_url.as_ref().unwrap();
        assert_eq!(own.as_str(), "https://blog.example/comments/");
        let ap = c.activitypub.as_ref().unwrap();
        assert_eq!(
            ap.service_url.as_deref(),
            Some("https://blog.example/comments")
        );
    }

    #[test]
    fn a_bad_public_url_names_the_key() {
        let e =
            load("site_url = \"https://blog.example/\"\npublic_url = \"ftp://x\"\n").unwrap_err();
        assert!(e.contains("public_url"), "{e}");
    }

    #[test]
    fn without_it_nothing_is_made_up() {
        let c = load("site_url = \"https://blog.example/\"\n").unwrap();
        assert!(c.public_url.is_none());
    }
}
