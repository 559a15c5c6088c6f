// Meeting fields (staff/_meeting_field.html): as the user types, the shared <datalist> is refilled with the
// meetings of theirs that match (GET /meetings/search answers only meetings the user may see). A label picked
// from the list ends in "#id", which the server reads; typing without this script still works on submit.
"use strict";

const SEARCH_PAUSE_MS = 250;

function showChoices(list, meetings) {
  list.replaceChildren(...meetings.map((meeting) => {
    const option = document.createElement("option");
    option.value = meeting.label;
    return option;
  }));
}

async function searchMeetings(input, text) {
  const url = `${input.dataset.meetingSearch}?q=${encodeURIComponent(text)}`;
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return;
  const { meetings } = await response.json();
  // Only the answer to what is still typed: a slower earlier answer must not replace a later one.
  if (input.value.trim() === text) showChoices(input.list, meetings);
}

document.querySelectorAll("input[data-meeting-search]").forEach((input) => {
  let pause;
  input.addEventListener("input", () => {
    clearTimeout(pause);
    const text = input.value.trim();
    if (!text || /#\d+$/.test(text) || !input.list) return; // empty, or a label already picked
    pause = setTimeout(() => searchMeetings(input, text).catch(() => {}), SEARCH_PAUSE_MS);
  });
});
