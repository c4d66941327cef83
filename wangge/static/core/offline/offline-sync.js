// The offline layer's queue-and-sync, shared by every device shell (the sampling station,
// the checkpoint device). What the shell records goes to its IndexedDB queue first; this
// uploads the pending items in batches whenever the server answers, backs off after errors,
// files each item by the server's own answer (accepted or a duplicate: done and scrubbed of
// full numbers; rejected: kept and listed, scrubbed too, until the operator dismisses it),
// and keeps the shell's bar up to date: online or not, how many items wait, how many were
// refused. The shell says how to send a batch (`upload`), what to blank once an item is
// answered (`scrub`) and how to name a refused item (`describe`).
//
// The shell's page carries the shared elements by these ids (templates of the station and
// the checkpoint device): st-net, st-queue, st-queue-count, st-rejected, st-rejected-count,
// st-rejects, st-rejects-list, st-upload-stopped, st-upload-stopped-text, st-upload-retry,
// st-token-problem, st-no-worker, st-lang-form.
(function () {
  "use strict";

  const offline = (window.WanggeOffline = window.WanggeOffline || {});
  const { STATE, gettext, ngettext, fmt } = offline;
  const $ = (id) => document.getElementById(id);

  // --- Small DOM helpers (no innerHTML: names come from the register) --------------------
  function el(tag, options, children) {
    const node = document.createElement(tag);
    const opts = options || {};
    if (opts.className) node.className = opts.className;
    if (opts.text !== undefined) node.textContent = opts.text;
    if (opts.type) node.type = opts.type;
    if (opts.title) node.title = opts.title;
    if (opts.data) Object.assign(node.dataset, opts.data);
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function show(node, visible) {
    if (node) node.hidden = !visible;
  }

  // --- What can go wrong with a request -------------------------------------------------
  class NetError extends Error {}
  class AuthError extends Error {}
  // The server refused a whole upload (not one item): stop and tell the operator.
  class StopError extends Error {
    constructor(status) {
      super("HTTP " + status);
      this.status = status;
    }
  }
  class HttpError extends Error {
    constructor(status, detail) {
      super("HTTP " + status);
      this.status = status;
      this.detail = detail;
    }
  }
  // Statuses that say the request itself is wrong: split the batch to find the bad item.
  const REFUSED = [400, 413, 422];

  const NET_TEXT = {
    online: () => gettext("Online"),
    offline: () => gettext("Offline"),
    unreachable: () => gettext("Server unreachable"),
  };

  function resultsOf(answer) {
    if (Array.isArray(answer)) return answer;
    return (answer && (answer.results || answer.items)) || [];
  }

  // The reason of a refused item: core/batch.py's ItemAnswerOut names the code
  // `reason_code` and the translated text `reason`; an answer with `message` names the
  // code `reason` and the text `message`.
  function reasonOf(result) {
    if (result.reason_code !== undefined) {
      return { code: result.reason_code || "", text: result.reason || result.reason_code || "" };
    }
    return { code: result.reason || "", text: result.message || result.reason || "" };
  }

  function createSync(config) {
    const S = config.state;
    const db = config.db;
    const batchSize = config.batch || 500;
    const say = config.say || (() => {});
    Object.assign(S, {
      token: S.token || null,
      tokenProblem: false,
      net: navigator.onLine ? "online" : "offline",
      uploading: false,
      stopped: null,
      failures: 0,
      nextTry: 0,
      drainTimer: null,
      pending: 0,
      rejected: 0,
    });

    // --- The API ------------------------------------------------------------------------
    async function api(path, options) {
      const opts = options || {};
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), opts.timeout || 15000);
      let response;
      try {
        response = await fetch(config.api + path, {
          method: opts.method || "GET",
          headers: Object.assign(
            {
              Authorization: "Bearer " + S.token,
              Accept: "application/json",
              // Refusal reasons come back in the shell's language, not the browser's.
              "Accept-Language": document.documentElement.lang || "zh-hans",
            },
            opts.body === undefined ? {} : { "Content-Type": "application/json" },
          ),
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          credentials: "omit", // the bearer token is the credential, not the session
          cache: "no-store",
          signal: controller.signal,
        });
      } catch (error) {
        throw new NetError(String(error));
      } finally {
        clearTimeout(timer);
      }
      if (response.status === 401) throw new AuthError("401");
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        throw new NetError("HTTP " + response.status);
      }
      let data = null;
      try {
        data = await response.json();
      } catch (_error) {
        data = null;
      }
      if (!response.ok) throw new HttpError(response.status, data);
      // An answer to a request sent before the network went counts for nothing now.
      setNet(navigator.onLine ? "online" : "offline");
      return data;
    }

    function failed(error) {
      if (error instanceof AuthError) {
        S.tokenProblem = true;
        show($("st-token-problem"), true);
        return;
      }
      if (error instanceof NetError) setNet(navigator.onLine ? "unreachable" : "offline");
    }

    function setNet(state) {
      if (S.net === state) return;
      S.net = state;
      renderStatus();
    }

    // --- The bar ------------------------------------------------------------------------
    function renderStatus() {
      const badge = $("st-net");
      badge.dataset.state = S.net;
      badge.textContent = NET_TEXT[S.net]();
      $("st-queue-count").textContent = String(S.pending);
      $("st-queue").dataset.waiting = S.pending > 0 ? "yes" : "no";
      $("st-queue").title = fmt(
        ngettext(
          "%(n)s record waits to upload (F9 uploads now)",
          "%(n)s records wait to upload (F9 uploads now)",
          S.pending,
        ),
        { n: S.pending },
      );
      $("st-rejected-count").textContent = String(S.rejected);
      show($("st-rejected"), S.rejected > 0);
      if (config.onStatus) config.onStatus();
    }

    async function refreshCounts() {
      S.pending = await db.countState(STATE.PENDING);
      S.rejected = await db.countState(STATE.REJECTED);
      renderStatus();
    }

    function renderStopped() {
      show($("st-upload-stopped"), Boolean(S.stopped));
      $("st-upload-stopped-text").textContent = S.stopped
        ? fmt(
            gettext(
              "The server refused the upload (HTTP %(status)s). The records stay queued here: " +
                "tell your community's staff, then upload again (F9).",
            ),
            { status: S.stopped },
          )
        : "";
    }

    // --- Queueing -----------------------------------------------------------------------
    // A new item for the queue: `body` is what the API receives, `view` what the page shows.
    function queued(kind, clientId, body, view, more) {
      return Object.assign({ client_id: clientId, kind, state: STATE.PENDING, body, view }, more);
    }

    // --- Uploading ----------------------------------------------------------------------
    function scheduleDrain(delay) {
      if (S.drainTimer) clearTimeout(S.drainTimer);
      const wait = Math.max(delay || 0, S.nextTry - Date.now());
      S.drainTimer = setTimeout(() => {
        S.drainTimer = null;
        drain();
      }, wait);
    }

    // File each item by its answer (by client id, else by its place in the batch).
    async function applyResults(entries, results) {
      await db.write(["queue"], (s) => {
        entries.forEach((entry, index) => {
          const result =
            results.find((r) => r && r.client_id && r.client_id === entry.client_id) ||
            results[index] ||
            null;
          if (!result) return;
          const status = result.status || result.result;
          if (status === "accepted" || status === "duplicate") {
            entry.state = STATE.DONE;
            entry.answer = status;
            if (config.accepted) config.accepted(entry, result);
            s.queue.put(config.scrub(entry));
          } else if (status === "rejected") {
            const reason = reasonOf(result);
            entry.state = STATE.REJECTED;
            entry.reason_code = reason.code;
            entry.reason = reason.text;
            entry.field = result.field || "";
            s.queue.put(config.scrub(entry));
          }
        });
      });
      if (config.answered) await config.answered();
    }

    async function postBatch(path, entries) {
      try {
        const answer = await api(path, {
          method: "POST",
          body: { items: entries.map((e) => e.body) },
          timeout: 30000,
        });
        await applyResults(entries, resultsOf(answer));
      } catch (error) {
        if (error instanceof HttpError && !REFUSED.includes(error.status)) {
          // Not an answer about these items (a proxy's 404, a route not deployed yet, a
          // device no longer allowed): keep them queued, stop, and tell the operator.
          throw new StopError(error.status);
        }
        if (!(error instanceof HttpError) || entries.length === 1) {
          if (error instanceof HttpError) {
            // The server refused the request itself: keep it from blocking the queue.
            await applyResults(entries, [
              {
                status: "rejected",
                reason_code: "http_" + error.status,
                reason: fmt(gettext("The server refused this record (HTTP %(status)s)."), error),
              },
            ]);
            return;
          }
          throw error;
        }
        // A batch refused as a whole: find the item at fault by sending them one by one.
        for (const entry of entries) await postBatch(path, [entry]);
      }
    }

    async function drain() {
      if (S.uploading || !S.token || S.tokenProblem || S.stopped) return;
      if (Date.now() < S.nextTry) {
        scheduleDrain(0);
        return;
      }
      S.uploading = true;
      $("st-queue").dataset.busy = "yes";
      try {
        let before = await db.countState(STATE.PENDING);
        for (let round = 0; round < 1000 && before > 0; round += 1) {
          const batch = await db.inState(STATE.PENDING, batchSize);
          if (!batch.length) break;
          await config.upload(batch);
          const left = await db.countState(STATE.PENDING);
          // No progress (say, an item waiting for another the server did not answer):
          // leave the rest to the next tick instead of spinning.
          if (left >= before) break;
          before = left;
          await refreshCounts();
        }
        S.failures = 0;
        S.nextTry = 0;
      } catch (error) {
        failed(error);
        if (error instanceof NetError) {
          // A server error or no answer: try again later, further apart each time.
          S.failures += 1;
          S.nextTry = Date.now() + offline.backoff(S.failures);
          scheduleDrain(0);
        } else if (error instanceof StopError) {
          S.stopped = error.status;
          renderStopped();
        } else if (!(error instanceof AuthError)) {
          say(fmt(gettext("Upload problem: %(error)s"), { error: String(error) }), "bad");
        }
      } finally {
        S.uploading = false;
        $("st-queue").dataset.busy = "no";
        await refreshCounts();
        renderRejects();
      }
    }

    function uploadNow() {
      S.nextTry = 0;
      S.failures = 0;
      S.stopped = null;
      renderStopped();
      drain();
      if (config.refresh) config.refresh();
    }

    // --- Refused items ------------------------------------------------------------------
    async function renderRejects() {
      const list = $("st-rejects-list");
      if ($("st-rejects").hidden && list.childElementCount === 0 && S.rejected === 0) return;
      const items = await db.inState(STATE.REJECTED, 200);
      list.replaceChildren(
        ...items.map((item) => {
          const described = config.describe(item);
          return el("li", { data: { client: item.client_id } }, [
            el("strong", { text: described.title || item.client_id }),
            el("span", { className: "muted", text: " " + (described.detail || "") + " " }),
            el("span", { className: "tag bad", text: item.reason || item.reason_code }),
            ...(config.rejectActions ? config.rejectActions(item) : []),
            el("button", {
              className: "small outline",
              type: "button",
              text: gettext("Dismiss"),
              data: { dismiss: item.client_id },
            }),
          ]);
        }),
      );
      if (!items.length) show($("st-rejects"), false);
    }

    async function dismiss(clientId) {
      await db.write(["queue"], (s) => {
        const request = s.queue.get(clientId);
        request.onsuccess = () => {
          const entry = request.result;
          if (entry) {
            entry.state = STATE.DISMISSED;
            s.queue.put(entry);
          }
        };
      });
      await refreshCounts();
      await renderRejects();
    }

    // Answered and dismissed items older than `keepMs` go (their client ids are UUIDv7:
    // the id says when the item was made).
    async function prune(keepMs) {
      const cutoff = Date.now() - keepMs;
      const old = (await db.inState(STATE.DONE)).concat(await db.inState(STATE.DISMISSED));
      const stale = old.filter((e) => offline.uuid7Millis(e.client_id) < cutoff);
      if (!stale.length) return;
      await db.write(["queue"], (s) => {
        for (const entry of stale) s.queue.delete(entry.client_id);
      });
    }

    // --- Start ----------------------------------------------------------------------------
    function registerWorker(body) {
      if (!("serviceWorker" in navigator) || !window.isSecureContext) {
        show($("st-no-worker"), true);
        return;
      }
      navigator.serviceWorker
        .register(body.dataset.sw, { scope: body.dataset.scope })
        .catch(() => show($("st-no-worker"), true));
    }

    // Language switch without a session: Django's set_language needs the CSRF cookie.
    function onLanguage(event) {
      const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (match) event.target.querySelector("[name=csrfmiddlewaretoken]").value = match[1];
    }

    function bind() {
      $("st-upload-retry").addEventListener("click", uploadNow);
      $("st-queue").addEventListener("click", uploadNow);
      $("st-rejected").addEventListener("click", async () => {
        show($("st-rejects"), $("st-rejects").hidden);
        await renderRejects();
      });
      $("st-rejects-list").addEventListener("click", (event) => {
        const button = event.target.closest("[data-dismiss]");
        if (button) dismiss(button.dataset.dismiss);
      });
      const lang = $("st-lang-form");
      if (lang) lang.addEventListener("submit", onLanguage);
      window.addEventListener("online", () => {
        setNet("online");
        uploadNow();
      });
      window.addEventListener("offline", () => setNet("offline"));
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") drain();
      });
    }

    return {
      api,
      failed,
      setNet,
      renderStatus,
      refreshCounts,
      renderStopped,
      queued,
      scheduleDrain,
      applyResults,
      postBatch,
      drain,
      uploadNow,
      renderRejects,
      dismiss,
      prune,
      registerWorker,
      bind,
    };
  }

  // The setup page hands the device's token over once: it goes into the shell's database
  // (never into a URL or a cookie) with what `more(meta)` adds, then the shell opens.
  function handOver(holderId, db, more) {
    const holder = $(holderId);
    if (!holder || !holder.dataset.token) return;
    const token = holder.dataset.token;
    delete holder.dataset.token;
    if ("serviceWorker" in navigator && window.isSecureContext) {
      // Start caching the shell now, so it opens even if the network drops next.
      navigator.serviceWorker
        .register(holder.dataset.sw, { scope: holder.dataset.app })
        .catch(() => {});
    }
    db.write(["meta"], (s) => {
      s.meta.put(token, "token");
      s.meta.delete("device");
      if (more) more(s.meta, holder.dataset);
    })
      .then(() => window.location.replace(holder.dataset.app))
      .catch(() => {
        show($(holderId + "-error"), true);
      });
  }

  Object.assign(offline, {
    createSync,
    handOver,
    el,
    show,
    NetError,
    AuthError,
    HttpError,
    StopError,
  });
})();
