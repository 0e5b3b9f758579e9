// Keeping a video in step with the server (issue 17, DESIGN §12), pure: no DOM, no timers, so
// it is tested in Node (Tests/JS). The server owns the playback — paused or not, the position at
// a server instant, the rate; a page estimates the server's clock from its pings and corrects
// its video gently (playback rate within a band), seeking only when far off.

/// The server's clock as seen from this page, from ping samples: each sample is what the page
/// sent at (`sent`), what the server said (`server`) and when the answer came (`received`), all
/// in ms. The sample with the shortest round trip is trusted most (the least queueing), among
/// the most recent `keep`.
export class ServerClock {
  constructor(keep = 8) { this.keep = keep; this.samples = []; }

  add(sent, server, received) {
    const rtt = received - sent;
    if (!(rtt >= 0) || !Number.isFinite(server)) return;
    this.samples.push({ rtt, offset: server + rtt / 2 - received });
    if (this.samples.length > this.keep) this.samples.shift();
  }

  get ready() { return this.samples.length > 0; }
  /// ms to add to the page's clock to get the server's.
  get offset() { return this.best ? this.best.offset : 0; }
  get rtt() { return this.best ? this.best.rtt : null; }
  get best() { return this.samples.reduce((best, s) => (!best || s.rtt < best.rtt ? s : best), null); }
  now(local) { return local + this.offset; }
}

/// Where the video should be (seconds) at server time `serverNow` (ms): `playback` is
/// {paused, position (s), at (ms), rate}; a known `duration` caps it.
export function targetPosition(playback, serverNow, duration = Infinity) {
  const moved = playback.paused ? playback.position : playback.position + ((serverNow - playback.at) / 1000) * playback.rate;
  return Math.min(Math.max(0, moved), Number.isFinite(duration) && duration > 0 ? duration : Infinity);
}

export const SETTINGS = {
  /// Beyond this (s) the page seeks; within it, it changes its rate.
  seekBeyond: 0.5,
  /// Within this (s) nothing is corrected (the element's own jitter).
  deadBand: 0.02,
  /// The most the rate is bent, as a fraction (0.1: 90 %–110 % of the room's rate).
  maxBend: 0.1,
  /// Seconds of drift corrected per second of playback per second of drift (the bend's gain).
  gain: 0.5,
};

/// What the page does now, from where its video is (`current`, s) and where it should be
/// (`target`, s): {seek: seconds to jump to | null, rate: playbackRate}. Paused: only a seek,
/// when off by more than the dead band (so a paused picture shows the right frame).
/// `seekLead`: how long a seek takes to show (s), measured by the page, added when playing.
export function correction(current, target, playback, seekLead = 0, settings = SETTINGS) {
  settings = settings || SETTINGS;
  const drift = current - target;
  if (playback.paused) {
    return { seek: Math.abs(drift) > settings.deadBand ? target : null, rate: playback.rate };
  }
  if (Math.abs(drift) > settings.seekBeyond) {
    return { seek: target + seekLead * playback.rate, rate: playback.rate };
  }
  if (Math.abs(drift) <= settings.deadBand) return { seek: null, rate: playback.rate };
  // Ahead: a little slower; behind: a little faster — in proportion, within the band.
  const bend = Math.max(-settings.maxBend, Math.min(settings.maxBend, -drift * settings.gain));
  return { seek: null, rate: playback.rate * (1 + bend) };
}
