//! The site's, each term's and the comment feeds.

use crate::render::inputs::{EntryRef, Inputs, TermRef};
use crate::render::*;

impl Renderer<'_> {
    /// Renders a job of this family; [`Renderer::render`] sends only these here.
    pub(in crate::render) fn render_feed(
        &self,
        inputs: Inputs<'_>,
    ) -> Result<Vec<Output>, Diagnostic> {
        let config = &self.site.config;
        let strings = &self.site.theme.strings;
        Ok(match inputs {
            Inputs::SiteFeeds(posts, ids) => {
                let ids: Vec<usize> = ids.collect();
                let f = |p: &'static str| feeds::FeedInfo {
                    title: &config.title,
                    description: &config.description,
                    page: "/",
                    self_path: p,
                };
                let c = &self.feed_items;
                vec![
                    Output {
                        path: "feed.xml".into(),
                        body: Body::Bytes(
                            feeds::atom(config, &f("/feed.xml"), posts, &ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: "rss.xml".into(),
                        body: Body::Bytes(
                            feeds::rss(config, &f("/rss.xml"), posts, &ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: "feed.json".into(),
                        body: Body::Bytes(
                            feeds::json(config, &f("/feed.json"), posts, &ids).into_bytes(),
                        ),
                    },
                ]
            }
            Inputs::TermFeeds(TermRef { tax, term }, posts, ids) => {
                let tax = &tax;
                let base = term.path(*tax);
                let title = format!(
                    "{} — {}",
                    config.title,
                    self.t(&format!("{}_heading", tax.segment()), None)
                        .replace("{name}", &term.name)
                );
                let paths = [
                    format!("{base}feed.xml"),
                    format!("{base}rss.xml"),
                    format!("{base}feed.json"),
                ];
                let infos: Vec<feeds::FeedInfo<'_>> = paths
                    .iter()
                    .map(|p| feeds::FeedInfo {
                        title: &title,
                        description: "",
                        page: &base,
                        self_path: p,
                    })
                    .collect();
                let c = &self.feed_items;
                vec![
                    Output {
                        path: file_of(&paths[0]),
                        body: Body::Bytes(
                            feeds::atom(config, &infos[0], posts, ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: file_of(&paths[1]),
                        body: Body::Bytes(
                            feeds::rss(config, &infos[1], posts, ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: file_of(&paths[2]),
                        body: Body::Bytes(feeds::json(config, &infos[2], posts, ids).into_bytes()),
                    },
                ]
            }
            Inputs::CommentsFeed(EntryRef { entry: e, .. }, conversation) => {
                use crate::conversation::feed::{self as cfeed, FeedHead, PostRef};
                let title = self
                    .t("comments_feed_title", None)
                    .replace("{title}", &e.title);
                let self_path = format!("{}comments.xml", e.path);
                let mut items = conversation.page(&config.url_for(&e.path));
                items.reverse();
                let items: Vec<_> = items
                    .into_iter()
                    .map(|it| {
                        let post = PostRef {
                            title: &e.title,
                            path: &e.path,
                        };
                        (it, post)
                    })
                    .collect();
                let head = FeedHead {
                    title: &title,
                    self_path: &self_path,
                    page: &e.path,
                    fallback_updated: e.last_modified().map(|d| d.rfc3339()),
                };
                vec![Output {
                    path: file_of(&self_path),
                    body: Body::Bytes(cfeed::atom(config, strings, &head, &items).into_bytes()),
                }]
            }
            Inputs::SiteCommentsFeed(posts, conversation) => {
                use crate::conversation::feed::{self as cfeed, FeedHead, PostRef};
                let by_page: std::collections::HashMap<String, &crate::content::Entry> =
                    posts.iter().map(|e| (config.url_for(&e.path), e)).collect();
                let items: Vec<_> = conversation
                    .newest()
                    .into_iter()
                    .filter(|it| !it.kind.is_reaction())
                    .filter_map(|it| {
                        let e = by_page.get(&it.page)?;
                        let post = PostRef {
                            title: &e.title,
                            path: &e.path,
                        };
                        Some((it, post))
                    })
                    .take(config.feed_limit)
                    .collect();
                let title = self
                    .t("site_comments_feed_title", None)
                    .replace("{title}", &config.title);
                let head = FeedHead {
                    title: &title,
                    self_path: cfeed::SITE_FEED,
                    page: "/",
                    fallback_updated: None,
                };
                vec![Output {
                    path: file_of(cfeed::SITE_FEED),
                    body: Body::Bytes(cfeed::atom(config, strings, &head, &items).into_bytes()),
                }]
            }
            _ => return Err(misrouted("feed")),
        })
    }
}
