// The sampling station's pure helpers: client ids, ID numbers, roster index, scans.
// No DOM and no storage here, so that the browser test can check them on their own.
(function () {
  "use strict";

  const station = (window.WanggeStation = window.WanggeStation || {});

  // --- Client ids: UUIDv7 (RFC 9562) ---------------------------------------------------
  // 48-bit Unix milliseconds, version 7, 12 bits of rand_a, variant 10, 62 random bits.
  // Time-ordered ids keep the server's unique index appending at its right edge; within
  // one millisecond rand_a counts up from a random start (RFC 9562 §6.2, method 1) so that
  // ids made by this page sort in the order they were made.
  let lastMillis = -1;
  let counter = 0;

  function randomBytes(length) {
    const bytes = new Uint8Array(length);
    // getRandomValues works on plain-HTTP pages too (randomUUID and subtle do not).
    window.crypto.getRandomValues(bytes);
    return bytes;
  }

  function uuid7(nowMillis) {
    let millis = nowMillis === undefined ? Date.now() : nowMillis;
    const bytes = randomBytes(16);
    if (millis <= lastMillis) {
      millis = lastMillis;
      counter += 1;
      if (counter > 0xfff) {
        // The counter ran out within one millisecond: borrow the next one.
        millis += 1;
        counter = bytes[6] & 0x07;
      }
    } else {
      counter = ((bytes[6] & 0x07) << 8) | bytes[7]; // leave room to count up
    }
    lastMillis = millis;
    let rest = millis;
    for (let i = 5; i >= 0; i -= 1) {
      bytes[i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return (
      hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20)
    );
  }

  function uuid7Millis(id) {
    return parseInt(id.replace(/-/g, "").slice(0, 12), 16);
  }

  // --- ID numbers ---------------------------------------------------------------------
  // The same canonical form as wangge/lib/idnumbers.py normalise(): full-width folded to
  // ASCII (NFKC), separators removed, upper case.
  const SEPARATORS = /[\s\-_.·]/g;
  const ID_TYPES = ["resident_card", "hk_macau_permit", "taiwan_permit", "passport"];
  const PATTERNS = {
    resident_card: /^\d{17}[\dX]$/,
    hk_macau_permit: /^[HM]\d{8}(\d{2})?$/,
    taiwan_permit: /^\d{8}(\d{2})?$/,
    passport: /^[A-Z0-9]{5,17}$/,
  };
  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const CHECK = "10X98765432";

  function normaliseId(value) {
    return String(value || "").normalize("NFKC").trim().replace(SEPARATORS, "").toUpperCase();
  }

  function residentCardProblem(number) {
    // Returns "" for a well-formed number, or a short code saying what is wrong.
    if (number.length !== 18) return "length";
    if (!PATTERNS.resident_card.test(number)) return "characters";
    const year = +number.slice(6, 10);
    const month = +number.slice(10, 12);
    const day = +number.slice(12, 14);
    const birth = new Date(Date.UTC(year, month - 1, day));
    if (
      birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 ||
      birth.getUTCDate() !== day || birth.getTime() > Date.now()
    ) {
      return "birth_date";
    }
    let sum = 0;
    for (let i = 0; i < 17; i += 1) sum += (+number[i]) * WEIGHTS[i];
    return CHECK[sum % 11] === number[17] ? "" : "checksum";
  }

  function guessIdType(number, preferred) {
    if (preferred && PATTERNS[preferred] && PATTERNS[preferred].test(number)) return preferred;
    for (const type of ID_TYPES) {
      if (PATTERNS[type].test(number)) return type;
    }
    return preferred || "passport";
  }

  // What an 18-digit resident card number says of its holder: birth year and sex. The
  // station holds no key to anyone's number (docs/security.md), so offline it lists the
  // roster's people of that year and sex, and the operator picks the person by name.
  function idFacts(idType, canonical) {
    if (idType !== "resident_card" || residentCardProblem(canonical)) return null;
    return { birthYear: +canonical.slice(6, 10), sex: +canonical[16] % 2 ? "M" : "F" };
  }

  // --- What a scan is -------------------------------------------------------------------
  // Resident codes are 10 characters of Crockford base32 (no I, L, O, U). A register's QR
  // code may carry the code inside a longer text (a URL): the last such token counts.
  const CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;
  const CODE_IN_TEXT = /(?:^|[^0-9A-Z])([0-9A-HJKMNP-TV-Z]{10})(?![0-9A-Z])/g;

  function parseScan(raw) {
    const text = String(raw || "").normalize("NFKC").trim();
    if (!text) return { kind: "empty", text: "" };
    const canonical = normaliseId(text);
    const codes = [];
    if (CODE.test(canonical)) codes.push(canonical);
    if (/[/:?=#]/.test(text)) {
      for (const match of text.toUpperCase().matchAll(CODE_IN_TEXT)) codes.push(match[1]);
    }
    return { kind: "scan", text, canonical, codes };
  }

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

  // --- Times and retries ------------------------------------------------------------------
  function pad(n, width) {
    return String(n).padStart(width || 2, "0");
  }

  // ISO 8601 with the device's own offset (the register is read in local time).
  function localIso(date) {
    const d = date || new Date();
    const offset = -d.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    const abs = Math.abs(offset);
    return (
      d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." +
      pad(d.getMilliseconds(), 3) + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60)
    );
  }

  // Exponential backoff with jitter, so that a thousand stations coming back online after
  // a server restart do not all knock at the same second; at most five minutes apart.
  const BACKOFF_CAP_MS = 5 * 60 * 1000;

  function backoff(failures) {
    const base = Math.min(BACKOFF_CAP_MS, 1000 * Math.pow(2, Math.max(0, failures - 1)));
    return Math.round(base / 2 + Math.random() * (base / 2));
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
    uuid7,
    uuid7Millis,
    normaliseId,
    residentCardProblem,
    guessIdType,
    idFacts,
    parseScan,
    parseBarcode,
    Roster,
    localIso,
    backoff,
    BACKOFF_CAP_MS,
    ID_TYPES,
    ID_PATTERNS: PATTERNS,
  });
})();
