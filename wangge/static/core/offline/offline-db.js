// The offline layer's storage in IndexedDB, shared by every device shell: one database per
// shell, with a `meta` store (key → value: the device token, the device, settings) and a
// `queue` store (what waits to upload, by client id, indexed by state). Each shell names its
// database, its version and what its own upgrade adds (the station's roster and tubes).
(function () {
  "use strict";

  const offline = (window.WanggeOffline = window.WanggeOffline || {});

  // The states of a queued item: waiting to upload, answered (accepted or a duplicate),
  // refused by the server (shown until the operator dismisses it), dismissed.
  const STATE = { PENDING: "pending", DONE: "done", REJECTED: "rejected", DISMISSED: "dismissed" };

  // The stores every shell has; `queueIndexes` adds the shell's own indexes on the queue.
  function ensureBaseStores(db, queueIndexes) {
    if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
    if (!db.objectStoreNames.contains("queue")) {
      const queue = db.createObjectStore("queue", { keyPath: "client_id" });
      // client ids are UUIDv7: in state order, then in the order they were made.
      queue.createIndex("state", ["state", "client_id"], { unique: false });
      for (const [name, keyPath] of queueIndexes || []) {
        queue.createIndex(name, keyPath, { unique: false });
      }
    }
  }

  function promised(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function stateRange(state) {
    return IDBKeyRange.bound([state, ""], [state, "\uffff"]);
  }

  // A shell's database: `upgrade(db, oldVersion, tx)` creates its stores.
  function database(name, version, upgrade) {
    let opening = null;

    function open() {
      if (!opening) {
        opening = new Promise((resolve, reject) => {
          const request = window.indexedDB.open(name, version);
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

    // Run `work(stores)` in one transaction and resolve once it has committed, so that an
    // item and what goes with it are stored together or not at all.
    async function write(names, work) {
      const db = await open();
      return new Promise((resolve, reject) => {
        const tx = db.transaction(names, "readwrite");
        const stores = {};
        for (const store of names) stores[store] = tx.objectStore(store);
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

    async function read(store, fn) {
      const db = await open();
      return promised(fn(db.transaction(store, "readonly").objectStore(store)));
    }

    return {
      name,
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
      // The `count` items last made (client ids are UUIDv7: the newest sort last).
      latest: async (store, count) => {
        const db = await open();
        return new Promise((resolve, reject) => {
          const found = [];
          const request = db.transaction(store, "readonly").objectStore(store).openCursor(null, "prev");
          request.onsuccess = () => {
            const cursor = request.result;
            if (!cursor || found.length >= count) {
              resolve(found);
              return;
            }
            found.push(cursor.value);
            cursor.continue();
          };
          request.onerror = () => reject(request.error);
        });
      },
      inState: (state, count) => read("queue", (s) => s.index("state").getAll(stateRange(state), count)),
      countState: (state) => read("queue", (s) => s.index("state").count(stateRange(state))),
    };
  }

  Object.assign(offline, { STATE, database, ensureBaseStores });
})();
