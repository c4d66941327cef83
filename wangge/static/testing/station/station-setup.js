// Takes the device token the setup page hands over once, keeps it in IndexedDB (where the
// station reads it) and opens the station. The token never goes into a URL or a cookie.
(function () {
  "use strict";

  const holder = document.getElementById("station-handover");
  if (!holder || !holder.dataset.token) return;
  const token = holder.dataset.token;
  delete holder.dataset.token;
  const db = window.WanggeStation.db;

  if ("serviceWorker" in navigator && window.isSecureContext) {
    // Start caching the shell now, so the station opens even if the network drops next.
    navigator.serviceWorker.register(holder.dataset.sw, { scope: holder.dataset.app }).catch(() => {});
  }

  // The point or team chosen at setup; none chosen, the station takes its area's.
  const place = holder.dataset.place ? Number(holder.dataset.place) : null;
  const door = holder.dataset.mode === "door";
  const settings = {
    round_id: holder.dataset.round ? Number(holder.dataset.round) : null,
    mode: door ? "door" : "point",
    point_id: door ? null : place,
    team_id: door ? place : null,
  };

  db.write(["meta"], (s) => {
    s.meta.put(token, "token");
    s.meta.put(settings, "settings");
    // A new token comes with its own roster key: the roster is downloaded again.
    s.meta.put(true, "reset");
    s.meta.delete("device");
  })
    .then(() => window.location.replace(holder.dataset.app))
    .catch(() => {
      document.getElementById("station-handover-error").hidden = false;
    });
})();
