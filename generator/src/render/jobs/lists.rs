//! The home page, the term index and each term's pages.

use crate::render::inputs::{Inputs, TermRef};
use crate::render::*;

impl Renderer<'_> {
    /// Renders a job of this family; [`Renderer::render`] sends only these here.
    pub(in crate::render) fn render_list(
        &self,
        inputs: Inputs<'_>,
    ) -> Result<Vec<Output>, Diagnostic> {
        let config = &self.site.config;
        Ok(match inputs {
            Inputs::Index(slice) => {
                let n = &slice.n;
                let mut ctx = Context::new();
                let title = if *n == 1 {
                    config.title.clone()
                } else {
                    format!("{} — {}", config.title, self.t("page_n", Some(*n as i64)))
                };
                let path = pager_path("/", *n);
                ctx.insert(
                    "page",
                    &self.meta("index", title, config.description.clone(), &path),
                );
                self.list_page(&mut ctx, "/", &slice);
                vec![html(&path, self.tpl("index.html", &ctx, "")?)]
            }
            Inputs::Terms(tax, terms) => {
                let tax = &tax;
                let terms: Vec<TermView> = terms
                    .iter()
                    .map(|t| TermView {
                        name: t.name.clone(),
                        url: config.url_for(&t.path(*tax)),
                        count: t.posts.len(),
                        count_text: self.t("post_count", Some(t.posts.len() as i64)),
                    })
                    .collect();
                let path = format!("/{}/", tax.segment());
                let mut ctx = Context::new();
                ctx.insert(
                    "page",
                    &self.meta("terms", self.t(tax.segment(), None), String::new(), &path),
                );
                ctx.insert("taxonomy", tax.segment());
                ctx.insert("terms", &terms);
                vec![html(&path, self.tpl("terms.html", &ctx, "")?)]
            }
            Inputs::Term(TermRef { tax, term }, slice) => {
                let (tax, n) = (&tax, &slice.n);
                let base = term.path(*tax);
                let path = pager_path(&base, *n);
                let heading = self
                    .t(&format!("{}_heading", tax.segment()), None)
                    .replace("{name}", &term.name);
                let mut title = heading.clone();
                if *n > 1 {
                    title = format!("{title} — {}", self.t("page_n", Some(*n as i64)));
                }
                let mut meta = self.meta("term", title, String::new(), &path);
                meta.feeds.push(FeedLink {
                    r#type: "application/atom+xml".into(),
                    href: config.url_for(&format!("{base}feed.xml")),
                    title: format!("{} — {}", config.title, heading),
                });
                let mut ctx = Context::new();
                ctx.insert("page", &meta);
                ctx.insert("taxonomy", tax.segment());
                ctx.insert(
                    "term",
                    &TermView {
                        name: term.name.clone(),
                        url: config.url_for(&base),
                        count: term.posts.len(),
                        count_text: self.t("post_count", Some(term.posts.len() as i64)),
                    },
                );
                ctx.insert("heading", &heading);
                self.list_page(&mut ctx, &base, &slice);
                vec![html(&path, self.tpl("term.html", &ctx, "")?)]
            }
            _ => return Err(misrouted("list")),
        })
    }
}
