// node --test Tests/JS — the page's synchronisation rules (Public/js/watch-sync.js).
import assert from "node:assert/strict";
import test from "node:test";

import { ServerClock, SETTINGS, correction, targetPosition } from "../../Public/js/watch-sync.js";

test("the server clock comes from the sample with the shortest round trip", () => {
  const clock = new ServerClock(3);
  assert.equal(clock.ready, false);
  clock.add(1000, 6050, 1100);   // rtt 100: offset 6050 + 50 - 1100 = 5000
  clock.add(2000, 7005, 2010);   // rtt 10:  offset 7005 + 5 - 2010 = 5000
  clock.add(3000, 8200, 3400);   // rtt 400: offset 4600 (a slow answer, not trusted)
  assert.equal(clock.rtt, 10);
  assert.equal(clock.offset, 5000);
  assert.equal(clock.now(10_000), 15_000);
  clock.add(4000, 9000, 4300);   // the rtt-10 sample is still among the last 3
  clock.add(5000, 10_000, 5300);
  clock.add(6000, 11_000, 6300); // now it has gone: the best of the last three
  assert.equal(clock.samples.length, 3);
  assert.equal(clock.rtt, 300);
  clock.add(7000, Number.NaN, 7001);
  clock.add(8000, 1, 7999);       // an answer before the question: ignored
  assert.equal(clock.samples.length, 3);
});

test("the target moves at the rate while playing, stays while paused, within 0 and the end", () => {
  const playing = { paused: false, position: 10, at: 1_000_000, rate: 1.5 };
  assert.equal(targetPosition(playing, 1_004_000), 16);
  assert.equal(targetPosition(playing, 900_000), 0);
  assert.equal(targetPosition(playing, 2_000_000, 60), 60);
  assert.equal(targetPosition({ ...playing, paused: true }, 2_000_000), 10);
});

test("far off: seek (ahead of the target by the seek's own time); near: bend the rate; very near: nothing", () => {
  const playing = { paused: false, position: 0, at: 0, rate: 1 };
  assert.deepEqual(correction(10, 12, playing, 0.1), { seek: 12.1, rate: 1 });
  assert.deepEqual(correction(14, 12, { ...playing, rate: 2 }, 0.1), { seek: 12.2, rate: 2 });
  assert.deepEqual(correction(12.01, 12, playing), { seek: null, rate: 1 });
  const ahead = correction(12.1, 12, playing);
  assert.equal(ahead.seek, null);
  assert.ok(Math.abs(ahead.rate - 0.95) < 1e-9, `ahead by 0.1 s: 95 % (${ahead.rate})`);
  const behind = correction(11.6, 12, playing);
  assert.ok(Math.abs(behind.rate - 1.1) < 1e-9, `behind by 0.4 s: capped at 110 % (${behind.rate})`);
  assert.ok(Math.abs(correction(11.9, 12, { ...playing, rate: 2 }).rate - 2 * 1.05) < 1e-9, "the bend is of the room's rate");
});

test("paused: the right frame by a seek, no rate games", () => {
  const paused = { paused: true, position: 30, at: 0, rate: 1 };
  assert.deepEqual(correction(29, 30, paused, 0.2), { seek: 30, rate: 1 });
  assert.deepEqual(correction(30.01, 30, paused, 0.2), { seek: null, rate: 1 });
});

test("a bent rate closes the gap: simulated, drift within the dead band after 7 s", () => {
  const playback = { paused: false, position: 0, at: 0, rate: 1 };
  let current = 0.45;  // ahead; 0.35 s at the first look (under the seek threshold)
  let worst = 0;
  for (let step = 1; step <= 100; step++) {  // 10 s in 100 ms steps
    const target = targetPosition(playback, step * 100);
    if (step > 70) worst = Math.max(worst, Math.abs(current - target));
    const { rate } = correction(current, target, playback);
    current += 0.1 * rate;
  }
  assert.ok(worst <= SETTINGS.deadBand + 0.01, `settled within the dead band after 7 s (worst ${worst.toFixed(3)} s)`);
});
