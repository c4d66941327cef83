// The checkpoint device's pure helpers: plates, temperatures, alerts, and an entry built and
// checked from what the officer typed, offline, before it is queued. The server checks all
// of it again (wangge/lib/plates.py, wangge/checkpoints/); these only spare a refusal later.
// ID numbers and phones are checked by the offline layer's helpers, the station's own.
(function () {
  "use strict";

  const offline = window.WanggeOffline;
  const checkpoint = (window.WanggeCheckpoint = window.WanggeCheckpoint || {});

  // --- Plates (wangge/lib/plates.py) --------------------------------------------------
  const PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";
  const LETTER = "A-HJ-NP-Z"; // no I, no O
  const ALNUM = "A-HJ-NP-Z0-9";
  const HEAD = "[" + PROVINCES + "][" + LETTER + "]";
  const PLATES = [
    new RegExp("^" + HEAD + "[" + ALNUM + "]{5}$"), // ordinary
    new RegExp("^" + HEAD + "[DF][" + ALNUM + "][0-9]{4}$"), // small new-energy
    new RegExp("^" + HEAD + "[0-9]{5}[DF]$"), // large new-energy
    new RegExp("^" + HEAD + "[" + ALNUM + "]{4}[警学挂领]$"), // police, school, trailer, consulate
    new RegExp("^粤Z[" + ALNUM + "]{4}[港澳]$"), // Hong Kong and Macau cross-border
    /^(使[0-9]{6}|[0-9]{6}使)$/, // embassy
  ];

  function normalisePlate(value) {
    return String(value || "")
      .normalize("NFKC")
      .replace(/[\s·•・.\-_]/g, "")
      .toUpperCase();
  }

  function plateValid(plate) {
    return plate.length <= 8 && PLATES.some((pattern) => pattern.test(plate));
  }

  // --- Temperatures: °C, one decimal, 34.0 to 43.0 (3.7 or 73 is a misreading) ----------
  const TEMPERATURE_MIN = 34.0;
  const TEMPERATURE_MAX = 43.0;

  function parseTemperature(raw) {
    const text = String(raw || "")
      .normalize("NFKC")
      .replace(/\s*°C?$/i, "")
      .trim()
      .replace(",", ".");
    if (!text) return { problem: "missing" };
    if (!/^\d{1,2}(\.\d)?$/.test(text)) return { problem: "form" };
    const value = Number(text);
    if (value < TEMPERATURE_MIN || value > TEMPERATURE_MAX) return { problem: "range" };
    return { value: Math.round(value * 10) / 10 };
  }

  // A person raises an alert at or above the fever threshold, or with a red or yellow code.
  function alertsOf(person, threshold) {
    const found = [];
    if (person.temperature >= threshold) found.push("fever");
    if (person.health_code === "red" || person.health_code === "yellow") found.push("code");
    return found;
  }

  // --- An entry from the form's values --------------------------------------------------
  // `form` = {checkpoint_id, direction, plate, vehicle_kind, origin, destination,
  //           people: [{name, id, id_type, phone, temperature, health_code,
  //                     travel_history, action}]}
  // Returns {entry, view, problems}: problems as [{field, code}] with fields named like the
  // API's ("plate", "people[1].temperature"); no entry when there is any.
  function buildEntry(form, threshold, clientId, at) {
    const problems = [];
    const problem = (field, code) => problems.push({ field, code });
    if (!form.checkpoint_id) problem("checkpoint_id", "missing");
    const onFoot = form.vehicle_kind === "on_foot";
    const plate = onFoot ? "" : normalisePlate(form.plate);
    if (!onFoot && !plate) problem("plate", "missing");
    else if (plate && !plateValid(plate)) problem("plate", "form");
    const origin = String(form.origin || "").trim();
    const destination = String(form.destination || "").trim();
    if (origin.length > 100) problem("origin", "long");
    if (destination.length > 100) problem("destination", "long");
    const people = [];
    const viewPeople = [];
    (form.people || []).forEach((raw, i) => {
      const at_ = (name) => "people[" + i + "]." + name;
      const name = String(raw.name || "").normalize("NFKC").trim();
      if (!name) problem(at_("name"), "missing");
      else if (name.length > 60) problem(at_("name"), "long");
      const person = { name };
      const scan = offline.parseScan(raw.id || "");
      const number = offline.normaliseId(raw.id || "");
      let idType = raw.id_type || "resident_card";
      // A scanned resident code (10 characters, or inside the register's QR link), unless
      // the officer chose a document whose number it reads as (a Taiwan permit's 10 digits).
      const document_ = idType !== "resident_card" && idType !== "none" && offline.ID_PATTERNS[idType];
      if (scan.kind === "scan" && scan.codes.length && !(document_ && document_.test(number))) {
        person.resident_code = scan.codes[scan.codes.length - 1];
      } else if (idType === "none") {
        person.id_type = "none";
        person.id_number = "";
      } else {
        idType = offline.guessIdType(number, idType);
        const idProblem = offline.idProblem(idType, number);
        if (idProblem) problem(at_("id_number"), idProblem);
        person.id_type = idType;
        person.id_number = number;
      }
      const phone = offline.normalisePhone(raw.phone);
      if (offline.phoneProblem(phone)) problem(at_("phone"), "form");
      person.phone = phone;
      const temperature = parseTemperature(raw.temperature);
      if (temperature.problem) problem(at_("temperature"), temperature.problem);
      person.temperature = temperature.value;
      person.health_code = raw.health_code || "green";
      const travel = String(raw.travel_history || "").trim();
      if (travel.length > 200) problem(at_("travel_history"), "long");
      person.travel_history = travel;
      person.action = raw.action || "passed";
      people.push(person);
      viewPeople.push({
        name,
        code: person.resident_code || "",
        id_masked: offline.maskId(person.id_type, person.id_number || ""),
        phone_masked: offline.maskPhone(phone),
        temperature: person.temperature,
        health_code: person.health_code,
        action: person.action,
        alerts: temperature.problem ? [] : alertsOf(person, threshold),
      });
    });
    if (!people.length) problem("people", "missing");
    if (problems.length) return { problems };
    const entry = {
      client_id: clientId,
      checkpoint_id: Number(form.checkpoint_id),
      at,
      direction: form.direction === "out" ? "out" : "in",
      plate,
      vehicle_kind: form.vehicle_kind,
      origin,
      destination,
      people,
    };
    const view = {
      plate,
      vehicle_kind: form.vehicle_kind,
      direction: entry.direction,
      checkpoint_id: entry.checkpoint_id,
      at,
      people: viewPeople,
      alerts: viewPeople.filter((p) => p.alerts.length).length,
    };
    return { entry, view, problems };
  }

  // Once the server has answered, the device forgets the numbers and phones it sent: the
  // entry keeps the masked forms (in its view) only.
  function scrub(item) {
    for (const person of (item.body && item.body.people) || []) {
      if (person.id_number) person.id_number = "";
      if (person.phone) person.phone = "";
    }
    return item;
  }

  Object.assign(checkpoint, {
    normalisePlate,
    plateValid,
    parseTemperature,
    alertsOf,
    buildEntry,
    scrub,
    TEMPERATURE_MIN,
    TEMPERATURE_MAX,
  });
})();
