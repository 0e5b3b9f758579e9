// The baseline of the live-session test: a page that talks to Janus directly (as Mingle's
// pages never do), so the test can print the time of a direct subscription beside Mingle's.
// Runs on a page of Janus's own origin (http://127.0.0.1:<port>/, a secure context without
// Mingle's Content-Security-Policy). Called with (role, url, apiSecret, adminKey, room, done).
const [role, url, apiSecret, adminKey, room, done] = arguments;
const started = performance.now();
const ws = new WebSocket(url, "janus-protocol");
const pending = new Map();
let count = 0, onEvent = () => {};
ws.onmessage = (message) => {
  const m = JSON.parse(message.data);
  if (m.transaction && pending.has(m.transaction) && m.janus !== "ack") {
    pending.get(m.transaction)(m);
    pending.delete(m.transaction);
  } else onEvent(m);
};
const call = (body) => new Promise((resolve) => {
  const transaction = `t${++count}`;
  pending.set(transaction, resolve);
  ws.send(JSON.stringify({ ...body, transaction, apisecret: apiSecret }));
});
const fail = (why) => done({ error: String(why) });
ws.onerror = () => fail("websocket error");
ws.onopen = async () => {
  try {
    const session = (await call({ janus: "create" })).data.id;
    setInterval(() => ws.send(JSON.stringify({ janus: "keepalive", session_id: session, transaction: "k", apisecret: apiSecret })), 20000);
    const handle = (await call({ janus: "attach", session_id: session, plugin: "janus.plugin.videoroom" })).data.id;
    const pc = new RTCPeerConnection();
    pc.onicecandidate = (e) => ws.send(JSON.stringify({ janus: "trickle", session_id: session, handle_id: handle,
      candidate: e.candidate ? e.candidate.toJSON() : { completed: true }, transaction: "c", apisecret: apiSecret }));
    onEvent = (m) => { if (m.janus === "trickle" && m.candidate && !m.candidate.completed) pc.addIceCandidate(m.candidate).catch(() => {}); };
    const message = (body, jsep) => call({ janus: "message", session_id: session, handle_id: handle, body, jsep });
    if (role === "publisher") {
      await message({ request: "create", room, admin_key: adminKey, publishers: 1, videocodec: "vp8" });
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const answer = await message({ request: "joinandconfigure", ptype: "publisher", room, id: "baseline", audio: true, video: true },
                                   { type: offer.type, sdp: offer.sdp });
      await pc.setRemoteDescription(answer.jsep);
      const wait = () => pc.connectionState === "connected" ? done({ ok: true }) : setTimeout(wait, 100);
      wait();
    } else {
      pc.ontrack = () => {};
      const offered = await message({ request: "join", ptype: "subscriber", room, streams: [{ feed: "baseline" }] });
      await pc.setRemoteDescription(offered.jsep);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await message({ request: "start" }, { type: answer.type, sdp: answer.sdp });
      const poll = async () => {
        let frames = 0;
        (await pc.getStats()).forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0; });
        if (frames > 0) done({ ok: true, seconds: (performance.now() - started) / 1000 });
        else setTimeout(poll, 50);
      };
      poll();
    }
  } catch (error) { fail(error); }
};
setTimeout(() => fail("timeout"), 20000);
