// The offline layer's pure helpers, shared by every device shell (the sampling station, the
// checkpoint device): client ids, local times, retry delays, ID numbers and phones as the
// server reads them, masks. No DOM and no storage here, so a browser test can check them.
(function () {
  "use strict";

  const offline = (window.WanggeOffline = window.WanggeOffline || {});

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

  // Every digit of any script (١, ४, ፩ …) as its ASCII digit, as lib/idnumbers.py
  // fold_digits(): decimal digits come in runs of ten from zero, so a digit's value is its
  // distance from the start of its run.
  const DIGIT = /\p{Nd}/u;

  function foldDigits(text) {
    return text.replace(/\p{Nd}/gu, (char) => {
      const point = char.codePointAt(0);
      if (point < 128) return char;
      let start = point;
      while (DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
      return String((point - start) % 10);
    });
  }

  function normaliseText(value) {
    return foldDigits(String(value || "").normalize("NFKC")).trim();
  }

  function normaliseId(value) {
    return normaliseText(value).replace(SEPARATORS, "").toUpperCase();
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

  // What is wrong with a number of a document type, as a code ("" when nothing is): the
  // check an entry form makes offline before it queues anything.
  function idProblem(idType, number) {
    if (!number) return "missing";
    if (idType === "resident_card") return residentCardProblem(number);
    return PATTERNS[idType] && !PATTERNS[idType].test(number) ? "form" : "";
  }

  // The register's own mask (wangge/lib/idnumbers.py mask()): a resident card shows its
  // region only (any later digit narrows the number); another document keeps up to two
  // characters at each end and hides at least four.
  function maskId(idType, number) {
    if (!number) return "";
    if (idType === "resident_card" && number.length === 18) {
      return number.slice(0, 6) + "*".repeat(12);
    }
    const keep = Math.max(0, Math.min(2, Math.floor((number.length - 4) / 2)));
    return number.slice(0, keep) + "*".repeat(number.length - 2 * keep) + number.slice(number.length - keep);
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

  // --- Phones (wangge/lib/phones.py): mainland mobiles and landlines ---------------------
  function normalisePhone(value) {
    return normaliseText(value)
      .replace(/[\s\-()（）.]/g, "")
      .replace(/^(\+86|0086)/, "");
  }

  function phoneProblem(phone) {
    return phone && !/^(1[3-9]\d{9}|0\d{9,11})$/.test(phone) ? "form" : "";
  }

  // wangge/lib/phones.py mask(): 139****0000; a landline keeps three and two digits.
  function maskPhone(phone) {
    if (!phone) return "";
    if (phone.length === 11 && phone[0] === "1") return phone.slice(0, 3) + "****" + phone.slice(-4);
    return phone.slice(0, 3) + "*".repeat(Math.max(0, phone.length - 5)) + phone.slice(-2);
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

  // Exponential backoff with jitter, so that a thousand devices coming back online after
  // a server restart do not all knock at the same second; at most five minutes apart.
  const BACKOFF_CAP_MS = 5 * 60 * 1000;

  function backoff(failures) {
    const base = Math.min(BACKOFF_CAP_MS, 1000 * Math.pow(2, Math.max(0, failures - 1)));
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  // --- Translations (Django's JavaScript catalogue, when it loaded) -----------------------
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);
  const ngettext = (one, many, n) =>
    window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many;
  const fmt = (text, values) =>
    window.interpolate
      ? window.interpolate(text, values, true)
      : text.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key]));

  Object.assign(offline, {
    uuid7,
    uuid7Millis,
    foldDigits,
    normaliseId,
    residentCardProblem,
    guessIdType,
    idProblem,
    parseScan,
    maskId,
    normalisePhone,
    phoneProblem,
    maskPhone,
    localIso,
    backoff,
    BACKOFF_CAP_MS,
    ID_TYPES,
    ID_PATTERNS: PATTERNS,
    gettext,
    ngettext,
    fmt,
  });
})();
