// Video in the live room (issue 5): WebRTC through Mingle's WebSocket to Janus. The page asks;
// Mingle decides what it may publish or watch (docs/LIVE_PROTOCOL.md, the media- messages).
// Each "leg" is one RTCPeerConnection: publishing our camera, or watching one publisher.

export function createMedia({ send, root, el }) {
  let enabled = false;
  let iceServers = [];
  let epoch = 0;
  let refCount = 0;
  const legs = new Map();        // key ("lobby-watch:<id>", "pair-publish", …) → leg
  const byRef = new Map();       // ref → leg waiting for the server's answer or offer
  const byId = new Map();        // server leg id → leg
  let localStream = null;        // our camera and microphone (shared by publishing legs)
  let broadcasting = false;      // organizer: broadcast wanted in the lobby
  let muted = false, cameraOff = false;
  let facing = "user";

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
      if (leg.id) send({ type: "media-ice", leg: leg.id, candidate });
      else leg.pendingIce.push(candidate);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") status("The video connection failed; trying again…");
      if (pc.connectionState === "failed" || pc.connectionState === "closed") drop(leg.key, true);
    };
    return pc;
  }

  function flushIce(leg) {
    for (const candidate of leg.pendingIce) send({ type: "media-ice", leg: leg.id, candidate });
    leg.pendingIce = [];
  }

  async function publish(key, room, pairing) {
    if (legs.has(key)) return;
    const leg = { key, room, pairing, publishing: true, pendingIce: [], ref: `r${++refCount}`, id: null };
    legs.set(key, leg);
    try {
      const stream = await camera();
      if (legs.get(key) !== leg) return;
      leg.pc = newPeer(leg);
      for (const track of stream.getTracks()) leg.pc.addTrack(track, stream);
      const offer = await leg.pc.createOffer();
      await leg.pc.setLocalDescription(offer);
      byRef.set(leg.ref, leg);
      send({ type: "media-publish", room, pairing, offer: { type: offer.type, sdp: offer.sdp }, ref: leg.ref });
      status("");
      document.dispatchEvent(new CustomEvent("mingle-media-changed"));
    } catch (error) {
      drop(key, false);
      status(error.message);
      showRetry(true);
      if (key === "lobby-publish") {
        // Not broadcasting after all: say so on the button and in the video box; "Try again"
        // starts it again. (A pair's leg is retried by the next view; no event here, or a
        // missing camera would loop.)
        broadcasting = false;
        retryBroadcast = true;
        showBroadcasting();
        document.dispatchEvent(new CustomEvent("mingle-media-changed"));
      }
    }
  }

  let retryBroadcast = false;
  function showBroadcasting() {
    root.querySelectorAll('[data-action="broadcast"]').forEach((button) => {
      button.textContent = broadcasting ? "Stop broadcasting" : "Start broadcasting";
      button.setAttribute("aria-pressed", String(broadcasting));
    });
  }

  function watch(key, room, pairing, publisher, videoName) {
    if (legs.has(key)) return;
    const leg = { key, room, pairing, publisher, videoName, publishing: false, pendingIce: [], ref: `r${++refCount}`, id: null };
    legs.set(key, leg);
    byRef.set(leg.ref, leg);
    send({ type: "media-watch", room, pairing, publisher, ref: leg.ref });
  }

  function drop(key, tell) {
    const leg = legs.get(key);
    if (!leg) return;
    legs.delete(key);
    if (leg.ref) byRef.delete(leg.ref);
    if (leg.id) byId.delete(leg.id);
    if (tell && leg.id) send({ type: "media-hangup", leg: leg.id });
    if (leg.pc) leg.pc.close();
    if (leg.videoName) {
      const video = el(leg.videoName);
      if (video) video.srcObject = null;
    }
  }

  function dropAll() {
    for (const key of [...legs.keys()]) drop(key, true);
  }

  function stopCamera() {
    if (localStream) for (const track of localStream.getTracks()) track.stop();
    localStream = null;
  }

  // A leg that failed or ended while still wanted is set up again a moment later (the view
  // may not change again before the round ends).
  let retryTimer = null;
  function retrySoon() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => document.dispatchEvent(new CustomEvent("mingle-media-changed")), 1000);
  }

  function showRetry(show) {
    const retry = root.querySelector('[data-action="media-retry"]');
    if (retry) retry.hidden = !show;
  }

  // The legs this view wants; everything else is hung up.
  function update(view) {
    if (!enabled || !view) return;
    if (view.media.epoch !== epoch) {
      epoch = view.media.epoch;
      dropAll();
    }
    const wanted = new Set();
    const inLobby = view.status === "lobby" || view.status === "waiting";
    if (view.media.mayPublishInLobby && broadcasting) {
      wanted.add("lobby-publish");
      publish("lobby-publish", "lobby", null);
    }
    if (inLobby) {
      for (const publisher of view.media.lobbyPublishers) {
        if (publisher === view.you.id) continue;
        const key = `lobby-watch:${publisher}`;
        wanted.add(key);
        watch(key, "lobby", null, publisher, "lobby-video");
      }
    }
    if (view.status === "pair" && view.pair) {
      const key = `pair-publish:${view.pair.id}`;
      wanted.add(key);
      publish(key, "pair", view.pair.id);
      if (view.media.partnerPublishing) {
        const watchKey = `pair-watch:${view.pair.id}`;
        wanted.add(watchKey);
        watch(watchKey, "pair", view.pair.id, view.pair.partner.id, "partner-video");
      }
    }
    for (const key of [...legs.keys()]) if (!wanted.has(key)) drop(key, true);
    if (![...legs.values()].some((leg) => leg.publishing) && !broadcasting) stopCamera();
    const lobbyStatus = el("lobby-video-status");
    const lobbyVideo = el("lobby-video");
    const ownBroadcast = broadcasting && legs.has("lobby-publish");
    if (ownBroadcast && localStream && lobbyVideo.srcObject !== localStream) {
      // The organizer sees their own broadcast, silently.
      lobbyVideo.muted = true;
      lobbyVideo.srcObject = localStream;
    } else if (!ownBroadcast && lobbyVideo.srcObject === localStream && localStream) {
      lobbyVideo.srcObject = null;
    }
    if (lobbyStatus) {
      const live = ownBroadcast || view.media.lobbyPublishers.some((p) => p !== view.you.id);
      lobbyStatus.textContent = live ? "" : view.media.mayPublishInLobby
        ? "You are not broadcasting. Press “Start broadcasting” to be seen and heard by everyone in the lobby."
        : "The organizer’s camera is off for now.";
    }
    const partnerNote = el("partner-video-status");
    if (partnerNote) partnerNote.hidden = !!view.media.partnerPublishing;
  }

  async function handle(message) {
    switch (message.type) {
      case "media-config":
        enabled = message.enabled;
        iceServers = message.iceServers || [];
        root.classList.toggle("no-video", !enabled);
        return true;
      case "media-answer": {
        const leg = byRef.get(message.ref);
        if (!leg || !leg.pc) return true;
        byRef.delete(message.ref);
        leg.id = message.leg;
        byId.set(leg.id, leg);
        await leg.pc.setRemoteDescription(message.answer);
        flushIce(leg);
        return true;
      }
      case "media-offer": {
        const leg = byRef.get(message.ref);
        if (!leg) { send({ type: "media-hangup", leg: message.leg }); return true; }
        byRef.delete(message.ref);
        leg.id = message.leg;
        byId.set(leg.id, leg);
        leg.pc = newPeer(leg);
        leg.pc.ontrack = (event) => {
          const video = el(leg.videoName);
          if (video && video.srcObject !== event.streams[0]) video.srcObject = event.streams[0] || new MediaStream([event.track]);
        };
        await leg.pc.setRemoteDescription(message.offer);
        const answer = await leg.pc.createAnswer();
        await leg.pc.setLocalDescription(answer);
        send({ type: "media-answer", leg: leg.id, answer: { type: answer.type, sdp: answer.sdp } });
        flushIce(leg);
        return true;
      }
      case "media-ice": {
        const leg = byId.get(message.leg);
        if (leg && leg.pc && message.candidate && !message.candidate.completed) {
          try { await leg.pc.addIceCandidate(message.candidate); } catch (_) { /* late candidates after close */ }
        }
        return true;
      }
      case "media-ended": {
        const leg = byId.get(message.leg);
        if (leg) drop(leg.key, false);
        retrySoon();
        return true;
      }
      case "media-error": {
        const leg = byRef.get(message.ref);
        if (leg) drop(leg.key, false);
        // not-allowed and no-such-leg come from races with the view (a pair that just ended, a
        // leg the server already closed): the next view says what to set up, so stay quiet.
        if (message.code === "failed") retrySoon();
        else if (message.code !== "not-allowed" && message.code !== "no-such-leg") status(message.message);
        return true;
      }
      default:
        return false;
    }
  }

  root.addEventListener("click", async (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "broadcast") {
      broadcasting = !broadcasting;
      retryBroadcast = false;
      showBroadcasting();
      if (broadcasting) { status(""); showRetry(false); }
      if (!broadcasting) drop("lobby-publish", true);
      document.dispatchEvent(new CustomEvent("mingle-media-changed"));
    } else if (action === "mute") {
      muted = !muted;
      applyMute();
    } else if (action === "camera") {
      cameraOff = !cameraOff;
      applyMute();
    } else if (action === "switch-camera") {
      facing = facing === "user" ? "environment" : "user";
      const publishing = [...legs.values()].filter((leg) => leg.publishing);
      for (const leg of publishing) drop(leg.key, true);
      stopCamera();
      document.dispatchEvent(new CustomEvent("mingle-media-changed"));
    } else if (action === "media-retry") {
      showRetry(false);
      status("");
      if (retryBroadcast) { broadcasting = true; retryBroadcast = false; showBroadcasting(); }
      document.dispatchEvent(new CustomEvent("mingle-media-changed"));
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
      result[leg.key] = { publishing: leg.publishing, framesDecoded: frames, frameWidth: width, state: leg.pc.connectionState };
    }
    return result;
  };

  return { handle, update, hangUpAll: dropAll };
}
