// node --test Tests/JS — the YouTube adapter (Public/js/watch-youtube.js) against a stand-in for
// the IFrame Player API: nothing in tests can reach YouTube.
import assert from "node:assert/strict";
import test from "node:test";

// The little of the DOM the adapter touches.
globalThis.document = {
  createElement: () => ({ tagName: "DIV" }),
  head: { append() {} },
};

const { nearestRate, youtubePlayer, loadYouTubeAPI } = await import("../../Public/js/watch-youtube.js");

function fakeAPI() {
  const calls = [];
  let made = null;
  class Player {
    constructor(mount, options) {
      made = this;
      this.options = options;
      this.time = 0;
    }
    getCurrentTime() { return this.time; }
    seekTo(to, allowAhead) { calls.push(["seek", to, allowAhead]); this.time = to; }
    playVideo() { calls.push(["play"]); }
    pauseVideo() { calls.push(["pause"]); }
    setPlaybackRate(rate) { calls.push(["rate", rate]); }
    getAvailablePlaybackRates() { return [0.25, 0.5, 1, 1.5, 2]; }
    destroy() { calls.push(["destroy"]); }
  }
  return { YT: { Player }, calls, player: () => made };
}

function container() { return { hidden: true, children: [], replaceChildren(...nodes) { this.children = nodes; } }; }

test("the nearest rate YouTube can play", () => {
  assert.equal(nearestRate(0.95, [0.5, 1, 1.5]), 1);
  assert.equal(nearestRate(1.3, [0.5, 1, 1.5]), 1.5);
  assert.equal(nearestRate(1.1, null), 1);
  assert.equal(nearestRate(1.75, undefined), 1.75);
});

test("the adapter drives the IFrame player: the video id without YouTube's controls, seeks, play, pause, rates it has", async () => {
  const api = fakeAPI();
  const box = container();
  const stalls = [];
  const player = youtubePlayer(box, { id: "item-1", youtube: "dQw4w9WgXcQ" }, { onStall: (now) => stalls.push(now) }, () => api.YT);
  assert.equal(box.hidden, false);
  assert.equal(player.ready, false, "not before the API is there");
  await Promise.resolve();
  await Promise.resolve();
  const made = api.player();
  assert.equal(made.options.videoId, "dQw4w9WgXcQ");
  assert.equal(made.options.playerVars.controls, 0, "the room's controls, not YouTube's");
  assert.equal(made.options.playerVars.playsinline, 1);
  made.options.events.onReady();
  assert.equal(player.ready, true);
  assert.equal(player.paused, true);
  player.seek(42);
  assert.equal(player.currentTime, 42);
  player.play();
  made.options.events.onStateChange({ data: 1 });
  assert.equal(player.paused, false);
  made.options.events.onStateChange({ data: 3 });
  made.options.events.onStateChange({ data: 1 });
  assert.deepEqual(stalls, [false, true, false]);
  player.setRate(0.95);   // a bend it cannot play: stays at 1
  player.setRate(1.6);
  player.setRate(1.55);   // the same rate again: not asked twice
  player.pause();
  player.unload();
  assert.deepEqual(api.calls, [["seek", 42, true], ["play"], ["rate", 1.5], ["pause"], ["destroy"]]);
  assert.equal(box.hidden, true);
});

test("the API script is loaded once, and its ready call resolves every wait", async () => {
  const appended = [];
  const win = {};
  const doc = { createElement: () => ({}), head: { append: (node) => appended.push(node) } };
  const first = loadYouTubeAPI(win, doc);
  const second = loadYouTubeAPI(win, doc);
  assert.equal(appended.length, 1);
  assert.equal(appended[0].src, "https://www.youtube.com/iframe_api");
  win.YT = { Player: class {} };
  win.onYouTubeIframeAPIReady();
  assert.equal(await first, win.YT);
  assert.equal(await second, win.YT);
});
