// The speed-networking room: renders what Mingle says over the page's socket
// (docs/LIVE_PROTOCOL.md, the speed-networking messages). The server decides everything; this
// page only shows state, counts down and sends the person's choices.
import { createMedia } from "./media.js";
import { holdReconnectUntil, leaveActivity, onActivity, onConnection, sendActivity, stop } from "./realtime.js";

const root = document.getElementById("live");
const isOrganizer = root.dataset.organizer === "true";
const el = (name) => root.querySelector(`[data-live="${name}"]`);
const stages = [...root.querySelectorAll("[data-stage]")];

let view = null;            // the last "state" message
let clockOffset = 0;        // server time − local time, in ms
let closedForGood = false;
let notOpenUntil = null;
let surveyShownFor = null;  // pairing whose survey form is on screen
let broadcasting = false;   // organizer: broadcast wanted in the lobby
let retryBroadcast = false; // the broadcast stopped because the camera failed: "Try again" restarts it

const serverNow = () => Date.now() + clockOffset;

function showStage(name) {
  for (const stage of stages) stage.hidden = stage.dataset.stage !== name;
}

function mmss(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

// "18:05" in the viewer's zone, as the server writes times on this page (the layout names it).
const viewerZone = document.documentElement.dataset.zone || undefined;
function clockTime(ms) {
  try {
    return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: viewerZone });
  } catch {
    return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
}

onConnection(({ state }) => {
  if (state === "closed" && view && !closedForGood) el("phase").textContent = "Reconnecting…";
  if (state === "given-up") {
    // Refused again and again: retrying will not help; say what to do instead.
    showStage("connecting");
    root.querySelector('[data-stage="connecting"] h2').textContent = "Mingle could not let you into this room";
    root.querySelector('[data-stage="connecting"] .hint').textContent =
      "You may have been signed out, or this session is not open to you. Reload the page to try again.";
    el("phase").textContent = "Not connected";
  }
});

const send = (type, data) => sendActivity(type, data);

const media = createMedia({
  root, el,
  onPublishFailed: () => {
    if (!broadcasting || (view && view.status === "pair")) return;  // a pair's camera is retried by the next state
    // Not broadcasting after all: say so on the button and in the video box; "Try again"
    // starts it again.
    broadcasting = false;
    send("broadcast", { value: false });
    retryBroadcast = true;
    showBroadcasting();
    updateMedia();
  },
});

function showBroadcasting() {
  root.querySelectorAll('[data-action="broadcast"]').forEach((button) => {
    button.textContent = broadcasting ? "Stop broadcasting" : "Start broadcasting";
    button.setAttribute("aria-pressed", String(broadcasting));
  });
}

// The lobby's screens: one per organizer broadcasting (ours too, silent, when we broadcast).
const screens = el("lobby-screens");
function screenFor(publisher) {
  let frame = [...screens.querySelectorAll("[data-publisher]")].find((f) => f.dataset.publisher === publisher);
  if (!frame) {
    frame = document.createElement("div");
    frame.className = "video-frame";
    frame.dataset.publisher = publisher;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = publisher === "self";
    const name = document.createElement("p");
    name.className = "screen-name";
    frame.append(video, name);
    screens.append(frame);
  }
  // Who it is (the people list may arrive after the first state).
  const person = publisher === "self" ? { name: "You" } : people.get(publisher);
  frame.querySelector(".screen-name").textContent = person ? person.name : "";
  return frame.querySelector("video");
}
function keepScreens(publishers) {
  for (const frame of screens.querySelectorAll("[data-publisher]")) {
    if (!publishers.includes(frame.dataset.publisher)) frame.remove();
  }
  screens.dataset.count = String(publishers.length);
}

// What this state wants of the page's two connections. Publishing: the organizer's broadcast
// and camera in a pair; a member's connection from the lobby on, with the camera on while
// waiting for a partner and talking (so it is already flowing when the match comes) and off
// otherwise. Watching: the lobby's broadcasters while in the lobby or waiting, the partner in a pair.
let mediaEpoch = 0;
function updateMedia() {
  if (!view) return;
  if (view.media.epoch !== mediaEpoch) {
    mediaEpoch = view.media.epoch;
    media.reset();
  }
  const room = view.media.room;
  const inLobby = view.status === "lobby" || view.status === "waiting";
  const inPair = view.status === "pair" && view.pair;
  const broadcast = isOrganizer && broadcasting && view.media.mayPublishInLobby;
  let publish = null;
  if (inPair || broadcast) publish = { room, camera: true };
  else if (!isOrganizer && view.media.mayPublish) publish = { room, camera: view.status === "waiting" };
  const feeds = [];
  const onScreen = [];
  if (inLobby) {
    for (const publisher of view.media.lobbyPublishers) {
      if (publisher === view.you.id) continue;
      feeds.push({ publisher, video: screenFor(publisher) });
      onScreen.push(publisher);
    }
  }
  const ownBroadcast = broadcast && inLobby;
  if (ownBroadcast) onScreen.unshift("self");
  keepScreens(onScreen);
  if (inPair && view.media.partnerPublishing) feeds.push({ publisher: view.pair.partner.id, video: el("partner-video") });
  media.sync({ publish, watch: { room, feeds } });
  const stream = media.localStream;
  if (ownBroadcast) {
    const self = screenFor("self");
    if (stream && self.srcObject !== stream) self.srcObject = stream;
  }
  const lobbyStatus = el("lobby-video-status");
  el("lobby-video-status-frame").hidden = onScreen.length > 0;
  lobbyStatus.textContent = view.media.mayPublishInLobby
    ? "You are not broadcasting. Press “Start broadcasting” to be seen and heard by everyone in the lobby."
    : "The organizer’s camera is off for now.";
  const partnerNote = el("partner-video-status");
  if (partnerNote) partnerNote.hidden = !!view.media.partnerPublishing;
}

onActivity((message) => {
  if (media.take(message, updateMedia)) return;
  const data = message.data || {};
  switch (message.type) {
    case "state":
      if (data.media && view && data.media.partnerPublishing !== view.media.partnerPublishing) {
        window.mingleStateTimes = window.mingleStateTimes || [];
        window.mingleStateTimes.push([`partner publishing ${data.media.partnerPublishing}`, Date.now()]);
      }
      notOpenUntil = null;
      holdReconnectUntil(0);
      // A reloaded organizer's page goes on broadcasting if the organizer was.
      if (!view && data.organizer && data.organizer.broadcasting && !broadcasting) { broadcasting = true; showBroadcasting(); }
      view = data;
      clockOffset = view.now - Date.now();
      render();
      updateMedia();
      break;
    case "people":
      renderPeople(data);
      break;
    case "room":
      renderRoom(data);
      break;
    case "notice":
      notice(data.text);
      break;
    case "error":
      if (data.code === "not-open") {
        notOpenUntil = Number(root.dataset.opens);
        holdReconnectUntil(notOpenUntil);
        showStage("not-open");
        el("phase").textContent = "Not open yet";
      } else if (data.code === "signed-out") {
        closedForGood = true;
        stop();
        notice(data.message);
        el("phase").textContent = "Not connected";
      } else if (data.code === "closed") {
        closedForGood = true;
        leaveActivity();
        showStage("closed");
        el("phase").textContent = "Closed";
      } else if (data.code === "invalid-survey") {
        const error = el("survey-error");
        error.textContent = data.message;
        error.hidden = false;
      } else {
        notice(data.message);
      }
      break;
  }
});

function notice(text) {
  const box = el("notice");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

const phaseNames = { scheduled: "Not open yet", lobby: "Lobby open", running: "In progress", ended: "Ended", closed: "Closed" };

const pairsShown = {};
window.minglePairsShown = () => ({ ...pairsShown });

function render() {
  el("phase").textContent = phaseNames[view.session.phase] || view.session.phase;
  showStage(view.status);
  el("broadcast").hidden = !(view.status === "lobby" || view.status === "waiting") || root.classList.contains("no-video");
  if (view.status === "closed") { closedForGood = true; leaveActivity(); }
  if (view.status === "lobby") renderLobby();
  if (view.status === "waiting") {
    el("waiting-reason").textContent = view.waiting.reason;
    el("first-in-line").hidden = !view.waiting.firstInLine;
  }
  if (view.status === "pair") {
    const pair = view.pair;
    // When each pair was first shown (for the figures the browser test prints).
    pairsShown[pair.id] = pairsShown[pair.id] || Date.now();
    el("partner").textContent = pair.partner.name;
    el("partner-initials").textContent = pair.partner.name.split(/\s+/).map((w) => w[0] || "").join("").slice(0, 2).toUpperCase();
    el("pair-round").textContent = pair.withOrganizer ? `Round ${pair.round} · with the organizer` : `Round ${pair.round}`;
    el("partner-connection").hidden = pair.partnerConnected;
  }
  if (view.status === "survey") renderSurvey(view.survey);
  else surveyShownFor = null;
  if (view.status === "closed") {
    if (isOrganizer) el("organizer").hidden = true;
    root.querySelector(".people-panel").hidden = true;
  } else if (isOrganizer && view.organizer) {
    el("organizer").hidden = false;
    root.querySelector('[data-action="available"]').checked = view.organizer.available;
    const other = el("available-other");
    other.hidden = !view.organizer.availableOrganizer;
    if (view.organizer.availableOrganizer) other.textContent = `${view.organizer.availableOrganizer.name} is the available organizer.`;
  }
  tick();
}

function renderLobby() {
  const s = view.session;
  const meet = root.querySelector('[data-action="meet"]');
  if (s.phase === "ended") {
    el("lobby-title").textContent = "The session has ended";
    el("lobby-text").textContent = "Thank you! The organizer may say a few closing words.";
  } else if (s.phase === "lobby") {
    el("lobby-title").textContent = "You are in the lobby";
    el("lobby-text").textContent = `One-to-one conversations start at ${clockTime(s.startsAt)}.`;
  } else {
    el("lobby-title").textContent = "You are in the lobby";
    el("lobby-text").textContent = isOrganizer
      ? "Members meet one-to-one. Make yourself available below to meet a member who is left over."
      : s.pairsStarting ? "Press “Meet someone” to be paired with a person you have not met yet."
        : "No new conversations start this close to the end.";
  }
  if (meet) {
    meet.hidden = s.phase === "ended";
    meet.disabled = !(s.canMeet && s.pairsStarting);
  }
}

function renderSurvey(survey) {
  el("survey-partner").textContent = survey.partner.name;
  if (surveyShownFor === survey.pairing) return;
  surveyShownFor = survey.pairing;
  const container = el("survey-questions");
  container.replaceChildren();
  el("survey-error").hidden = true;
  survey.questions.forEach((q, index) => container.append(questionField(q, index)));
  const first = container.querySelector("input, textarea");
  if (first) first.focus();
}

function questionField(q, index) {
  const id = `q${index}`;
  const fieldset = document.createElement("fieldset");
  fieldset.className = `question ${q.kind}`;
  const legend = document.createElement("legend");
  legend.textContent = q.prompt + (q.required ? " *" : "");
  fieldset.append(legend);
  const choice = (value, label) => {
    const wrap = document.createElement("label");
    wrap.className = "choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = q.key;
    input.value = value;
    if (q.required) input.required = true;
    wrap.append(input, document.createTextNode(" " + label));
    return wrap;
  };
  if (q.kind === "rating") {
    const scale = document.createElement("div");
    scale.className = "scale";
    for (let n = 1; n <= 5; n++) scale.append(choice(String(n), String(n)));
    const ends = document.createElement("p");
    ends.className = "hint scale-ends";
    ends.textContent = `1 = ${q.low} · 5 = ${q.high}`;
    fieldset.append(scale, ends);
  } else if (q.kind === "single_choice") {
    for (const option of q.options) fieldset.append(choice(option, option));
  } else {
    const area = document.createElement("textarea");
    area.name = q.key;
    area.id = id;
    area.rows = 3;
    area.maxLength = q.maxLength;
    area.setAttribute("aria-label", q.prompt);
    fieldset.append(area);
  }
  return fieldset;
}

el("survey-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!view || !view.survey) return;
  const form = event.currentTarget;
  const answers = {};
  for (const q of view.survey.questions) {
    // By name attribute, not form.elements[key]: a key like "length" would name a property.
    const fields = [...form.querySelectorAll(`[name="${CSS.escape(q.key)}"]`)];
    const field = fields.find((f) => f.type !== "radio" || f.checked);
    const value = field ? field.value.trim() : "";
    if (value !== "") answers[q.key] = value;
  }
  const missing = view.survey.questions.filter((q) => q.required && !answers[q.key]);
  if (missing.length > 0) {
    const error = el("survey-error");
    error.textContent = `Please answer: ${missing.map((q) => q.prompt).join(" · ")}`;
    error.hidden = false;
    return;
  }
  send("survey", { pairing: view.survey.pairing, answers });
});

root.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "meet") send("meet");
  if (action === "leave-pool") send("leave-pool");
  if (action === "broadcast") {
    broadcasting = !broadcasting;
    send("broadcast", { value: broadcasting });
    retryBroadcast = false;
    showBroadcasting();
    if (broadcasting) { media.status(""); media.showRetry(false); }
    updateMedia();
  }
  if (action === "media-retry" && retryBroadcast) {
    broadcasting = true;
    send("broadcast", { value: true });
    retryBroadcast = false;
    showBroadcasting();
    updateMedia();
  }
});

const availability = root.querySelector('[data-action="available"]');
if (availability) availability.addEventListener("change", () => send("available", { value: availability.checked }));

// The people in the room: the whole list on entering, then only what changed.
const people = new Map();
const roleOrder = (p) => (p.role === "organizer" ? 0 : 1);

function renderPeople(change) {
  for (const frame of screens.querySelectorAll("[data-publisher]")) {
    const person = change.people.find((p) => p.id === frame.dataset.publisher);
    if (person) frame.querySelector(".screen-name").textContent = person.name;
  }
  if (change.full) people.clear();
  for (const id of change.gone || []) people.delete(id);
  for (const person of change.people) people.set(person.id, person);
  const sorted = [...people.values()].sort((a, b) =>
    roleOrder(a) - roleOrder(b) || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  el("present-count").textContent = String(sorted.length);
  el("presence").replaceChildren(...sorted.map((p) => {
    const item = document.createElement("li");
    item.className = `status-${p.status}` + (p.reconnecting ? " reconnecting" : "");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = p.name;
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = p.role === "organizer" ? "organizer"
      : p.reconnecting ? "reconnecting"
      : { lobby: "in the lobby", waiting: "waiting", pair: "talking", survey: "survey", closed: "" }[p.status];
    item.append(name, tag);
    return item;
  }));
}

// Organizers: the running pairs, the pool and the counts.
function renderRoom(room) {
  if (!isOrganizer) return;
  el("count-pairings").textContent = String(room.pairingsSoFar);
  el("count-surveys").textContent = String(room.surveysSoFar);
  el("pairs-empty").hidden = room.pairs.length > 0;
  el("pairs-table").hidden = room.pairs.length === 0;
  el("pairs").replaceChildren(...room.pairs.map((pair) => {
    const row = document.createElement("tr");
    const cells = [String(pair.round), `${pair.a.name} & ${pair.b.name}${pair.withOrganizer ? " (you)" : ""}`, clockTime(pair.endsAt)];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
  el("pool-empty").hidden = room.pool.length > 0;
  el("pool").replaceChildren(...room.pool.map((person) => {
    const item = document.createElement("li");
    item.textContent = person.name;
    return item;
  }));
}

function tick() {
  const now = serverNow();
  const countdown = el("session-countdown");
  if (notOpenUntil) {
    el("opens-in").textContent = `at ${clockTime(notOpenUntil)} (in ${mmss(notOpenUntil - now)})`;
  }
  if (view) {
    const s = view.session;
    if (now < s.startsAt) countdown.textContent = `Starts in ${mmss(s.startsAt - now)}`;
    else if (now < s.endsAt) countdown.textContent = `Ends in ${mmss(s.endsAt - now)}`;
    else if (now < s.closesAt) countdown.textContent = `Room closes in ${mmss(s.closesAt - now)}`;
    else countdown.textContent = "";
    if (view.status === "pair") {
      const pair = view.pair;
      const ending = now >= pair.noticeAt;
      el("pair-countdown").textContent = `${mmss(pair.endsAt - now)} left`;
      const endingBox = el("pair-ending");
      endingBox.hidden = !ending;
      if (ending) endingBox.textContent = `Time to say goodbye: this conversation ends in ${mmss(pair.endsAt - now)}.`;
    }
    if (view.status === "waiting" && view.waiting) {
      el("waiting-reason").textContent = `${view.waiting.reason} (waiting ${mmss(now - view.waiting.since)})`;
    }
  }
}

setInterval(tick, 250);
