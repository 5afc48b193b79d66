// Vantage UI: the only script. It records the browser's time zone (the
// server renders times in it), fills the login token from the demo's link
// fragment (#token=..., never sent to any server), and refreshes the
// overview's live block every 10 s.
(function () {
  "use strict";
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("vantage_tz=" + tz) < 0) {
      document.cookie = "vantage_tz=" + tz + "; path=/ui/; max-age=31536000; SameSite=Strict; Secure";
      if (document.getElementById("login") === null && tz !== "UTC") { location.reload(); return; }
    }
  } catch (e) { /* no Intl: times stay in UTC */ }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("login");
    var fromHash = function () {
      var m = /[#&]token=([^&]+)/.exec(location.hash);
      if (form && m) {
        document.getElementById("token").value = decodeURIComponent(m[1]);
        history.replaceState(null, "", location.pathname + location.search);
        form.submit();
      }
    };
    fromHash();
    // The same link opened on the login page changes only the fragment.
    window.addEventListener("hashchange", fromHash);
    var live = document.getElementById("live");
    if (live) {
      setInterval(function () {
        fetch(live.getAttribute("data-refresh"), { credentials: "same-origin", redirect: "error" })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
          .then(function (html) { live.innerHTML = html; })
          .catch(function () { live.setAttribute("data-stale", "1"); });
      }, 10000);
    }
  });
})();
