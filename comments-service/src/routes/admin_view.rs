//! The `/admin` list, rendered with `maud` (every value escaped unless marked
//! as already-clean HTML: only the stored, sanitized comment bodies are).

use maud::{Markup, PreEscaped, html};

use crate::store::admin::AdminRow;
use crate::words::admin::{Admin, TABS};

/// What the list shows.
pub struct View<'a> {
    pub rows: &'a [AdminRow],
    /// The status tab (`pending`, …, `all`).
    pub status: &'a str,
    pub page: Option<&'a str>,
    pub search: Option<&'a str>,
    pub done: Option<usize>,
    pub csrf: &'a str,
    pub site: &'a url::Url,
    /// The reply just posted from this page.
    pub replied: Option<i64>,
    /// The name the owner's replies are signed with (prefilled).
    pub owner_name: &'a str,
    /// The owner's words, in the site's language.
    pub w: &'static Admin,
    /// The mark of a signed-in (verified) comment, in the site's language.
    pub verified: &'static str,
}

/// `/admin?…` keeping the page and search filters.
pub fn admin_url(status: &str, page: Option<&str>, search: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("status", status);
    if let Some(p) = page {
        q.append_pair("page", p);
    }
    if let Some(s) = search {
        q.append_pair("q", s);
    }
    format!("/admin?{}", q.finish())
}

fn row(v: &View, r: &AdminRow) -> Markup {
    let it = &r.item;
    let c = &it.comment;
    let link = v
        .site
        .join(&c.page)
        .map(|u| u.to_string())
        .unwrap_or_default();
    let pick = format!("pick-{}", c.id);
    let w = v.w;
    html! {
        tr id={ "row-" (c.id) } {
            td { input type="checkbox" name="id" value=(c.id) id=(pick) aria-label={ (w.select) " " (c.id) }; }
            td {
                label for=(pick) { "#" (c.id) } br;
                span.status { (w.status(it.status.as_str())) } br;
                span.muted { (w.kind(c.kind.as_str())) }
                @if let Some(reason) = r.held_reason.as_deref().filter(|_| it.status.as_str() == "pending") {
                    br; span.reason { (w.held) " " (w.reason(reason)) }
                }
            }
            td {
                @match &c.website {
                    Some(site) => a href=(site) rel="nofollow noopener" { (c.author) },
                    None => (c.author),
                }
                @if c.verified { " " span.verified title=(v.verified) { "✓ " (v.verified) } }
                @if let Some(e) = &it.email { br; span.muted { (e) } }
                @if let Some(a) = &it.client_addr { br; span.muted { (a) } }
                @if let Some(s) = &c.source { br; span.muted { (w.via) " " a href=(s) rel="nofollow noopener" { (s) } } }
            }
            td {
                a href=(link) { (c.page) } br;
                span.muted { (c.created) }
                @if let Some(p) = c.parent {
                    br; span.reply-to {
                        (w.reply_to) " " a href={ "#row-" (p) } { "#" (p) }
                        @if let Some(who) = &r.parent_author { " " (w.by) " " (who) }
                    }
                }
            }
            td.body {
                (PreEscaped(&c.body_html))
                (reply_fields(v, c.id))
            }
        }
    }
}

/// The reply box of a row; its inputs belong to the row's own form
/// (`form="reply-ID"`), written after the bulk form since forms do not nest.
fn reply_fields(v: &View, id: i64) -> Markup {
    let f = format!("reply-{id}");
    html! {
        details.reply {
            summary { (v.w.reply_as_author) }
            label for={ (f) "-author" } { (v.w.your_name) }
            input type="text" id={ (f) "-author" } name="author" form=(f) required value=(v.owner_name) autocomplete="name";
            label for={ (f) "-body" } { (v.w.reply_body) }
            textarea id={ (f) "-body" } name="body" form=(f) required rows="4" {}
            p { button type="submit" form=(f) { (v.w.publish_reply) } }
        }
    }
}

fn reply_form(v: &View, r: &AdminRow) -> Markup {
    let c = &r.item.comment;
    html! {
        form id={ "reply-" (c.id) } method="post" action="/admin/reply" hidden {
            input type="hidden" name="csrf" value=(v.csrf);
            input type="hidden" name="parent" value=(c.id);
            input type="hidden" name="page" value=(c.page);
            input type="hidden" name="status" value=(v.status);
            @if let Some(p) = v.page { input type="hidden" name="page_filter" value=(p); }
            @if let Some(s) = v.search { input type="hidden" name="q" value=(s); }
        }
    }
}

/// The `<main>` of the list.
pub fn render(v: &View) -> String {
    let w = v.w;
    let filter = html! {
        p #filter role="status" {
            (w.showing) " " strong { (w.status(v.status)) }
            @if let Some(p) = v.page { " " (w.on) " " strong { (p) } }
            @if let Some(s) = v.search { " " (w.matching) " " strong { "“" (s) "”" } }
        }
    };
    html! {
        main {
            h1 { (w.title) }
            nav {
                @for t in TABS {
                    @if t == v.status {
                        a href=(admin_url(t, v.page, v.search)) aria-current="page" { (w.status(t)) }
                    } @else {
                        a href=(admin_url(t, v.page, v.search)) { (w.status(t)) }
                    }
                }
            }
            form method="get" action="/admin" role="search" {
                input type="hidden" name="status" value=(v.status);
                label for="f-page" { (w.page) }
                input type="text" id="f-page" name="page" value=(v.page.unwrap_or("")) placeholder="/posts/…/";
                label for="f-q" { (w.search) }
                input type="text" id="f-q" name="q" value=(v.search.unwrap_or(""));
                p { button type="submit" { (w.filter) } " " a href=(admin_url(v.status, None, None)) { (w.clear) } }
            }
            (filter)
            @if let Some(n) = v.done { p.notice role="status" #done { (n) " " (w.changed) } }
            @if let Some(id) = v.replied { p.notice role="status" #replied { (w.your_reply) " #" (id) " " (w.is_published) } }
            form method="post" action="/admin" #moderate {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="status" value=(v.status);
                @if let Some(p) = v.page { input type="hidden" name="page" value=(p); }
                @if let Some(s) = v.search { input type="hidden" name="q" value=(s); }
                p {
                    (w.with_selected) " "
                    button name="action" value="approve" { (w.approve) }
                    button name="action" value="reject" { (w.reject) }
                    button name="action" value="spam" { (w.spam) }
                    button name="action" value="delete" { (w.delete) }
                }
                @if v.rows.is_empty() {
                    p #empty { (w.nothing) }
                } @else {
                    table {
                        thead { tr { th {} th { (w.col_id) } th { (w.col_author) } th { (w.col_page) } th { (w.col_comment) } } }
                        tbody { @for r in v.rows { (row(v, r)) } }
                    }
                }
            }
            @for r in v.rows { (reply_form(v, r)) }
            form method="post" action="/admin/logout" { button { (w.sign_out) } }
        }
    }
    .into_string()
}
