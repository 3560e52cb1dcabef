//! `causerie import wordpress|blogger` through the real binary, over the
//! exports in `tests/fixtures/import/` (written for these tests from the
//! formats' published descriptions): what lands in the site, that the site
//! then builds with its old URLs, that a second run changes nothing, that
//! broken or hostile files change nothing, and that the move causes no
//! Webmention storm.

mod blogger;
mod fuzz;
mod helpers;
mod wordpress;
