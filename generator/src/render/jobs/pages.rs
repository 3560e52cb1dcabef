//! A post or page, its old addresses, and the 404 page.

use crate::render::inputs::{EntryRef, Inputs, Neighbour};
use crate::render::*;

impl Renderer<'_> {
    /// Renders a job of this family; [`Renderer::render`] sends only these here.
    pub(in crate::render) fn render_page(
        &self,
        inputs: Inputs<'_>,
    ) -> Result<Vec<Output>, Diagnostic> {
        let config = &self.site.config;
        let strings = &self.site.theme.strings;
        Ok(match inputs {
            Inputs::Post {
                post: EntryRef { entry: e, i, .. },
                ..
            }
            | Inputs::Page(EntryRef { entry: e, i, .. }) => {
                let kind = if matches!(inputs, Inputs::Post { .. }) {
                    "post"
                } else {
                    "page"
                };
                let mut ctx = Context::new();
                if let Inputs::Post {
                    prev,
                    next,
                    conversation,
                    ..
                } = inputs
                {
                    // One use of the summary per page (see `free_summaries_after_use`).
                    let summary = self.summary_of(i);
                    let mut meta = self.meta("post", e.title.clone(), summary.1.clone(), &e.path);
                    let link = |n: Neighbour<'_>| LinkView {
                        name: n.title.to_string(),
                        url: config.url_for(n.path),
                    };
                    ctx.insert("prev", &prev.map(link));
                    ctx.insert("next", &next.map(link));
                    let conv =
                        ConversationView::new(e, config, strings, self.site.now, conversation);
                    if let Some(c) = &conv {
                        meta.feeds.push(FeedLink {
                            r#type: "application/atom+xml".into(),
                            href: c.feed.clone(),
                            title: self
                                .t("comments_feed_title", None)
                                .replace("{title}", &e.title),
                        });
                    }
                    if crate::activitypub::Urls::of(config).is_some() {
                        meta.feeds.push(FeedLink {
                            r#type: "application/activity+json".into(),
                            href: config.abs_url(&crate::activitypub::object_path(&e.path)),
                            title: e.title.clone(),
                        });
                    }
                    ctx.insert("conversation", &conv);
                    ctx.insert("page", &meta);
                    ctx.insert_value("post", summary.0.clone());
                } else {
                    let view = EntryView::new(e, config, strings);
                    ctx.insert(
                        "page",
                        &self.meta(kind, e.title.clone(), view.description.clone(), &e.path),
                    );
                    ctx.insert("post", &view);
                }
                let content = self.html_of(e)?;
                ctx.insert_value("content", Value::safe_string(&content));
                let name = if kind == "post" {
                    "post.html"
                } else {
                    "page.html"
                };
                vec![html(
                    &e.path,
                    self.tpl_sized(name, &ctx, &e.source, content.len() + 12 * 1024)?,
                )]
            }
            Inputs::Aliases(EntryRef { entry: e, .. }) => {
                let mut out = Vec::new();
                // A query (`/?p=101`) cannot be a file: the redirect map covers it.
                for a in e.aliases.iter().filter(|a| !a.contains('?')) {
                    let mut ctx = Context::new();
                    let mut meta = self.meta("alias", e.title.clone(), String::new(), &e.path);
                    meta.noindex = true;
                    ctx.insert("page", &meta);
                    ctx.insert("target", &config.abs_url(&e.path));
                    out.push(html(a, self.tpl("alias.html", &ctx, &e.source)?));
                }
                out
            }
            Inputs::NotFound => {
                let mut ctx = Context::new();
                let mut meta = self.meta(
                    "404",
                    self.t("not_found_title", None),
                    String::new(),
                    "/404.html",
                );
                meta.noindex = true;
                ctx.insert("page", &meta);
                vec![Output {
                    path: "404.html".into(),
                    body: Body::Bytes(self.tpl("404.html", &ctx, "")?),
                }]
            }
            _ => return Err(misrouted("page")),
        })
    }
}
