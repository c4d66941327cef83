// The station's database (the generic one of wangge/static/core/offline/offline-db.js):
// the device token and settings, the roster, the upload queue, the tubes, the codes sampled.
(function () {
  "use strict";

  const station = (window.WanggeStation = window.WanggeStation || {});
  const offline = window.WanggeOffline;
  // 2: the roster lost its `id_key` (a keyed hash of each ID number) and its index.
  const VERSION = 2;

  // meta      key → value: token, device, cursors, settings, current tube
  // roster    a resident as the roster API gives it, by code
  // queue     registrations, home visits and tube seals waiting to upload, by client id
  // tubes     the tubes this station opened, by barcode
  // sampled   [round_id, code]: people already sampled in a round (flag a repeat offline)
  function upgrade(db, oldVersion, tx) {
    if (!db.objectStoreNames.contains("roster")) {
      db.createObjectStore("roster", { keyPath: "code" });
    } else if (oldVersion < 2) {
      // A roster of version 1 holds each person's id_key and the device its key: both go,
      // and the station downloads its roster again from the start.
      const roster = tx.objectStore("roster");
      if (roster.indexNames.contains("id_key")) roster.deleteIndex("id_key");
      roster.clear();
      const meta = tx.objectStore("meta");
      meta.delete("device");
      meta.put(true, "reset");
    }
    offline.ensureBaseStores(db, [["tube", "tube"]]);
    if (!db.objectStoreNames.contains("tubes")) db.createObjectStore("tubes", { keyPath: "barcode" });
    if (!db.objectStoreNames.contains("sampled")) {
      db.createObjectStore("sampled", { keyPath: ["round_id", "code"] });
    }
  }

  const db = offline.database("wangge-station", VERSION, upgrade);
  db.sampledCodes = async (roundId) => {
    const handle = await db.open();
    return new Promise((resolve, reject) => {
      const request = handle
        .transaction("sampled", "readonly")
        .objectStore("sampled")
        .getAllKeys(IDBKeyRange.bound([roundId, ""], [roundId, "\uffff"]));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  };
  station.db = db;
})();
