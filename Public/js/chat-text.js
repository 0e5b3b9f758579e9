// A chat line's text with its web links made clickable (text stays text: nothing is parsed as
// HTML), and a time of day in the viewer's zone — for every chat of the site's live pages.

/// Appends `text` to `into`, its http(s) links as links that open apart.
export function linkify(text, into) {
  const pattern = /https?:\/\/[^\s<>"']+/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const url = match[0].replace(/[.,;:!?)\]]+$/, "");
    into.append(text.slice(last, match.index));
    const link = document.createElement("a");
    link.href = url;
    link.rel = "noopener nofollow noreferrer";
    link.target = "_blank";
    link.textContent = url;
    into.append(link);
    last = match.index + url.length;
  }
  into.append(text.slice(last));
}

const viewerZone = document.documentElement.dataset.zone || undefined;

/// "14:05" in the viewer's zone (the page's `data-zone`), or the browser's when that fails.
export function timeOfDay(ms) {
  try { return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: viewerZone }); }
  catch { return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }); }
}
