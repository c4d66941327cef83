// The checkpoint device: register a vehicle and every person in it; every entry goes to the
// IndexedDB queue first (the offline layer's, shared with the sampling station) and is
// uploaded in batches whenever the server answers. A fever or a red or yellow code is shown
// at once, offline too.
(function () {
  "use strict";

  const checkpoint = window.WanggeCheckpoint;
  const db = checkpoint.db;
  const offline = window.WanggeOffline;
  const { STATE, gettext, ngettext, fmt, el, show } = offline;

  const TICK_MS = 10000;
  const REFRESH_MS = 60000;
  const KEEP_DONE_MS = 48 * 3600 * 1000;
  const RECENT = 20;
  const DEFAULT_THRESHOLD = 37.3;

  const body = document.body;
  const $ = (id) => document.getElementById(id);

  const S = {
    device: null,
    settings: { checkpoint_id: null, direction: "in" },
    threshold: DEFAULT_THRESHOLD,
    syncing: false,
    // The refused entry being fixed: dismissed when its correction is registered.
    fixing: null,
    // token, net, pending, rejected, failures, nextTry …: the offline layer's (createSync)
  };

  function say(text, tone) {
    const node = $("st-message");
    node.textContent = text;
    node.dataset.tone = tone || "info";
  }

  const sync = offline.createSync({
    state: S,
    db,
    api: body.dataset.api,
    batch: 500,
    say,
    upload: (batch) => sync.postBatch("entries/batch", batch),
    scrub: checkpoint.scrub,
    accepted: (item, result) => {
      if (typeof result.alerts === "number") item.server_alerts = result.alerts;
    },
    describe: (item) => ({
      title: item.view.plate || gettext("On foot"),
      detail: item.view.people.map((p) => p.name).join("、"),
    }),
    rejectActions: (item) => [
      el("button", {
        className: "small",
        type: "button",
        text: gettext("Fix"),
        data: { fix: item.client_id },
      }),
    ],
    onStatus: () => scheduleRecent(),
    refresh: () => syncAll(),
  });

  // --- Texts ----------------------------------------------------------------------------
  const KINDS = {
    car: () => gettext("Car"),
    truck: () => gettext("Truck"),
    bus: () => gettext("Bus"),
    van: () => gettext("Van"),
    motorcycle: () => gettext("Motorcycle"),
    other: () => gettext("Other vehicle"),
    on_foot: () => gettext("On foot"),
  };
  const CODES = {
    green: () => gettext("Green"),
    yellow: () => gettext("Yellow"),
    red: () => gettext("Red"),
    none: () => gettext("No code shown"),
  };

  function problemText(field, code) {
    const name = field.replace(/^people\[\d+\]\./, "");
    const texts = {
      checkpoint_id: () => gettext("Choose the checkpoint first."),
      people: () => gettext("Add at least one person."),
      plate: () =>
        code === "missing"
          ? gettext("The plate is missing (choose On foot for people without a vehicle).")
          : gettext("Not a plate in use (e.g. 京A12345, without the letters I and O; a new-energy 粤BD12345; or one ending in 警, 学, 挂, 领, 港, 澳 or 使)."),
      name: () => gettext("The name is missing."),
      id_number: () =>
        code === "missing"
          ? gettext("The ID number is missing: scan the card or the resident code, or type it.")
          : code === "checksum"
            ? gettext("The check digit of this ID number is wrong: scan or type it again.")
            : gettext("The number does not have the form of this document."),
      phone: () => gettext("Not a valid mobile or landline number."),
      temperature: () =>
        code === "missing"
          ? gettext("The temperature is missing.")
          : gettext("A temperature from 34.0 to 43.0 °C, with one decimal: measure again."),
      origin: () => gettext("At most 100 characters."),
      destination: () => gettext("At most 100 characters."),
      travel_history: () => gettext("At most 200 characters."),
    };
    return (texts[name] || (() => code))();
  }

  // --- People rows ----------------------------------------------------------------------
  function rows() {
    return Array.from($("ck-people").children);
  }

  function renumber() {
    rows().forEach((row, i) => {
      row.querySelector(".ck-person-no").textContent =
        i === 0 ? gettext("Driver (or first person)") : fmt(gettext("Person %(n)s"), { n: i + 1 });
      row.querySelector(".ck-remove").hidden = rows().length === 1;
    });
  }

  function addPerson(values, focus) {
    const row = $("ck-person-template").content.firstElementChild.cloneNode(true);
    const v = values || {};
    for (const [name, value] of Object.entries(v)) {
      const input = row.querySelector("[name=" + name + "]");
      if (input && value !== undefined && value !== null) input.value = String(value);
    }
    if (v.id_placeholder) row.querySelector("[name=id]").placeholder = v.id_placeholder;
    row.querySelector(".ck-code").dataset.code = row.querySelector(".ck-code").value;
    $("ck-people").append(row);
    renumber();
    if (focus !== false) row.querySelector("[name=name]").focus();
    return row;
  }

  function clearForm() {
    $("ck-entry").reset();
    $("ck-people").replaceChildren();
    $("ck-error").textContent = "";
    S.fixing = null;
    onKindChange();
    addPerson(null, false);
    $("ck-plate").focus();
  }

  function readForm() {
    return {
      checkpoint_id: S.settings.checkpoint_id,
      direction: S.settings.direction,
      plate: $("ck-plate").value,
      vehicle_kind: $("ck-kind").value,
      origin: $("ck-origin").value,
      destination: $("ck-destination").value,
      people: rows().map((row) => {
        const value = (name) => row.querySelector("[name=" + name + "]").value;
        return {
          name: value("name"),
          id: value("id"),
          id_type: value("id_type"),
          phone: value("phone"),
          temperature: value("temperature"),
          health_code: value("health_code"),
          travel_history: value("travel_history"),
          action: value("action"),
        };
      }),
    };
  }

  function fieldInput(field) {
    const match = field.match(/^people\[(\d+)\]\.(\w+)$/);
    if (match) {
      const row = rows()[Number(match[1])];
      const name = match[2] === "id_number" || match[2] === "resident_code" ? "id" : match[2];
      return row ? row.querySelector("[name=" + name + "]") : null;
    }
    return { plate: $("ck-plate"), origin: $("ck-origin"), destination: $("ck-destination") }[field] || null;
  }

  function showProblems(problems) {
    for (const input of $("ck-entry").querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const texts = [];
    let first = null;
    for (const { field, code } of problems) {
      const input = fieldInput(field);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
      const match = field.match(/^people\[(\d+)\]/);
      const who = match ? fmt(gettext("Person %(n)s"), { n: Number(match[1]) + 1 }) + ": " : "";
      texts.push(who + problemText(field, code));
    }
    $("ck-error").textContent = texts.join(" ");
    if (first) first.focus();
    else if (problems.some((p) => p.field === "checkpoint_id")) $("ck-checkpoint").focus();
  }

  // --- Registering ----------------------------------------------------------------------
  async function register() {
    const clientId = offline.uuid7();
    const built = checkpoint.buildEntry(readForm(), S.threshold, clientId, offline.localIso());
    if (built.problems.length) {
      showProblems(built.problems);
      say(gettext("Not registered: correct the fields marked."), "bad");
      return;
    }
    showProblems([]);
    const name = currentCheckpoint();
    built.view.checkpoint = name ? name.name : "";
    const fixing = S.fixing;
    await db.write(["queue"], (s) => {
      s.queue.put(sync.queued("entry", clientId, built.entry, built.view));
      if (fixing) {
        const request = s.queue.get(fixing);
        request.onsuccess = () => {
          const old = request.result;
          if (old && old.state === STATE.REJECTED) {
            old.state = STATE.DISMISSED;
            s.queue.put(old);
          }
        };
      }
    });
    await sync.refreshCounts();
    showAlerts(built.view);
    const plate = built.view.plate || KINDS.on_foot();
    say(
      fmt(
        ngettext(
          "✓ %(plate)s registered with %(n)s person.",
          "✓ %(plate)s registered with %(n)s people.",
          built.view.people.length,
        ),
        { plate, n: built.view.people.length },
      ),
      built.view.alerts ? "warn" : "ok",
    );
    clearForm();
    if (navigator.vibrate) navigator.vibrate(built.view.alerts ? [80, 60, 80] : 40);
    if (fixing) await sync.renderRejects();
    sync.scheduleDrain(300);
  }

  // A fever or a red or yellow code: shown at once, with or without a network; the server
  // places the person under monitoring and raises the incident when the entry arrives.
  function showAlerts(view) {
    const alerted = view.people.filter((p) => p.alerts.length);
    if (!alerted.length) return;
    $("ck-alert-title").textContent = fmt(
      ngettext(
        "Alert: %(n)s person of %(plate)s. Keep them here and follow the procedure.",
        "Alert: %(n)s people of %(plate)s. Keep them here and follow the procedure.",
        alerted.length,
      ),
      { n: alerted.length, plate: view.plate || KINDS.on_foot() },
    );
    $("ck-alert-list").replaceChildren(
      ...alerted.map((p) => {
        const reasons = [];
        if (p.alerts.includes("fever")) {
          reasons.push(fmt(gettext("fever %(t)s °C"), { t: p.temperature.toFixed(1) }));
        }
        if (p.alerts.includes("code")) {
          reasons.push(fmt(gettext("%(colour)s code"), { colour: CODES[p.health_code]() }));
        }
        return el("li", {}, [
          el("strong", { text: p.name }),
          el("span", { text: " " + [p.id_masked || p.code, reasons.join("，")].filter(Boolean).join(" · ") }),
        ]);
      }),
    );
    show($("ck-alert"), true);
  }

  // --- Fixing a refused entry -----------------------------------------------------------
  async function fix(clientId) {
    const item = await db.get("queue", clientId);
    if (!item || item.state !== STATE.REJECTED) return;
    clearForm();
    $("ck-people").replaceChildren();
    const entry = item.body;
    $("ck-plate").value = entry.plate || "";
    $("ck-kind").value = entry.vehicle_kind;
    $("ck-origin").value = entry.origin || "";
    $("ck-destination").value = entry.destination || "";
    onKindChange();
    entry.people.forEach((person, i) => {
      const view = item.view.people[i] || {};
      addPerson(
        {
          name: person.name,
          id: person.resident_code || person.id_number || "",
          id_placeholder: view.id_masked || "",
          id_type: person.id_type || "resident_card",
          temperature: person.temperature === undefined ? "" : Number(person.temperature).toFixed(1),
          health_code: person.health_code,
          travel_history: person.travel_history,
          action: person.action,
        },
        false,
      );
    });
    S.fixing = clientId;
    const problems = item.field ? [{ field: item.field, code: item.reason_code }] : [];
    showProblems(problems);
    $("ck-error").textContent = item.reason || "";
    say(gettext("Correct the entry and register it again; type the ID numbers and phones again."), "warn");
    if (!problems.length) $("ck-plate").focus();
  }

  // --- The latest entries -----------------------------------------------------------------
  const STATE_TEXT = {
    pending: () => ["info", gettext("Waiting")],
    done: () => ["good", gettext("Uploaded")],
    rejected: () => ["bad", gettext("Refused")],
    dismissed: () => ["", gettext("Dismissed")],
  };
  let recentTimer = null;

  function scheduleRecent() {
    if (recentTimer) return;
    recentTimer = setTimeout(() => {
      recentTimer = null;
      renderRecent();
    }, 50);
  }

  async function renderRecent() {
    const items = await db.latest("queue", RECENT);
    $("ck-recent").replaceChildren(
      ...items.map((item) => {
        const view = item.view;
        const [tone, text] = STATE_TEXT[item.state]();
        const time = new Date(view.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        return el("li", { data: { client: item.client_id, state: item.state } }, [
          el("div", { className: "ck-recent-head" }, [
            el("strong", { className: "ck-plate", text: view.plate || KINDS.on_foot() }),
            el("span", { className: "muted", text: " " + time + " · " + (view.direction === "out" ? gettext("Leaving") : gettext("Entering")) + " " }),
            el("span", { className: "tag " + tone, text }),
            view.alerts ? el("span", { className: "tag bad", text: fmt(gettext("%(n)s alert"), { n: view.alerts }) }) : null,
          ]),
          el(
            "div",
            { className: "ck-recent-people muted" },
            [el("span", { text: view.people.map((p) => [p.name, p.id_masked || p.code].filter(Boolean).join(" ")).join("；") })],
          ),
        ]);
      }),
    );
  }

  // --- The checkpoint and direction ------------------------------------------------------
  function currentCheckpoint() {
    const list = (S.device && S.device.checkpoints) || [];
    return list.find((c) => c.id === S.settings.checkpoint_id) || null;
  }

  function renderSession() {
    const list = (S.device && S.device.checkpoints) || [];
    if (!currentCheckpoint() && list.length === 1) S.settings.checkpoint_id = list[0].id;
    const select = $("ck-checkpoint");
    select.replaceChildren();
    if (!list.length) {
      const option = el("option", { text: S.device ? gettext("No checkpoint in this area") : gettext("Loading checkpoints…") });
      option.value = "";
      select.append(option);
    }
    for (const c of list) {
      const option = el("option", { text: c.name });
      option.value = String(c.id);
      option.selected = c.id === S.settings.checkpoint_id;
      select.append(option);
    }
    $("ck-direction").value = S.settings.direction;
  }

  async function onSessionChange() {
    S.settings.checkpoint_id = $("ck-checkpoint").value ? Number($("ck-checkpoint").value) : null;
    S.settings.direction = $("ck-direction").value;
    await db.setMeta("settings", S.settings);
  }

  function renderDevice() {
    const me = S.device;
    if (!me) return;
    $("st-device").textContent = [me.device && me.device.label, me.device && me.device.area]
      .filter(Boolean)
      .join(" · ");
  }

  function onKindChange() {
    const onFoot = $("ck-kind").value === "on_foot";
    $("ck-plate").disabled = onFoot;
    if (onFoot) $("ck-plate").value = "";
  }

  // --- Sync: the device and its checkpoints, then the queue ------------------------------
  async function syncDevice() {
    const me = await sync.api("me");
    await db.setMeta("device", me);
    S.device = me;
    if (typeof me.fever_threshold === "number") S.threshold = me.fever_threshold;
    const known = (me.checkpoints || []).some((c) => c.id === S.settings.checkpoint_id);
    if (!known && S.settings.checkpoint_id !== null) S.settings.checkpoint_id = null;
    renderSession();
    await db.setMeta("settings", S.settings);
    renderDevice();
    if (me.server_time) {
      const skew = Math.abs(Date.parse(me.server_time) - Date.now());
      show($("st-clock"), skew > 5 * 60 * 1000);
    }
  }

  async function syncAll() {
    if (!S.token || S.tokenProblem || S.syncing || !navigator.onLine) return;
    S.syncing = true;
    try {
      await syncDevice();
      $("st-sync-status").textContent = fmt(gettext("Last contact with the server: %(time)s"), {
        time: new Date().toLocaleTimeString(),
      });
    } catch (error) {
      sync.failed(error);
    } finally {
      S.syncing = false;
    }
    sync.drain();
  }

  // --- Keyboard and scanner first -----------------------------------------------------------
  function fields() {
    return Array.from($("ck-entry").querySelectorAll("input, select")).filter((f) => !f.disabled);
  }

  // Enter moves to the next field (a scanner ends its scan with Enter); on the last field it
  // registers. A scanned or typed ID number is checked at once.
  function onEntryKey(event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
    event.preventDefault();
    if (target.name === "id" && !checkId(target)) return;
    const list = fields();
    const next = list[list.indexOf(target) + 1];
    if (next) next.focus();
    else register();
  }

  function checkId(input) {
    const row = input.closest(".ck-person");
    const number = offline.normaliseId(input.value);
    input.removeAttribute("aria-invalid");
    if (!number) return true;
    const scan = offline.parseScan(input.value);
    const typeSelect = row.querySelector("[name=id_type]");
    if (scan.codes.length && !offline.ID_PATTERNS.resident_card.test(number) && typeSelect.value === "resident_card") {
      return true; // a resident code
    }
    const idType = offline.guessIdType(number, typeSelect.value === "none" ? "" : typeSelect.value);
    const problem = offline.idProblem(idType, number);
    if (problem) {
      input.setAttribute("aria-invalid", "true");
      $("ck-error").textContent = problemText("people[0].id_number", problem);
      input.select();
      return false;
    }
    typeSelect.value = idType;
    input.value = number;
    $("ck-error").textContent = "";
    return true;
  }

  function onKey(event) {
    const actions = {
      F2: () => addPerson(),
      F4: () => register(),
      F9: () => sync.uploadNow(),
      Escape: () => {
        clearForm();
        say(gettext("Cleared."), "info");
      },
    };
    if (actions[event.key] && !$("ck-work").hidden) {
      event.preventDefault();
      actions[event.key]();
    }
  }

  function bind() {
    sync.bind();
    document.addEventListener("keydown", onKey);
    $("ck-entry").addEventListener("keydown", onEntryKey);
    $("ck-entry").addEventListener("submit", (event) => {
      event.preventDefault();
      register();
    });
    $("ck-add").addEventListener("click", () => addPerson());
    $("ck-kind").addEventListener("change", onKindChange);
    $("ck-checkpoint").addEventListener("change", onSessionChange);
    $("ck-direction").addEventListener("change", onSessionChange);
    $("ck-people").addEventListener("click", (event) => {
      const remove = event.target.closest(".ck-remove");
      if (remove && rows().length > 1) {
        remove.closest(".ck-person").remove();
        renumber();
      }
    });
    $("ck-people").addEventListener("change", (event) => {
      if (event.target.classList.contains("ck-code")) event.target.dataset.code = event.target.value;
    });
    $("ck-alert-close").addEventListener("click", () => {
      show($("ck-alert"), false);
      $("ck-plate").focus();
    });
    $("st-rejects-list").addEventListener("click", (event) => {
      const button = event.target.closest("[data-fix]");
      if (button) fix(button.dataset.fix);
    });
  }

  async function start() {
    sync.registerWorker(body);
    bind();
    sync.renderStatus();
    S.token = await db.getMeta("token");
    if (!S.token) {
      show($("st-unset"), true);
      return;
    }
    show($("ck-work"), true);
    S.device = (await db.getMeta("device")) || null;
    if (S.device && typeof S.device.fever_threshold === "number") S.threshold = S.device.fever_threshold;
    S.settings = Object.assign(S.settings, (await db.getMeta("settings")) || {});
    renderDevice();
    renderSession();
    clearForm();
    await sync.refreshCounts();
    await sync.renderRejects();
    await renderRecent();
    body.dataset.ready = "yes";
    say(gettext("Type or scan the plate, then the people in the vehicle."), "info");
    await sync.prune(KEEP_DONE_MS);
    syncAll();
    setInterval(() => {
      if (S.pending > 0) sync.drain();
    }, TICK_MS);
    setInterval(syncAll, REFRESH_MS);
  }

  function run() {
    start().catch((error) => {
      // IndexedDB refused (private mode, storage turned off): nothing can be queued.
      show($("st-fatal"), true);
      show($("ck-work"), false);
      $("st-fatal-detail").textContent = String(error);
    });
  }

  checkpoint.app = { state: S, drain: () => sync.drain(), syncAll, register };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
