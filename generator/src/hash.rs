//! A small, fast, deterministic 64-bit hasher for dependency keys. Keys are
//! stored on disk between runs, so they must not depend on a random seed
//! (std's `RandomState`) or on the Rust version (std's SipHash keys).

use std::hash::Hasher;

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Multiply-rotate hasher over 8-byte words (the same mix as
/// [`crate::content::content_hash`]), with lengths folded in so that
/// `("ab", "c")` and `("a", "bc")` differ.
#[derive(Debug, Clone)]
pub struct Fp(u64);

impl Default for Fp {
    fn default() -> Fp {
        Fp(0xCBF2_9CE4_8422_2325)
    }
}

impl Fp {
    pub fn new() -> Fp {
        Fp::default()
    }

    fn mix(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }

    /// Adds a string as one field.
    pub fn str(&mut self, s: &str) -> &mut Fp {
        self.bytes(s.as_bytes())
    }

    /// Adds bytes as one field (length-prefixed).
    pub fn bytes(&mut self, b: &[u8]) -> &mut Fp {
        self.mix(b.len() as u64 ^ 0xA5A5_0000_0000_0000);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(last));
        self
    }

    pub fn num(&mut self, n: u64) -> &mut Fp {
        self.mix(n);
        self
    }

    /// Adds any serializable value (its JSON form).
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> &mut Fp {
        let mut w = FpWriter(Fp::new());
        // Serializing plain view structs cannot fail; a failure still changes the key.
        if serde_json::to_writer(&mut w, v).is_err() {
            w.0.num(u64::MAX);
        }
        let h = w.0.finish();
        self.num(h)
    }

    pub fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

impl Hasher for Fp {
    fn finish(&self) -> u64 {
        Fp::finish(self)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.bytes(bytes);
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

/// [`Fp`] as the hasher of in-memory maps keyed by what the build itself
/// made (source paths, hashes): they need no random seed against hostile
/// keys, and SipHash was a tenth of a one-post rebuild at 100 000 posts.
pub type FpBuild = std::hash::BuildHasherDefault<Fp>;
/// A `HashMap` hashed by [`Fp`] (see [`FpBuild`]).
pub type FpMap<K, V> = std::collections::HashMap<K, V, FpBuild>;
/// A `HashSet` hashed by [`Fp`] (see [`FpBuild`]).
pub type FpSet<K> = std::collections::HashSet<K, FpBuild>;

/// `io::Write` into a hasher, to hash serializations without a buffer.
struct FpWriter(Fp);

impl std::io::Write for FpWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.bytes(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Size and modification time of a file, the cheap stand-in for its
/// content when a file is only copied.
pub fn file_stamp(fp: &mut Fp, path: &std::path::Path) {
    fp.str(&path.to_string_lossy());
    match std::fs::metadata(path) {
        Ok(m) => {
            fp.num(m.len());
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            fp.num(t);
        }
        Err(_) => {
            fp.num(u64::MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_delimited() {
        let a = Fp::new().str("ab").str("c").finish();
        let b = Fp::new().str("a").str("bc").finish();
        assert_ne!(a, b);
        assert_eq!(a, Fp::new().str("ab").str("c").finish());
    }
}
