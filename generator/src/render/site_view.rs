//! The template engine a renderer uses, with the site's global context
//! (`site` in every template): made from the theme and the config alone.

use serde::Serialize;
use tera::Tera;

use super::templates;
use super::views::LinkView;
use crate::error::Diagnostic;
use crate::site::Site;

/// The template engine of a site with its global context (`site`): made
/// from the theme and the config alone, so a resident engine keeps it for
/// as long as the global key (config, theme, strings) is the same. Made
/// anew for every rebuild it was a tenth of a one-post edit at 100 000
/// posts.
pub type Templates = std::sync::Arc<Tera>;

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    dir: &'static str,
    base_url: &'a str,
    home: String,
    author: &'a crate::config::Author,
    menu: Vec<LinkView>,
    feeds: FeedHrefs,
    tags_url: String,
    categories_url: String,
    css: String,
    js: String,
    comments: bool,
    extra: &'a std::collections::BTreeMap<String, toml::Value>,
}

#[derive(Serialize)]
struct FeedHrefs {
    atom: String,
    rss: String,
    json: String,
}

/// The template engine of `site`, for [`Renderer::with_templates`].
pub fn templates_of(site: &Site) -> Result<Templates, Vec<Diagnostic>> {
    let config = &site.config;
    let mut tera = templates::engine(&site.theme, config)?;
    let site_view = SiteView {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        dir: config.dir(),
        base_url: &config.base_url,
        home: config.url_for("/"),
        author: &config.author,
        menu: config
            .menu
            .iter()
            .map(|m| LinkView {
                name: m.name.clone(),
                url: if m.url.starts_with('/') {
                    config.url_for(&m.url)
                } else {
                    m.url.clone()
                },
            })
            .collect(),
        feeds: FeedHrefs {
            atom: config.url_for("/feed.xml"),
            rss: config.url_for("/rss.xml"),
            json: config.url_for("/feed.json"),
        },
        tags_url: config.url_for("/tags/"),
        categories_url: config.url_for("/categories/"),
        css: config.url_for("/style.css"),
        js: config.url_for("/causerie.js"),
        comments: config.comments.is_some(),
        extra: &config.extra,
    };
    tera.global_context().insert("site", &site_view);
    Ok(std::sync::Arc::new(tera))
}
