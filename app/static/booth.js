// The booth console. Every tap gets an idempotency key and goes into a localStorage queue first; the queue
// is sent in order and a tap leaves it only when the server has answered for it. Offline taps wait and are
// replayed when the phone is back; a replay of an already-counted tap is answered 200 and not counted again.
// The last tap can be undone for 30 s: still queued, it is simply dropped; sent, a queued 撤销 names its key
// and the server counts it back down once.
(function () {
  "use strict";
  const root = document.getElementById("console");
  const boothId = Number(root.dataset.boothId);
  const venueId = Number(root.dataset.venueId);
  const queueKey = `booth-taps-${boothId}`;
  const UNDO_SECONDS = 30;
  const MAX_MATERIALS = 1000;
  const sync = document.getElementById("sync");
  const undoButton = document.getElementById("undo");
  const lastTapText = document.getElementById("last-tap");
  let flushing = false;
  let lastTap = null;  // { key, label, at }
  let undoTimer = null;

  function newKey(prefix) {
    // crypto.randomUUID needs a secure context; a booth phone on plain http still has getRandomValues.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }

  function loadQueue() {
    try {
      return JSON.parse(localStorage.getItem(queueKey)) || [];
    } catch (error) {
      return [];
    }
  }

  function saveQueue(queue) {
    localStorage.setItem(queueKey, JSON.stringify(queue));
  }

  function showSync(text, state) {
    sync.textContent = text;
    sync.className = `sync ${state || ""}`;
  }

  function enqueue(tap) {
    const key = newKey(tap.undoes ? "undo" : "tap");
    saveQueue([...loadQueue(), { idempotency_key: key, ...tap }]);
    flush();
    return key;
  }

  // Answers that will never change on a retry: the tap is settled (counted, or refused with a reason).
  function settles(status, body) {
    if (status === 200 || status === 201) return true;
    if (status === 401 || status === 429 || status >= 500) return false;
    return !(status === 400 && body && body.error && body.error.code === "bad_request");
  }

  async function send(tap) {
    const response = await fetch(tap.undoes ? root.dataset.undoUrl : root.dataset.tallyUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrfToken },
      body: JSON.stringify(tap),
    });
    const body = await response.json().catch(() => null);
    return { status: response.status, body };
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (let queue = loadQueue(); queue.length; queue = loadQueue()) {
        const { status, body } = await send(queue[0]);
        if (!settles(status, body)) {
          showSync(status === 401 ? "登录已过期，请重新登录；计数已保存" : `待发送 ${queue.length} 条，稍后重试`, "pending");
          return;
        }
        saveQueue(loadQueue().filter((tap) => tap.idempotency_key !== queue[0].idempotency_key));
        if (status >= 400) showSync((body && body.error && body.error.message) || "计数未被接受", "failed");
        else if (queue.length === 1) showSync("已同步", "");
      }
    } catch (error) {
      showSync(`离线：已保存 ${loadQueue().length} 条，联网后自动发送`, "pending");
    } finally {
      flushing = false;
    }
  }

  // The pressed button itself says what was counted, for a moment, under the thumb.
  function confirmOn(button, text) {
    button.dataset.confirm = text;
    button.classList.add("confirmed");
    clearTimeout(button.confirmTimer);
    button.confirmTimer = setTimeout(() => button.classList.remove("confirmed"), 1500);
  }

  function remember(key, label) {
    lastTap = { key, label, at: Date.now() };
    lastTapText.textContent = `上一次：${label}`;
    showUndo();
  }

  function showUndo() {
    clearInterval(undoTimer);
    const tick = () => {
      const left = lastTap ? Math.ceil(UNDO_SECONDS - (Date.now() - lastTap.at) / 1000) : 0;
      undoButton.hidden = left <= 0;
      undoButton.textContent = `撤销（${left} 秒）`;
      if (left <= 0) clearInterval(undoTimer);
    };
    tick();
    undoButton.hidden = !lastTap;
    undoTimer = setInterval(tick, 1000);
  }

  function tally(button, tap, label, confirmation) {
    const key = enqueue(tap);
    confirmOn(button, confirmation);
    remember(key, label);
    if (sync.textContent === "已同步") showSync("发送中…", "pending");
  }

  root.querySelectorAll("button.tap").forEach((button) => {
    button.addEventListener("click", () => {
      const kind = button.dataset.kind;
      let quantity = 1;
      if (kind === "materials") {
        const error = document.getElementById("materials-error");
        quantity = Number(document.getElementById("materials-quantity").value);
        const valid = Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_MATERIALS;
        error.hidden = valid;
        error.textContent = valid ? "" : `宣传材料份数应为 1–${MAX_MATERIALS} 的整数`;
        if (!valid) return;
      }
      tally(button, { kind, quantity }, `${button.dataset.label} +${quantity}`, `✓ 已记 +${quantity}`);
    });
  });

  undoButton.addEventListener("click", () => {
    if (!lastTap) return;
    const queue = loadQueue();
    if (queue.some((tap) => tap.idempotency_key === lastTap.key)) {
      saveQueue(queue.filter((tap) => tap.idempotency_key !== lastTap.key));  // never sent: never counted
    } else {
      enqueue({ undoes: lastTap.key });
    }
    confirmOn(undoButton, "✓ 已撤销");
    lastTapText.textContent = `已撤销：${lastTap.label}`;
    lastTap = null;
    clearInterval(undoTimer);
    setTimeout(() => { undoButton.hidden = true; }, 1500);
  });

  document.getElementById("intent-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const firm = form.firm_name.value.trim();
    tally(form.querySelector("button"), {
      kind: "union_intent",
      firm_name: form.firm_name.value,
      contact_name: form.contact_name.value,
      contact_phone: form.contact_phone.value,
    }, `建会意向 ${firm}`, "✓ 已登记");
    form.reset();
  });

  function showValues(scope, values) {
    root.querySelectorAll(`[data-scope="${scope}"] [data-metric]`).forEach((node) => {
      if (node.dataset.metric in values) node.textContent = values[node.dataset.metric];
    });
  }

  const source = new EventSource(root.dataset.streamUrl);
  source.addEventListener("snapshot", (event) => {
    const totals = JSON.parse(event.data);
    const venue = totals.venues.find((v) => v.id === venueId);
    if (!venue) return;
    showValues("venue", venue.values);
    const booth = venue.booths.find((b) => b.id === boothId);
    if (booth) showValues("booth", booth.values);
  });
  source.addEventListener("update", (event) => {
    JSON.parse(event.data).changes.forEach((change) => {
      if (change.scope === "booth" && change.id === boothId) showValues("booth", change.values);
      if (change.scope === "venue" && change.id === venueId) showValues("venue", change.values);
    });
  });

  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  flush();
})();
