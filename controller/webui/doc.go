// Package webui is the controller's own web UI under /ui/: login, overview,
// incidents, lines, customers, maintenance windows, agents and
// notifications, in English and Chinese (zh-CN), served from the controller
// binary with nothing else installed.
//
// Why server-rendered html/template with a little static JavaScript, and
// not a prebuilt single-page application: the pages are state and lists
// (what is down, who is affected, who acknowledged), which a server renders
// in one round trip, fast on a slow laptop and on a NOC wall screen; there
// is no build step, no node toolchain, nothing to keep reproducible, and
// every page works with JavaScript off except the live refresh and the
// places map (its sites and cells are in tables below it too). The
// JavaScript (static/app.js) only refreshes the overview by polling a
// fragment, records the browser's time zone and fills the demo's login
// link; static/map.js draws the places map with Leaflet (vendored as its
// npm package's prebuilt files, static/leaflet/), on the tiles of ui.tiles
// or, by default, on a plain background with nothing fetched from another
// host. The Content-Security-Policy allows no inline script or style, and
// images only from the controller and the configured tile server.
//
// Why the UI reads through the API: every page is built from the very
// /api/v1 handler the controller serves (the same read models, the same
// token check, the same account-manager scope), called in process with
// the session's token (apicall.go). The UI holds no query of its own, so it
// cannot show what the API would refuse: another manager's customer is the
// API's 404, shown as the UI's 404 page.
//
// Sessions are kept in the controller's database (session.go, migration
// 0065), so a restart logs nobody out: the cookie holds a random id
// (HttpOnly, Secure, SameSite=Strict), the database its SHA-256 and the
// stored hash of the API token, never the token; pages call the API as
// that token (apiauth.WithTokenHash), and revoking it deletes its sessions.
// Every form carries the session's CSRF token (derived from the id),
// checked before the API is called.
package webui
