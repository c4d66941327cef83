// The station's storage in IndexedDB: the device token, the roster, the upload queue.
// Everything the station needs to go on working with no network lives here.
(function () {
  "use strict";

  const station = (window.WanggeStation = window.WanggeStation || {});
  const NAME = "wangge-station";
  // 2: the roster lost its `id_key` (a keyed hash of each ID number) and its index.
  const VERSION = 2;

  // meta      key → value: token, device, cursors, settings, current tube
  // roster    a resident as the roster API gives it, by code
  // queue     registrations, home visits and tube seals waiting to upload, by client id
  // tubes     the tubes this station opened, by barcode
  // sampled   [round_id, code]: people already sampled in a round (flag a repeat offline)
  function upgrade(db, oldVersion, tx) {
    if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
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
    if (!db.objectStoreNames.contains("queue")) {
      const queue = db.createObjectStore("queue", { keyPath: "client_id" });
      // client ids are UUIDv7: in state order, then in the order they were made.
      queue.createIndex("state", ["state", "client_id"], { unique: false });
      queue.createIndex("tube", "tube", { unique: false });
    }
    if (!db.objectStoreNames.contains("tubes")) db.createObjectStore("tubes", { keyPath: "barcode" });
    if (!db.objectStoreNames.contains("sampled")) {
      db.createObjectStore("sampled", { keyPath: ["round_id", "code"] });
    }
  }

  function promised(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  let opening = null;

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = window.indexedDB.open(NAME, VERSION);
        request.onupgradeneeded = (event) =>
          upgrade(request.result, event.oldVersion, request.transaction);
        request.onsuccess = () => {
          const db = request.result;
          // Another tab upgrading the schema: let it, this one reloads.
          db.onversionchange = () => {
            db.close();
            window.location.reload();
          };
          resolve(db);
        };
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
      });
    }
    return opening;
  }

  // Run `work(stores)` in one transaction and resolve once it has committed, so that a
  // registration and its tube's count are stored together or not at all.
  async function write(names, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(names, "readwrite");
      const stores = {};
      for (const name of names) stores[name] = tx.objectStore(name);
      let result;
      try {
        result = work(stores);
      } catch (error) {
        tx.abort();
        reject(error);
        return;
      }
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  }

  async function read(name, fn) {
    const db = await open();
    return promised(fn(db.transaction(name, "readonly").objectStore(name)));
  }

  const db = {
    open,
    write,
    get: (store, key) => read(store, (s) => s.get(key)),
    getAll: (store, query, count) => read(store, (s) => s.getAll(query, count)),
    count: (store, query) => read(store, (s) => s.count(query)),
    getMeta: (key) => read("meta", (s) => s.get(key)),
    setMeta: (key, value) => write(["meta"], (s) => s.meta.put(value, key)),
    deleteMeta: (key) => write(["meta"], (s) => s.meta.delete(key)),
    byIndex: (store, index, query, count) =>
      read(store, (s) => s.index(index).getAll(query, count)),
    countIndex: (store, index, query) => read(store, (s) => s.index(index).count(query)),
    inState: (state, count) =>
      read("queue", (s) =>
        s.index("state").getAll(IDBKeyRange.bound([state, ""], [state, "\uffff"]), count),
      ),
    countState: (state) =>
      read("queue", (s) =>
        s.index("state").count(IDBKeyRange.bound([state, ""], [state, "\uffff"])),
      ),
    sampledCodes: (roundId) =>
      read("sampled", (s) =>
        s.getAllKeys(IDBKeyRange.bound([roundId, ""], [roundId, "\uffff"])),
      ),
  };

  station.db = db;
})();
