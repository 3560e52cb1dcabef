//! What the last build did for one job: its key and the files it wrote.
//! The data the build records ([`super::records`]) and their file on disk
//! ([`super::journal`]) share.

/// Job name → record, hashed by [`crate::hash::Fp`] (names are hashes already).
pub(super) type Jobs = crate::hash::FpMap<u64, Record>;

/// One file a job wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRec {
    /// Relative to the output root.
    pub path: String,
    /// Hash of the bytes (or, for copied files, of the source's stamp).
    pub hash: u64,
    /// An HTML page (counts as a page in the summary).
    pub page: bool,
}

/// What the last build did for one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `None`: the job is rendered every time.
    pub key: Option<u64>,
    pub files: Vec<FileRec>,
}
