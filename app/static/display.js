// The big screen: a snapshot, then live updates over SSE; polls the totals while the stream is down.
// Long lists (venues, towns) are cut into pages that fit the screen and rotate: a TV cannot scroll.
(function () {
  "use strict";
  const body = document.body;
  const streamUrl = body.dataset.streamUrl;
  const totalsUrl = body.dataset.totalsUrl;
  const PAGE_SECONDS = 10;
  const CHART_MINUTES = 60;
  const pages = { venues: 0, orgs: 0 };
  let totals = null;
  let pollTimer = null;
  let chart = null;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // 1/100 of a 16:9 frame's height, as in display.css.
  function unit() {
    return Math.min(window.innerHeight / 100, (window.innerWidth * 0.5625) / 100);
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

  // Puts every row in and keeps those that end above the panel's bottom: no line is ever cut in half.
  function keepFitting(container, rows) {
    container.replaceChildren(...rows);
    const panel = container.closest(".panel");
    const bottom = panel.getBoundingClientRect().bottom - parseFloat(getComputedStyle(panel).paddingBottom);
    const fitting = rows.filter((row) => row.getBoundingClientRect().bottom <= bottom + 0.5);
    container.replaceChildren(...fitting);
    return fitting.length;
  }

  // Shows the current page of as many rows as fit; the pages rotate every PAGE_SECONDS.
  function paginate(container, rows, key, indicator) {
    const perPage = Math.max(1, keepFitting(container, rows));
    const pageCount = Math.ceil(rows.length / perPage);
    const page = pages[key] % Math.max(1, pageCount);
    container.replaceChildren(...rows.slice(page * perPage, (page + 1) * perPage));
    document.getElementById(indicator).textContent = pageCount > 1 ? `${page + 1}/${pageCount}` : "";
  }

  function renderVenues() {
    const rows = totals.venues.map((venue) => {
      const row = el("tr");
      row.append(el("td", venue.role === "main" ? `主会场 · ${venue.place_name}` : venue.place_name));
      ["joins", "consultations", "materials", "cards"].forEach((metric) => row.append(el("td", venue.values[metric] ?? 0)));
      return row;
    });
    paginate(document.getElementById("venue-rows"), rows, "venues", "venue-page");
  }

  function renderOrgs() {
    const max = Math.max(1, ...totals.orgs.map((org) => org.values.joins));
    const bars = totals.orgs.map((org) => {
      const bar = el("div", undefined, "bar");
      const fill = el("div", undefined, "fill");
      fill.style.width = `${(100 * org.values.joins) / max}%`;
      bar.append(el("span", org.name), fill, el("span", org.values.joins));
      return bar;
    });
    paginate(document.getElementById("org-bars"), bars, "orgs", "org-page");
  }

  function hhmm(minuteOfDay) {
    return `${String(Math.floor(minuteOfDay / 60)).padStart(2, "0")}:${String(minuteOfDay % 60).padStart(2, "0")}`;
  }

  function minuteOfDay(text) {
    const [hours, minutes] = text.split(":").map(Number);
    return hours * 60 + minutes;
  }

  function beijingMinuteNow() {
    const now = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    return minuteOfDay(now.format(new Date()));
  }

  // The last hour up to now (Beijing time), a bar per minute: quiet minutes show as zero, not as gaps closed up.
  function minuteSeries() {
    const byMinute = new Map(totals.joins_by_minute.map((m) => [minuteOfDay(m.minute), m.joins]));
    const latest = Math.max(beijingMinuteNow(), ...byMinute.keys());
    const first = Math.max(0, latest - CHART_MINUTES + 1);
    const minutes = [];
    for (let minute = first; minute <= latest; minute += 1) minutes.push([hhmm(minute), byMinute.get(minute) || 0]);
    return minutes;
  }

  function textWidth(text, fontSize) {
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${fontSize}px ${getComputedStyle(body).fontFamily}`;
    return context.measureText(text).width;
  }

  // Time-axis labels: the last minute (now, its label ending at the plot's right edge) and each quarter hour
  // of the clock, centred on its bar. A quarter hour whose label would print over now's, or stick out past
  // the plot's left edge, is left out.
  function labelledMinutes(series, fontSize, plotWidth) {
    const last = series.length - 1;
    const perMinute = plotWidth / series.length;
    const label = textWidth("00:00", fontSize);
    const shown = new Set([last]);
    series.forEach(([minute], index) => {
      const quarter = Number(minute.slice(3)) % 15 === 0;
      const clearOfNow = (last - index) * perMinute >= label * 1.5 + fontSize / 2;
      const clearOfEdge = (index + 0.5) * perMinute >= label / 2;
      if (quarter && clearOfNow && clearOfEdge) shown.add(index);
    });
    return shown;
  }

  function renderMinutes() {
    const node = document.getElementById("minute-chart");
    if (!chart) chart = echarts.init(node, null, { renderer: "svg" });
    const series = minuteSeries();
    const font = Math.ceil(unit() * 3);
    const axisText = { color: "#fff", fontSize: font };
    // Four whole-number steps up to at least 4: one join is a quarter of the panel, not all of it.
    const step = Math.max(1, Math.ceil(Math.max(...series.map(([, joins]) => joins)) / 4));
    const labelled = labelledMinutes(series, font, node.clientWidth - font * 3);  // less the value axis
    const isLabelled = (index) => labelled.has(index);
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: getComputedStyle(body).fontFamily },
      grid: { left: 0, right: font * 1.2, top: font * 1.6, bottom: font * 1.6, containLabel: true },
      xAxis: {
        type: "category", name: "时间", nameLocation: "middle", nameGap: font * 1.5, nameTextStyle: axisText,
        data: series.map(([minute]) => minute),
        // Now's time ends at the plot's edge: centred under its bar it was cut in half. Every label chosen is shown
        // (ECharts would otherwise drop the first or last one it guesses too close to a neighbour).
        axisLabel: { ...axisText, interval: isLabelled, alignMaxLabel: "right", showMinLabel: true, showMaxLabel: true },
        axisTick: { alignWithLabel: true, interval: isLabelled },
        axisLine: { lineStyle: { color: "#fff" } },
      },
      yAxis: {
        type: "value", name: "入会（人）", nameTextStyle: { ...axisText, align: "left" },
        min: 0, max: step * 4, interval: step,
        axisLabel: axisText, splitLine: { lineStyle: { color: "rgba(255,255,255,.25)" } },
      },
      series: [{ type: "bar", data: series.map(([, joins]) => joins), itemStyle: { color: "#ffd966" }, barCategoryGap: "15%" }],
    });
  }

  function renderRecent() {
    const orgNames = new Map(totals.orgs.map((org) => [org.id, org.name]));
    const townOf = new Map(totals.venues.map((venue) => [venue.id, orgNames.get(venue.host_org_id) || venue.place_name]));
    const lines = totals.recent_joins.slice(0, 10).map((join) => {
      const line = el("li");
      line.append(el("span", join.at), el("span", join.name), el("span", townOf.get(join.venue_id) || ""));
      return line;
    });
    keepFitting(document.getElementById("recent-joins"), lines);
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

  // The small pill says 实时; a lost stream also raises a banner the whole room can read.
  function setConnection(text, offline) {
    const node = document.getElementById("connection");
    node.textContent = text;
    node.classList.toggle("offline", offline);
    const banner = document.getElementById("connection-lost");
    banner.hidden = !offline;
    banner.textContent = text;
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

  setInterval(() => {
    pages.venues += 1;
    pages.orgs += 1;
    render();
  }, PAGE_SECONDS * 1000);
  window.addEventListener("resize", () => {
    if (chart) chart.resize();
    render();
  });

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
    setConnection("连接中断，正在重连", true);
    startPolling();
  };
})();
