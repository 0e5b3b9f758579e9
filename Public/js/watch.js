// A watch-together room (docs/LIVE_PROTOCOL.md, "Watch rooms"): the video kept in step with the
// playback the server owns, the controls for those who may use them, the list of videos, the
// people, chat and reactions. The rules of keeping in step are watch-sync.js (pure, tested);
// this module is the page around them.
import { linkify, timeOfDay } from "./chat-text.js";
import { onActivity, onConnection, onSite, nextRef, sendActivity, sendSite, leaveActivity, stop } from "./realtime.js";
import { ServerClock, correction, targetPosition } from "./watch-sync.js";
import { youtubePlayer } from "./watch-youtube.js";

const root = document.getElementById("watch");
const el = (name) => root.querySelector(`[data-live="${name}"]`);
const video = el("video");
const send = (type, data) => sendActivity(type, data);

let room = null;        // the server's view of the room for me
let playback = null;    // {item, paused, position, at (ms), rate, held}
let over = false;
let player = null;      // the adapter playing the current item: {kind, item, currentTime, seek, play, pause, setRate, ready}
let stalled = false;
let seekLead = 0.15;    // how long a seek takes to show (s), learnt from the page's own seeks
let pendingSeek = null; // {to, at}: a seek under way, to learn seekLead from
let blocked = false;    // the browser refused to play before a click
const clock = new ServerClock();

// MARK: The server's clock: pings (pong carries the server's time)

const pings = new Map();
function ping() {
  const ref = nextRef("clock");
  pings.set(ref, performance.timeOrigin + performance.now());
  sendSite("ping", undefined, ref);
}
onSite("pong", ({ ref, data }) => {
  const sent = pings.get(ref);
  if (sent === undefined || !data || typeof data.now !== "number") return;
  pings.delete(ref);
  clock.add(sent, data.now, performance.timeOrigin + performance.now());
});
let pingsSent = 0;
function pingLoop() {
  if (over) return;
  ping();
  pingsSent += 1;
  // Quickly at first (a good estimate soon), then now and then (clocks drift slowly).
  setTimeout(pingLoop, pingsSent < 6 ? 300 : 3000);
}

// MARK: Players

const html5 = {
  kind: "html5",
  item: null,
  get currentTime() { return video.currentTime; },
  get ready() { return video.readyState >= 2; },
  load(item) {
    this.item = item.id;
    video.hidden = false;
    if (video.getAttribute("src") !== item.src) {
      video.src = item.src;
      for (const track of video.querySelectorAll("track")) track.remove();
      if (item.subtitles) {
        const track = Object.assign(document.createElement("track"), { kind: "subtitles", label: "Subtitles", src: item.subtitles, default: true });
        video.append(track);
      }
    }
  },
  seek(to) { video.currentTime = to; },
  play() { return video.play(); },
  pause() { video.pause(); },
  setRate(rate) { if (Math.abs(video.playbackRate - rate) > 0.001) video.playbackRate = rate; },
  get paused() { return video.paused; },
  unload() { video.removeAttribute("src"); video.load(); video.hidden = true; },
};

function current() { return room && playback && playback.item ? room.queue.find((item) => item.id === playback.item) || null : null; }

function choosePlayer() {
  const item = current();
  el("empty").hidden = !!item;
  if (!item) {
    if (player) player.unload();
    player = null;
    return;
  }
  if (player && player.item === item.id) return;
  if (player) player.unload();
  if (item.kind === "youtube") {
    video.hidden = true;
    player = youtubePlayer(el("youtube"), item, { onStall: reportStall });
  } else {
    player = html5;
    player.load(item);
  }
}

// MARK: Keeping in step

function reportStall(now) {
  if (now === stalled) return;
  stalled = now;
  send("stalled", { value: now });
}
video.addEventListener("waiting", () => reportStall(true));
video.addEventListener("stalled", () => { if (video.readyState < 3) reportStall(true); });
for (const ready of ["playing", "canplaythrough", "seeked"]) video.addEventListener(ready, () => { if (video.readyState >= 3) reportStall(false); });
// A link's length, unknown to the server until a page has loaded it: then its end comes by itself.
video.addEventListener("loadedmetadata", () => {
  const item = current();
  if (item && !item.duration && Number.isFinite(video.duration) && video.duration > 0) send("duration", { item: item.id, value: video.duration });
});
video.addEventListener("seeked", () => {
  // How long the seek took to show: the next ones aim that much further.
  if (!pendingSeek || !playback || playback.paused) { pendingSeek = null; return; }
  const took = (performance.now() - pendingSeek.at) / 1000;
  seekLead = Math.min(1, Math.max(0, seekLead * 0.5 + took * 0.5));
  pendingSeek = null;
});

/// Where the video should be now.
function target() {
  const item = current();
  return targetPosition(playback, clock.now(performance.timeOrigin + performance.now()), item && item.duration ? item.duration : Infinity);
}

function step() {
  if (over || !playback || !player || !clock.ready || !player.ready) return;
  const goal = target();
  const now = player.currentTime;
  // (`window.mingleSyncSettings`: the benchmark's baseline plays by other rules — seek at ±2 s.)
  const decision = correction(now, goal, playback, seekLead, window.mingleSyncSettings || undefined);
  if (decision.seek !== null && !pendingSeek) {
    // Never past the end the element knows of (a seek there ends the video).
    const end = player === html5 && Number.isFinite(video.duration) ? video.duration - 0.05 : Infinity;
    const to = Math.min(decision.seek, end);
    if (Math.abs(to - now) > 0.01) {
      pendingSeek = { to, at: performance.now() };
      player.seek(to);
    }
  }
  player.setRate(decision.rate);
  if (playback.paused && !player.paused) player.pause();
  if (!playback.paused && player.paused && !blocked) {
    Promise.resolve(player.play()).catch((error) => {
      if (error && error.name === "NotAllowedError") {
        blocked = true;
        notice("Your browser waits for you before it plays the video.", "Start watching");
      }
    });
  }
  renderTime(goal);
}
setInterval(step, 100);

// MARK: Rendering

function notice(text, action) {
  const line = el("notice");
  line.replaceChildren(text || "");
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.textContent = action;
    button.dataset.action = "unblock";
    line.append(" ", button);
  }
  line.hidden = !text;
}

function clockText(seconds) {
  const total = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
}

let seeking = false;  // the position slider is being dragged
function renderTime(goal) {
  const item = current();
  const duration = item && item.duration ? item.duration : (video.duration && Number.isFinite(video.duration) ? video.duration : 0);
  const seek = el("seek");
  seek.max = String(duration || 0);
  if (!seeking) seek.value = String(goal);
  el("time").textContent = `${clockText(goal)}${duration ? " / " + clockText(duration) : ""}`;
}

function render() {
  if (!room) return;
  el("count").textContent = room.people.length === 1 ? "1 person here" : `${room.people.length} people here`;
  el("controls").hidden = !room.mayControl || !current();
  el("add-form").hidden = !room.mayControl;
  el("upload-form").hidden = !room.mayControl;
  el("control-hint").textContent = room.mayControl ? "" : room.control === "everyone" ? "" : "The host controls the video.";
  const toggle = root.querySelector('[data-action="toggle"]');
  toggle.textContent = playback && !playback.paused ? "Pause" : "Play";
  el("rate").value = playback ? String(playback.rate) : "1";
  root.querySelector('[data-action="next"]').disabled = !nextItem();
  renderStatus();
  renderQueue();
  renderPeople();
  renderHostTools();
}

function renderStatus() {
  const parts = [];
  if (playback && playback.held) {
    const waiting = room.people.filter((p) => p.stalled).map((p) => p.name);
    parts.push(`Waiting for ${waiting.join(", ") || "someone"} to load…`);
  }
  if (room.lastChange) parts.push(`${room.lastChange.by} ${room.lastChange.what} · ${timeOfDay(room.lastChange.at)}`);
  el("status").textContent = parts.join(" · ");
}

function nextItem() {
  if (!room || !playback || !playback.item) return null;
  const index = room.queue.findIndex((item) => item.id === playback.item);
  return index >= 0 && index + 1 < room.queue.length ? room.queue[index + 1] : null;
}

function renderQueue() {
  const list = el("queue");
  list.replaceChildren();
  for (const item of room.queue) {
    const li = document.createElement("li");
    const playing = playback && playback.item === item.id;
    if (playing) li.className = "playing";
    const title = document.createElement("span");
    title.textContent = item.title + (item.duration ? ` (${clockText(item.duration)})` : "") + (item.kind === "youtube" ? " · YouTube" : "");
    li.append(title);
    if (playing) li.append(" ", Object.assign(document.createElement("strong"), { textContent: "playing" }));
    if (room.mayControl && !playing) {
      const play = Object.assign(document.createElement("button"), { type: "button", className: "secondary small", textContent: "Play this" });
      play.dataset.action = "select";
      play.dataset.item = item.id;
      const remove = Object.assign(document.createElement("button"), { type: "button", className: "link small", textContent: "Remove" });
      remove.dataset.action = "dequeue";
      remove.dataset.item = item.id;
      li.append(" ", play, " ", remove);
    }
    list.append(li);
  }
  el("queue-empty").hidden = room.queue.length > 0;
}

function renderPeople() {
  const list = el("people");
  list.replaceChildren();
  for (const person of room.people) {
    const li = document.createElement("li");
    const tags = [person.isHost ? "host" : "", person.isGuest ? "guest" : "", !person.isHost && person.mayControl ? "controls" : "",
                  person.stalled ? "loading…" : ""].filter(Boolean);
    li.textContent = person.name + (person.id === room.you ? " (you)" : "");
    if (tags.length) li.append(" ", Object.assign(document.createElement("span"), { className: "state", textContent: tags.join(" · ") }));
    if (room.isHost && person.id !== room.you) {
      const remove = Object.assign(document.createElement("button"), { type: "button", className: "link small", textContent: "Remove" });
      remove.dataset.action = "remove";
      remove.dataset.person = person.id;
      remove.dataset.ask = `Remove ${person.name} from the room? They cannot come back.`;
      li.append(" ", remove);
    }
    list.append(li);
  }
}

function renderHostTools() {
  el("host-tools").hidden = !room.isHost;
  if (!room.isHost) return;
  const select = el("control");
  const options = [["host", "Only me"], ["everyone", "Everyone"]]
    .concat(room.people.filter((p) => !p.isHost).map((p) => [`person:${p.id}`, `Me and ${p.name}`]));
  const value = room.control === "person" ? `person:${room.controller}` : room.control;
  if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== options[i][0])) {
    select.replaceChildren(...options.map(([v, label]) => new Option(label, v)));
  }
  select.value = value;
  el("wait").checked = room.waitForEveryone;
}

function addChat(line) {
  const log = el("chat-log");
  if (log.querySelector(`[data-id="${line.id}"]`)) return;
  const item = document.createElement("li");
  item.dataset.id = String(line.id);
  if (room && line.person === room.you) item.className = "mine";
  const who = Object.assign(document.createElement("span"), { className: "who", textContent: `${line.who} · ${timeOfDay(line.at)}` });
  const body = document.createElement("p");
  linkify(line.text, body);
  item.append(who, body);
  log.append(item);
  log.scrollTop = log.scrollHeight;
  el("chat-empty").hidden = true;
}

function showReaction({ who, emoji }) {
  const bubble = Object.assign(document.createElement("span"), { className: "reaction", textContent: `${emoji} ${who}` });
  el("reactions").append(bubble);
  setTimeout(() => bubble.remove(), 4000);
}

function farewell(text) {
  over = true;
  if (player) player.pause();
  notice(text);
  el("controls").hidden = true;
  el("add-form").hidden = true;
  leaveActivity();
  stop();
}

// MARK: Messages

const farewells = {
  closed: "The host closed the room.",
  removed: "The host removed you from this room.",
  replaced: "You opened this room in another window. It goes on there.",
};
const refusals = {
  "pin-first": "Enter the room's PIN first: reload the page.",
  closed: "This room is closed.",
  removed: "The host removed you from this room.",
};

onActivity((message) => {
  const data = message.data || {};
  switch (message.type) {
    case "room":
      room = data;
      choosePlayer();
      render();
      break;
    case "playback":
      playback = data;
      choosePlayer();
      render();
      step();
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
    case "farewell":
      farewell(farewells[data.reason] || "You left the room.");
      break;
    case "error":
      if (refusals[data.code] && !room) { farewell(refusals[data.code]); break; }
      if (data.request === "add") { const problem = el("add-error"); problem.textContent = data.message; problem.hidden = false; break; }
      if (data.request === "chat") { const problem = el("chat-error"); problem.textContent = data.message; problem.hidden = false; break; }
      notice(data.message);
      break;
  }
});

onConnection(({ state }) => {
  if (over) return;
  if (state === "open") { pingsSent = 0; if (!clock.ready) pingLoop(); notice(""); }
  if (state === "closed" && room) notice("Reconnecting… the video goes on.");
  if (state === "given-up") farewell("Mingle could not connect you to this room. Reload the page to try again.");
});

// MARK: Controls

root.addEventListener("click", async (event) => {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  if (target.dataset.ask && !window.confirm(target.dataset.ask)) return;
  switch (target.dataset.action) {
    case "toggle": send(playback && !playback.paused ? "pause" : "play"); break;
    case "next": send("next"); break;
    case "select": send("select", { item: target.dataset.item }); break;
    case "dequeue": send("dequeue", { item: target.dataset.item }); break;
    case "remove": send("remove", { person: target.dataset.person }); break;
    case "close": send("close"); break;
    case "react": send("react", { emoji: target.dataset.emoji }); break;
    case "unblock":
      blocked = false;
      notice("");
      step();
      break;
    case "copy-link":
      try { await navigator.clipboard.writeText(document.getElementById("room-link").value); el("copied").textContent = "Link copied."; }
      catch { document.getElementById("room-link").select(); el("copied").textContent = "Press Ctrl+C (⌘C) to copy the selected link."; }
      break;
  }
});

const seekBar = el("seek");
seekBar.addEventListener("input", () => { seeking = true; });
seekBar.addEventListener("change", () => { seeking = false; send("seek", { value: Number(seekBar.value) }); });
el("rate").addEventListener("change", (event) => send("rate", { value: Number(event.target.value) }));
el("control").addEventListener("change", (event) => {
  const [mode, person] = event.target.value.split(":");
  send("control", person ? { mode, person } : { mode });
});
el("wait").addEventListener("change", (event) => send("wait-for-everyone", { value: event.target.checked }));

el("add-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("add-link");
  el("add-error").hidden = true;
  if (!input.value.trim()) { el("add-error").textContent = "Paste a link first."; el("add-error").hidden = false; return; }
  send("add", { link: input.value.trim() });
  input.value = "";
});

// Uploading a video: the file streamed up (its progress), then made ready on the server (its
// progress, asked every half second); the room's list shows it when it is ready.
el("upload-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("upload-file");
  const file = input.files && input.files[0];
  const status = el("upload-status"), bar = el("upload-progress");
  if (!file) { status.textContent = "Choose a video file first."; return; }
  const request = new XMLHttpRequest();
  request.open("POST", `${root.dataset.room}/upload?name=${encodeURIComponent(file.name)}`);
  request.setRequestHeader("X-CSRF-Token", root.dataset.csrf);
  request.setRequestHeader("Content-Type", file.type || "application/octet-stream");
  bar.hidden = false;
  bar.value = 0;
  request.upload.onprogress = (progress) => {
    if (!progress.lengthComputable) return;
    bar.value = progress.loaded / progress.total;
    status.textContent = `Uploading… ${Math.floor(100 * bar.value)} %`;
  };
  request.onerror = () => { status.textContent = "The upload failed: the connection was lost. Try again."; bar.hidden = true; };
  request.onload = () => {
    let answer = {};
    try { answer = JSON.parse(request.responseText); } catch (_) { /* an error page */ }
    if (request.status !== 202) { status.textContent = answer.problem || "The upload was refused."; bar.hidden = true; return; }
    input.value = "";
    followProcessing(answer.file);
  };
  status.textContent = "Uploading… 0 %";
  request.send(file);
});

async function followProcessing(file) {
  const status = el("upload-status"), bar = el("upload-progress");
  for (;;) {
    let answer;
    try { answer = await (await fetch(`${root.dataset.room}/uploads/${file}`, { cache: "no-store" })).json(); } catch (_) { answer = null; }
    if (answer && answer.status === "ready") { status.textContent = "Ready: added to the list."; bar.hidden = true; return; }
    if (answer && answer.status === "failed") { status.textContent = answer.problem || "The video could not be made ready."; bar.hidden = true; return; }
    if (answer) { bar.value = answer.progress; status.textContent = `Making it ready for every browser… ${Math.floor(100 * answer.progress)} %`; }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

el("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const box = document.getElementById("chat-text");
  el("chat-error").hidden = true;
  if (!box.value.trim()) return;
  send("chat", { text: box.value });
  box.value = "";
});
document.getElementById("chat-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); el("chat-form").requestSubmit(); }
});

// For tests and the benchmark: where this page is against where the server says it should be.
window.mingleWatch = () => ({
  room, playback, stalled, seekLead,
  clock: { offset: clock.offset, rtt: clock.rtt, ready: clock.ready },
  currentTime: player ? player.currentTime : null,
  target: playback && clock.ready ? target() : null,
  playing: player ? !player.paused : false,
});
