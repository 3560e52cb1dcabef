//! `causerie serve`: see [`crate::serve`] (the dev server lives there).

pub use crate::serve::{Options, WatchOptions, run, watch};
