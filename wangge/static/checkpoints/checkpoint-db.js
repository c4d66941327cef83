// The checkpoint device's database (the generic one of wangge/static/core/offline/): the
// device token, the device and its checkpoints, the settings, and the upload queue. It holds
// no roster: nobody's number is on the device but those the officer typed, until answered.
(function () {
  "use strict";

  const checkpoint = (window.WanggeCheckpoint = window.WanggeCheckpoint || {});
  const offline = window.WanggeOffline;

  // meta   key → value: token, device (the API's `me`: label, area, checkpoints), settings
  // queue  entries waiting to upload or answered, by client id
  checkpoint.db = offline.database("wangge-checkpoint", 1, (db) => offline.ensureBaseStores(db));
})();
