//! Files for machines and assets: sitemap, robots, manifest, redirect map, theme static files, site files, bundles.

use crate::render::*;

impl Renderer<'_> {
    /// Renders a job of this family; [`Renderer::render`] sends only these here.
    pub(in crate::render) fn render_meta(&self, job: &Job) -> Result<Vec<Output>, Diagnostic> {
        let site = self.site;
        let config = &site.config;
        let posts = &site.content.posts;
        Ok(match job {
            Job::Sitemap => {
                let mut urls = vec![sitemap::SitemapUrl {
                    path: "/".into(),
                    lastmod: posts
                        .first()
                        .and_then(|p| p.last_modified())
                        .map(|d| d.rfc3339()),
                }];
                for e in posts.iter().chain(site.content.pages.iter()) {
                    urls.push(sitemap::SitemapUrl {
                        path: e.path.clone(),
                        lastmod: e.last_modified().map(|d| d.rfc3339()),
                    });
                }
                for tax in Taxonomy::ALL {
                    for t in site.terms(tax) {
                        urls.push(sitemap::SitemapUrl {
                            path: t.path(tax),
                            lastmod: t
                                .posts
                                .first()
                                .and_then(|&i| posts[i].last_modified())
                                .map(|d| d.rfc3339()),
                        });
                    }
                }
                vec![Output {
                    path: "sitemap.xml".into(),
                    body: Body::Bytes(sitemap::sitemap(config, &urls).into_bytes()),
                }]
            }
            Job::RedirectMap => vec![Output {
                path: sitemap::REDIRECT_MAP.trim_start_matches('/').into(),
                body: Body::Bytes(sitemap::redirect_map(config, &site.content).into_bytes()),
            }],
            Job::Robots => vec![Output {
                path: "robots.txt".into(),
                body: Body::Bytes(sitemap::robots(config).into_bytes()),
            }],
            Job::Manifest => vec![Output {
                path: "causerie-pages.json".into(),
                body: Body::Bytes(
                    sitemap::pages_manifest(config, &site.content, site.now).into_bytes(),
                ),
            }],
            Job::ThemeStatic => {
                let own: std::collections::HashSet<&str> =
                    site.content.files.iter().map(|f| f.out.as_str()).collect();
                site.theme
                    .static_files
                    .iter()
                    .filter(|(out, _)| !own.contains(out.as_str()))
                    .map(|(out, src)| Output {
                        path: out.clone(),
                        body: match src {
                            FileSource::Embedded(b) => Body::Static(b),
                            FileSource::Disk(p) => Body::Copy(p.clone()),
                        },
                    })
                    .collect()
            }
            Job::Files => site
                .content
                .files
                .iter()
                .map(|f| Output {
                    path: f.out.clone(),
                    body: Body::Copy(f.src.clone()),
                })
                .collect(),
            Job::Assets(kind, i) => {
                let e = if *kind == Kind::Post {
                    &posts[*i]
                } else {
                    &site.content.pages[*i]
                };
                e.assets
                    .iter()
                    .map(|(src, rel)| Output {
                        path: format!("{}{}", e.path.trim_start_matches('/'), rel),
                        body: Body::Copy(src.clone()),
                    })
                    .collect()
            }
            other => return Err(misrouted(other)),
        })
    }
}
