#!/usr/bin/env python3
"""Writes a deterministic WordPress export (WXR 1.2) for the import benchmarks.

usage: gen_wxr.py POSTS COMMENTS > export.xml

Posts carry tags, categories, classic (autop) or Gutenberg bodies with links;
comments are spread over the posts, a third of them replies (threads up to
four deep), some held, some spam, a few pingbacks, and the author answers now
and then. The same arguments always give the same bytes.
"""
import random
import sys
from xml.sax.saxutils import escape

WORDS = ("conversation static blog reader comment markdown river window garden "
         "evening letter answer question light paper story morning music city "
         "train bridge winter summer coffee notebook friend").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def cdata(s):
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def main():
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    comments = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    rng = random.Random(20261202)
    out = sys.stdout
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8" ?>\n')
    w('<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
      'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
      'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n')
    w('<title>Bench blog</title>\n<link>https://old.example</link>\n')
    w('<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>https://old.example</wp:base_site_url>\n'
      '<wp:base_blog_url>https://old.example</wp:base_blog_url>\n')
    w('<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{}</wp:author_login>'
      '<wp:author_email>{}</wp:author_email><wp:author_display_name>{}</wp:author_display_name>'
      '</wp:author>\n'.format(cdata("owner"), cdata("owner@old.example"), cdata("The Owner")))
    per_post = [comments // posts] * posts
    for i in range(comments - sum(per_post)):
        per_post[i % posts] += 1
    cid = 0
    for p in range(posts):
        pid = p + 1
        y, m, d = 2010 + p % 15, 1 + p % 12, 1 + p % 28
        slug = "post-{}".format(pid)
        title = sentence(rng, 5)[:-1]
        date = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:00".format(y, m, d, p % 24, p % 60)
        if p % 2:
            paras = ["<!-- wp:paragraph -->\n<p>{} <a href=\"https://example.com/{}\">link</a></p>\n<!-- /wp:paragraph -->".format(
                sentence(rng, 30), rng.randrange(1000)) for _ in range(4)]
            body = "\n\n".join(paras)
        else:
            body = "\n\n".join("{} <em>{}</em>\n{}".format(sentence(rng, 25), rng.choice(WORDS), sentence(rng, 10))
                               for _ in range(4))
        w("<item>\n<title>{}</title>\n<link>https://old.example/{:04d}/{:02d}/{:02d}/{}/</link>\n".format(
            escape(title), y, m, d, slug))
        w("<pubDate>Mon, 01 Jan 2018 00:00:00 +0000</pubDate>\n<dc:creator>{}</dc:creator>\n".format(cdata("owner")))
        w('<guid isPermaLink="false">https://old.example/?p={}</guid>\n<description></description>\n'.format(pid))
        w("<content:encoded>{}</content:encoded>\n<excerpt:encoded>{}</excerpt:encoded>\n".format(cdata(body), cdata("")))
        w("<wp:post_id>{}</wp:post_id>\n<wp:post_date>{}</wp:post_date>\n<wp:post_date_gmt>{}</wp:post_date_gmt>\n".format(
            pid, cdata(date), cdata(date)))
        w("<wp:post_modified>{0}</wp:post_modified>\n<wp:post_modified_gmt>{0}</wp:post_modified_gmt>\n".format(cdata(date)))
        w("<wp:comment_status>{}</wp:comment_status>\n<wp:ping_status>open</wp:ping_status>\n".format(
            cdata("open" if p % 9 else "closed")))
        w("<wp:post_name>{}</wp:post_name>\n<wp:status>publish</wp:status>\n<wp:post_parent>0</wp:post_parent>\n"
          "<wp:menu_order>0</wp:menu_order>\n<wp:post_type>post</wp:post_type>\n<wp:post_password></wp:post_password>\n"
          "<wp:is_sticky>0</wp:is_sticky>\n".format(cdata(slug)))
        w('<category domain="category" nicename="{0}">{1}</category>\n'.format(
            "topic-{}".format(p % 20), cdata("Topic {}".format(p % 20))))
        for t in {p % 50, p % 7 + 100}:
            w('<category domain="post_tag" nicename="tag-{0}">{1}</category>\n'.format(t, cdata("tag {}".format(t))))
        ids = []
        for k in range(per_post[p]):
            cid += 1
            parent = 0
            depth_ok = [c for c in ids[-6:]]
            if ids and k % 3 == 2:
                parent = rng.choice(depth_ok)
            owner = parent and k % 10 == 5
            # the global index, so every post size (10 a post in the benchmark)
            # gets its share of pingbacks, spam and held comments
            pingback = cid % 40 == 37 and not parent
            approved = "spam" if cid % 50 == 17 else ("0" if cid % 25 == 11 else "1")
            name = "The Owner" if owner else "Reader {}".format(rng.randrange(5000))
            email = "owner@old.example" if owner else "r{}@mail.example".format(rng.randrange(5000))
            url = "https://blog{}.example/post/{}".format(rng.randrange(500), cid) if pingback else (
                "https://r{}.example/".format(rng.randrange(5000)) if k % 4 == 0 else "")
            text = ("[&#8230;] {} [&#8230;]".format(sentence(rng, 12)) if pingback else
                    "{}\n\n{} <a href=\"https://example.org/{}\">see</a>".format(sentence(rng, 20), sentence(rng, 8), cid))
            cdate = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(y, m, d, (p + k) % 24, k % 60, cid % 60)
            w("<wp:comment>\n<wp:comment_id>{}</wp:comment_id>\n<wp:comment_author>{}</wp:comment_author>\n".format(cid, cdata(name)))
            w("<wp:comment_author_email>{}</wp:comment_author_email>\n<wp:comment_author_url>{}</wp:comment_author_url>\n".format(
                cdata(email), url))
            w("<wp:comment_author_IP>{}</wp:comment_author_IP>\n<wp:comment_date>{}</wp:comment_date>\n<wp:comment_date_gmt>{}</wp:comment_date_gmt>\n".format(
                cdata("192.0.2.{}".format(cid % 250)), cdata(cdate), cdata(cdate)))
            w("<wp:comment_content>{}</wp:comment_content>\n<wp:comment_approved>{}</wp:comment_approved>\n".format(
                cdata(text), cdata(approved)))
            w("<wp:comment_type>{}</wp:comment_type>\n<wp:comment_parent>{}</wp:comment_parent>\n<wp:comment_user_id>{}</wp:comment_user_id>\n</wp:comment>\n".format(
                cdata("pingback" if pingback else "comment"), parent, 1 if owner else 0))
            if approved == "1":
                ids.append(cid)
        w("</item>\n")
    w("</channel>\n</rss>\n")


if __name__ == "__main__":
    main()
