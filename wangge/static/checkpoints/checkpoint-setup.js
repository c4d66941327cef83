// Takes the device token the setup page hands over once (WanggeOffline.handOver keeps it in
// the device's database) with the checkpoint chosen, and opens the checkpoint's register.
(function () {
  "use strict";

  window.WanggeOffline.handOver("checkpoint-handover", window.WanggeCheckpoint.db, (meta, data) => {
    meta.put({ checkpoint_id: Number(data.checkpoint) || null, direction: "in" }, "settings");
  });
})();
