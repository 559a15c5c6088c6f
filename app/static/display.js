// The big screen: a snapshot, then live updates over SSE; polls the totals while the stream is down.
(function () {
  "use strict";
  const body = document.body;
  const streamUrl = body.dataset.streamUrl;
  const totalsUrl = body.dataset.totalsUrl;
  const venueNames = {};
  let totals = null;
  let pollTimer = null;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function render() {
    if (!totals) return;
    const values = totals.meeting.values;
    document.querySelectorAll(".totals [data-metric]").forEach((node) => {
      node.textContent = values[node.dataset.metric] ?? 0;
    });
    renderVenues();
    renderOrgs();
    renderMinutes();
    renderRecent();
  }

  function renderVenues() {
    const rows = document.getElementById("venue-rows");
    rows.replaceChildren(...totals.venues.map((venue) => {
      venueNames[venue.id] = venue.place_name;
      const row = el("tr");
      row.append(el("td", `${venue.role_label} · ${venue.place_name}`));
      ["joins", "consultations", "materials", "cards", "visitors"].forEach((metric) => {
        row.append(el("td", venue.values[metric] ?? 0));
      });
      return row;
    }));
  }

  function renderOrgs() {
    const max = Math.max(1, ...totals.orgs.map((org) => org.values.joins));
    document.getElementById("org-bars").replaceChildren(...totals.orgs.map((org) => {
      const bar = el("div", undefined, "bar");
      const fill = el("div", undefined, "fill");
      fill.style.width = `${(100 * org.values.joins) / max}%`;
      bar.append(el("span", org.name), fill, el("span", org.values.joins));
      return bar;
    }));
  }

  function minuteOfDay(hhmm) {
    const [hours, minutes] = hhmm.split(":").map(Number);
    return hours * 60 + minutes;
  }

  function renderMinutes() {
    // The day from its first join to its latest, a bar per minute; quiet minutes stay visible as gaps.
    const byMinute = new Map(totals.joins_by_minute.map((m) => [minuteOfDay(m.minute), m.joins]));
    const minutes = [...byMinute.keys()];
    if (!minutes.length) return;
    const first = Math.min(...minutes);
    const last = Math.max(...minutes);
    const max = Math.max(1, ...byMinute.values());
    const bars = [];
    for (let minute = first; minute <= last; minute += 1) {
      const joins = byMinute.get(minute) || 0;
      const bar = el("span");
      bar.style.height = `${(100 * joins) / max}%`;
      bar.title = `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")} ${joins}人`;
      bars.push(bar);
    }
    document.getElementById("minute-bars").replaceChildren(...bars);
  }

  function renderRecent() {
    document.getElementById("recent-joins").replaceChildren(...totals.recent_joins.slice(0, 10).map((join) => {
      return el("li", `${join.at}  ${join.name}  ${venueNames[join.venue_id] || ""} 入会`);
    }));
  }

  function scopeOf(change) {
    if (change.scope === "meeting") return totals.meeting;
    if (change.scope === "venue") return totals.venues.find((v) => v.id === change.id);
    if (change.scope === "org") return totals.orgs.find((o) => o.id === change.id);
    if (change.scope === "booth") {
      for (const venue of totals.venues) {
        const booth = venue.booths.find((b) => b.id === change.id);
        if (booth) return booth;
      }
    }
    return null;
  }

  function applyUpdate(update) {
    if (!totals) return;
    update.changes.forEach((change) => {
      const target = scopeOf(change);
      if (target) Object.assign(target.values, change.values);  // absolute values: a repeat is harmless
    });
    Object.entries(update.minutes || {}).forEach(([minute, joins]) => {
      const found = totals.joins_by_minute.find((m) => m.minute === minute);
      if (found) found.joins = joins;
      else totals.joins_by_minute.push({ minute, joins });
    });
    totals.joins_by_minute.sort((a, b) => a.minute.localeCompare(b.minute));
    totals.recent_joins = [...(update.joined || []).reverse(), ...totals.recent_joins].slice(0, 12);
    render();
  }

  function setConnection(text, offline) {
    const node = document.getElementById("connection");
    node.textContent = text;
    node.classList.toggle("offline", offline);
  }

  async function poll() {
    try {
      const response = await fetch(totalsUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        totals = await response.json();
        render();
      }
    } catch (error) {
      // Still offline: keep the last numbers on screen and try again.
    }
  }

  function startPolling() {
    if (!pollTimer) pollTimer = setInterval(poll, 5000);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  const source = new EventSource(streamUrl);
  source.addEventListener("snapshot", (event) => {
    totals = JSON.parse(event.data);
    stopPolling();
    setConnection("实时", false);
    render();
  });
  source.addEventListener("update", (event) => applyUpdate(JSON.parse(event.data)));
  source.addEventListener("revoked", () => {
    source.close();
    stopPolling();
    setConnection("大屏链接已停用", true);
  });
  source.onerror = () => {
    setConnection("连接中断，正在重连…", true);
    startPolling();
  };
})();
