//! Whether what an activity aims at is a page of the blog, decided as
//! Webmention decides its targets: on `site_url` and, when the site
//! publishes a pages manifest, one of its pages. Anything else is refused
//! with 400 naming the field (as `POST /webmention` refuses), so a reply,
//! like or boost never lands on a page that does not exist.

use super::Fedi;
use super::OBJECT_FILE;
use super::rejected::Rejected;
use crate::model::PagePath;

/// The page path `target` names (a post page or its `activity.json`).
pub fn page(st: &Fedi, field: &'static str, target: &url::Url) -> Result<String, Rejected> {
    let site = &st.cfg.site_url;
    if target.origin() != site.origin() || !target.path().starts_with(site.path()) {
        return Err(Rejected::Field(
            field,
            "the target is not on this site".into(),
        ));
    }
    let not_a_page = || Rejected::Field(field, "the target is not a page of this site".into());
    let path = PagePath::parse(target.as_str(), site).map_err(|_| not_a_page())?;
    let path = path.as_str();
    let path = path.strip_suffix(OBJECT_FILE).unwrap_or(path);
    if let Some(m) = st.manifest()
        && !m.exists(path)
    {
        return Err(not_a_page());
    }
    Ok(path.to_string())
}
