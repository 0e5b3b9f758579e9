// The page's one socket to Mingle (docs/LIVE_PROTOCOL.md). Every page of a signed-in member
// holds it: it shows who is online, keeps the unread counts in the header, brings new
// messages into an open conversation and notifications as they happen (nothing polls). A page
// in an activity (a speed-networking room, later a meeting, call or watch room) names it in
// <main data-activity="<kind>:<id>">; its module registers with onActivity().
const main = document.querySelector("[data-activity]");
export let activity = main ? main.dataset.activity : null;

const siteHandlers = new Map();   // type → [handler]
const activityHandlers = [];
const connectionHandlers = [];
let socket = null;
let retry = 0;
let failedHandshakes = 0;
let stopped = false;
let holdUntil = 0;                // an activity that is not open yet: reconnect at this time
let refCount = 0;

export const online = new Set();

/// Messages of the page's activity: handler(message) with message.type, message.data, message.ref.
export function onActivity(handler) { activityHandlers.push(handler); }
/// Messages of the site (presence, unread, message, notification, pong, error without activity).
export function onSite(type, handler) {
  if (!siteHandlers.has(type)) siteHandlers.set(type, []);
  siteHandlers.get(type).push(handler);
}
/// Connection events: handler({state: "open" | "closed" | "given-up"}).
export function onConnection(handler) { connectionHandlers.push(handler); }

export function nextRef(prefix = "r") { return `${prefix}${++refCount}`; }

function frame(type, data, ref, withActivity) {
  const message = { v: 1, type };
  if (withActivity) message.activity = activity;
  if (ref) message.ref = ref;
  if (data !== undefined) message.data = data;
  return JSON.stringify(message);
}

export function isOpen() { return !!socket && socket.readyState === WebSocket.OPEN; }

/// A request to the page's activity (or its media: types "media-…").
export function sendActivity(type, data, ref) {
  if (isOpen() && activity) socket.send(frame(type, data, ref, true));
}

/// A request to the site itself.
export function sendSite(type, data, ref) {
  if (isOpen()) socket.send(frame(type, data, ref, false));
}

/// The page's activity asks to reconnect no earlier than `time` (ms since 1970).
export function holdReconnectUntil(time) { holdUntil = time; }
/// The page's activity is over for good: from now on the socket carries only the site's own
/// messages (presence, counts), without it.
export function leaveActivity() {
  activity = null;
  holdUntil = 0;
}

/// The page needs no socket any more (its activity closed for good, or it was signed out).
export function stop() {
  stopped = true;
  if (socket) socket.close();
}

function emit(state) { for (const handler of connectionHandlers) handler({ state }); }

function dispatch(message) {
  if (message.activity) {
    if (message.activity === activity) for (const handler of activityHandlers) handler(message);
    return;
  }
  for (const handler of siteHandlers.get(message.type) || []) handler(message);
}

// The socket site.js opened while the page loaded, if it is for this page's activity and still
// up; its listeners give way to ours in this same task, so no message is lost or doubled.
function earlySocket() {
  const early = window.mingleEarlySocket;
  window.mingleEarlySocket = null;
  if (!early) return null;
  early.socket.removeEventListener("open", early.onOpen);
  early.socket.removeEventListener("message", early.onMessage);
  early.socket.removeEventListener("close", early.onClose);
  if (early.closed || early.activity !== activity || early.socket.readyState > WebSocket.OPEN) {
    early.socket.close();
    return null;
  }
  return early;
}

function connect() {
  if (stopped) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = activity ? `?activity=${encodeURIComponent(activity)}` : "";
  const early = earlySocket();
  socket = early ? early.socket : new WebSocket(`${scheme}//${location.host}/live/ws${query}`);
  let opened = false;
  const onOpen = () => { opened = true; retry = 0; failedHandshakes = 0; emit("open"); };
  const onMessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch (_) { return; }
    dispatch(message);
  };
  socket.addEventListener("open", onOpen);
  socket.addEventListener("message", onMessage);
  if (early && early.opened) onOpen();
  if (early) for (const event of early.messages) onMessage(event);
  socket.addEventListener("close", () => {
    socket = null;
    if (stopped) return;
    emit("closed");
    const wait = holdUntil - Date.now();
    if (wait > 0) { setTimeout(connect, Math.max(1000, wait + 500)); return; }
    if (!opened && ++failedHandshakes >= 5) {
      // Refused again and again: retrying will not help (signed out, no longer a member…).
      emit("given-up");
      return;
    }
    retry = Math.min(retry + 1, activity ? 6 : 20);
    setTimeout(connect, 400 * retry + Math.random() * 300);
  });
}

// Presence: elements marked data-online-for="<user id>" show while that person is online.
function showPresence() {
  for (const element of document.querySelectorAll("[data-online-for]")) {
    element.hidden = !online.has(element.dataset.onlineFor);
  }
  // A list of who is online says so when nobody of it is.
  for (const list of document.querySelectorAll("[data-online-list]")) {
    const empty = list.querySelector("[data-online-empty]");
    if (empty) empty.hidden = [...list.querySelectorAll("[data-online-for]")].some((item) => !item.hidden);
  }
  document.dispatchEvent(new CustomEvent("mingle-presence"));
}
onSite("presence", ({ data }) => {
  if (data.full) online.clear();
  for (const id of data.online || []) online.add(id);
  for (const id of data.offline || []) online.delete(id);
  showPresence();
});

// Unread counts in the header.
onSite("unread", ({ data }) => {
  for (const badge of document.querySelectorAll("[data-unread]")) {
    const value = data[badge.dataset.unread] ?? 0;
    badge.textContent = String(value);
    badge.hidden = value === 0;
  }
  const total = (data.messages ?? 0) + (data.notifications ?? 0);
  for (const badge of document.querySelectorAll("[data-unread-total]")) {
    badge.textContent = String(total);
    badge.hidden = total === 0;
  }
  // What a screen reader says after the link's name: "Messages, 2 unread".
  for (const label of document.querySelectorAll("[data-unread-label]")) {
    const value = data[label.dataset.unreadLabel] ?? 0;
    label.textContent = value === 0 ? "" : `, ${value} unread`;
  }
});

// A new message: shown at once in the open conversation with that person, and marked read.
const thread = document.getElementById("thread");
let unreadUpTo = 0;
function markRead() {
  if (!thread || !unreadUpTo || document.hidden) return;
  sendSite("read", { with: thread.dataset.with, upTo: unreadUpTo });
  unreadUpTo = 0;
}
document.addEventListener("visibilitychange", markRead);
onSite("message", ({ data }) => {
  if (!thread || data.with !== thread.dataset.with) return;
  const message = data.message;
  if (thread.querySelector(`[data-id="${message.id}"]`)) return;
  const item = document.createElement("li");
  item.dataset.id = String(message.id);
  if (message.mine) item.className = "mine";
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = `${message.who} · ${message.when}`;
  const body = document.createElement("p");
  // The server cut the text into plain pieces and http(s) links; text stays text.
  for (const piece of message.text?.pieces ?? [{ text: message.body }]) {
    if (piece.href) {
      const link = document.createElement("a");
      link.href = piece.href;
      link.rel = "noopener nofollow";
      link.target = "_blank";
      link.textContent = piece.text;
      body.append(link);
    } else {
      body.append(piece.text);
    }
  }
  item.append(who, body);
  thread.append(item);
  document.getElementById("thread-empty")?.remove();
  if (!message.mine) { unreadUpTo = Math.max(unreadUpTo, message.id); markRead(); }
});

// A notification: a short note on the page, read out by screen readers.
onSite("notification", ({ data }) => {
  let box = document.getElementById("toasts");
  if (!box) {
    box = document.createElement("div");
    box.id = "toasts";
    box.className = "toasts";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    document.body.append(box);
  }
  const toast = document.createElement(data.link ? "a" : "p");
  toast.className = "toast";
  toast.textContent = data.text;
  if (data.link) toast.href = data.link;
  box.append(toast);
  setTimeout(() => toast.remove(), 8000);
});

setInterval(() => sendSite("ping"), 25000);
// For tests and the curious: who of this site is online, as this page knows it.
window.mingleOnline = () => [...online];
// Connected once every module of the page has run (deferred modules all run before
// DOMContentLoaded), so their handlers are in place before the first message.
if (document.readyState === "complete") connect();
else document.addEventListener("DOMContentLoaded", connect, { once: true });
