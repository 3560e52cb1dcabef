//! A post or page, its old addresses, and the 404 page.

use crate::render::*;

impl Renderer<'_> {
    /// Renders a job of this family; [`Renderer::render`] sends only these here.
    pub(in crate::render) fn render_page(&self, job: &Job) -> Result<Vec<Output>, Diagnostic> {
        let site = self.site;
        let config = &site.config;
        let strings = &site.theme.strings;
        let posts = &site.content.posts;
        Ok(match job {
            Job::Post(i) | Job::Page(i) => {
                let (e, kind) = match job {
                    Job::Post(_) => (&posts[*i], "post"),
                    _ => (&site.content.pages[*i], "page"),
                };
                let mut ctx = Context::new();
                if let Job::Post(i) = job {
                    // One use of the summary per page (see `free_summaries_after_use`).
                    let summary = self.summary_of(*i);
                    let mut meta = self.meta("post", e.title.clone(), summary.1.clone(), &e.path);
                    let link = |j: usize| LinkView {
                        name: posts[j].title.clone(),
                        url: config.url_for(&posts[j].path),
                    };
                    // Posts are newest first: the previous (older) one is i+1.
                    ctx.insert("prev", &(i + 1 < posts.len()).then(|| link(i + 1)));
                    ctx.insert("next", &(*i > 0).then(|| link(i - 1)));
                    let conv =
                        ConversationView::new(e, config, strings, site.now, &site.conversation);
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
            Job::Aliases(kind, i) => {
                let e = if *kind == Kind::Post {
                    &posts[*i]
                } else {
                    &site.content.pages[*i]
                };
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
            Job::NotFound => {
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
            other => return Err(misrouted(other)),
        })
    }
}
