// An incoming call on any page of the site (issue 16, docs/LIVE_PROTOCOL.md "Calls"): the
// server sends `ring` to every open page of the person called, and `ring-over` to all of them
// when it stops ringing (answered — here or on another page —, declined, cancelled, unanswered).
// The page shows who calls and whether with video, in a prompt that takes the keyboard's focus,
// and rings (a tone made here: no sound file) until then. Answering opens the call's page;
// declining tells the server. What happens is the server's to decide; the page shows it.
import { onSite, sendSite } from "./realtime.js";

const outcomes = {
  "answered-elsewhere": "You answered on another page.",
  answered: "",
  declined: "You declined the call.",
  cancelled: "The caller hung up.",
  missed: "Missed call.",
};

let current = null;  // {call, box, timer, tone}

function tone() {
  // Two short beeps every two seconds. A browser may keep sound off until the person has
  // touched the page: the prompt is then all there is.
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  const audio = new Context();
  audio.resume().catch(() => {});
  const beep = (at) => {
    const oscillator = audio.createOscillator(), gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.4);
  };
  const ring = () => { const now = audio.currentTime; beep(now); beep(now + 0.5); };
  ring();
  const every = setInterval(ring, 2000);
  return { stop: () => { clearInterval(every); audio.close().catch(() => {}); } };
}

function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function stopRinging() {
  if (!current) return;
  clearTimeout(current.timer);
  if (current.tone) current.tone.stop();
}

function close(message) {
  if (!current) return;
  stopRinging();
  const { box } = current;
  current = null;
  if (!message) { box.remove(); return; }
  // What happened stays a moment, then goes.
  box.querySelector(".ring-actions").replaceChildren();
  box.querySelector(".ring-text").textContent = message;
  setTimeout(() => box.remove(), 4000);
}

// Call ids as the call page's address writes them (the server's JSON writes UUIDs in capitals).
const callId = (id) => String(id || "").toLowerCase();

onSite("ring", ({ data }) => {
  if (!data || !data.call) return;
  data.call = callId(data.call);
  if (current && current.call === data.call) return;
  if (current) close(null);
  const box = document.createElement("section");
  box.className = "ring";
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-labelledby", "ring-title");
  box.setAttribute("aria-describedby", "ring-text");
  box.dataset.call = data.call;
  const title = document.createElement("h2");
  title.id = "ring-title";
  title.textContent = `${data.from.name} is calling`;
  const text = document.createElement("p");
  text.id = "ring-text";
  text.className = "ring-text";
  text.textContent = data.video ? "Video call" : "Audio call";
  const actions = document.createElement("p");
  actions.className = "ring-actions";
  const answer = button(data.video ? "Answer with video" : "Answer", "", () => {
    stopRinging();
    try { sessionStorage.setItem(`mingle-answer-${data.call}`, String(Date.now())); } catch (_) { /* storage off: no figure */ }
    // Answered from here at once; the call's page (which accepts too, should this not arrive)
    // then finds the call answered.
    sendSite("call-accept", { call: data.call });
    location.href = `/calls/${data.call}?answer=1`;
  });
  const decline = button("Decline", "danger", () => {
    sendSite("call-decline", { call: data.call });
    close(outcomes.declined);
  });
  actions.append(answer, decline);
  box.append(title, text, actions);
  // Escape declines, as a phone's side button would.
  box.addEventListener("keydown", (event) => { if (event.key === "Escape") decline.click(); });
  document.body.append(box);
  answer.focus();
  // The call page's modules, fetched and compiled while it rings: answering is then quicker.
  for (const module of ["/js/call.js", "/js/media.js"]) {
    if (document.querySelector(`link[href="${module}"]`)) continue;
    document.head.append(Object.assign(document.createElement("link"), { rel: "modulepreload", href: module }));
  }
  current = { call: data.call, box, tone: tone(), timer: setTimeout(() => close(outcomes.missed), Math.max(1000, (data.until || Date.now() + 30000) - Date.now() + 2000)) };
});

onSite("ring-over", ({ data }) => {
  if (!current || !data || current.call !== callId(data.call)) return;
  close(outcomes[data.outcome] ?? "");
});

// For tests: the call ringing on this page now, if any.
window.mingleRinging = () => (current ? current.call : null);
