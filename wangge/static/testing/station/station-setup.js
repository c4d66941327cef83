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

  db.write(["meta"], (s) => {
    s.meta.put(token, "token");
    // A new token comes with its own roster key: the roster is downloaded again.
    s.meta.put(true, "reset");
    s.meta.delete("device");
  })
    .then(() => window.location.replace(holder.dataset.app))
    .catch(() => {
      document.getElementById("station-handover-error").hidden = false;
    });
})();
