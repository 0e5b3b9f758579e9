// What every page does (it runs in the head, so the folded header is the first one drawn):
// - on a phone the header's links fold behind a Menu button (app.css), opened and closed here;
//   without scripts they stay in one row that scrolls sideways;
// - the link of the page shown is marked (aria-current) in the header and the sub-navigation;
// - a form with `data-confirm` asks its question before a far-reaching action is sent;
// - the browser's time zone goes to the server in a cookie, so times are shown in it (an account
//   takes it the first time; one chosen in the account stays);
// - a button with `data-print` (hidden without scripts) prints the page, e.g. a receipt.
document.documentElement.classList.add("js");

// A live room (a meeting, a session) opens its socket here, while the page is still loading:
// realtime.js takes it over with what arrived meanwhile (joining is then under way by the time
// the page's modules run).
{
  const live = document.querySelector('meta[name="mingle-live"]');
  if (live && live.content && window.WebSocket) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const early = { activity: live.content, messages: [], opened: false, closed: false };
    // (with the page's pass, when it has one: the server then knows who it is without a look-up)
    const ticket = live.dataset.ticket ? `&ticket=${encodeURIComponent(live.dataset.ticket)}` : "";
    early.socket = new WebSocket(`${scheme}//${location.host}/live/ws?activity=${encodeURIComponent(live.content)}${ticket}`);
    early.onOpen = () => { early.opened = true; };
    early.onMessage = (event) => early.messages.push(event);
    early.onClose = () => { early.closed = true; };
    early.socket.addEventListener("open", early.onOpen);
    early.socket.addEventListener("message", early.onMessage);
    early.socket.addEventListener("close", early.onClose);
    window.mingleEarlySocket = early;
  }
}

try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const cookie = "mingle_tz=" + encodeURIComponent(zone);
  if (zone && !document.cookie.split("; ").includes(cookie)) {
    document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax";
  }
} catch { /* no Intl time zones: the site's default zone is used */ }

document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-print]")) window.print();
});

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) button.hidden = false;
  const here = location.pathname;
  for (const link of document.querySelectorAll(".site-header nav a, .subnav a")) {
    const path = new URL(link.href, location.href).pathname;
    const current = path === here || (path !== "/" && path !== "/organize" && path !== "/admin" && here.startsWith(path + "/"));
    if (current) {
      link.setAttribute("aria-current", "page");
      // In a row that scrolls sideways (a phone), the current section is brought to its middle.
      const row = link.closest(".subnav");
      if (row && row.scrollWidth > row.clientWidth) row.scrollLeft = link.offsetLeft - (row.clientWidth - link.offsetWidth) / 2;
    }
  }

  const header = document.querySelector(".site-header");
  const button = header?.querySelector(".menu-button");
  if (!button) return;
  button.hidden = false;
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
});
