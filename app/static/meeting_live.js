// The meeting page's live strip: the meeting-wide counters, kept current by the same stream as the big screen.
(function () {
  "use strict";
  const strip = document.getElementById("live-totals");
  if (!strip || !strip.dataset.streamUrl) return;
  const meetingId = Number(strip.dataset.meetingId);
  const state = document.getElementById("live-state");

  function show(values) {
    strip.querySelectorAll("[data-metric]").forEach((node) => {
      if (node.dataset.metric in values) node.textContent = values[node.dataset.metric];
    });
  }

  const source = new EventSource(strip.dataset.streamUrl);
  source.addEventListener("snapshot", (event) => {
    show(JSON.parse(event.data).meeting.values);
    state.textContent = "实时更新中";
  });
  source.addEventListener("update", (event) => {
    JSON.parse(event.data).changes.forEach((change) => {
      if (change.scope === "meeting" && change.id === meetingId) show(change.values);
    });
  });
  source.onerror = () => { state.textContent = "连接中断，正在重连…"; };
})();
