// The baseline of the live-session and meeting tests: a page that talks to Janus directly (as
// Mingle's pages never do), so a test can print the time of a direct subscription beside Mingle's.
// Runs on a page of Janus's own origin (http://127.0.0.1:<port>/, a secure context without
// Mingle's Content-Security-Policy). Called with (role, url, apiSecret, adminKey, room, options, done):
//   publisher: creates `room` and publishes `options.feeds` (default 1) fake cameras into it, as
//              feeds "baseline-0", "baseline-1", …; resolves once all are connected.
//   list:      resolves with {ok, participants: [{id, display}]}: the publishers in `room`.
//   watcher:   subscribes to those feeds (or to `options.feedIds` in `room`, joined with
//              `options.pin`) in one multistream connection, as Mingle's pages do, and with
//              `options.publishRoom` publishes its own camera into that room at the same time (a
//              meeting's join does both); resolves with the seconds from the script's start to
//              the first decoded frame of any feed.
const [role, url, apiSecret, adminKey, room, options, done] = arguments;
const feeds = (options && options.feeds) || 1;
const started = performance.now();
const steps = {};  // when the offer came and the connection was up (s after the start)
const ws = new WebSocket(url, "janus-protocol");
const pending = new Map();
const peers = new Map();  // handle id → its RTCPeerConnection (for Janus's trickled candidates)
let count = 0;
ws.onmessage = (message) => {
  const m = JSON.parse(message.data);
  if (m.transaction && pending.has(m.transaction) && m.janus !== "ack") {
    pending.get(m.transaction)(m);
    pending.delete(m.transaction);
  } else if (m.janus === "trickle" && m.candidate && !m.candidate.completed && peers.has(m.sender)) {
    peers.get(m.sender).addIceCandidate(m.candidate).catch(() => {});
  }
};
const call = (body) => new Promise((resolve) => {
  const transaction = `t${++count}`;
  pending.set(transaction, resolve);
  ws.send(JSON.stringify({ ...body, transaction, apisecret: apiSecret }));
});
const fail = (why) => done({ error: String(why) });
ws.onerror = () => fail("websocket error");

// A handle on the VideoRoom plugin with its own peer connection.
async function leg(session) {
  const handle = (await call({ janus: "attach", session_id: session, plugin: "janus.plugin.videoroom" })).data.id;
  const pc = new RTCPeerConnection();
  peers.set(handle, pc);
  pc.onicecandidate = (e) => ws.send(JSON.stringify({ janus: "trickle", session_id: session, handle_id: handle,
    candidate: e.candidate ? e.candidate.toJSON() : { completed: true }, transaction: "c", apisecret: apiSecret }));
  const message = (body, jsep) => call({ janus: "message", session_id: session, handle_id: handle, body, jsep });
  return { pc, message };
}

async function publish(session, id, into = room) {
  const { pc, message } = await leg(session);
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const answer = await message({ request: "joinandconfigure", ptype: "publisher", room: into, id, audio: true, video: true },
                               { type: offer.type, sdp: offer.sdp });
  await pc.setRemoteDescription(answer.jsep);
  return pc;
}

ws.onopen = async () => {
  try {
    const session = (await call({ janus: "create" })).data.id;
    setInterval(() => ws.send(JSON.stringify({ janus: "keepalive", session_id: session, transaction: "k", apisecret: apiSecret })), 20000);
    if (role === "list") {
      const control = await leg(session);
      const listed = await control.message({ request: "listparticipants", room });
      const data = listed.plugindata.data;
      if (!data.participants) return fail(JSON.stringify(data));
      return done({ ok: true, participants: data.participants.filter((p) => p.publisher).map((p) => ({ id: p.id, display: p.display })) });
    }
    if (role === "publisher") {
      const control = await leg(session);
      await control.message({ request: "create", room, admin_key: adminKey, publishers: feeds + 2, videocodec: "vp8" });
      const pcs = [];
      for (let i = 0; i < feeds; i++) pcs.push(await publish(session, `baseline-${i}`));
      const wait = () => pcs.every((pc) => pc.connectionState === "connected") ? done({ ok: true }) : setTimeout(wait, 100);
      wait();
    } else {
      // The subscription first, then the own camera, as Mingle's page asks for them.
      const { pc, message } = await leg(session);
      // Each feed's video in a <video> of its own, as a conferencing page shows it; timed to
      // the first frame shown (requestVideoFrameCallback, as Mingle's pages time theirs).
      let first = null;
      pc.ontrack = (event) => {
        if (event.track.kind !== "video") return;
        const video = Object.assign(document.createElement("video"), { autoplay: true, muted: true, playsInline: true, width: 160 });
        video.srcObject = new MediaStream([event.track]);
        document.body.append(video);
        video.requestVideoFrameCallback(() => {
          if (first === null) { first = performance.now(); done({ ok: true, seconds: (first - started) / 1000, steps }); }
        });
      };
      const ids = (options && options.feedIds) || Array.from({ length: feeds }, (_, i) => `baseline-${i}`);
      const join = { request: "join", ptype: "subscriber", room, streams: ids.map((feed) => ({ feed })) };
      if (options && options.pin) join.pin = options.pin;
      const offered = message(join);
      if (options && options.publishRoom) publish(session, `baseline-watcher-${Date.now()}`, options.publishRoom).catch(fail);
      const jsep = (await offered).jsep;
      steps.offer = (performance.now() - started) / 1000;
      pc.onconnectionstatechange = () => { if (pc.connectionState === "connected") steps.connected = (performance.now() - started) / 1000; };
      await pc.setRemoteDescription(jsep);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await message({ request: "start" }, { type: answer.type, sdp: answer.sdp });
    }
  } catch (error) { fail(error); }
};
setTimeout(() => fail("timeout"), 30000);
