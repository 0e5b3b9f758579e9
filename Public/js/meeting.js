// A meeting's room (docs/LIVE_PROTOCOL.md, "Meetings"): the waiting room, the video grid with
// the speaker and a shared screen, the people list with hands and host controls, chat and
// reactions. What the page may do is decided by the server; the page shows what it is told.
import { linkify, timeOfDay as clock } from "./chat-text.js";
import { createMedia } from "./media.js";
import { leaveActivity, onActivity, onConnection, sendActivity, stop } from "./realtime.js";

// For the join figure: when the page's script starts (it then opens its socket and joins).
window.mingleJoinedAt = Date.now();
// …and when the first of each step of joining came (the figure's breakdown).
const joinSteps = [];
const joinStep = (step) => { if (!joinSteps.some(([seen]) => seen === step)) joinSteps.push([step, Date.now()]); };
window.mingleJoinSteps = () => joinSteps.slice();
// (and when the page was too busy to answer anything: tasks of 50 ms or more, while joining)
try {
  const busy = new PerformanceObserver((list) => {
    for (const task of list.getEntries()) joinSteps.push([`busy ${Math.round(task.duration)} ms`, performance.timeOrigin + task.startTime]);
  });
  busy.observe({ type: "longtask", buffered: true });
  setTimeout(() => busy.disconnect(), 10000);
} catch (_) { /* a browser without long-task timing */ }
document.addEventListener("DOMContentLoaded", () => joinStep("page ready"), { once: true });
const root = document.getElementById("meeting");
const el = (name) => root.querySelector(`[data-live="${name}"]`);
const isGuest = root.dataset.guest === "true";

let you = null;            // the server's view of me
let people = [];           // who is in the room
let peopleKnown = false;   // the first list came: media waits for it (whom to watch goes out first, then the camera)
let presenter = null, speaker = null;
let waiting = [];
let over = false;
let mediaEpoch = 0;
let chatUnread = 0;
let reconnected = false;   // the socket came back: report mic and camera again with the next state
const chatSeen = new Set();

const send = (type, data) => sendActivity(type, data);

function notice(text) {
  const line = el("notice");
  line.textContent = text || "";
  line.hidden = !text;
}

function showStage(stage) {
  root.dataset.stage = stage;
  for (const section of root.querySelectorAll("[data-stage-for]")) section.hidden = section.dataset.stageFor !== stage;
}

// MARK: Media

const media = createMedia({
  root, el, watchFirst: true,
  onScreenEnded: () => { send("share", { value: false }); renderControls(); },
});

function tileVideo(id) { return root.querySelector(`.tile[data-person="${id}"] video`); }

function updateMedia() {
  if (!you || you.standing !== "admitted" || over) { media.sync({ publish: null, watch: null }); return; }
  if (!peopleKnown) return;
  const feeds = people.filter((p) => p.id !== you.you && p.publishing && !p.away).map((p) => ({
    publisher: p.id, video: tileVideo(p.id), screen: p.id === presenter ? el("screen-video") : null,
  }));
  const room = you.mediaRoom;
  media.sync({ publish: { room, camera: true, screen: true }, watch: { room, feeds } });
  el("self-box").hidden = true;
}

// MARK: Rendering

const roleNames = { host: "Host", "co-host": "Co-host", participant: "", guest: "Guest" };

function render() {
  if (!you || over) return;
  if (you.standing === "waiting") {
    showStage("waiting");
    const forHost = you.waitingFor === "host";
    el("waiting-title").textContent = forHost ? "Waiting for the host to start the meeting" : "You are in the waiting room";
    el("waiting-text").textContent = forHost
      ? "You will be let in as soon as a host arrives. Keep this page open."
      : you.hostPresent ? "A host will let you in soon. Keep this page open." : "No host is here yet; a host will let you in when they arrive. Keep this page open.";
  } else if (you.standing === "admitted") {
    showStage("room");
  }
  renderControls();
  renderPeople();
  renderWaiting();
}

function renderControls() {
  if (!you) return;
  const mic = root.querySelector('[data-action="mic"]');
  const muted = media.muted || !you.mic;
  mic.textContent = you.blocked ? "Muted by host" : muted ? "Unmute" : "Mute";
  mic.setAttribute("aria-pressed", String(!muted));
  const cam = root.querySelector('[data-action="cam"]');
  cam.textContent = media.cameraOff ? "Camera on" : "Camera off";
  cam.setAttribute("aria-pressed", String(!media.cameraOff));
  const share = root.querySelector('[data-action="share"]');
  share.textContent = media.sharing ? "Stop sharing" : "Share screen";
  share.setAttribute("aria-pressed", String(media.sharing));
  const hand = root.querySelector('[data-action="hand"]');
  hand.textContent = you.hand ? "Lower hand" : "Raise hand";
  hand.setAttribute("aria-pressed", String(you.hand));
  const moderating = you.role === "host" || you.role === "co-host";
  el("host-controls").hidden = !moderating;
  const lock = root.querySelector('[data-action="lock"]');
  lock.textContent = you.locked ? "Unlock meeting" : "Lock meeting";
  lock.setAttribute("aria-pressed", String(you.locked));
}

function button(label, action, id, extra = {}) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "small secondary";
  b.textContent = label;
  b.dataset.action = action;
  b.dataset.person = id;
  for (const [key, value] of Object.entries(extra)) b.dataset[key] = value;
  return b;
}

function renderPeople() {
  if (!you) return;
  const mine = you.you;
  const moderating = you.role === "host" || you.role === "co-host";
  const list = el("people");
  list.replaceChildren();
  for (const person of people) {
    const item = document.createElement("li");
    item.dataset.person = person.id;
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = person.name + (person.id === mine ? " (you)" : "");
    item.append(name);
    if (roleNames[person.role]) {
      const role = document.createElement("span");
      role.className = "badge";
      role.textContent = roleNames[person.role];
      item.append(" ", role);
    }
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = [person.mic ? "mic on" : person.blocked ? "muted by host" : "muted", person.away ? "reconnecting" : "",
                         person.sharing ? "sharing" : ""].filter(Boolean).join(" · ");
    item.append(" ", state);
    if (person.hand) {
      const hand = document.createElement("span");
      hand.className = "badge warn hand";
      hand.textContent = `✋ ${person.hand}`;
      hand.setAttribute("aria-label", `hand raised, ${ordinal(person.hand)}`);
      item.append(" ", hand);
    }
    if (moderating && person.id !== mine && person.role !== "host" && !(person.role === "co-host" && you.role !== "host")) {
      const actions = document.createElement("span");
      actions.className = "person-actions";
      // ("mute-person": media.js takes data-action="mute" for one's own microphone)
      actions.append(person.blocked ? button("Ask to unmute", "ask-unmute", person.id) : button("Mute", "mute-person", person.id));
      if (person.hand) actions.append(button("Lower hand", "lower-hand", person.id));
      if (you.role === "host") {
        actions.append(person.role === "co-host" ? button("Remove co-host", "co-host", person.id, { value: "false" })
                                                 : button("Make co-host", "co-host", person.id, { value: "true" }));
      }
      actions.append(button("Remove", "remove", person.id, { ask: `Remove ${person.name} from the meeting? They cannot come back.` }));
      item.append(actions);
    } else if (person.id === mine && person.hand) {
      item.append(button("Lower hand", "lower-hand", person.id));
    }
    list.append(item);
  }
  el("people-count").textContent = String(people.length);
  // (the waiting room is not told who is inside)
  el("count").textContent = you.standing !== "admitted" ? "You are waiting" : people.length === 1 ? "1 person here" : `${people.length} people here`;
  const hands = people.filter((p) => p.hand).sort((a, b) => a.hand - b.hand);
  el("hands-summary").hidden = hands.length === 0;
  el("hands-summary").textContent = hands.length ? `Hands raised: ${hands.map((p) => p.name).join(", ")}` : "";
  renderTiles();
}

function ordinal(n) { return n === 1 ? "first" : n === 2 ? "second" : n === 3 ? "third" : `number ${n}`; }

// The grid: one tile per person, kept (not rebuilt) so their video keeps playing.
function renderTiles() {
  const tiles = el("tiles");
  const mine = you.you;
  const seen = new Set();
  for (const person of people) {
    seen.add(person.id);
    let tile = tiles.querySelector(`.tile[data-person="${person.id}"]`);
    if (!tile) {
      tile = document.createElement("li");
      tile.className = "tile";
      tile.dataset.person = person.id;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      if (person.id === mine) { video.muted = true; video.dataset.live = "self-video"; }
      const label = document.createElement("span");
      label.className = "tile-name";
      tile.append(video, label);
      tiles.append(tile);
    }
    const label = tile.querySelector(".tile-name");
    label.textContent = `${person.mic ? "" : "🔇 "}${person.name}${person.id === mine ? " (you)" : ""}${person.hand ? " ✋" : ""}`;
    tile.classList.toggle("speaking", person.id === speaker);
    tile.classList.toggle("camera-off", !person.camera || person.away);
    tile.classList.toggle("away", person.away);
  }
  for (const tile of [...tiles.children]) if (!seen.has(tile.dataset.person)) tile.remove();
  tiles.dataset.count = String(people.length);
  tiles.style.setProperty("--cols", String(Math.min(5, Math.ceil(Math.sqrt(Math.max(1, people.length))))));
  const sharer = people.find((p) => p.id === presenter);
  el("presentation").hidden = !sharer;
  root.classList.toggle("presenting", !!sharer);
  el("presentation-caption").textContent = sharer ? `${sharer.name}${sharer.id === mine ? " (you)" : ""} is sharing their screen` : "";
  const screen = el("screen-video");
  if (!sharer) screen.srcObject = null;
  else if (sharer.id === mine && media.screenTrack && !(screen.srcObject && screen.srcObject.getTracks().includes(media.screenTrack))) {
    // One's own screen is shown from the local track.
    screen.srcObject = new MediaStream([media.screenTrack]);
  }
  updateMedia();
}

function renderWaiting() {
  const moderating = you && (you.role === "host" || you.role === "co-host") && you.standing === "admitted";
  const box = el("waiting-room");
  box.hidden = !moderating || waiting.length === 0;
  if (box.hidden) return;
  el("waiting-count").textContent = `(${waiting.length})`;
  const list = el("waiting-list");
  list.replaceChildren();
  for (const person of waiting) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = person.name + (person.guest ? " (guest)" : "");
    item.append(name, " ", button("Admit", "admit", person.id), " ", button("Refuse", "refuse", person.id, { ask: `Turn ${person.name} away? They cannot ask again.` }));
    list.append(item);
  }
}

// MARK: Chat

// Text stays text; http(s) addresses become links that open elsewhere.
function addChat(line) {
  if (chatSeen.has(line.seq)) return;
  chatSeen.add(line.seq);
  const item = document.createElement("li");
  item.dataset.seq = String(line.seq);
  if (you && line.from === you.you) item.className = "mine";
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = `${line.name} · ${clock(line.at)}`;
  const body = document.createElement("p");
  linkify(line.text, body);
  item.append(who, body);
  const log = el("chat-log");
  // In order, whatever order they arrive in.
  const after = [...log.children].find((li) => Number(li.dataset.seq) > line.seq);
  log.insertBefore(item, after || null);
  log.scrollTop = log.scrollHeight;
  el("chat-empty").hidden = true;
  if (el("chat-log").closest("[role=tabpanel]").hidden && !(you && line.from === you.you)) {
    chatUnread += 1;
    el("chat-unread").textContent = String(chatUnread);
    el("chat-unread").hidden = false;
  }
}

el("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const box = document.getElementById("chat-text");
  const text = box.value.trim();
  if (!text) return;
  send("chat", { text });
  box.value = "";
  el("chat-error").hidden = true;
});
document.getElementById("chat-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); el("chat-form").requestSubmit(); }
});

function selectTab(name) {
  for (const tab of root.querySelectorAll("[data-tab]")) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute("aria-selected", String(selected));
    document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  if (name === "chat") { chatUnread = 0; el("chat-unread").hidden = true; }
}

// MARK: Reactions

function showReaction(data) {
  const bubble = document.createElement("span");
  bubble.className = "reaction";
  bubble.textContent = `${data.emoji} ${data.name}`;
  el("reactions").append(bubble);
  setTimeout(() => bubble.remove(), 4000);
}

// MARK: Leaving

function farewell(title, text, canRejoin = false) {
  over = true;
  media.sync({ publish: null, watch: null });
  leaveActivity();
  stop();
  showStage("over");
  el("over-title").textContent = title;
  el("over-text").textContent = text;
  root.querySelector('[data-action="rejoin"]').hidden = !canRejoin;
  notice("");
}

const farewells = {
  ended: ["The meeting has ended", "A host ended the meeting for everyone."],
  removed: ["You were removed from the meeting", "A host removed you; you cannot join this meeting again."],
  refused: ["You were not let in", "A host did not let you into this meeting."],
  replaced: ["The meeting is open in another window", "You joined from another window or device, so this page left."],
};

// Refusals when joining: the page says what happened and stops trying.
const joinRefusals = {
  ended: "The meeting has ended",
  removed: "You were removed from the meeting",
  refused: "You were not let in",
  locked: "The meeting is locked",
  full: "The meeting is full",
  "guests-off": "This meeting does not take guests",
  closed: "The meeting has ended",
};

// MARK: Messages

onActivity((message) => {
  joinStep(message.type);
  if (media.take(message, updateMedia)) return;
  const data = message.data || {};
  switch (message.type) {
    case "you": {
      const before = you;
      you = data;
      if (before && before.mediaEpoch !== you.mediaEpoch) media.reset();
      if (you.blocked && !media.muted) media.setMuted(true);
      // In the room (first time or again after a drop): the server hears how mic and camera are.
      if (you.standing === "admitted" && (!before || before.standing !== "admitted" || before.you !== you.you || reconnected)) {
        reconnected = false;
        if (you.mic !== !media.muted) send("mic", { value: !media.muted });
        if (you.camera !== !media.cameraOff) send("camera", { value: !media.cameraOff });
      }
      if (before && before.standing === "waiting" && you.standing === "admitted") {
        notice("You are in. Welcome!");
        setTimeout(() => { if (el("notice").textContent === "You are in. Welcome!") notice(""); }, 5000);
      }
      render();
      break;
    }
    case "people":
      people = data.people || [];
      peopleKnown = true;
      presenter = data.presenter || null;
      speaker = data.speaker || null;
      updateMedia();  // whom to watch goes out before the page redraws (new tiles get their video after)
      renderPeople();
      break;
    case "speaker":
      speaker = data.id;
      for (const tile of el("tiles").children) tile.classList.toggle("speaking", tile.dataset.person === speaker);
      break;
    case "waiting":
      waiting = data.people || [];
      renderWaiting();
      break;
    case "chat-history":
      for (const line of data.lines || []) addChat(line);
      break;
    case "chat":
      addChat(data);
      break;
    case "reaction":
      showReaction(data);
      break;
    case "muted":
      media.setMuted(true);
      notice(`${data.by} muted you. You can unmute when a host asks you to.`);
      renderControls();
      break;
    case "unmute-asked":
      askedToUnmute(data.by);
      break;
    case "farewell": {
      const [title, text] = farewells[data.reason] || ["You left the meeting", ""];
      farewell(title, text, data.reason === "replaced");
      break;
    }
    case "error":
      if (joinRefusals[data.code]) { farewell(joinRefusals[data.code], data.message); break; }
      if (data.request === "chat") { el("chat-error").textContent = data.message; el("chat-error").hidden = false; break; }
      if (data.request === "share") media.stopScreen();
      if (data.request === "mic") media.setMuted(true);
      notice(data.message);
      renderControls();
      break;
  }
});

// A host asked: the person decides; nothing is unmuted for them.
function askedToUnmute(by) {
  const line = el("notice");
  line.replaceChildren(`${by} asks you to unmute. `);
  const yes = document.createElement("button");
  yes.type = "button";
  yes.className = "small";
  yes.textContent = "Unmute";
  yes.dataset.action = "mic";
  line.append(yes);
  line.hidden = false;
  yes.focus();
}

onConnection(({ state }) => {
  joinStep(`socket ${state}`);
  if (over) return;
  if (state === "closed" && you) notice("Reconnecting… your place is kept.");
  if (state === "open" && you) { notice(""); reconnected = true; }
  if (state === "given-up") farewell("Mingle could not let you in", isGuest
    ? "Your guest pass may have expired. Open the meeting's link again."
    : "You may have been signed out. Reload the page to try again.", true);
});

// MARK: Controls

root.addEventListener("click", async (event) => {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  const action = target.dataset.action;
  const person = target.dataset.person;
  if (target.dataset.ask && !window.confirm(target.dataset.ask)) return;
  switch (action) {
    case "mic": {
      if (you && you.blocked) { notice("A host muted you. You can unmute when a host asks you to."); return; }
      const on = media.muted;
      media.setMuted(!on);
      send("mic", { value: on });
      if (target.closest('[data-live="notice"]')) notice("");
      renderControls();
      break;
    }
    case "cam":
      media.setCameraOff(!media.cameraOff);
      send("camera", { value: !media.cameraOff });
      renderControls();
      break;
    case "share":
      if (media.sharing) { media.stopScreen(); send("share", { value: false }); }
      else {
        try { await media.shareScreen(); send("share", { value: true }); } catch (error) {
          if (error.name !== "NotAllowedError") notice(error.message || "Your screen could not be shared.");
        }
      }
      renderControls();
      break;
    case "hand": send("hand", { value: !(you && you.hand) }); break;
    case "react": send("react", { emoji: target.dataset.emoji }); break;
    case "admit": case "refuse": case "ask-unmute": case "lower-hand": case "remove":
      send(action, { person });
      break;
    case "mute-person": send("mute", { person }); break;
    case "co-host": send("co-host", { person, value: target.dataset.value === "true" }); break;
    case "admit-all": send("admit-all"); break;
    case "mute-all": send("mute-all"); break;
    case "lock": send("lock", { value: !(you && you.locked) }); break;
    case "end": send("end"); break;
    case "leave": farewell("You left the meeting", "You can join again while the meeting goes on.", true); break;
    case "rejoin": location.reload(); break;
    case "copy-link": copyLink(); break;
  }
});

for (const tab of root.querySelectorAll("[data-tab]")) tab.addEventListener("click", () => selectTab(tab.dataset.tab));

async function copyLink() {
  const field = document.getElementById("meeting-link");
  try {
    await navigator.clipboard.writeText(field.value);
    el("copied").textContent = "Link copied.";
  } catch {
    field.select();
    el("copied").textContent = "Press Ctrl+C (⌘C) to copy the selected link.";
  }
}

media.devicePickers(root.querySelector(".devices"), el("pick-camera"), el("pick-mic"));

// A page joins muted: nobody is heard before they choose to be.
media.setMuted(true);
window.mingleMeeting = () => ({ you, people, presenter, speaker, waiting, over,
                                chat: [...el("chat-log").children].map((li) => li.querySelector("p").textContent) });
