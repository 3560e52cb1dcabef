/* causerie embed.js: comments for static pages (docs/conversation.md, docs/sign-in.md).
   No framework; edit tokens and the commenter token live in localStorage. New comments are
   posted with credentials so that the owner, signed in to /admin, posts as the author, and a
   signed-in reader (GET /api/me) posts as themselves with the session's CSRF token. */
(function () {
  "use strict";
  var me = document.currentScript;
  var api = me ? me.src.replace(/\/embed\.js([?#].*)?$/, "") : "";
  var S = {
    title: "Comments", none: "No comments yet.", reply: "Reply", send: "Send", sending: "Sending…",
    edit: "Edit", delete: "Delete", save: "Save", cancel: "Cancel",
    published: "Thanks, your comment is published.", held: "Thanks, your comment is awaiting moderation.",
    error: "Your comment was not sent:", load_error: "The comments could not be loaded.",
    closed: "Comments are closed.", confirm_delete: "Delete this comment?", replying: "Replying to",
    name: "Name", email: "E-mail (optional, never shown)", website: "Website (optional)",
    comment: "Comment", honeypot: "Leave this empty", pending: "Awaiting moderation",
    like: "liked this", repost: "reposted this", bookmark: "bookmarked this", mention: "mentioned this",
    owner: "author", signed_in_as: "Signed in as {name}", signed_in: "Signed in", sign_out: "Sign out", verified: "verified"
  };
  var KEY = "causerie:token:";
  /* The signed-in reader ({name, url, verified_by, csrf}) or null: anonymous. */
  var session = null;

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "html") e.innerHTML = attrs[k]; /* only sanitized body_html */
      else if (attrs[k] != null) e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function safeUrl(u) { return /^https?:\/\//i.test(u || "") ? u : null; }
  function saved(id) {
    try { var t = JSON.parse(localStorage.getItem(KEY + id)); return t && t.until > Date.now() ? t : null; }
    catch (e) { return null; }
  }
  function remember(id, v) { try { localStorage.setItem(KEY + id, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  function forget(id) { try { localStorage.removeItem(KEY + id); } catch (e) { /* ignore */ } }
  /* Held comments of this browser, [{id, token, page}]: shown to their author after a reload. */
  function heldList() { try { return JSON.parse(localStorage.getItem(KEY + "held")) || []; } catch (e) { return []; } }
  function heldSave(l) { try { localStorage.setItem(KEY + "held", JSON.stringify(l.slice(-50))); } catch (e) { /* private mode */ } }
  function heldDrop(id) { heldSave(heldList().filter(function (h) { return h.id !== id; })); }
  function call(method, path, body, token, key, creds) {
    var h = { Accept: "application/json" };
    if (body) h["Content-Type"] = "application/json";
    if (token) h.Authorization = "Bearer " + token;
    if (key) h["Idempotency-Key"] = key;
    if (creds === "include" && session && session.csrf) h["X-CSRF-Token"] = session.csrf;
    return fetch(api + path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined, credentials: creds || "omit" })
      .then(function (r) {
        if (r.status === 204) return { ok: true, status: 204, data: {} };
        return r.json().catch(function () { return {}; }).then(function (d) { return { ok: r.ok, status: r.status, data: d }; });
      });
  }

  /* One key per submission, kept until the service answers it: a retry after a
     timeout or a dropped connection (ours, or the reader's second click) sends
     the same key, so the service stores the comment once. */
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function postOnce(data, key, tries) {
    var again = function () {
      return new Promise(function (ok) { setTimeout(ok, 1000); }).then(function () { return postOnce(data, key, tries - 1); });
    };
    return call("POST", "/api/comments", data, null, key, "include").then(function (r) {
      return r.status >= 500 && tries > 0 ? again() : r;
    }, function (e) {
      if (tries > 0) return again();
      throw e;
    });
  }

  /* Index pages: <span data-causerie-count="/posts/x/">3</span> gets the live count. */
  function counts() {
    var els = document.querySelectorAll("[data-causerie-count]");
    if (!els.length) return;
    var q = Array.prototype.map.call(els, function (e) { return "page=" + encodeURIComponent(e.getAttribute("data-causerie-count")); });
    fetch(api + "/api/counts?" + q.slice(0, 200).join("&"), { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        Array.prototype.forEach.call(els, function (e) {
          var n = d.counts && d.counts[e.getAttribute("data-causerie-count")];
          if (typeof n === "number") e.textContent = String(n);
        });
      }, function () { /* keep the baked numbers */ });
  }

  /* Who is signed in, when the service offers sign-in. Any failure (a service on another
     site, whose cookie the browser blocks; a network error) is "nobody": the anonymous form. */
  function whoami(then) {
    if (!S.sign_in || !S.sign_in.methods) return then(null);
    fetch(api + "/api/me", { credentials: "include", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { then(d && d.csrf ? d : null); }, function () { then(null); });
  }

  function start() {
    counts();
    var root = document.getElementById("comments");
    if (!root || root.getAttribute("data-causerie-ready")) return;
    root.setAttribute("data-causerie-ready", "1");
    var sj = document.getElementById("causerie-strings");
    if (sj) { try { var o = JSON.parse(sj.textContent); for (var k in o) if (o[k]) S[k] = o[k]; } catch (e) { /* keep defaults */ } }
    whoami(function (who) { session = who; run(root); });
  }

  function run(root) {
    var page = root.getAttribute("data-causerie-page") || location.pathname;
    var closed = root.getAttribute("data-causerie-closed") === "true";
    /* a closed post with nothing to show says only "Comments are closed." */
    if (closed && root.querySelector(".comments-closed") && !root.querySelector(".comment-list")) return;
    var lang = document.documentElement.lang || undefined;
    var list = root.querySelector(".comment-list"), bare = !list;
    if (bare) {
      if (!root.querySelector("h2")) root.appendChild(el("h2", { id: "comments-title", text: S.title }));
      list = root.appendChild(el("ol", { "class": "comment-list" }));
    }
    var status = root.appendChild(el("p", { "class": "causerie-status", role: "status", "aria-live": "polite" }));
    var required = !!(S.sign_in && S.sign_in.required);
    var form = root.querySelector("#comment-form") || (closed || (required && !session) ? null : buildForm());
    if (session && form) signedIn();
    if (bare && closed) list.appendChild(el("li", { "class": "comment-none", text: S.closed }));

    function when(iso) {
      var d = new Date(iso);
      return el("time", { "class": "dt-published", datetime: iso,
        text: isNaN(d) ? iso : d.toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric" }) });
    }
    /* The theme's letter avatar: the same colour the generator picks (FNV-1a of the name, 8 colours). */
    function avatar(name) {
      var h = 2166136261, b = new TextEncoder().encode(name || "");
      for (var i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 16777619) >>> 0;
      var m = (name || "").match(/[\p{L}\p{N}]/u);
      return el("span", { "class": "avatar avatar-" + (h % 8), "aria-hidden": "true", text: m ? m[0].toUpperCase() : "?" });
    }
    function render(c) {
      var site = safeUrl(c.website);
      var who = el(site ? "a" : "span", { "class": "p-author h-card comment-author", dir: "auto", href: site, rel: site ? "nofollow ugc noopener" : null, text: c.author });
      var meta = el("header", { "class": "comment-meta" }, [avatar(c.author), document.createTextNode(" "), who]);
      if (c.is_owner) meta.appendChild(el("span", { "class": "comment-owner", text: " (" + S.owner + ")" }));
      if (c.verified) meta.appendChild(el("span", { "class": "comment-verified" }, [document.createTextNode(" "),
        el("span", { "aria-hidden": "true", text: "✓" }), document.createTextNode(" " + S.verified)]));
      meta.appendChild(document.createTextNode(" "));
      var link = safeUrl(c.url) || safeUrl(c.source);
      var t = when(c.created);
      meta.appendChild(link ? el("a", { "class": "u-url", href: link, rel: "nofollow ugc noopener" }, [t]) : t);
      var li = el("li", { "class": "comment p-comment h-entry comment-" + c.kind, id: "comment-" + c.id, "data-comment-id": String(c.id) });
      var art = el("article", {}, [meta]);
      if (c.kind === "like" || c.kind === "repost" || c.kind === "bookmark") {
        meta.insertBefore(document.createTextNode(" " + S[c.kind] + " "), t.parentNode === meta ? t : meta.lastChild);
      } else {
        if (c.kind === "mention" && !c.body_html) art.appendChild(el("p", { text: S.mention }));
        art.appendChild(el("div", { "class": "comment-body e-content", html: c.body_html }));
      }
      li.appendChild(art);
      return li;
    }
    function repliesOf(li) {
      var r = li.querySelector(":scope > .comment-replies");
      return r || li.appendChild(el("ol", { "class": "comment-replies" }));
    }
    /* The theme's heading ("No comments yet", "2 thoughts on …") follows live additions. */
    var added = 0, title = root.querySelector("#comments-title");
    function recount() {
      var h = S.headings && S.headings[++added];
      if (title && h) title.textContent = h;
    }
    function place(c) {
      if (document.getElementById("comment-" + c.id)) return;
      if (c.kind !== "like" && c.kind !== "repost" && c.kind !== "bookmark") recount();
      var li = render(c);
      var parent = c.parent && document.getElementById("comment-" + c.parent);
      (parent ? repliesOf(parent) : list).appendChild(li);
      var none = list.querySelector(".comment-none");
      if (none) none.remove();
      decorate(li);
    }
    function pending(id) {
      var li = document.getElementById("comment-" + id), meta = li && li.querySelector(".comment-meta");
      if (meta && !meta.querySelector(".comment-pending")) meta.appendChild(el("em", { "class": "comment-pending", text: " " + S.pending }));
    }
    /* This browser's held comments on this page, read back with their edit tokens. */
    function showHeld() {
      heldList().forEach(function (h) {
        if (h.page !== page) return;
        call("GET", "/api/comments/" + h.id, null, h.token).then(function (r) {
          if (r.ok && r.data.comment) {
            place(r.data.comment);
            if (r.data.status === "held") pending(h.id); else heldDrop(h.id);
          } else if (r.status === 404 || r.status === 403) heldDrop(h.id);
        }, function () { /* offline: try next time */ });
      });
    }
    function walk(cs) { cs.forEach(function (c) { place(c); walk(c.replies || []); }); }

    function decorate(li) {
      if (li.getAttribute("data-causerie-done")) return;
      li.setAttribute("data-causerie-done", "1");
      var id = li.getAttribute("data-comment-id");
      var art = li.querySelector(":scope > article") || li;
      var bar = el("div", { "class": "comment-actions" });
      if (form && !closed && !/comment-(like|repost|bookmark)\b/.test(li.className)) {
        var rb = el("button", { type: "button", "class": "comment-reply", text: S.reply });
        rb.addEventListener("click", function () { replyTo(li, id); });
        bar.appendChild(rb);
      }
      var mine = saved(id);
      if (mine) {
        var eb = el("button", { type: "button", "class": "comment-edit", text: S.edit });
        var db = el("button", { type: "button", "class": "comment-delete", text: S.delete });
        eb.addEventListener("click", function () { edit(li, id, mine); });
        db.addEventListener("click", function () {
          if (!confirm(S.confirm_delete)) return;
          call("DELETE", "/api/comments/" + id, null, mine.token).then(function (r) {
            if (r.ok) { forget(id); li.remove(); } else say(errText(r), true);
          }, function () { say(S.error, true); });
        });
        bar.appendChild(eb); bar.appendChild(db);
      }
      if (bar.firstChild) art.appendChild(bar);
    }
    function edit(li, id, mine) {
      var body = li.querySelector(".comment-body");
      if (!body || li.querySelector(".comment-editor")) return;
      var ta = el("textarea", { "class": "comment-editor", "aria-label": S.comment, rows: "5" });
      ta.value = mine.body || body.textContent;
      var save = el("button", { type: "button", text: S.save });
      var cancel = el("button", { type: "button", text: S.cancel });
      var box = el("div", { "class": "comment-edit-box" }, [ta, save, cancel]);
      body.hidden = true;
      body.parentNode.insertBefore(box, body.nextSibling);
      ta.focus();
      cancel.addEventListener("click", function () { box.remove(); body.hidden = false; });
      save.addEventListener("click", function () {
        save.disabled = true;
        call("PUT", "/api/comments/" + id, { body: ta.value }, mine.token).then(function (r) {
          save.disabled = false;
          if (!r.ok) return say(errText(r), true);
          body.innerHTML = r.data.comment.body_html;
          mine.body = ta.value; remember(id, mine);
          box.remove(); body.hidden = false;
        }, function () { save.disabled = false; say(S.error, true); });
      });
    }
    function say(text, bad) {
      /* next to the form, wherever it is (under a comment when replying) */
      if (form && form.parentNode) form.parentNode.insertBefore(status, form.nextSibling);
      status.textContent = text;
      status.className = "causerie-status" + (bad ? " causerie-error" : "");
      status.setAttribute("role", bad ? "alert" : "status");
    }
    function errText(r) {
      var e = r.data && r.data.error;
      return S.error + " " + (e && e.message ? e.message : "HTTP " + r.status);
    }

    var home = form && form.parentNode, homeNext = form && form.nextSibling, note;
    function replyTo(li, id) {
      var target = form.elements.parent;
      /* A baked form may list reply targets in a <select>: add a comment that arrived live. */
      if (target.tagName === "SELECT" && !target.querySelector('option[value="' + id + '"]')) {
        var who0 = li.querySelector(".comment-author, .p-author");
        target.appendChild(el("option", { value: id, text: "#" + id + (who0 ? " (" + who0.textContent + ")" : "") }));
      }
      target.value = id;
      var art = li.querySelector(":scope > article") || li;
      art.parentNode.insertBefore(form, art.nextSibling);
      if (note) note.remove();
      var who = li.querySelector(".comment-author, .p-author");
      var cancel = el("button", { type: "button", "class": "comment-cancel", text: S.cancel });
      note = el("p", { "class": "comment-replying" }, [document.createTextNode(S.replying + " " + (who ? who.textContent : "") + " "), cancel]);
      form.insertBefore(note, form.firstChild);
      cancel.addEventListener("click", unreply);
      var b = form.elements.body;
      if (b) b.focus();
    }
    function unreply() {
      if (note) { note.remove(); note = null; }
      form.elements.parent.value = "";
      home.insertBefore(form, homeNext);
    }

    function field(name, label, tag, type, req, auto) {
      var a = { id: "causerie-" + name, name: name };
      if (type) a.type = type;
      if (req) a.required = "";
      if (auto) a.autocomplete = auto;
      return el("p", {}, [el("label", { "for": a.id, text: label }), el(tag, a)]);
    }
    /* Signed in: the identity replaces name, e-mail and website; the sign-in choices go. */
    function signedIn() {
      /* an e-mail sign-in without a name still signs with the form's name */
      (session.name ? ["author", "email", "website", "homepage"] : ["email", "website", "homepage"]).forEach(function (n) {
        var x = form.elements[n], p = x && x.closest("p");
        if (x) { x.disabled = true; x.required = false; }
        if (p) p.hidden = true;
      });
      Array.prototype.forEach.call(root.querySelectorAll(".sign-in, .sign-in-optional"), function (x) { x.hidden = true; });
      var out = el("button", { type: "button", "class": "causerie-sign-out", text: S.sign_out });
      out.addEventListener("click", function () {
        out.disabled = true;
        call("POST", "/auth/sign-out", null, null, null, "include").then(function () { location.reload(); }, function () { out.disabled = false; say(S.error, true); });
      });
      var who = el("p", { "class": "causerie-me" }, [
        document.createTextNode((session.name ? S.signed_in_as.replace("{name}", session.name) : S.signed_in) + " · "), out]);
      var h = form.querySelector("h3");
      form.insertBefore(who, h ? h.nextSibling : form.firstChild);
    }
    function buildForm() {
      var anon = session ? (session.name ? [] : [field("author", S.name, "input", "text", true, "name")]) : [
        field("author", S.name, "input", "text", true, "name"),
        field("email", S.email, "input", "email", false, "email"),
        field("website", S.website, "input", "url", false, "url"),
        el("p", { "class": "comment-hp", "aria-hidden": "true", style: "position:absolute;left:-9999px" }, [
          el("label", { "for": "causerie-homepage", text: S.honeypot }),
          el("input", { id: "causerie-homepage", name: "homepage", type: "text", tabindex: "-1", autocomplete: "off" })])];
      var f = el("form", { id: "comment-form", "class": "comment-form", method: "post", action: api + "/api/comments" }, [
        el("input", { type: "hidden", name: "page", value: page }),
        el("input", { type: "hidden", name: "parent", value: "" })].concat(anon, [
        field("body", S.comment, "textarea", null, true),
        el("p", {}, [el("button", { type: "submit", text: S.send })])
      ]));
      var box = root.querySelector(".sign-in");
      return box ? root.insertBefore(f, box) : root.appendChild(f);
    }

    function clearErrors() {
      Array.prototype.forEach.call(form.querySelectorAll(".comment-field-error"), function (x) { x.remove(); });
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (x) { x.removeAttribute("aria-invalid"); x.removeAttribute("aria-describedby"); });
    }
    if (form) {
      if (!form.elements.started) form.appendChild(el("input", { type: "hidden", name: "started", value: String(Date.now()) }));
      if (!form.elements.parent) form.appendChild(el("input", { type: "hidden", name: "parent", value: "" }));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        clearErrors();
        var data = {};
        Array.prototype.forEach.call(form.elements, function (x) {
          if (x.name && !x.disabled && !((x.type === "checkbox" || x.type === "radio") && !x.checked)) data[x.name] = x.value;
        });
        if (!data.page) data.page = page;
        // the signed commenter token of an earlier comment: first-time trust
        try { var who = localStorage.getItem(KEY + "commenter"); if (who) data.commenter = who; } catch (e) { /* private mode */ }
        var btn = form.querySelector("[type=submit]"), label = btn && btn.textContent;
        if (btn) { btn.disabled = true; btn.textContent = S.sending; }
        var done = function () { if (btn) { btn.disabled = false; btn.textContent = label; } };
        var key = form.getAttribute("data-idempotency-key") || newKey();
        form.setAttribute("data-idempotency-key", key);
        postOnce(data, key, 2).then(function (r) {
          done();
          if (r.status < 500) form.removeAttribute("data-idempotency-key");
          if (!r.ok) {
            var e = r.data && r.data.error, input = e && e.field && form.elements[e.field];
            if (input && input.type !== "hidden") {
              var m = el("span", { "class": "comment-field-error", id: "causerie-err-" + e.field, role: "alert", text: e.message });
              input.setAttribute("aria-invalid", "true");
              input.setAttribute("aria-describedby", m.id);
              input.parentNode.appendChild(m);
              input.focus();
            }
            return say(errText(r), true);
          }
          var d = r.data;
          if (d.id) remember(d.id, { token: d.token, until: Date.parse(d.edit_until) || Date.now() + 9e5, body: data.body });
          if (d.commenter) { try { localStorage.setItem(KEY + "commenter", d.commenter); } catch (e) { /* private mode */ } }
          if (d.comment) {
            place(d.comment);
            if (d.status !== "published") {
              pending(d.id);
              heldSave(heldList().concat([{ id: d.id, token: d.token, page: page }]));
            }
          }
          form.elements.body.value = "";
          if (note) unreply();
          say(d.status === "published" ? S.published : S.held);
        }, function () { done(); say(S.error, true); });
      });
    }

    Array.prototype.forEach.call(root.querySelectorAll("li.comment"), decorate);
    fetch(api + "/api/comments?page=" + encodeURIComponent(page), { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (d) {
        walk(d.comments || []);
        showHeld();
        if (bare && !list.querySelector(".comment") && !list.querySelector(".comment-none")) list.appendChild(el("li", { "class": "comment-none", text: S.none }));
      }, function () { if (!list.querySelector(".comment")) say(S.load_error, true); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
