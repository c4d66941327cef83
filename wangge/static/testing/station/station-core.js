// The sampling station's pure helpers: roster index, scans, camera problems.
// No DOM and no storage here, so that the browser test can check them on their own.
(function () {
  "use strict";

  const station = (window.WanggeStation = window.WanggeStation || {});

  // Client ids, ID numbers, times and retries are the offline layer's
  // (wangge/static/core/offline/offline-core.js), shared with the checkpoint device.
  // Loaded on its own (a test of the camera helpers), the station's own helpers still work.
  const offline = window.WanggeOffline || {};
  const { parseScan, residentCardProblem } = offline;

  // What an 18-digit resident card number says of its holder: birth year and sex. The
  // station holds no key to anyone's number (docs/security.md), so offline it lists the
  // roster's people of that year and sex, and the operator picks the person by name.
  function idFacts(idType, canonical) {
    if (idType !== "resident_card" || residentCardProblem(canonical)) return null;
    return { birthYear: +canonical.slice(6, 10), sex: +canonical[16] % 2 ? "M" : "F" };
  }

  // --- What a scan is: a resident code or a number (offline.parseScan); a tube barcode
  const BARCODE = /^[0-9A-Za-z\-_]{4,40}$/;

  function parseBarcode(raw) {
    const text = String(raw || "").normalize("NFKC").trim();
    return BARCODE.test(text) ? text : "";
  }

  // --- The roster, indexed in memory ----------------------------------------------------
  // By code (a lookup per scan is constant time even on a cheap phone with 50,000 people)
  // and by birth year and sex (the people a scanned ID number may be, for the list).
  function bucketOf(item) {
    return (item.birth_year || "") + ":" + (item.sex || "U");
  }

  function nameKey(text) {
    return String(text || "").normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }

  class Roster {
    constructor() {
      this.byCode = new Map();
      this.byBirth = new Map();
    }

    get size() {
      return this.byCode.size;
    }

    put(item) {
      this.remove(item.code);
      this.byCode.set(item.code, item);
      const bucket = bucketOf(item);
      if (!this.byBirth.has(bucket)) this.byBirth.set(bucket, new Map());
      this.byBirth.get(bucket).set(item.code, item);
    }

    remove(code) {
      const old = this.byCode.get(code);
      if (!old) return;
      this.byCode.delete(code);
      const bucket = this.byBirth.get(bucketOf(old));
      if (bucket) bucket.delete(code);
    }

    clear() {
      this.byCode.clear();
      this.byBirth.clear();
    }

    // A scan's person, by resident code (an ID number is resolved by the server).
    find(scan) {
      for (const code of scan.codes) {
        const hit = this.byCode.get(code);
        if (hit) return { person: hit, via: "code" };
      }
      return null;
    }

    // The people a scanned number may be: for a resident card, those born in its year
    // with its sex (and those whose year or sex the register does not know); for another
    // document, the holders of that kind of document. Filtered by a typed part of the
    // name, in name order, at most `limit`.
    candidates(idType, canonical, nameFilter, limit) {
      const facts = idFacts(idType, canonical);
      let pool = [];
      if (facts) {
        for (const year of [facts.birthYear, ""]) {
          for (const sex of [facts.sex, "U"]) {
            const bucket = this.byBirth.get(year + ":" + sex);
            if (bucket) pool.push(...bucket.values());
          }
        }
      } else {
        pool = Array.from(this.byCode.values()).filter((item) => item.id_type === idType);
      }
      const wanted = nameKey(nameFilter);
      if (wanted) pool = pool.filter((item) => nameKey(item.name).includes(wanted));
      pool.sort((a, b) => a.name.localeCompare(b.name, "zh") || (a.code < b.code ? -1 : 1));
      return { facts, total: pool.length, people: pool.slice(0, limit || 50) };
    }
  }

  // --- Camera problems -------------------------------------------------------------------
  // html5-qrcode rejects with English text ("Error getting userMedia, error =
  // NotAllowedError: Permission denied", "Camera streaming not supported by the browser.")
  // or the browser's own DOMException: each is sorted into what the sampler can do about it.
  const CAMERA_PROBLEMS = [
    ["denied", /NotAllowedError|PermissionDenied|SecurityError|Permission denied/i],
    ["missing", /NotFoundError|DevicesNotFound|OverconstrainedError|Requested device not found/i],
    ["busy", /NotReadableError|TrackStartError|AbortError|Could not start video source/i],
    ["insecure", /secure context|not supported by the browser|mediaDevices not supported/i],
  ];

  function cameraProblem(error, secureContext) {
    if (secureContext === false) return "insecure";
    const text = error && error.name ? error.name + ": " + error.message : String(error);
    for (const [kind, pattern] of CAMERA_PROBLEMS) {
      if (pattern.test(text)) return kind;
    }
    return "other";
  }

  Object.assign(station, {
    cameraProblem,
    uuid7: offline.uuid7,
    uuid7Millis: offline.uuid7Millis,
    normaliseId: offline.normaliseId,
    residentCardProblem,
    guessIdType: offline.guessIdType,
    idFacts,
    parseScan,
    parseBarcode,
    Roster,
    localIso: offline.localIso,
    backoff: offline.backoff,
    BACKOFF_CAP_MS: offline.BACKOFF_CAP_MS,
    ID_TYPES: offline.ID_TYPES,
    ID_PATTERNS: offline.ID_PATTERNS,
  });
})();
