//! One module per subcommand; each is a short script over the library.

pub mod activitypub;
pub mod build;
pub mod check;
pub mod completions;
pub mod import;
pub mod init;
pub mod new;
pub mod serve;
pub mod webmentions;
