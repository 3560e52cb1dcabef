//! One function per family of jobs (pages, lists, feeds, files for
//! machines), each beside what it renders; `Renderer::render` dispatches.

mod activitypub;
mod feeds;
mod lists;
mod meta;
mod pages;
