//! Models the generator's job keys for N posts, two ways:
//! - `structs`: what the engine does — per-post fingerprints, then each
//!   job's inputs gathered and hashed; a rebuild recomputes every key and
//!   compares it with the stored one;
//! - `salsa`: the same keys as salsa tracked functions over salsa inputs;
//!   a rebuild sets one input and asks every key again (salsa revalidates
//!   its memos and re-executes only what changed).
//!
//! Jobs: a page per post (the post and its neighbours' titles and paths),
//! index pages (a slice of 10 posts), tag pages (slices of each tag's
//! posts). Prints the time of (a) the first computation of every key and
//! (b) revalidation after one post's body changed; peak RSS comes from
//! `/usr/bin/time -v`.

use std::hash::Hasher;
use std::time::Instant;

const PER_PAGE: usize = 10;
const TAGS: usize = 50;

struct Fp(std::collections::hash_map::DefaultHasher);
impl Fp {
    fn new() -> Fp {
        Fp(Default::default())
    }
    fn num(&mut self, n: u64) -> &mut Fp {
        self.0.write_u64(n);
        self
    }
    fn str(&mut self, s: &str) -> &mut Fp {
        self.0.write(s.as_bytes());
        self.0.write_u8(0xff);
        self
    }
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// A loaded post: what the loader gives (the body's content hash, title, path).
#[derive(Clone)]
struct Entry {
    title: String,
    path: String,
    hash: u64,
}

fn corpus(n: usize) -> (Vec<Entry>, Vec<Vec<u32>>) {
    let posts: Vec<Entry> = (0..n)
        .map(|i| Entry {
            title: format!("Post number {i} about things"),
            path: format!("/posts/post-{i}/"),
            hash: (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        })
        .collect();
    // Each post has two tags; tag 0 is on a third of the posts (the big
    // lists of a real blog).
    let mut terms = vec![Vec::new(); TAGS];
    for i in 0..n {
        if i % 3 == 0 {
            terms[0].push(i as u32);
        }
        terms[1 + i % (TAGS - 1)].push(i as u32);
        terms[1 + (i * 7 + 3) % (TAGS - 1)].push(i as u32);
    }
    for t in &mut terms {
        t.dedup();
    }
    (posts, terms)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Job {
    Post(u32),
    Index(u32),
    Term(u32, u32),
}

fn jobs(n: usize, terms: &[Vec<u32>]) -> Vec<Job> {
    let mut j: Vec<Job> = (0..n as u32).map(Job::Post).collect();
    j.extend((0..n.div_ceil(PER_PAGE) as u32).map(Job::Index));
    for (t, list) in terms.iter().enumerate() {
        j.extend((0..list.len().div_ceil(PER_PAGE) as u32).map(|p| Job::Term(t as u32, p)));
    }
    j
}

mod structs {
    //! The inputs-struct way: gather, then hash.
    use super::*;

    pub struct Neighbour<'a> {
        title: &'a str,
        path: &'a str,
    }
    pub enum Inputs<'a> {
        Post {
            post: usize,
            prev: Option<Neighbour<'a>>,
            next: Option<Neighbour<'a>>,
        },
        Slice {
            pages: usize,
            ids: &'a [u32],
        },
    }

    pub fn inputs<'a>(posts: &'a [Entry], all: &'a [u32], terms: &'a [Vec<u32>], job: Job) -> Inputs<'a> {
        let nb = |j: usize| {
            posts.get(j).map(|e| Neighbour {
                title: &e.title,
                path: &e.path,
            })
        };
        let slice = |list: &'a [u32], p: u32| {
            let from = (p as usize * PER_PAGE).min(list.len());
            Inputs::Slice {
                pages: list.len().div_ceil(PER_PAGE),
                ids: &list[from..(from + PER_PAGE).min(list.len())],
            }
        };
        match job {
            Job::Post(i) => Inputs::Post {
                post: i as usize,
                prev: nb(i as usize + 1),
                next: (i as usize).checked_sub(1).and_then(nb),
            },
            Job::Index(p) => slice(all, p),
            Job::Term(t, p) => slice(&terms[t as usize], p),
        }
    }

    pub fn key(fps: &[u64], job: Job, i: &Inputs<'_>) -> u64 {
        let mut fp = Fp::new();
        std::hash::Hash::hash(&job, &mut fp.0);
        match i {
            Inputs::Post { post, prev, next } => {
                fp.num(fps[*post]);
                for n in [prev, next] {
                    match n {
                        Some(n) => fp.num(1).str(n.title).str(n.path),
                        None => fp.num(0),
                    };
                }
            }
            Inputs::Slice { pages, ids } => {
                fp.num(*pages as u64);
                for &k in *ids {
                    fp.num(fps[k as usize]);
                }
            }
        }
        fp.finish()
    }

    pub fn all_keys(posts: &[Entry], all: &[u32], terms: &[Vec<u32>], jobs: &[Job]) -> Vec<u64> {
        let fps: Vec<u64> = posts
            .iter()
            .map(|e| Fp::new().num(e.hash).str(&e.path).finish())
            .collect();
        jobs.iter()
            .map(|&j| key(&fps, j, &inputs(posts, all, terms, j)))
            .collect()
    }

    pub fn run(n: usize) {
        let (mut posts, terms) = corpus(n);
        let all: Vec<u32> = (0..n as u32).collect();
        let jobs = jobs(n, &terms);
        let t = Instant::now();
        let keys = all_keys(&posts, &all, &terms, &jobs);
        let first = t.elapsed();
        posts[n / 2].hash ^= 1;
        let t = Instant::now();
        let again = all_keys(&posts, &all, &terms, &jobs);
        let changed = keys.iter().zip(&again).filter(|(a, b)| a != b).count();
        let reval = t.elapsed();
        report("structs", n, jobs.len(), first, reval, changed);
    }
}

mod salsa_way {
    //! The same keys as salsa tracked functions.
    use super::*;
    use salsa::Setter;

    #[salsa::input]
    pub struct Post {
        #[returns(ref)]
        pub title: String,
        #[returns(ref)]
        pub path: String,
        pub hash: u64,
    }

    #[salsa::input]
    pub struct Site {
        #[returns(ref)]
        pub posts: Vec<Post>,
        #[returns(ref)]
        pub terms: Vec<Vec<u32>>,
    }

    #[salsa::interned]
    pub struct JobId<'db> {
        pub site: Site,
        pub kind: u8,
        pub a: u32,
        pub b: u32,
    }

    #[salsa::tracked]
    pub fn post_fp(db: &dyn salsa::Database, p: Post) -> u64 {
        Fp::new().num(*p.hash(db)).str(p.path(db)).finish()
    }

    #[salsa::tracked]
    pub fn job_key<'db>(db: &'db dyn salsa::Database, j: JobId<'db>) -> u64 {
        let site = *j.site(db);
        let posts = site.posts(db);
        let mut fp = Fp::new();
        let (kind, a, b) = (*j.kind(db), *j.a(db), *j.b(db));
        fp.num(u64::from(kind)).num(u64::from(a)).num(u64::from(b));
        let slice = |fp: &mut Fp, ids: &mut dyn Iterator<Item = usize>, len: usize| {
            fp.num(len.div_ceil(PER_PAGE) as u64);
            for k in ids {
                fp.num(*post_fp(db, posts[k]));
            }
        };
        match kind {
            0 => {
                let i = a as usize;
                fp.num(*post_fp(db, posts[i]));
                for n in [posts.get(i + 1), i.checked_sub(1).and_then(|k| posts.get(k))] {
                    match n {
                        Some(p) => fp.num(1).str(p.title(db)).str(p.path(db)),
                        None => fp.num(0),
                    };
                }
            }
            1 => {
                let from = a as usize * PER_PAGE;
                slice(&mut fp, &mut (from..(from + PER_PAGE).min(posts.len())), posts.len());
            }
            _ => {
                let list = &site.terms(db)[a as usize];
                let from = b as usize * PER_PAGE;
                slice(
                    &mut fp,
                    &mut list[from..(from + PER_PAGE).min(list.len())].iter().map(|&k| k as usize),
                    list.len(),
                );
            }
        }
        fp.finish()
    }

    pub fn run(n: usize) {
        let mut db = salsa::DatabaseImpl::new();
        let (entries, terms) = corpus(n);
        let jobs = jobs(n, &terms);
        let t = Instant::now();
        let posts: Vec<Post> = entries
            .into_iter()
            .map(|e| Post::new(&db, e.title, e.path, e.hash))
            .collect();
        let site = Site::new(&db, posts.clone(), terms);
        let ids: Vec<(u8, u32, u32)> = jobs
            .iter()
            .map(|j| match *j {
                Job::Post(i) => (0, i, 0),
                Job::Index(p) => (1, p, 0),
                Job::Term(t, p) => (2, t, p),
            })
            .collect();
        let keys: Vec<u64> = ids
            .iter()
            .map(|&(k, a, b)| *job_key(&db, JobId::new(&db, site, k, a, b)))
            .collect();
        let first = t.elapsed();
        let p = posts[n / 2];
        let h = *p.hash(&db);
        p.set_hash(&mut db).to(h ^ 1);
        let t = Instant::now();
        let again: Vec<u64> = ids
            .iter()
            .map(|&(k, a, b)| *job_key(&db, JobId::new(&db, site, k, a, b)))
            .collect();
        let changed = keys.iter().zip(&again).filter(|(a, b)| a != b).count();
        let reval = t.elapsed();
        report("salsa", n, jobs.len(), first, reval, changed);
    }
}

fn report(how: &str, n: usize, jobs: usize, first: std::time::Duration, reval: std::time::Duration, changed: usize) {
    println!(
        "{how:8} posts={n:>6} jobs={jobs:>6} first={:>8.1}ms revalidate={:>8.1}ms changed_keys={changed}",
        first.as_secs_f64() * 1e3,
        reval.as_secs_f64() * 1e3
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    match args.get(1).map(String::as_str) {
        Some("salsa") => salsa_way::run(n),
        _ => structs::run(n),
    }
}
