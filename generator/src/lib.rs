//! Causerie, the static blog generator, as a library. Modules in pipeline
//! order: configuration and content are loaded into plain data, markdown is
//! rendered per entry, the site is checked, rendered into outputs by pure
//! functions, and written atomically.

pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod conversation;
pub mod error;
pub mod escape;
pub mod highlight;
pub mod i18n;
pub mod incremental;
pub mod markdown;
pub mod render;
pub mod serve;
pub mod site;
pub mod theme;
pub mod webmention;
pub mod write;
