// A YouTube video in a watch room, through the IFrame Player API, behind the same small
// interface as the page's own <video> (watch.js): currentTime, ready, paused, seek, play, pause,
// setRate, unload. Nothing here can reach YouTube in tests, so this adapter is tested in Node
// with a stand-in for the API (Tests/JS/watch-youtube.test.mjs). YouTube plays only at its
// listed rates, so the gentle rate bend of watch-sync.js rounds to the room's rate and drift is
// corrected by seeks beyond the threshold.

let apiLoading = null;

/// The IFrame API, loaded once (its script calls window.onYouTubeIframeAPIReady).
export function loadYouTubeAPI(win = window, doc = document) {
  if (win.YT && win.YT.Player) return Promise.resolve(win.YT);
  if (apiLoading) return apiLoading;
  apiLoading = new Promise((resolve) => {
    const previous = win.onYouTubeIframeAPIReady;
    win.onYouTubeIframeAPIReady = () => { if (previous) previous(); resolve(win.YT); };
    const script = doc.createElement("script");
    script.src = "https://www.youtube.com/iframe_api";
    doc.head.append(script);
  });
  return apiLoading;
}

/// The rate YouTube can play nearest to `wanted`.
export function nearestRate(wanted, available) {
  const rates = available && available.length ? available : [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
  return rates.reduce((best, rate) => (Math.abs(rate - wanted) < Math.abs(best - wanted) ? rate : best), rates[0]);
}

/// A player for `item` ({id, youtube}) in `container`; `onStall(true|false)` when it buffers.
export function youtubePlayer(container, item, { onStall = () => {} } = {}, api = () => loadYouTubeAPI()) {
  let player = null;
  let state = -1;           // YT.PlayerState: -1 unstarted, 0 ended, 1 playing, 2 paused, 3 buffering, 5 cued
  let rate = 1;
  container.hidden = false;
  const mount = document.createElement("div");
  container.replaceChildren(mount);
  Promise.resolve(api()).then((YT) => {
    player = new YT.Player(mount, {
      videoId: item.youtube,
      playerVars: { controls: 0, disablekb: 1, playsinline: 1, rel: 0, modestbranding: 1 },
      events: {
        onReady: () => { state = 5; },
        onStateChange: (event) => {
          state = event.data;
          onStall(state === 3);
        },
      },
    });
  });
  return {
    kind: "youtube",
    item: item.id,
    get ready() { return !!player && state !== -1 && typeof player.getCurrentTime === "function"; },
    get currentTime() { return player && player.getCurrentTime ? player.getCurrentTime() : 0; },
    get paused() { return state !== 1 && state !== 3; },
    seek(to) { if (player) player.seekTo(to, true); },
    play() { if (player) player.playVideo(); },
    pause() { if (player) player.pauseVideo(); },
    setRate(wanted) {
      if (!player) return;
      const next = nearestRate(wanted, player.getAvailablePlaybackRates && player.getAvailablePlaybackRates());
      if (next !== rate) { rate = next; player.setPlaybackRate(next); }
    },
    unload() {
      if (player && player.destroy) player.destroy();
      player = null;
      container.replaceChildren();
      container.hidden = true;
    },
  };
}
