//! Files for machines and assets: sitemap, robots, manifest, redirect map, theme static files, site files, bundles.

use crate::render::inputs::{EntryRef, Inputs};
use crate::render::*;

impl Renderer<'_> {
    /// Renders a job of this family; [`Renderer::render`] sends only these here.
    pub(in crate::render) fn render_meta(
        &self,
        inputs: Inputs<'_>,
    ) -> Result<Vec<Output>, Diagnostic> {
        let config = &self.site.config;
        Ok(match inputs {
            Inputs::Sitemap(site) => {
                let posts = &site.content.posts;
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
            Inputs::RedirectMap(content) => vec![Output {
                path: sitemap::REDIRECT_MAP.trim_start_matches('/').into(),
                body: Body::Bytes(sitemap::redirect_map(config, content).into_bytes()),
            }],
            Inputs::Robots => vec![Output {
                path: "robots.txt".into(),
                body: Body::Bytes(sitemap::robots(config).into_bytes()),
            }],
            Inputs::Manifest(site) => vec![Output {
                path: "causerie-pages.json".into(),
                body: Body::Bytes(
                    sitemap::pages_manifest(config, &site.content, site.now).into_bytes(),
                ),
            }],
            Inputs::ThemeStatic(files) => {
                let own: std::collections::HashSet<&str> =
                    files.iter().map(|f| f.out.as_str()).collect();
                self.site
                    .theme
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
            Inputs::Files(files) => files
                .iter()
                .map(|f| Output {
                    path: f.out.clone(),
                    body: Body::Copy(f.src.clone()),
                })
                .collect(),
            Inputs::Assets(EntryRef { entry: e, .. }) => e
                .assets
                .iter()
                .map(|(src, rel)| Output {
                    path: format!("{}{}", e.path.trim_start_matches('/'), rel),
                    body: Body::Copy(src.clone()),
                })
                .collect(),
            _ => return Err(misrouted("meta")),
        })
    }
}
