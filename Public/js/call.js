// A one-to-one call (docs/LIVE_PROTOCOL.md, "Calls"): ringing, the two pictures, mute, camera,
// devices, hanging up, how it ended; the conversation with the other person stays live beside
// it (realtime.js fills #thread; sending here does not leave the page). What the page may do is
// the server's to decide (`call` tells it); the page shows what it is told.
import { createMedia } from "./media.js";
import { leaveActivity, onActivity, onConnection, sendActivity, stop } from "./realtime.js";

const root = document.getElementById("call");
const el = (name) => root.querySelector(`[data-live="${name}"]`);
const video = root.dataset.video === "true";
const otherId = root.dataset.other;
const otherName = root.dataset.otherName;
const endings = JSON.parse(root.dataset.endings || "{}");
let answerNow = root.dataset.answer === "true";

let view = null;       // the call as the server last told it
let over = false;
let mediaEpoch = 0;
let reconnected = false;
let clock = null;
// For the set-up figure: when "Answer" was pressed (on this page, or on the ringing prompt of
// the page the callee came from), when the page heard it was answered.
const times = { answerPressed: Number(sessionStorage.getItem(`mingle-answer-${root.dataset.call}`)) || null, answered: null };
sessionStorage.removeItem(`mingle-answer-${root.dataset.call}`);

const send = (type, data) => sendActivity(type, data);
// …and when each kind of message first came (the set-up figure's breakdown).
const steps = [["script", Date.now()]];
const step = (name) => { if (!steps.some(([seen]) => seen === name)) steps.push([name, Date.now()]); };
window.mingleCallSteps = () => steps.slice();

function status(text) { el("status").textContent = text; }

// MARK: Media

const media = createMedia({ root, el, audioOnly: !video });

function updateMedia() {
  if (!view || over) { media.sync({ publish: null, watch: null }); return; }
  const room = view.mediaRoom;
  // The caller's picture goes out while it rings (the callee sees it the moment they answer);
  // the callee's once they answered. Nobody watches before the answer.
  const publish = view.state === "answered" || (view.state === "ringing" && view.you === "caller");
  const feeds = view.state === "answered" && view.otherPublishing ? [{ publisher: otherId, video: el("remote-video") }] : [];
  media.sync({ publish: publish ? { room, camera: true } : null, watch: { room, feeds } });
}

// MARK: Rendering

function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0"), ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

// "4 min 12 s", as the server writes a call's length (CallWords.duration).
function spoken(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total % 3600 / 60), total % 60];
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

function render() {
  if (!view) return;
  root.dataset.state = view.state;
  const ringing = view.state === "ringing", answered = view.state === "answered";
  el("ringing-actions").hidden = !(ringing && view.you === "callee");
  el("call-actions").hidden = !answered && !(ringing && view.you === "caller");
  const hangUp = el("hang-up");
  hangUp.hidden = !(answered || (ringing && view.you === "caller"));
  hangUp.textContent = answered ? "End call" : "Cancel call";
  const remoteShown = answered && view.otherPublishing && video;
  el("remote-video").hidden = !remoteShown;
  el("placeholder").hidden = remoteShown;
  const other = view[view.you === "caller" ? "callee" : "caller"];
  el("other-mic").textContent = answered && !other.mic ? "· muted" : "";
  clearInterval(clock);
  if (ringing) status(view.you === "caller" ? `Calling ${otherName}…` : `${otherName} is calling you${video ? " (video)" : ""}.`);
  if (answered) {
    // (Answered from a ringing prompt, the other's call page is still on its way for a moment.)
    const tick = () => status(!view.otherAway ? `In call · ${duration(Date.now() - view.answeredAt)}`
      : Date.now() - view.answeredAt < 10000 ? `Connecting to ${otherName}…`
      : `${otherName}'s connection was lost. Waiting for them to come back…`);
    tick();
    clock = setInterval(tick, 1000);
  }
  renderControls();
}

function renderControls() {
  const mic = root.querySelector('[data-action="mic"]');
  mic.textContent = media.muted ? "Unmute" : "Mute";
  mic.setAttribute("aria-pressed", String(!media.muted));
  const cam = root.querySelector('[data-action="cam"]');
  if (cam) {
    cam.textContent = media.cameraOff ? "Camera on" : "Camera off";
    cam.setAttribute("aria-pressed", String(!media.cameraOff));
  }
}

function ended(text) {
  over = true;
  clearInterval(clock);
  media.sync({ publish: null, watch: null });
  root.dataset.state = "ended";
  status(text);
  el("stage").hidden = true;
  el("controls").hidden = true;
  el("after").hidden = false;
  leaveActivity();
}

function endedText(call) {
  const outcome = call.outcome === "dropped" ? (call.endedBy === call[call.you].id ? "dropped-me" : "dropped-other") : call.outcome;
  let text = endings[outcome] || "The call has ended.";
  if (call.answeredAt && call.endedAt) text += ` It lasted ${spoken(call.endedAt - call.answeredAt)}.`;
  return text;
}

// MARK: Messages

const refusals = {
  "not-yours": "This call is between two other people.",
  over: "This call is over.",
};

onActivity((message) => {
  step(message.type === "call" ? `call ${(message.data || {}).state}` : message.type);
  if (media.take(message, updateMedia)) return;
  const data = message.data || {};
  switch (message.type) {
    case "call": {
      const before = view;
      view = data;
      if (view.mediaEpoch !== mediaEpoch) { mediaEpoch = view.mediaEpoch; if (before) media.reset(); }
      if (view.state === "answered" && (!before || before.state !== "answered")) times.answered = Date.now();
      if (view.state === "ended") { ended(endedText(view)); break; }
      // In the call (again, after a drop): the server hears how mic and camera are.
      const mine = view[view.you];
      if (!before || reconnected) {
        reconnected = false;
        if (mine.mic !== !media.muted) send("mic", { value: !media.muted });
        if (video && mine.camera !== !media.cameraOff) send("camera", { value: !media.cameraOff });
      }
      if (answerNow && view.state === "ringing" && view.you === "callee") { answerNow = false; send("accept"); }
      updateMedia();
      render();
      break;
    }
    case "farewell":
      if (data.reason === "replaced") {
        over = true;
        media.sync({ publish: null, watch: null });
        status("You opened this call in another window. It goes on there.");
        el("stage").hidden = true;
        el("controls").hidden = true;
        stop();
      }
      break;
    case "error":
      if (refusals[data.code] && !view) { ended(refusals[data.code]); break; }
      if (data.code === "over") { ended(view ? endedText(view) : refusals.over); break; }
      status(data.message);
      break;
  }
});

onConnection(({ state }) => {
  step(`socket ${state}`);
  if (over) return;
  if (state === "closed" && view) status("Reconnecting… the call waits for you.");
  if (state === "open" && view) { reconnected = true; render(); }
  if (state === "given-up") ended("Mingle could not connect you to this call. You may have been signed out: reload the page to try again.");
});

// MARK: Controls

root.addEventListener("click", (event) => {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  switch (target.dataset.action) {
    case "accept":
      times.answerPressed = times.answerPressed || Date.now();
      send("accept");
      break;
    case "decline": send("decline"); break;
    case "hang-up": send(view && view.state === "ringing" ? "cancel" : "end"); break;
    case "mic":
      media.setMuted(!media.muted);
      send("mic", { value: !media.muted });
      renderControls();
      break;
    case "cam":
      media.setCameraOff(!media.cameraOff);
      send("camera", { value: !media.cameraOff });
      renderControls();
      break;
  }
});

// Keyboard: Escape declines a ringing call, as on the ringing prompt.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && view && view.state === "ringing" && view.you === "callee" && !over) send("decline");
});

media.devicePickers(root.querySelector(".devices"), el("pick-camera"), el("pick-mic"));

// The conversation beside the call: sent without leaving the page; the message comes back over
// the socket like the other person's (realtime.js puts it in #thread).
const form = document.querySelector(".call-chat form");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = form.querySelector("textarea");
  const problem = form.querySelector(".field-error");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), headers: { Accept: "application/json" } });
    if (response.status === 204) {
      body.value = "";
      problem.hidden = true;
      body.removeAttribute("aria-invalid");
    } else {
      const answer = await response.json().catch(() => ({}));
      problem.textContent = answer.problem || "The message could not be sent. Try again.";
      problem.hidden = false;
      body.setAttribute("aria-invalid", "true");
      body.setAttribute("aria-describedby", "body-error");
    }
  } catch (_) {
    problem.textContent = "The message could not be sent: the connection was lost. Try again.";
    problem.hidden = false;
  } finally {
    button.disabled = false;
    body.focus();
  }
});
// Enter sends, Shift+Enter makes a new line (as in every chat).
form.querySelector("textarea").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
});

// For tests and the curious.
window.mingleCall = () => ({ view, over, times: { ...times }, thread: [...document.querySelectorAll("#thread li p")].map((p) => p.textContent) });
