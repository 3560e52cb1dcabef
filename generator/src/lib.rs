//! Causerie, the static blog generator, as a library. Modules in pipeline
//! order: configuration and content are loaded into plain data, markdown is
//! rendered per entry, the site is checked, rendered into outputs by pure
//! functions, and written atomically.

// foundations: errors, hashing, escaping, the guarded client
pub mod error;
pub mod escape;
pub mod fetch;
pub mod hash;
pub mod profile;
// load: configuration, theme, content, the conversation from the service
pub mod config;
pub mod content;
pub mod conversation;
pub mod i18n;
pub mod slug;
pub mod theme;
// per entry, then the whole site
pub mod highlight;
pub mod links;
pub mod markdown;
pub mod site;
// outputs: rendered by pure functions, written atomically (and what a
// build killed half way left, cleared before the next one writes)
pub mod leftovers;
pub mod render;
pub mod write;
// the engine that keeps them up to date, build after build
pub mod incremental;
// after the build
pub mod webmention;
// the blog on the fediverse (static documents; the service does the rest)
pub mod activitypub;
// bringing an old blog in
pub mod import;
// the command line over all of it
pub mod cli;
pub mod commands;
pub mod serve;
