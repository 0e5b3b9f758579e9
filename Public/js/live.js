// Live parts of member pages, without reloading: unread counts in the header, and new
// messages in an open conversation. Polls the JSON routes; text goes in with textContent.
const counts = document.querySelectorAll("[data-unread]");
const thread = document.getElementById("thread");

async function refreshCounts() {
  const response = await fetch("/live/unread.json", { credentials: "same-origin" });
  if (!response.ok) return;
  const unread = await response.json();
  for (const badge of counts) {
    const value = unread[badge.dataset.unread] ?? 0;
    badge.textContent = String(value);
    badge.hidden = value === 0;
  }
}

async function refreshThread() {
  const response = await fetch(`${thread.dataset.updates}?after=${thread.dataset.after}`, { credentials: "same-origin" });
  if (!response.ok) return;
  for (const message of await response.json()) {
    if (thread.querySelector(`[data-id="${message.id}"]`)) continue;
    const item = document.createElement("li");
    item.dataset.id = String(message.id);
    if (message.mine) item.className = "mine";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${message.who} · ${message.when}`;
    const body = document.createElement("p");
    body.textContent = message.body;
    item.append(who, body);
    thread.append(item);
    thread.dataset.after = String(message.id);
    document.getElementById("thread-empty")?.remove();
  }
}

function every(seconds, task) {
  const run = () => task().catch(() => {});
  setInterval(() => { if (!document.hidden) run(); }, seconds * 1000);
}

if (counts.length) every(10, refreshCounts);
if (thread) every(3, refreshThread);
