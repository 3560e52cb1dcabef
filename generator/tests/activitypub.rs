//! The real `causerie` binary publishing the blog as a fediverse actor
//! (docs/activitypub.md): WebFinger, the actor with the key the comment
//! service gave (cached from its export; the fixture's service never
//! answers), the outbox, each post's object and the page's link to it.
//! Rebuilding changes nothing; editing a post changes its object and the
//! outbox (CAUSERIE_VERIFY=1 checks every job the engine kept).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use causerie::activitypub::ActorKey;
use causerie::conversation::actor_key as key;
use serde_json::Value;

const SERVICE: &str = "https://comments.example";
const PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest\n-----END PUBLIC KEY-----\n";

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// The `good` fixture with `[activitypub]` added.
fn site(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("good");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good"),
        &dst,
    );
    let config = dst.join("causerie.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[activitypub]\nusername = \"blog\"\n{extra}"));
    std::fs::write(&config, text).unwrap();
    (tmp, dst)
}

fn build(root: &Path) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_causerie"))
        .arg("build")
        .current_dir(root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn json(root: &Path, rel: &str) -> Value {
    let p = root.join("public").join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn seed_key(root: &Path) {
    let k = ActorKey {
        public_key_pem: PEM.into(),
        followers: 3,
    };
    key::save(root, SERVICE, Some(&k)).unwrap();
}

#[test]
fn the_actor_webfinger_outbox_and_objects_are_published() {
    let (_tmp, root) = site("name = \"The Fixture\"\nicon = \"/avatar.png\"\n");
    seed_key(&root);
    let o = build(&root);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("actor key"), "{err}");

    let wf = json(&root, ".well-known/webfinger");
    assert_eq!(wf["subject"], "acct:blog@blog.example");
    assert_eq!(wf["links"][0]["rel"], "self");
    assert_eq!(wf["links"][0]["type"], "application/activity+json");
    assert_eq!(
        wf["links"][0]["href"],
        "https://blog.example/activitypub/actor"
    );

    let actor = json(&root, "activitypub/actor");
    assert_eq!(actor["id"], "https://blog.example/activitypub/actor");
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["preferredUsername"], "blog");
    assert_eq!(actor["name"], "The Fixture");
    assert_eq!(actor["summary"], "<p>A site for tests</p>");
    assert_eq!(actor["icon"]["url"], "https://blog.example/avatar.png");
    assert_eq!(actor["icon"]["mediaType"], "image/png");
    assert_eq!(actor["inbox"], format!("{SERVICE}/activitypub/inbox"));
    assert_eq!(
        actor["endpoints"]["sharedInbox"],
        format!("{SERVICE}/activitypub/inbox")
    );
    assert_eq!(
        actor["followers"],
        format!("{SERVICE}/activitypub/followers")
    );
    assert_eq!(actor["outbox"], "https://blog.example/activitypub/outbox");
    assert_eq!(
        actor["publicKey"]["id"],
        "https://blog.example/activitypub/actor#main-key"
    );
    assert_eq!(actor["publicKey"]["owner"], actor["id"]);
    assert_eq!(actor["publicKey"]["publicKeyPem"], PEM);

    let outbox = json(&root, "activitypub/outbox");
    assert_eq!(outbox["type"], "OrderedCollection");
    let items = outbox["orderedItems"].as_array().unwrap();
    assert_eq!(outbox["totalItems"], items.len());
    assert!(items.len() >= 5, "{outbox}");
    // Newest first, each a Create of the post's object.
    let dates: Vec<&str> = items
        .iter()
        .map(|i| i["published"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    for i in items {
        assert_eq!(i["type"], "Create");
        assert_eq!(i["actor"], actor["id"]);
        assert!(
            i["object"]["id"]
                .as_str()
                .unwrap()
                .ends_with("/activity.json")
        );
    }

    let obj = json(&root, "posts/post-1/activity.json");
    assert_eq!(obj["@context"], "https://www.w3.org/ns/activitystreams");
    assert_eq!(obj["id"], "https://blog.example/posts/post-1/activity.json");
    assert_eq!(obj["type"], "Note", "a short plain post is a Note");
    assert_eq!(obj["url"], "https://blog.example/posts/post-1/");
    assert_eq!(obj["attributedTo"], actor["id"]);
    assert_eq!(obj["to"][0], "https://www.w3.org/ns/activitystreams#Public");
    assert_eq!(obj["cc"][0], actor["followers"]);
    assert!(
        obj["content"]
            .as_str()
            .unwrap()
            .contains("href=\"https://blog.example/about/\""),
        "links are absolute: {obj}"
    );
    assert_eq!(obj["tag"][0]["type"], "Hashtag");
    assert_eq!(obj["tag"][0]["href"], "https://blog.example/tags/common/");
    let bundle = json(&root, "posts/bundle/activity.json");
    assert_eq!(
        bundle["type"], "Article",
        "a post with headings is an Article"
    );
    assert_eq!(bundle["name"], "A bundle");

    let page = std::fs::read_to_string(root.join("public/posts/post-1/index.html")).unwrap();
    assert!(
        page.contains("<link rel=\"alternate\" type=\"application/activity+json\" title=\"Post number 1\" href=\"https://blog.example/posts/post-1/activity.json\">"),
        "{page}"
    );
}

#[test]
fn rebuilds_are_byte_stable_and_an_edit_reaches_the_object_and_outbox() {
    let (_tmp, root) = site("");
    seed_key(&root);
    build(&root);
    let before = std::fs::read(root.join("public/activitypub/outbox")).unwrap();
    let actor = std::fs::read(root.join("public/activitypub/actor")).unwrap();
    build(&root);
    assert_eq!(
        std::fs::read(root.join("public/activitypub/outbox")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(root.join("public/activitypub/actor")).unwrap(),
        actor
    );

    let post = root.join("content/posts/post-2.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, format!("{text}\nA new closing line.\n")).unwrap();
    build(&root);
    let obj = json(&root, "posts/post-2/activity.json");
    assert!(
        obj["content"]
            .as_str()
            .unwrap()
            .contains("A new closing line.")
    );
    let outbox = std::fs::read_to_string(root.join("public/activitypub/outbox")).unwrap();
    assert!(outbox.contains("A new closing line."));

    // A rotated key reaches the actor document and nothing else.
    let k = ActorKey {
        public_key_pem: PEM.replace("test", "rotated"),
        followers: 0,
    };
    key::save(&root, SERVICE, Some(&k)).unwrap();
    build(&root);
    let a = json(&root, "activitypub/actor");
    assert!(
        a["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .contains("rotated")
    );
}

#[test]
fn without_a_key_from_the_service_the_build_warns_and_the_actor_has_no_key() {
    let (_tmp, root) = site("actor_type = \"Service\"\n");
    let o = build(&root);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("activitypub: https://comments.example gave no actor key"),
        "{err}"
    );
    let actor = json(&root, "activitypub/actor");
    assert!(actor.get("publicKey").is_none(), "{actor}");
    assert_eq!(actor["type"], "Service");
}

#[test]
fn a_bad_username_or_a_site_without_comments_is_a_config_error() {
    let (_tmp, root) = site("");
    let config = root.join("causerie.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("username = \"blog\"", "username = \"My Blog\""),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_causerie"))
        .arg("build")
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    let line = text
        .lines()
        .position(|l| l.starts_with("username"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "causerie.toml:{line}: activitypub.username: expected lowercase"
        )),
        "{err}"
    );
    assert!(
        !root.join("public").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn many_posts_make_a_paged_outbox() {
    let (_tmp, root) = site("");
    seed_key(&root);
    for n in 0..25 {
        std::fs::write(
            root.join(format!("content/posts/many-{n}.md")),
            format!(
                "+++\ntitle = \"Many {n}\"\ndate = 2025-02-{:02}\n+++\nPost {n}.\n",
                n + 1
            ),
        )
        .unwrap();
    }
    build(&root);
    let outbox = json(&root, "activitypub/outbox");
    assert!(outbox.get("orderedItems").is_none());
    let total = outbox["totalItems"].as_u64().unwrap() as usize;
    assert!(total > 25);
    assert_eq!(
        outbox["first"],
        "https://blog.example/activitypub/outbox-page-1"
    );
    let p1 = json(&root, "activitypub/outbox-page-1");
    assert_eq!(p1["type"], "OrderedCollectionPage");
    assert_eq!(p1["orderedItems"].as_array().unwrap().len(), 20);
    assert_eq!(p1["next"], "https://blog.example/activitypub/outbox-page-2");
    assert_eq!(
        p1["orderedItems"][0]["object"]["name"],
        serde_json::Value::Null
    );
    assert!(
        p1["orderedItems"][0]["object"]["content"]
            .as_str()
            .unwrap()
            .contains("Post 24.")
    );
    let p2 = json(&root, "activitypub/outbox-page-2");
    assert_eq!(p2["orderedItems"].as_array().unwrap().len(), total - 20);
    assert!(p2.get("next").is_none());
}
