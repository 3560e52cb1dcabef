//! The fediverse documents: WebFinger, the actor, each post's object and
//! the outbox (built by [`crate::activitypub`]).

use crate::activitypub::{self as ap, Urls};
use crate::render::inputs::{self, EntryRef, Inputs};
use crate::render::*;

fn json(path: &str, bytes: Vec<u8>) -> Output {
    Output {
        path: path.trim_start_matches('/').to_string(),
        body: Body::Bytes(bytes),
    }
}

impl Renderer<'_> {
    /// Renders a job of this family; [`Renderer::render`] sends only these here.
    pub(in crate::render) fn render_activitypub(
        &self,
        inputs: Inputs<'_>,
    ) -> Result<Vec<Output>, Diagnostic> {
        let config = &self.site.config;
        let (Some(urls), Some(conf)) = (Urls::of(config), config.activitypub.as_ref()) else {
            return Err(misrouted("fediverse"));
        };
        Ok(match inputs {
            Inputs::ApActor(key) => vec![
                json(
                    ap::WEBFINGER,
                    ap::actor::webfinger(config, &urls, &conf.username),
                ),
                json(ap::ACTOR, ap::actor::actor(config, &urls, key.as_ref())),
            ],
            Inputs::ApObject(EntryRef { entry: e, .. }, terms) => {
                let html = self.html_of(e)?;
                let o = ap::objects::object(config, &urls, e, &terms, &html, true);
                vec![json(&ap::object_path(&e.path), ap::json_bytes(&o))]
            }
            Inputs::ApOutbox(posts, tags, slugs) => {
                let mut objects = Vec::with_capacity(posts.len());
                for e in posts {
                    let html = self.html_of(e)?;
                    let terms = inputs::hashtag_terms(tags, slugs, e);
                    objects.push(ap::objects::object(config, &urls, e, &terms, &html, false));
                }
                ap::objects::outbox(config, &urls, objects)
                    .into_iter()
                    .map(|(p, b)| json(&p, b))
                    .collect()
            }
            _ => return Err(misrouted("fediverse")),
        })
    }
}
