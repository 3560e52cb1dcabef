// Causerie: turn absolute dates into relative ones ("3 years ago") in the
// page's language, so static pages never go stale. The absolute date stays
// in the title attribute and in <time datetime>.
(function () {
  "use strict";
  if (!("RelativeTimeFormat" in Intl)) return;
  var lang = document.documentElement.lang || "en";
  var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  function relative(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1] || units[i][0] === "minute") {
        return rtf.format(Math.round(seconds / units[i][1]), units[i][0]);
      }
    }
  }
  function update() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var t = times[i];
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) continue;
      if (!t.title) t.title = t.textContent;
      t.textContent = relative(d);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
})();
