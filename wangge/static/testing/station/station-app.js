// The sampling station: scan a tube, then one person per scan; every registration goes to
// the IndexedDB queue first and is uploaded in batches whenever the server answers.
(function () {
  "use strict";

  const station = window.WanggeStation;
  const db = station.db;
  const offline = window.WanggeOffline;
  const { STATE, gettext, ngettext, fmt, el, show } = offline;

  const BATCH = 500; // the API's largest batch (docs/api.md)
  const ROSTER_PAGE = 1000;
  const TICK_MS = 10000;
  const REFRESH_MS = 60000;
  const KEEP_DONE_MS = 48 * 3600 * 1000;
  const STATE_PENDING = STATE.PENDING;

  const body = document.body;
  const API = body.dataset.api;
  const $ = (id) => document.getElementById(id);

  const S = {
    device: null,
    choice: null,
    rounds: [],
    settings: { round_id: null, mode: "point", point_id: null, team_id: null },
    tube: null,
    // The barcode of the tube whose early seal was asked about: the next seal request seals.
    sealAsked: null,
    phase: "tube",
    candidate: null,
    lastUnmatched: "",
    roster: new station.Roster(),
    sampled: new Set(),
    sampledRound: null,
    homes: [],
    syncing: false,
    sealedByServer: null,
    rosterSyncedAt: null,
    // token, net, pending, rejected, failures, nextTry …: the offline layer's (createSync)
  };

  // --- Small DOM helpers (el and show are the offline layer's) ---------------------------
  function say(text, tone) {
    const node = $("st-message");
    node.textContent = text;
    node.dataset.tone = tone || "info";
  }

  function focusScan() {
    if (!$("st-walkin").hidden || !$("st-camera").hidden) return;
    if (!$("st-choose").hidden) {
      $("st-choose-name").focus();
      return;
    }
    $("st-scan").focus();
  }

  const maskId = offline.maskId;

  // --- The API, the bar, the upload queue: the offline layer's --------------------------
  const sync = offline.createSync({
    state: S,
    db,
    api: API,
    batch: BATCH,
    say,
    upload,
    scrub: scrubbed,
    accepted: noteServerSeal,
    answered: sealedByServer,
    describe: (item) => ({ title: item.view.name || item.view.tube, detail: item.view.tube || "" }),
    refresh: () => syncAll(),
  });
  const { api, failed, refreshCounts, scheduleDrain, drain, uploadNow } = sync;
  const applyResults = sync.applyResults;
  const NetError = offline.NetError;
  const HttpError = offline.HttpError;

  function renderStatus() {
    sync.renderStatus();
  }

  function renderRosterStatus() {
    const when = S.rosterSyncedAt
      ? new Date(S.rosterSyncedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      : gettext("never");
    $("st-roster-status").textContent = fmt(
      ngettext(
        "Roster: %(n)s person, updated %(when)s",
        "Roster: %(n)s people, updated %(when)s",
        S.roster.size,
      ),
      { n: S.roster.size, when },
    );
  }

  // --- Rounds, modes, the session choices ----------------------------------------------
  function currentRound() {
    return S.rounds.find((r) => r.id === S.settings.round_id) || null;
  }

  function fillSelect(select, options, selected, emptyLabel) {
    select.replaceChildren();
    if (emptyLabel !== undefined) select.append(el("option", { text: emptyLabel, data: {} }));
    for (const [value, label] of options) {
      const option = el("option", { text: label });
      option.value = String(value);
      if (String(value) === String(selected)) option.selected = true;
      select.append(option);
    }
    if (emptyLabel !== undefined) select.options[0].value = "";
  }

  // A station starts at the point (or team) of its own area, as the server names it; the
  // operator may choose another of the round's.
  function placeDefaults() {
    const round = currentRound();
    if (!round) return;
    const has = (list, id) => (list || []).some((place) => place.id === id);
    if (!has(round.sampling_points, S.settings.point_id)) {
      S.settings.point_id = round.default_sampling_point_id || null;
    }
    if (!has(round.door_teams, S.settings.team_id)) S.settings.team_id = round.default_team_id || null;
  }

  function renderSession() {
    const round = currentRound();
    fillSelect(
      $("st-round"),
      S.rounds.map((r) => [r.id, r.name + " · " + fmt(gettext("%(n)s per tube"), { n: r.pool_size })]),
      S.settings.round_id,
      S.rounds.length ? gettext("Choose a round") : gettext("No open round"),
    );
    $("st-mode").value = S.settings.mode;
    const points = round ? round.sampling_points || [] : [];
    const teams = round ? round.door_teams || [] : [];
    fillSelect(
      $("st-point"),
      points.map((p) => [p.id, fmt(gettext("No. %(number)s %(name)s"), p)]),
      S.settings.point_id,
      points.length ? gettext("Choose a sampling point") : gettext("No sampling point here: ask your community to add one"),
    );
    fillSelect($("st-team"), teams.map((t) => [t.id, t.name]), S.settings.team_id, gettext("Choose a team"));
    show($("st-point-field"), S.settings.mode !== "door");
    show($("st-team-field"), S.settings.mode === "door");
    const locked = Boolean(S.tube && S.tube.status === "open" && S.tube.members.length);
    for (const id of ["st-round", "st-mode", "st-point", "st-team"]) $(id).disabled = locked;
    show($("st-session-locked"), locked);
    show($("st-homes"), S.settings.mode === "door");
  }

  async function saveSettings() {
    await db.setMeta("settings", S.settings);
  }

  async function onSessionChange() {
    const roundId = $("st-round").value ? Number($("st-round").value) : null;
    const roundChanged = roundId !== S.settings.round_id;
    S.settings.round_id = roundId;
    S.settings.mode = $("st-mode").value;
    S.settings.point_id = $("st-point").value ? Number($("st-point").value) : null;
    S.settings.team_id = $("st-team").value ? Number($("st-team").value) : null;
    if (roundChanged) {
      S.settings.point_id = null;
      S.settings.team_id = null;
    }
    placeDefaults();
    // An empty open tube belongs to no one yet: a new round or mode starts afresh.
    if (S.tube && !S.tube.members.length) await dropTube();
    await saveSettings();
    if (roundChanged) await loadSampled();
    renderSession();
    renderTube();
    if (S.settings.mode === "door") {
      await loadHomes();
      syncHomes();
    }
    if (roundChanged) syncSampled();
    focusScan();
  }

  // --- Tubes ----------------------------------------------------------------------------
  function tubeCapacity(round) {
    return S.settings.mode === "recall" ? 1 : round.pool_size;
  }

  async function loadTube(barcode) {
    const tube = await db.get("tubes", barcode);
    if (!tube) return null;
    const items = await db.byIndex("queue", "tube", barcode);
    tube.members = items
      .filter((item) => item.kind === "registration")
      .sort((a, b) => (a.client_id < b.client_id ? -1 : 1))
      .map((item) => item.view);
    return tube;
  }

  async function openTube(raw) {
    const round = currentRound();
    if (!round) {
      say(gettext("Choose a round first."), "bad");
      $("st-round").focus();
      return;
    }
    if (S.settings.mode === "door" && !S.settings.team_id) {
      say(gettext("Choose your door-to-door team first."), "bad");
      $("st-team").focus();
      return;
    }
    // Every tube names where it was taken (the server refuses one that does not).
    if (S.settings.mode !== "door" && !S.settings.point_id) {
      say(gettext("Choose your sampling point first."), "bad");
      $("st-point").focus();
      return;
    }
    const barcode = station.parseBarcode(raw);
    if (!barcode) {
      say(gettext("That is not a tube barcode."), "bad");
      return;
    }
    const scan = station.parseScan(raw);
    if (S.roster.find(scan)) {
      say(gettext("That is a person's code: scan the tube barcode first."), "bad");
      return;
    }
    let tube = await loadTube(barcode);
    if (tube && tube.status !== "open") {
      say(fmt(gettext("Tube %(barcode)s is already sealed. Take a new tube."), { barcode }), "bad");
      return;
    }
    if (tube && tube.round_id !== round.id) {
      say(fmt(gettext("Tube %(barcode)s belongs to another round."), { barcode }), "bad");
      return;
    }
    const capacity = tubeCapacity(round);
    if (tube && tube.capacity !== capacity) {
      say(
        fmt(gettext("Tube %(barcode)s was opened for %(n)s people; this mode uses %(m)s."), {
          barcode,
          n: tube.capacity,
          m: capacity,
        }),
        "bad",
      );
      return;
    }
    if (!tube) {
      tube = {
        barcode,
        round_id: round.id,
        capacity,
        status: "open",
        opened_at: station.localIso(),
        members: [],
      };
      const stored = Object.assign({}, tube);
      delete stored.members;
      await db.write(["tubes", "meta"], (s) => {
        s.tubes.put(stored);
        s.meta.put(barcode, "tube");
      });
    } else {
      await db.setMeta("tube", barcode);
    }
    S.tube = tube;
    S.phase = "person";
    renderTube();
    renderSession();
    say(
      fmt(gettext("Tube %(barcode)s: %(filled)s of %(capacity)s. Scan the first person."), {
        barcode,
        filled: tube.members.length,
        capacity,
      }),
      "ok",
    );
  }

  async function dropTube() {
    const barcode = S.tube.barcode;
    await db.write(["tubes", "meta"], (s) => {
      s.tubes.delete(barcode);
      s.meta.delete("tube");
    });
    S.tube = null;
    S.phase = "tube";
  }

  async function sealTube(reason) {
    if (!S.tube) {
      say(gettext("No tube is open."), "bad");
      return;
    }
    if (S.phase === "confirm") cancelCandidate();
    if (S.phase === "choose") closeChooser();
    const tube = S.tube;
    if (!tube.members.length) {
      await dropTube();
      renderTube();
      renderSession();
      say(fmt(gettext("Tube %(barcode)s was empty and is put aside."), tube), "info");
      return;
    }
    const full = tube.members.length >= tube.capacity;
    if (reason === "early" && !full && S.sealAsked !== tube.barcode) {
      // A tube sealed before it is full is usually a slip of the key: ask once.
      S.sealAsked = tube.barcode;
      say(
        fmt(gettext("Tube %(barcode)s holds %(n)s of %(capacity)s. Seal it before it is full? Press Seal tube (F4) again to seal it."), {
          barcode: tube.barcode,
          n: tube.members.length,
          capacity: tube.capacity,
        }),
        "warn",
      );
      return;
    }
    S.sealAsked = null;
    const stored = {
      barcode: tube.barcode,
      round_id: tube.round_id,
      capacity: tube.capacity,
      status: "sealed",
      opened_at: tube.opened_at,
      sealed_at: station.localIso(),
    };
    await db.write(["tubes", "meta", "queue"], (s) => {
      s.tubes.put(stored);
      s.meta.delete("tube");
      if (!full) {
        // The server seals a full tube by itself; an early seal is queued like the rest.
        const clientId = station.uuid7();
        s.queue.put({
          client_id: clientId,
          kind: "seal",
          state: STATE_PENDING,
          tube: tube.barcode,
          body: { barcode: tube.barcode },
          view: { name: "", tube: tube.barcode },
        });
      }
    });
    S.tube = null;
    S.phase = "tube";
    renderTube();
    renderSession();
    await refreshCounts();
    scheduleDrain(200);
    say(
      reason === "full"
        ? fmt(gettext("Tube %(barcode)s is full and sealed. Scan the next tube."), tube)
        : fmt(gettext("Tube %(barcode)s sealed with %(n)s people. Scan the next tube."), {
            barcode: tube.barcode,
            n: tube.members.length,
          }),
      "ok",
    );
  }

  function renderTube() {
    const tube = S.tube;
    const label = $("st-scan-label");
    const input = $("st-scan");
    show($("st-tube-open"), Boolean(tube));
    show($("st-tube-none"), !tube);
    $("st-seal").disabled = !tube;
    $("st-walkin-btn").disabled = !tube;
    if (tube) {
      $("st-tube-code").textContent = tube.barcode;
      $("st-tube-fill").textContent = tube.members.length + " / " + tube.capacity;
      $("st-tube-progress").max = tube.capacity;
      $("st-tube-progress").value = tube.members.length;
      label.textContent = gettext("Scan the resident code or the ID number");
      input.placeholder = gettext("Resident code, ID number, or scan");
      body.dataset.phase = S.phase;
    } else {
      label.textContent = gettext("Scan the tube barcode");
      input.placeholder = gettext("Tube barcode");
      body.dataset.phase = "tube";
    }
    const list = $("st-members");
    list.replaceChildren(
      ...(tube ? tube.members : []).map((m) =>
        el("li", {}, [
          el("span", { text: m.name }),
          el("span", { className: "muted", text: " " + (m.id_masked || "") }),
          m.repeat ? el("span", { className: "tag warn", text: gettext("retest") }) : null,
        ]),
      ),
    );
  }

  // --- Finding a person -------------------------------------------------------------------
  // A resident code is found in the roster. An ID number is resolved by the server: at
  // once when it answers, else the operator picks the person from the roster's people the
  // number may be, and the server checks the pick when the record uploads.
  async function resolvePerson(raw) {
    const scan = station.parseScan(raw);
    if (scan.kind === "empty") return;
    const found = S.roster.find(scan);
    if (found) {
      propose(found.person, found.via);
      return;
    }
    const number = scan.canonical;
    const idType = station.guessIdType(number, $("st-idtype").value);
    if (idType === "resident_card" && /^\d{17}[\dX]$/.test(number)) {
      const problem = station.residentCardProblem(number);
      if (problem) {
        say(
          problem === "checksum"
            ? gettext("The check digit of this ID number is wrong: scan or type it again.")
            : gettext("This is not a valid ID number: scan or type it again."),
          "bad",
        );
        return;
      }
    }
    S.lastUnmatched = number;
    const looksLikeId = station.ID_PATTERNS[idType] && station.ID_PATTERNS[idType].test(number);
    // A resident code the roster does not hold (another area's, or a stale roster) is
    // not taken for a passport number.
    if (!looksLikeId || (scan.codes.length && idType !== "resident_card")) {
      say(gettext("Not found in the roster. F2 registers a walk-in."), "bad");
      return;
    }
    if (S.net !== "offline" && S.token && !S.tokenProblem) {
      say(gettext("Asking the server whose ID number this is…"), "info");
      try {
        const answer = await api("lookup", {
          method: "POST",
          body: { id_type: idType, id_number: number },
          timeout: 4000,
        });
        if (answer && answer.found && answer.resident) {
          propose(answer.resident, "server");
          return;
        }
        // Nobody of this area has the number (elsewhere or unknown look the same).
        openWalkIn({ id_type: idType, id_number: number });
        say(gettext("Not in this area's register: register this person as a walk-in."), "warn");
        return;
      } catch (error) {
        // A station over its lookup allowance is not cut off: it picks from the list.
        if (!(error instanceof NetError && error.message === "HTTP 429")) failed(error);
      }
    }
    openChooser(idType, number);
  }

  // --- Offline: the operator picks the person a scanned ID number names ----------------
  function openChooser(idType, number) {
    if (S.phase === "confirm") cancelCandidate();
    S.choice = { idType, number, shown: [] };
    S.phase = "choose";
    body.dataset.phase = "choose";
    $("st-choose-name").value = "";
    show($("st-choose"), true);
    renderChooser();
    say(gettext("Pick the person by name (type part of it), or register by the number."), "info");
    $("st-choose-name").focus();
  }

  function closeChooser() {
    S.choice = null;
    show($("st-choose"), false);
    S.phase = S.tube ? "person" : "tube";
    renderTube();
  }

  function renderChooser() {
    const choice = S.choice;
    if (!choice) return;
    const found = S.roster.candidates(choice.idType, choice.number, $("st-choose-name").value, 50);
    choice.shown = found.people;
    const facts = found.facts;
    $("st-choose-title").textContent = facts
      ? fmt(
          facts.sex === "M"
            ? gettext("Who is it? The ID number is a man's, born in %(year)s.")
            : gettext("Who is it? The ID number is a woman's, born in %(year)s."),
          { year: facts.birthYear },
        )
      : gettext("Who is it? Pick the holder of this document by name.");
    $("st-choose-count").textContent = fmt(
      ngettext("%(n)s person fits.", "%(n)s people fit.", found.total),
      { n: found.total },
    );
    $("st-choose-list").replaceChildren(
      ...found.people.map((person) =>
        el("li", {}, [
          el("button", { className: "person outline", type: "button", data: { choose: person.code } }, [
            el("strong", { text: person.name }),
            el("span", {
              className: "muted",
              text:
                " " +
                [person.id_masked, person.birth_year, person.household_label, person.grid_name]
                  .filter(Boolean)
                  .join(" · "),
            }),
          ]),
        ]),
      ),
    );
  }

  function chooseFromList(code) {
    const choice = S.choice;
    const person = S.roster.byCode.get(code);
    if (!choice || !person) return;
    closeChooser();
    propose(person, "chosen", { id_type: choice.idType, id_number: choice.number });
  }

  function onChooserKey(event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const shown = (S.choice && S.choice.shown) || [];
    if (shown.length === 1) chooseFromList(shown[0].code);
    else say(gettext("Several people fit: type more of the name, or tap the person."), "bad");
  }

  async function registerByNumber() {
    const choice = S.choice;
    if (!choice) return;
    closeChooser();
    // Nobody chosen: the server finds the person by the number when the record uploads,
    // and refuses it (listed under "Refused") if the register does not know the number.
    await register({
      person: { id_type: choice.idType, id_number: choice.number },
      view: { code: "", name: gettext("By ID number"), id_masked: maskId(choice.idType, choice.number) },
    });
    focusScan();
  }

  // The register's statuses (wangge/residents/choices.py), for the confirmation card.
  const STATUS = {
    away: () => gettext("Away"),
    hospitalised: () => gettext("Hospitalised"),
    moved_out: () => gettext("Moved out"),
    deceased: () => gettext("Deceased"),
  };

  function propose(person, via, scanned) {
    const flags = [];
    const inTube = S.tube && S.tube.members.some((m) => m.code && m.code === person.code);
    const repeat = S.sampled.has(person.code);
    if (repeat) flags.push(["warn", gettext("Already sampled in this round")]);
    if (person.status && person.status !== "present") {
      const status = (STATUS[person.status] || (() => person.status))();
      flags.push(["warn", fmt(gettext("Status: %(status)s"), { status })]);
    }
    if (person.home_visit) flags.push(["info", gettext("Sampled at home (door to door)")]);
    if (via === "server") flags.push(["info", gettext("Found by ID number on the server")]);
    if (via === "chosen") {
      flags.push(["warn", gettext("Picked by name: the server checks the ID number at upload")]);
    }
    if (inTube) flags.push(["bad", gettext("Already in this tube")]);
    S.candidate = {
      person: Object.assign({ resident_code: person.code }, scanned || {}),
      view: {
        code: person.code,
        name: person.name,
        id_masked: person.id_masked || "",
        repeat,
      },
      blocked: inTube,
    };
    S.phase = "confirm";
    body.dataset.phase = "confirm";
    $("st-c-name").textContent = person.name;
    $("st-c-id").textContent = person.id_masked || gettext("no ID number");
    const home = [person.household_label, person.grid_name].filter(Boolean).join(" · ");
    $("st-c-home").textContent = home;
    $("st-c-born").textContent = person.birth_year ? fmt(gettext("born %(year)s"), { year: person.birth_year }) : "";
    $("st-c-flags").replaceChildren(
      ...flags.map(([tone, text]) => el("span", { className: "tag " + tone, text })),
    );
    $("st-confirm").dataset.repeat = repeat ? "yes" : "no";
    $("st-c-ok").disabled = inTube;
    show($("st-confirm"), true);
    $("st-scan").value = "";
    say(
      inTube
        ? gettext("This person is already in this tube. Esc cancels.")
        : gettext("Enter confirms, Esc cancels."),
      inTube ? "bad" : "info",
    );
    focusScan();
  }

  function cancelCandidate() {
    S.candidate = null;
    S.phase = S.tube ? "person" : "tube";
    show($("st-confirm"), false);
    renderTube();
  }

  // --- Registering ----------------------------------------------------------------------
  async function register(candidate) {
    const tube = S.tube;
    const round = currentRound();
    if (!tube || !round) return;
    const clientId = station.uuid7();
    const item = {
      client_id: clientId,
      round_id: tube.round_id,
      tube_barcode: tube.barcode,
      tube_capacity: tube.capacity,
      sampled_at: station.localIso(),
      mode: S.settings.mode === "door" ? "door" : "point",
      sampling_point_id: S.settings.mode === "door" ? null : S.settings.point_id,
      team_id: S.settings.mode === "door" ? S.settings.team_id : null,
      person: candidate.person,
    };
    S.sealAsked = null;
    const view = Object.assign({ tube: tube.barcode }, candidate.view);
    const filled = tube.members.length + 1;
    await db.write(["queue", "sampled"], (s) => {
      s.queue.put({
        client_id: clientId,
        kind: "registration",
        state: STATE_PENDING,
        tube: tube.barcode,
        body: item,
        view,
      });
      if (view.code) s.sampled.put({ round_id: tube.round_id, code: view.code });
    });
    tube.members.push(view);
    if (view.code && S.sampledRound === tube.round_id) S.sampled.add(view.code);
    S.candidate = null;
    S.phase = "person";
    show($("st-confirm"), false);
    S.pending += 1;
    renderStatus();
    renderTube();
    renderHomes();
    say(
      fmt(gettext("✓ %(name)s — %(filled)s of %(capacity)s in tube %(barcode)s"), {
        name: view.name,
        filled,
        capacity: tube.capacity,
        barcode: tube.barcode,
      }),
      "ok",
    );
    if (navigator.vibrate) navigator.vibrate(40);
    if (filled >= tube.capacity) await sealTube("full");
    scheduleDrain(300);
  }

  async function confirmCandidate() {
    const candidate = S.candidate;
    if (!candidate || candidate.blocked) return;
    await register(candidate);
    focusScan();
  }

  // --- Walk-ins: people not in the registry ---------------------------------------------
  function openWalkIn(prefill) {
    if (!S.tube) {
      say(gettext("Scan a tube first."), "bad");
      return;
    }
    if (S.phase === "confirm") cancelCandidate();
    if (S.phase === "choose") closeChooser();
    const form = $("st-walkin");
    form.reset();
    $("wi-error").textContent = "";
    const values = prefill || {};
    if (values.id_type) $("wi-idtype").value = values.id_type;
    $("wi-idnumber").value = values.id_number || S.lastUnmatched || "";
    S.phase = "walkin";
    body.dataset.phase = "walkin";
    show(form, true);
    $("wi-name").focus();
  }

  function closeWalkIn() {
    show($("st-walkin"), false);
    S.phase = S.tube ? "person" : "tube";
    renderTube();
    focusScan();
  }

  async function submitWalkIn(event) {
    event.preventDefault();
    const name = $("wi-name").value.normalize("NFKC").trim();
    const idType = $("wi-idtype").value;
    const number = idType === "none" ? "" : station.normaliseId($("wi-idnumber").value);
    const phone = offline.normalisePhone($("wi-phone").value);
    const address = $("wi-address").value.trim().slice(0, 200);
    let problem = "";
    if (!name) problem = gettext("The name is missing.");
    else if (idType !== "none" && !number) problem = gettext("The ID number is missing.");
    else if (idType === "resident_card" && station.residentCardProblem(number)) {
      problem = gettext("This is not a valid resident ID number.");
    } else if (idType !== "none" && !station.ID_PATTERNS[idType].test(number)) {
      problem = gettext("The number does not have the form of this document.");
    } else if (offline.phoneProblem(phone)) {
      problem = gettext("Not a valid mobile or landline number.");
    }
    if (problem) {
      $("wi-error").textContent = problem;
      return;
    }
    const candidate = {
      person: {
        walk_in: {
          client_id: station.uuid7(),
          name: name.slice(0, 60),
          id_type: idType,
          id_number: number,
          phone,
          address,
        },
      },
      view: { code: "", name: name.slice(0, 60), id_masked: maskId(idType, number), walk_in: true },
    };
    show($("st-walkin"), false);
    S.lastUnmatched = "";
    await register(candidate);
    focusScan();
  }

  // --- The upload queue (the offline layer's loop; what goes where is the station's) -----
  function scrubbed(entry) {
    // Once the server has answered, the station forgets the numbers and phones it sent.
    const person = entry.body && entry.body.person;
    if (person && person.walk_in) Object.assign(person.walk_in, { id_number: "", phone: "", address: "" });
    if (person && person.id_number) person.id_number = "";
    return entry;
  }

  // The server seals a full tube by itself; its answer says so.
  function noteServerSeal(entry, result) {
    if (result.tube_sealed && S.tube && entry.tube === S.tube.barcode) S.sealedByServer = entry.tube;
  }

  async function sealedByServer() {
    const barcode = S.sealedByServer;
    S.sealedByServer = null;
    if (barcode && S.tube && S.tube.barcode === barcode && S.tube.members.length < S.tube.capacity) {
      // Another station filled this barcode, or it was sealed at the desk PC: stop here.
      await sealTube("server");
      say(gettext("The server reports this tube as sealed. Scan a new tube."), "warn");
    }
  }

  async function postSeal(entry) {
    try {
      await api("tubes/" + encodeURIComponent(entry.body.barcode) + "/seal", {
        method: "POST",
        body: {},
      });
      await applyResults([entry], [{ status: "accepted" }]);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      if (error.status === 404) {
        // None of its registrations reached the server (all refused): nothing to seal.
        await applyResults([entry], [{ status: "duplicate" }]);
        return;
      }
      const detail = error.detail && (error.detail.reason || error.detail.detail);
      await applyResults([entry], [
        {
          status: "rejected",
          reason_code: "seal_" + error.status,
          reason: typeof detail === "string" ? detail : gettext("The server refused to seal this tube."),
        },
      ]);
    }
  }

  // One batch of the queue: registrations and home visits in batches, then the early
  // seals of tubes whose registrations are all in.
  async function upload(batch) {
    const registrations = batch.filter((e) => e.kind === "registration");
    const visits = batch.filter((e) => e.kind === "visit");
    if (registrations.length) await sync.postBatch("registrations", registrations);
    if (visits.length) await sync.postBatch("home-visits", visits);
    for (const seal of batch.filter((e) => e.kind === "seal")) {
      const waiting = (await db.byIndex("queue", "tube", seal.tube)).some(
        (e) => e.kind === "registration" && e.state === STATE_PENDING,
      );
      if (!waiting) await postSeal(seal);
    }
  }

  // --- Door to door ------------------------------------------------------------------
  function homesKey() {
    return "homes:" + S.settings.round_id + ":" + S.settings.team_id;
  }

  async function loadHomes() {
    S.homes = (S.settings.round_id && S.settings.team_id && (await db.getMeta(homesKey()))) || [];
    const pending = await db.inState(STATE_PENDING, 5000);
    for (const entry of pending) {
      if (entry.kind !== "visit") continue;
      const home = S.homes.find((h) => h.household_id === entry.body.household_id);
      if (home && entry.body.round_id === S.settings.round_id) home.outcome = entry.body.outcome;
    }
    renderHomes();
  }

  async function syncHomes() {
    if (!S.settings.round_id || !S.settings.team_id || S.settings.mode !== "door") return;
    const key = homesKey();
    try {
      const answer = await api(
        "rounds/" + S.settings.round_id + "/home-visits?team=" + S.settings.team_id,
      );
      const homes = Array.isArray(answer) ? answer : (answer && answer.items) || [];
      await db.setMeta(key, homes);
      if (key === homesKey()) await loadHomes();
    } catch (error) {
      failed(error);
    }
  }

  const OUTCOMES = [
    ["sampled", () => gettext("Sampled")],
    ["nobody_home", () => gettext("Nobody home")],
    ["refused", () => gettext("Refused")],
  ];

  function renderHomes() {
    if (S.settings.mode !== "door") return;
    const list = $("st-homes-list");
    const done = S.homes.filter((h) => h.outcome).length;
    $("st-homes-status").textContent = S.settings.team_id
      ? fmt(gettext("%(done)s of %(total)s homes visited"), { done, total: S.homes.length })
      : gettext("Choose your team to see its homes.");
    list.replaceChildren(
      ...S.homes.map((home) => {
        const outcome = OUTCOMES.find(([value]) => value === home.outcome);
        return el("li", { className: "home", data: { household: home.household_id } }, [
          el("div", { className: "home-head" }, [
            el("strong", { text: home.label }),
            el("span", { className: "muted", text: " " + [home.address, home.grid_name].filter(Boolean).join(" · ") }),
            outcome ? el("span", { className: "tag good", text: outcome[1]() }) : null,
          ]),
          el(
            "div",
            { className: "home-people" },
            (home.residents || []).map((person) =>
              el("button", {
                className: "person" + (S.sampled.has(person.code) ? " sampled" : ""),
                type: "button",
                text: person.name + " " + (person.id_masked || ""),
                data: { pick: person.code, household: home.household_id },
              }),
            ),
          ),
          el(
            "div",
            { className: "home-actions" },
            OUTCOMES.map(([value, label]) =>
              el("button", {
                className: "small" + (home.outcome === value ? "" : " outline"),
                type: "button",
                text: label(),
                data: { outcome: value, household: home.household_id },
              }),
            ),
          ),
        ]);
      }),
    );
  }

  async function recordVisit(householdId, outcome) {
    const home = S.homes.find((h) => h.household_id === householdId);
    if (!home || !S.settings.team_id) return;
    const clientId = station.uuid7();
    await db.write(["queue"], (s) => {
      s.queue.put({
        client_id: clientId,
        kind: "visit",
        state: STATE_PENDING,
        tube: "",
        body: {
          client_id: clientId,
          round_id: S.settings.round_id,
          household_id: householdId,
          outcome,
          note: "",
          visited_at: station.localIso(),
          team_id: S.settings.team_id,
        },
        view: { name: home.label, tube: "" },
      });
    });
    home.outcome = outcome;
    renderHomes();
    await refreshCounts();
    scheduleDrain(300);
    say(fmt(gettext("%(home)s: %(outcome)s"), { home: home.label, outcome: OUTCOMES.find(([v]) => v === outcome)[1]() }), "ok");
    focusScan();
  }

  function pickFromHome(code, householdId) {
    if (!S.tube) {
      say(gettext("Scan a tube first."), "bad");
      focusScan();
      return;
    }
    const home = S.homes.find((h) => h.household_id === householdId);
    const inRoster = S.roster.byCode.get(code);
    const fromHome = home && (home.residents || []).find((p) => p.code === code);
    const person = inRoster || Object.assign({ household_label: home && home.label, grid_name: home && home.grid_name }, fromHome);
    if (person && person.code) propose(person, "home");
  }

  // --- Sync: device, rounds, roster, sampled codes --------------------------------------
  async function resetRoster() {
    const keys = ["roster_cursor", "roster_complete", "roster_synced_at", "reset"];
    await db.write(["roster", "sampled", "meta"], (s) => {
      s.roster.clear();
      s.sampled.clear();
      // Cursors and lists that belong to the old area or key go too.
      const request = s.meta.openKeyCursor();
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return;
        const key = String(cursor.key);
        if (keys.includes(key) || key.startsWith("sampled_cursor:") || key.startsWith("homes:")) {
          s.meta.delete(cursor.key);
        }
        cursor.continue();
      };
    });
    S.roster.clear();
    S.sampled.clear();
    S.rosterSyncedAt = null;
  }

  async function syncDevice() {
    const me = await api("me");
    const known = await db.getMeta("device");
    const areaChanged = known && known.area && me.area && known.area.id !== me.area.id;
    if (areaChanged) await resetRoster();
    await db.setMeta("device", me);
    S.device = me;
    renderDevice();
    if (me.server_time) {
      const skew = Math.abs(Date.parse(me.server_time) - Date.now());
      show($("st-clock"), skew > 5 * 60 * 1000);
    }
  }

  function renderDevice() {
    const me = S.device;
    if (!me) return;
    const area = me.area ? me.area.name : "";
    $("st-device").textContent = [me.label, area].filter(Boolean).join(" · ");
  }

  async function syncRounds() {
    const answer = await api("rounds");
    const rounds = Array.isArray(answer) ? answer : (answer && answer.items) || [];
    S.rounds = rounds;
    await db.setMeta("rounds", rounds);
    const roundChosen = S.settings.round_id === null && rounds.length === 1;
    if (roundChosen) S.settings.round_id = rounds[0].id;
    placeDefaults();
    await saveSettings();
    if (roundChosen) await loadSampled();
    renderSession();
  }

  async function syncRoster() {
    let cursor = (await db.getMeta("roster_cursor")) || "";
    for (let page = 0; page < 10000; page += 1) {
      const query = "?limit=" + ROSTER_PAGE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      const answer = await api("roster" + query, { timeout: 60000 });
      const items = answer.items || [];
      const removed = (answer.removed || []).map((r) => (typeof r === "string" ? r : r.code));
      const next = answer.next_cursor || cursor;
      // The server cannot serve changes from our cursor: start again from nothing.
      if (answer.reset) S.roster.clear();
      await db.write(["roster", "meta"], (s) => {
        if (answer.reset) s.roster.clear();
        for (const item of items) s.roster.put(item);
        for (const code of removed) s.roster.delete(code);
        s.meta.put(next, "roster_cursor");
        if (answer.complete) {
          s.meta.put(true, "roster_complete");
          s.meta.put(Date.now(), "roster_synced_at");
        }
      });
      for (const item of items) S.roster.put(item);
      for (const code of removed) S.roster.remove(code);
      const stuck = next === cursor && !items.length && !removed.length;
      cursor = next;
      if (answer.complete || stuck) break;
    }
    S.rosterSyncedAt = Date.now();
    renderRosterStatus();
  }

  async function loadSampled() {
    const roundId = S.settings.round_id;
    S.sampled = new Set();
    S.sampledRound = roundId;
    if (!roundId) return;
    const keys = await db.sampledCodes(roundId);
    if (S.settings.round_id === roundId) S.sampled = new Set(keys.map((k) => k[1]));
  }

  async function syncSampled() {
    const roundId = S.settings.round_id;
    if (!roundId) return;
    const key = "sampled_cursor:" + roundId;
    let cursor = (await db.getMeta(key)) || "";
    for (let page = 0; page < 1000; page += 1) {
      const answer = await api(
        "rounds/" + roundId + "/sampled" + (cursor ? "?cursor=" + encodeURIComponent(cursor) : ""),
        { timeout: 30000 },
      );
      const codes = answer.codes || [];
      const next = answer.next_cursor || cursor;
      const range = IDBKeyRange.bound([roundId, ""], [roundId, "\uffff"]);
      await db.write(["sampled", "meta"], (s) => {
        if (answer.reset) s.sampled.delete(range);
        for (const code of codes) s.sampled.put({ round_id: roundId, code });
        s.meta.put(next, key);
      });
      if (S.sampledRound === roundId) {
        if (answer.reset) S.sampled.clear();
        for (const code of codes) S.sampled.add(code);
      }
      const stuck = next === cursor && !codes.length;
      cursor = next;
      if (answer.complete || stuck) break;
    }
  }

  async function syncAll() {
    // Without a network the browser knows of, there is nothing to try (the "online" event
    // starts a sync when it is back).
    if (!S.token || S.tokenProblem || S.syncing || !navigator.onLine) return;
    S.syncing = true;
    try {
      await syncDevice();
      await syncRounds();
      await syncRoster();
      await syncSampled();
      if (S.settings.mode === "door") await syncHomes();
      $("st-sync-status").textContent = fmt(gettext("Last contact with the server: %(time)s"), {
        time: new Date().toLocaleTimeString(),
      });
    } catch (error) {
      failed(error);
    } finally {
      S.syncing = false;
    }
    drain();
  }

  // --- Input: scanner, keyboard, buttons ----------------------------------------------
  async function onScan(event) {
    event.preventDefault();
    const input = $("st-scan");
    const text = input.value;
    if (S.phase === "confirm") {
      if (!text.trim()) {
        await confirmCandidate();
      } else {
        // A scan that arrives before the confirmation is dropped (the field is cleared, so
        // that Enter confirms the person shown): it is never taken for that person.
        input.value = "";
        say(gettext("Confirm the person shown (Enter) or cancel (Esc) first."), "bad");
      }
      return;
    }
    input.value = "";
    if (!text.trim()) return;
    if (S.phase === "choose") closeChooser(); // a new scan replaces the open list
    if (!S.tube) await openTube(text);
    else await resolvePerson(text);
    focusScan();
  }

  function onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!$("st-camera").hidden) closeCamera();
      else if (S.phase === "walkin") closeWalkIn();
      else if (S.phase === "choose") closeChooser();
      else if (S.phase === "confirm") {
        cancelCandidate();
        say(gettext("Cancelled."), "info");
      } else $("st-scan").value = "";
      focusScan();
      return;
    }
    const actions = {
      F2: () => openWalkIn(),
      F4: () => sealTube("early"),
      F8: () => openCamera(),
      F9: () => uploadNow(),
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  }


  // --- Camera (html5-qrcode, loaded on first use) --------------------------------------
  let camera = null;
  let cameraStarting = null;
  const LIBRARY_MISSING = new Error("camera library missing");

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      if (window.Html5Qrcode) {
        resolve();
        return;
      }
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => reject(LIBRARY_MISSING);
      document.head.append(script);
    });
  }

  // What the sampler can do when the camera cannot be used (cameraProblem sorts the error).
  const CAMERA_ADVICE = {
    denied: gettext(
      "The browser was not allowed to use the camera. Allow the camera for this site (the camera or lock sign beside the address), then press F8 again. Meanwhile type the ID number or use a scanner.",
    ),
    missing: gettext(
      "This device has no camera the browser can find. Type the ID number or use a scanner.",
    ),
    busy: gettext(
      "The camera is in use by another app or tab. Close that app or tab, then press F8 again.",
    ),
    insecure: gettext(
      "The browser gives the camera only to pages opened over https. Ask the administrator for the https address of this station; meanwhile type the ID number or use a scanner.",
    ),
    library: gettext(
      "The camera scanner did not load. Reload this page while the network is up, or type the ID number.",
    ),
  };

  function cameraAdvice(error) {
    const kind =
      error === LIBRARY_MISSING ? "library" : station.cameraProblem(error, window.isSecureContext);
    return (
      CAMERA_ADVICE[kind] ||
      fmt(gettext("The camera cannot be used (%(error)s). Type the ID number or use a scanner."), {
        error: String(error),
      })
    );
  }

  async function openCamera() {
    if (S.phase === "confirm" || S.phase === "walkin") return;
    try {
      if (!window.isSecureContext) throw new Error("insecure context");
      await loadScript(body.dataset.qr);
      show($("st-camera"), true);
      camera = new window.Html5Qrcode("st-camera-view");
      cameraStarting = camera.start(
        { facingMode: "environment" },
        { fps: 10, qrbox: { width: 240, height: 160 } },
        (text) => {
          closeCamera().then(() => {
            $("st-scan").value = text;
            $("st-scan-form").requestSubmit();
          });
        },
        () => {},
      );
      await cameraStarting;
    } catch (error) {
      await closeCamera();
      say(cameraAdvice(error), "bad");
    }
  }

  async function closeCamera() {
    if (camera) {
      try {
        // Stopping a camera that is still starting leaves its video playing: wait for it.
        if (cameraStarting) await cameraStarting;
        await camera.stop();
      } catch (_error) {
        // Not started yet; nothing to stop.
      }
      camera = null;
      cameraStarting = null;
    }
    show($("st-camera"), false);
    focusScan();
  }


  // --- Start -----------------------------------------------------------------------------

  async function prune() {
    await sync.prune(KEEP_DONE_MS);
    const cutoff = Date.now() - KEEP_DONE_MS;
    const tubes = (await db.getAll("tubes")).filter(
      (t) => t.status !== "open" && Date.parse(t.opened_at) < cutoff,
    );
    if (!tubes.length) return;
    await db.write(["tubes"], (s) => {
      for (const tube of tubes) s.tubes.delete(tube.barcode);
    });
  }

  function bind() {
    $("st-scan-form").addEventListener("submit", onScan);
    document.addEventListener("keydown", onKey);
    for (const id of ["st-round", "st-mode", "st-point", "st-team"]) {
      $(id).addEventListener("change", onSessionChange);
    }
    $("st-seal").addEventListener("click", () => sealTube("early"));
    $("st-walkin-btn").addEventListener("click", () => openWalkIn());
    $("st-camera-btn").addEventListener("click", openCamera);
    $("st-camera-close").addEventListener("click", closeCamera);
    $("st-c-ok").addEventListener("click", confirmCandidate);
    $("st-c-cancel").addEventListener("click", () => {
      cancelCandidate();
      focusScan();
    });
    $("st-walkin").addEventListener("submit", submitWalkIn);
    $("st-choose-name").addEventListener("input", renderChooser);
    $("st-choose-name").addEventListener("keydown", onChooserKey);
    $("st-choose-list").addEventListener("click", (event) => {
      const button = event.target.closest("[data-choose]");
      if (button) chooseFromList(button.dataset.choose);
    });
    $("st-choose-number").addEventListener("click", registerByNumber);
    $("st-choose-walkin").addEventListener("click", () => {
      const choice = S.choice;
      closeChooser();
      openWalkIn(choice ? { id_type: choice.idType, id_number: choice.number } : undefined);
    });
    $("st-choose-cancel").addEventListener("click", () => {
      closeChooser();
      focusScan();
    });
    $("wi-cancel").addEventListener("click", closeWalkIn);
    $("st-homes-list").addEventListener("click", (event) => {
      const pick = event.target.closest("[data-pick]");
      if (pick) pickFromHome(pick.dataset.pick, Number(pick.dataset.household));
      const outcome = event.target.closest("[data-outcome]");
      if (outcome) recordVisit(Number(outcome.dataset.household), outcome.dataset.outcome);
    });
    sync.bind();
  }

  async function start() {
    sync.registerWorker(body);
    bind();
    renderStatus();
    S.token = await db.getMeta("token");
    if (!S.token) {
      show($("st-unset"), true);
      return;
    }
    if (await db.getMeta("reset")) await resetRoster();
    show($("st-work"), true);
    S.device = (await db.getMeta("device")) || null;
    renderDevice();
    S.rounds = (await db.getMeta("rounds")) || [];
    S.settings = Object.assign(S.settings, (await db.getMeta("settings")) || {});
    const items = await db.getAll("roster");
    for (const item of items) S.roster.put(item);
    S.rosterSyncedAt = (await db.getMeta("roster_synced_at")) || null;
    await loadSampled();
    const open = await db.getMeta("tube");
    if (open) {
      S.tube = await loadTube(open);
      if (S.tube && S.tube.status !== "open") S.tube = null;
    }
    S.phase = S.tube ? "person" : "tube";
    renderSession();
    renderTube();
    renderRosterStatus();
    if (S.settings.mode === "door") await loadHomes();
    await refreshCounts();
    await sync.renderRejects();
    body.dataset.ready = "yes";
    say(S.tube ? gettext("Scan the next person.") : gettext("Scan a tube barcode to begin."), "info");
    focusScan();
    await prune();
    syncAll();
    setInterval(() => {
      if (S.pending > 0) drain();
    }, TICK_MS);
    setInterval(syncAll, REFRESH_MS);
  }

  function run() {
    start().catch((error) => {
      // IndexedDB refused (private mode, storage turned off): nothing can be queued.
      show($("st-fatal"), true);
      show($("st-work"), false);
      $("st-fatal-detail").textContent = String(error);
    });
  }

  station.app = { state: S, drain, syncAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
