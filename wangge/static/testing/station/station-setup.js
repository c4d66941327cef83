// Takes the device token the setup page hands over once (WanggeOffline.handOver keeps it in
// the station's database) with the point or team chosen at setup, and opens the station.
(function () {
  "use strict";

  window.WanggeOffline.handOver("station-handover", window.WanggeStation.db, (meta, data) => {
    // The point or team chosen at setup; none chosen, the station takes its area's.
    const place = data.place ? Number(data.place) : null;
    const door = data.mode === "door";
    meta.put(
      {
        round_id: data.round ? Number(data.round) : null,
        mode: door ? "door" : "point",
        point_id: door ? null : place,
        team_id: door ? place : null,
      },
      "settings",
    );
    // A new token comes with its own roster key: the roster is downloaded again.
    meta.put(true, "reset");
  });
})();
