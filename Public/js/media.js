// Video through Mingle's socket to Janus (docs/LIVE_PROTOCOL.md, the media- messages), the
// same for every activity. The page's activity module says which legs it wants — publish our
// camera into a room, or watch one publisher of a room — and this module sets them up and
// hangs up the rest. Rooms are named by the activity; Mingle decides what the page may do.
// Each leg is one RTCPeerConnection.
import { nextRef, sendActivity } from "./realtime.js";

export function createMedia({ root, el, onPublishFailed = () => {} }) {
  let enabled = false;
  let iceServers = [];
  const legs = new Map();        // key → leg
  const byRef = new Map();       // ref → leg waiting for the server's answer or offer
  const byId = new Map();        // server leg id → leg
  let localStream = null;        // our camera and microphone (shared by publishing legs)
  let muted = false, cameraOff = false;
  let facing = "user";
  let lastWanted = [];

  function status(text) {
    const line = el("media-status");
    if (!line) return;
    line.textContent = text || "";
    line.hidden = !text;
  }

  async function camera() {
    if (localStream) return localStream;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("This browser cannot use a camera here (it needs a secure page and a recent browser).");
    }
    const attempts = [{ audio: true, video: { facingMode: facing } }, { audio: true, video: false }, { audio: false, video: true }];
    let lastError = null;
    for (const constraints of attempts) {
      try {
        localStream = await navigator.mediaDevices.getUserMedia(constraints);
        applyMute();
        return localStream;
      } catch (error) {
        lastError = error;
        if (error.name === "NotAllowedError" || error.name === "SecurityError") break;
      }
    }
    if (lastError && (lastError.name === "NotAllowedError" || lastError.name === "SecurityError")) {
      throw new Error("Mingle may not use your camera or microphone. Allow them for this site in your browser's settings, then press “Try again”.");
    }
    throw new Error("No camera or microphone was found. Connect one, then press “Try again”. You can still watch and listen.");
  }

  function applyMute() {
    if (!localStream) return;
    for (const track of localStream.getAudioTracks()) track.enabled = !muted;
    for (const track of localStream.getVideoTracks()) track.enabled = !cameraOff;
    const self = el("self-video");
    if (self) self.srcObject = localStream;
    root.querySelectorAll('[data-action="mute"]').forEach((b) => { b.textContent = muted ? "Unmute" : "Mute"; b.setAttribute("aria-pressed", String(muted)); });
    root.querySelectorAll('[data-action="camera"]').forEach((b) => { b.textContent = cameraOff ? "Camera on" : "Camera off"; b.setAttribute("aria-pressed", String(cameraOff)); });
  }

  function newPeer(leg) {
    const pc = new RTCPeerConnection({ iceServers });
    pc.onicecandidate = (event) => {
      const candidate = event.candidate ? event.candidate.toJSON() : { completed: true };
      if (leg.id) sendActivity("media-ice", { leg: leg.id, candidate });
      else leg.pendingIce.push(candidate);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") status("The video connection failed; trying again…");
      if (pc.connectionState === "failed" || pc.connectionState === "closed") { drop(leg.key, true); retrySoon(); }
    };
    return pc;
  }

  function flushIce(leg) {
    for (const candidate of leg.pendingIce) sendActivity("media-ice", { leg: leg.id, candidate });
    leg.pendingIce = [];
  }

  async function publish(want) {
    const leg = { key: want.key, room: want.room, publishing: true, pendingIce: [], ref: nextRef("m"), id: null };
    legs.set(want.key, leg);
    try {
      const stream = await camera();
      if (legs.get(want.key) !== leg) return;
      leg.pc = newPeer(leg);
      for (const track of stream.getTracks()) leg.pc.addTrack(track, stream);
      const offer = await leg.pc.createOffer();
      await leg.pc.setLocalDescription(offer);
      byRef.set(leg.ref, leg);
      sendActivity("media-publish", { room: want.room, offer: { type: offer.type, sdp: offer.sdp } }, leg.ref);
      status("");
    } catch (error) {
      drop(want.key, false);
      status(error.message);
      showRetry(true);
      onPublishFailed(want.key, error);
    }
  }

  function watch(want) {
    const leg = { key: want.key, room: want.room, publisher: want.publisher, videoName: want.video, publishing: false,
                  pendingIce: [], ref: nextRef("m"), id: null };
    legs.set(want.key, leg);
    byRef.set(leg.ref, leg);
    sendActivity("media-watch", { room: want.room, publisher: want.publisher }, leg.ref);
  }

  function drop(key, tell) {
    const leg = legs.get(key);
    if (!leg) return;
    legs.delete(key);
    if (leg.ref) byRef.delete(leg.ref);
    if (leg.id) byId.delete(leg.id);
    if (tell && leg.id) sendActivity("media-hangup", { leg: leg.id });
    if (leg.pc) leg.pc.close();
    if (leg.videoName) {
      const video = el(leg.videoName);
      if (video) video.srcObject = null;
    }
  }

  function stopCamera() {
    if (localStream) for (const track of localStream.getTracks()) track.stop();
    localStream = null;
  }

  // A leg that failed or ended while still wanted is set up again a moment later (the
  // activity's state may not change again before it is needed).
  let retryTimer = null;
  function retrySoon() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => sync(lastWanted), 1000);
  }

  function showRetry(show) {
    const retry = root.querySelector('[data-action="media-retry"]');
    if (retry) retry.hidden = !show;
  }

  /// Sets up the wanted legs ([{key, room, publish: true} | {key, room, publisher, video}]) and
  /// hangs up every other one.
  function sync(wanted) {
    lastWanted = wanted;
    if (!enabled) return;
    const keys = new Set(wanted.map((want) => want.key));
    for (const key of [...legs.keys()]) if (!keys.has(key)) drop(key, true);
    for (const want of wanted) {
      if (legs.has(want.key)) continue;
      if (want.publish) publish(want); else watch(want);
    }
    if (![...legs.values()].some((leg) => leg.publishing)) stopCamera();
  }

  /// Everything again from scratch (the media server lost rooms).
  function reset() {
    for (const key of [...legs.keys()]) drop(key, true);
    sync(lastWanted);
  }

  async function handle(message) {
    const data = message.data || {};
    switch (message.type) {
      case "media-config":
        enabled = data.enabled;
        iceServers = data.iceServers || [];
        root.classList.toggle("no-video", !enabled);
        sync(lastWanted);
        return true;
      case "media-answer": {
        const leg = byRef.get(message.ref);
        if (!leg || !leg.pc) return true;
        byRef.delete(message.ref);
        leg.id = data.leg;
        byId.set(leg.id, leg);
        await leg.pc.setRemoteDescription(data.sdp);
        flushIce(leg);
        return true;
      }
      case "media-offer": {
        const leg = byRef.get(message.ref);
        if (!leg) { sendActivity("media-hangup", { leg: data.leg }); return true; }
        byRef.delete(message.ref);
        leg.id = data.leg;
        byId.set(leg.id, leg);
        leg.pc = newPeer(leg);
        leg.pc.ontrack = (event) => {
          const video = el(leg.videoName);
          if (video && video.srcObject !== event.streams[0]) video.srcObject = event.streams[0] || new MediaStream([event.track]);
          // When the first frame is shown (for the figures the browser test prints).
          if (video && video.requestVideoFrameCallback && event.track.kind === "video") {
            video.requestVideoFrameCallback(() => { leg.firstFrameAt = leg.firstFrameAt || Date.now(); });
          }
        };
        await leg.pc.setRemoteDescription(data.sdp);
        const answer = await leg.pc.createAnswer();
        await leg.pc.setLocalDescription(answer);
        sendActivity("media-answer", { leg: leg.id, answer: { type: answer.type, sdp: answer.sdp } });
        flushIce(leg);
        return true;
      }
      case "media-ice": {
        const leg = byId.get(data.leg);
        if (leg && leg.pc && data.candidate && !data.candidate.completed) {
          try { await leg.pc.addIceCandidate(data.candidate); } catch (_) { /* late candidates after close */ }
        }
        return true;
      }
      case "media-ended": {
        const leg = byId.get(data.leg);
        if (leg) drop(leg.key, false);
        retrySoon();
        return true;
      }
      case "error": {
        const leg = byRef.get(message.ref);
        if (!leg) return false;
        drop(leg.key, false);
        // not-allowed and no-such-leg come from races with the activity's state (a pair that
        // just ended, a leg the server already closed): its next state says what to set up.
        if (data.code === "failed") retrySoon();
        else if (data.code !== "not-allowed" && data.code !== "no-such-leg") status(data.message);
        return true;
      }
      default:
        return false;
    }
  }

  root.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "mute") {
      muted = !muted;
      applyMute();
    } else if (action === "camera") {
      cameraOff = !cameraOff;
      applyMute();
    } else if (action === "switch-camera") {
      facing = facing === "user" ? "environment" : "user";
      for (const leg of [...legs.values()].filter((l) => l.publishing)) drop(leg.key, true);
      stopCamera();
      sync(lastWanted);
    } else if (action === "media-retry") {
      showRetry(false);
      status("");
      sync(lastWanted);
    }
  });

  // For tests and the curious: how many frames each watched video has decoded.
  window.mingleMediaStats = async () => {
    const result = {};
    for (const leg of legs.values()) {
      if (!leg.pc) continue;
      let frames = 0, width = 0;
      const stats = await leg.pc.getStats();
      stats.forEach((report) => {
        if (report.type === "inbound-rtp" && report.kind === "video") { frames += report.framesDecoded || 0; width = report.frameWidth || width; }
      });
      result[leg.key] = { publishing: leg.publishing, framesDecoded: frames, frameWidth: width, state: leg.pc.connectionState,
                          firstFrameAt: leg.firstFrameAt || null };
    }
    return result;
  };

  // For tests: when each leg first showed a frame (cheap: no getStats).
  window.mingleShownFrames = () => Object.fromEntries([...legs.values()].filter((leg) => leg.firstFrameAt).map((leg) => [leg.key, leg.firstFrameAt]));

  return {
    handle, sync, reset, status, showRetry,
    get enabled() { return enabled; },
    get localStream() { return localStream; },
    has: (key) => legs.has(key),
  };
}
