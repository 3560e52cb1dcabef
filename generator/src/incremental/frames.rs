//! A cache file that a build appends to instead of rewriting: a header, a
//! checksummed base, then checksummed delta frames. After a one-post edit
//! the records and entries of a 100 000-post site change by a few hundred
//! bytes, and rewriting their 80 MB whole was a fifth of the build.
//!
//! A frame is `len, checksum(len), payload, checksum(payload)`. A frame cut
//! short (its bytes run past the end: a write the process did not finish)
//! is ignored with everything after it, and the next append overwrites it;
//! any other bad frame (a flipped byte, a length that checks but a payload
//! that does not) makes the whole file unusable, because a frame the
//! reader skipped may have said "forget these records".

use std::io::Write;
use std::path::Path;

use super::codec::put_u64;
use crate::content::content_hash;

/// A file's base and frames, as read and checked.
#[derive(Debug)]
pub struct Opened<'a> {
    pub base: &'a [u8],
    pub frames: Vec<&'a [u8]>,
    /// Bytes of the file up to the end of the base.
    pub base_end: u64,
    /// Bytes of the file up to the end of the last good frame.
    pub valid: u64,
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// One checked part at `at` (`len, sum(len), data, sum(data)`): `Ok(None)`
/// when it is cut short by the end of `b`, `Err` when it is damaged.
fn part(b: &[u8], at: usize) -> Result<Option<(&[u8], usize)>, ()> {
    let (Some(n), Some(nsum)) = (u64_at(b, at), u64_at(b, at + 8)) else {
        return Ok(None);
    };
    if content_hash(&n.to_le_bytes()) != nsum {
        return Err(());
    }
    let start = at + 16;
    let end = usize::try_from(n)
        .ok()
        .and_then(|n| start.checked_add(n))
        .ok_or(())?;
    let (Some(data), Some(sum)) = (b.get(start..end), u64_at(b, end)) else {
        return Ok(None);
    };
    if content_hash(data) != sum {
        return Err(());
    }
    Ok(Some((data, end + 8)))
}

/// Reads a file's bytes: `None` if the header is another's, the base is
/// not whole, or a frame is damaged (see the module doc).
pub fn open<'a>(bytes: &'a [u8], head: &[u8]) -> Option<Opened<'a>> {
    if !bytes.starts_with(head) {
        return None;
    }
    let (base, mut at) = part(bytes, head.len()).ok()??;
    let base_end = at;
    let mut frames = Vec::new();
    while at < bytes.len() {
        match part(bytes, at).ok()? {
            Some((f, end)) => {
                frames.push(f);
                at = end;
            }
            None => break, // a torn tail
        }
    }
    Some(Opened {
        base,
        frames,
        base_end: base_end as u64,
        valid: at as u64,
    })
}

fn framed(data: &[u8]) -> Vec<u8> {
    let mut w = Vec::with_capacity(data.len() + 24);
    let n = data.len() as u64;
    put_u64(&mut w, n);
    put_u64(&mut w, content_hash(&n.to_le_bytes()));
    w.extend_from_slice(data);
    put_u64(&mut w, content_hash(data));
    w
}

/// [`content_hash`] of parts taken as one slice, without joining them:
/// a base is written as its chunks, which joined would be a second copy
/// of 80 MB at 100 000 posts.
fn hash_parts(parts: &[&[u8]]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let mut h: u64 = total as u64 ^ 0xCBF2_9CE4_8422_2325;
    let mut word = [0u8; 8];
    let mut have = 0;
    let mut mix = |w: [u8; 8]| h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    for p in parts {
        // Top up a word left over from the part before, then whole words.
        let fill = ((8 - have) % 8).min(p.len());
        word[have..have + fill].copy_from_slice(&p[..fill]);
        have += fill;
        if have == 8 {
            mix(word);
            have = 0;
        }
        let rest = &p[fill..];
        let mut words = rest.chunks_exact(8);
        for c in &mut words {
            mix(c.try_into().unwrap_or_default());
        }
        let tail = words.remainder();
        word[have..have + tail.len()].copy_from_slice(tail);
        have += tail.len();
    }
    for &b in &word[..have] {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Writes a base of `top` followed by each chunk after its length (a
/// little-endian u64), so that the chunks can be decoded in parallel.
pub fn write_chunked_base(
    path: &Path,
    head: &[u8],
    top: &[u8],
    chunks: &[Vec<u8>],
) -> std::io::Result<u64> {
    let lens: Vec<[u8; 8]> = (chunks.iter())
        .map(|c| (c.len() as u64).to_le_bytes())
        .collect();
    let mut parts: Vec<&[u8]> = vec![top];
    for (c, n) in chunks.iter().zip(&lens) {
        parts.push(n);
        parts.push(c);
    }
    write_base(path, head, &parts)
}

/// Writes a file holding only a base made of `parts` (through a
/// temporary file and a rename); returns its length.
pub fn write_base(path: &Path, head: &[u8], parts: &[&[u8]]) -> std::io::Result<u64> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    f.write_all(head)?;
    let n: usize = parts.iter().map(|p| p.len()).sum();
    let mut w = Vec::with_capacity(16);
    put_u64(&mut w, n as u64);
    put_u64(&mut w, content_hash(&(n as u64).to_le_bytes()));
    f.write_all(&w)?;
    for p in parts {
        f.write_all(p)?;
    }
    f.write_all(&hash_parts(parts).to_le_bytes())?;
    f.flush()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    Ok((head.len() + 24 + n) as u64)
}

/// Appends a frame after the first `valid` bytes of the file at `path`
/// (cutting what follows, a torn frame); returns the new valid length.
pub fn append(path: &Path, valid: u64, data: &[u8]) -> std::io::Result<u64> {
    let f = std::fs::OpenOptions::new().write(true).open(path)?;
    if f.metadata()?.len() != valid {
        f.set_len(valid)?;
    }
    let part = framed(data);
    // One write at the end: a process stopped during it leaves a torn tail.
    std::os::unix::fs::FileExt::write_all_at(&f, &part, valid)?;
    Ok(valid + part.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_and_damage_is_told_from_a_torn_tail() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("f.bin");
        let head = b"head\n";
        let mut len = write_base(&p, head, &[b"ba", b"se"]).unwrap();
        len = append(&p, len, b"one").unwrap();
        let whole = append(&p, len, b"two").unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(bytes.len() as u64, whole);
        let o = open(&bytes, head).unwrap();
        assert_eq!(
            (o.base, o.frames.clone(), o.valid),
            (&b"base"[..], vec![&b"one"[..], b"two"], whole)
        );
        // Every cut: the base and the whole frames before it, or nothing.
        for n in 0..bytes.len() {
            match open(&bytes[..n], head) {
                Some(o) => {
                    assert!(n as u64 >= o.base_end, "cut at {n}");
                    assert!(o.frames.len() < 2 && o.valid <= n as u64, "cut at {n}");
                }
                None => assert!((n as u64) < o.base_end, "cut at {n}"),
            }
        }
        // Every flipped byte: refused, or (the header's) another file.
        for n in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[n] ^= 0x20;
            assert!(open(&bad, head).is_none(), "flip at {n}");
        }
        // Parts hash as if joined.
        let text: Vec<u8> = (0..100u8).collect();
        for cut in 0..text.len() {
            let (a, b) = text.split_at(cut);
            let (b, c) = b.split_at(b.len() / 3);
            assert_eq!(hash_parts(&[a, b, c]), content_hash(&text), "{cut}");
        }
        // An append after a torn tail overwrites it.
        std::fs::write(&p, &bytes[..bytes.len() - 4]).unwrap();
        let cut = std::fs::read(&p).unwrap();
        let o = open(&cut, head).unwrap();
        let again = append(&p, o.valid, b"three").unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let o = open(&bytes, head).unwrap();
        assert_eq!(o.frames, vec![&b"one"[..], b"three"]);
        assert_eq!(o.valid, again);
    }
}
