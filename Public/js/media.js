// Video through Mingle's socket to Janus (docs/LIVE_PROTOCOL.md, the media- messages), the
// same for every activity. A page has at most two RTCPeerConnections: one publishing its camera
// and microphone into a room, one watching every feed it needs from a room (a Janus multistream
// subscription). The page's activity module says what it wants — publish or not, camera on or
// off, whom to watch and in which <video> — and this module keeps both connections and changes
// what flows over them: a new partner is a renegotiation of the watching connection, a camera
// switched off is a track taken off the publishing one. Mingle decides what the page may do.
import { nextRef, sendActivity } from "./realtime.js";

/// `watchFirst`: the camera starts once the first watching connection is answered (or after a
/// second at most): opening a camera is heavy for a page, and the others' video comes first.
/// Only for pages whose wishes name people already publishing (a meeting's), or the wait is in vain.
/// `audioOnly`: the page publishes its microphone only (an audio call): no camera is opened.
export function createMedia({ root, el, onPublishFailed = () => {}, onScreenEnded = () => {}, watchFirst = false, audioOnly = false }) {
  let enabled = false;
  let iceServers = [];
  let publishing = null;     // {room, pc, id, ref, pendingIce, senders}
  let watching = null;       // {room, pc, id, pendingIce, streams, chain}
  let wanted = { publish: null, watch: null };
  let wishSent = null;       // the last media-watch we sent, as JSON ("" = none in force)
  let wishRef = null;
  let firstWatch = watchFirst ? "not asked" : "done";  // → "asked" → "done" (answered, or given up on)
  let localStream = null;    // our camera and microphone
  let cameraPending = null;  // a getUserMedia in progress
  let muted = false, cameraOff = false;
  let facing = "user";
  let chosen = { audio: null, video: null };  // device ids chosen on the page (null: the browser's default)
  let screenTrack = null;    // a shared screen, sent as the publishing connection's third track
  const firstFrames = new Map();  // publisher → when their video first showed since wanted
  // What happened when (for the figures the browser test prints and for the curious): the
  // last 200 steps of both connections.
  const timeline = [];
  const mark = (step) => { timeline.push([step, Date.now()]); if (timeline.length > 200) timeline.shift(); };

  function status(text) {
    const line = el("media-status");
    if (!line) return;
    line.textContent = text || "";
    line.hidden = !text;
  }

  function showRetry(show) {
    const retry = root.querySelector('[data-action="media-retry"]');
    if (retry) retry.hidden = !show;
  }

  async function camera() {
    if (localStream) return localStream;
    if (cameraPending) return cameraPending;
    cameraPending = openCamera().finally(() => { cameraPending = null; });
    return cameraPending;
  }

  async function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("This browser cannot use a camera here (it needs a secure page and a recent browser).");
    }
    const audio = chosen.audio ? { deviceId: { exact: chosen.audio } } : true;
    const video = chosen.video ? { deviceId: { exact: chosen.video } } : { facingMode: facing };
    const attempts = audioOnly ? [{ audio, video: false }] : [{ audio, video }, { audio, video: false }, { audio: false, video }];
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
    throw new Error(audioOnly ? "No microphone was found. Connect one, then press “Try again”. You can still listen."
                              : "No camera or microphone was found. Connect one, then press “Try again”. You can still watch and listen.");
  }

  function stopCamera() {
    if (localStream) for (const track of localStream.getTracks()) track.stop();
    localStream = null;
    selfViews().forEach((video) => { video.srcObject = null; });
  }

  const selfViews = () => root.querySelectorAll('[data-live="self-video"]');

  function applyMute() {
    // Muted is no audio at all on the connection (not silence): nothing is sent, so nothing
    // arrives at the others until the person unmutes.
    const leg = publishing;
    if (leg && leg.senders && localStream) {
      const audio = muted ? null : localStream.getAudioTracks()[0] || null;
      if (leg.senders.audio.track !== audio) leg.senders.audio.replaceTrack(audio).catch(() => {});
    }
    if (localStream) {
      for (const track of localStream.getAudioTracks()) track.enabled = !muted;
      for (const track of localStream.getVideoTracks()) track.enabled = !cameraOff;
      selfViews().forEach((video) => { if (video.srcObject !== localStream) video.srcObject = localStream; });
    }
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
      mark(`${leg === publishing ? "publish" : "watch"} ${pc.connectionState}`);
      if (pc.connectionState === "connected") retryDelay = 1000;
      if (pc.connectionState !== "failed") return;
      status("The video connection failed; trying again…");
      if (leg === publishing) dropPublishing(true);
      if (leg === watching) dropWatching(true);
      retrySoon();
    };
    return pc;
  }

  function flushIce(leg) {
    for (const candidate of leg.pendingIce) sendActivity("media-ice", { leg: leg.id, candidate });
    leg.pendingIce = [];
  }

  // MARK: Publishing

  async function startPublishing(want) {
    const leg = { room: want.room, pendingIce: [], ref: nextRef("m"), id: null, pc: null, senders: null };
    publishing = leg;
    mark("publish start");
    try {
      const stream = want.camera ? await camera() : null;
      mark("camera ready");
      if (publishing !== leg) { if (!publishing) stopCamera(); return; }
      leg.pc = newPeer(leg);
      // Two sending transceivers whatever the camera does now: a track is put on or taken off
      // later without a new connection.
      leg.senders = {
        audio: leg.pc.addTransceiver("audio", { direction: "sendonly" }).sender,
        video: leg.pc.addTransceiver("video", { direction: "sendonly" }).sender,
      };
      // A page that may share its screen has a third track for it from the start: sharing is
      // then a track put on, not a new connection or a renegotiation.
      const screen = want.screen ? leg.pc.addTransceiver("video", { direction: "sendonly" }) : null;
      if (screen) leg.senders.screen = screen.sender;
      if (stream) await putTracks(leg, stream);
      if (screen && screenTrack) await screen.sender.replaceTrack(screenTrack);
      const offer = await leg.pc.createOffer();
      await leg.pc.setLocalDescription(offer);
      if (publishing !== leg) return;
      const descriptions = screen ? { [screen.mid]: "screen" } : undefined;
      sendActivity("media-publish", { room: want.room, offer: { type: offer.type, sdp: offer.sdp }, descriptions }, leg.ref);
      mark("publish sent");
      status("");
      applyCamera();  // the wish may have changed meanwhile
    } catch (error) {
      if (publishing === leg) dropPublishing(false);
      status(error.message);
      showRetry(true);
      onPublishFailed(error);
    }
  }

  async function putTracks(leg, stream) {
    await leg.senders.audio.replaceTrack(stream && !muted ? stream.getAudioTracks()[0] || null : null);
    await leg.senders.video.replaceTrack(stream ? stream.getVideoTracks()[0] || null : null);
  }

  // The camera on or off on the publishing connection, as now wanted (called again whenever
  // that may have changed; the camera is asked for once at a time).
  async function applyCamera() {
    const leg = publishing;
    if (!leg || !leg.senders) return;
    const wantsCamera = () => publishing === leg && !!(wanted.publish && wanted.publish.camera);
    if (wantsCamera()) {
      try {
        const stream = await camera();
        if (!publishing) { stopCamera(); return; }
        if (!wantsCamera()) return applyCamera();
        const [audio, video] = [muted ? null : stream.getAudioTracks()[0] || null, stream.getVideoTracks()[0] || null];
        if (leg.senders.audio.track !== audio || leg.senders.video.track !== video) await putTracks(leg, stream);
      } catch (error) {
        status(error.message);
        showRetry(true);
        onPublishFailed(error);
      }
    } else if (publishing === leg && (localStream || leg.senders.audio.track || leg.senders.video.track)) {
      await putTracks(leg, null);
      stopCamera();
    }
  }

  function dropPublishing(tell) {
    const leg = publishing;
    if (!leg) return;
    publishing = null;
    if (!wanted.publish) stopScreen();
    if (tell && leg.id) sendActivity("media-hangup", { leg: leg.id });
    if (leg.pc) leg.pc.close();
    stopCamera();
  }

  // MARK: Watching

  function wish() {
    const watch = wanted.watch;
    if (!watch) return null;
    return JSON.stringify({ room: watch.room, publishers: watch.feeds.map((f) => f.publisher).sort() });
  }

  function sendWish() {
    const text = wish();
    if (text === wishSent) return;
    const watch = wanted.watch;
    if (watching && (!watch || watching.room !== watch.room)) dropWatching(true);
    if (!watch) { wishSent = null; return; }
    // Nothing to ask for when nothing is watched and nothing is wanted.
    if (!watching && watch.feeds.length === 0) { wishSent = text; return; }
    wishSent = text;
    wishRef = nextRef("m");
    sendActivity("media-watch", JSON.parse(text), wishRef);
    mark(`watch sent ${watch.feeds.length}`);
    if (firstWatch === "not asked") {
      firstWatch = "asked";
      setTimeout(firstWatchDone, 1000);
    }
  }

  const endedLegs = new Set();  // watching connections we hung up: their late offers are ignored

  function dropWatching(tell) {
    const leg = watching;
    if (!leg) return;
    watching = null;
    if (leg.id) endedLegs.add(leg.id);
    wishSent = null;
    if (tell && leg.id) sendActivity("media-hangup", { leg: leg.id });
    leg.pc.close();
    showFeeds();
  }

  // A new layout from Janus (its offer): answer it, then put each stream in its <video>.
  async function negotiate(data) {
    mark("watch offer");
    if (!watching || watching.id !== data.leg) {
      if (watching) dropWatching(false);
      watching = { room: data.room, id: data.leg, pendingIce: [], streams: [], chain: Promise.resolve() };
      watching.pc = newPeer(watching);
    }
    const leg = watching;
    leg.chain = leg.chain.then(async () => {
      if (watching !== leg) return;
      mark("watch offer taken");
      await leg.pc.setRemoteDescription(data.sdp);
      mark("watch offer set");
      const answer = await leg.pc.createAnswer();
      mark("watch answer made");
      await leg.pc.setLocalDescription(answer);
      sendActivity("media-answer", { leg: leg.id, answer: { type: answer.type, sdp: answer.sdp } });
      mark("watch answered");
      firstWatchDone();
      flushIce(leg);
      leg.streams = data.streams || [];
      showFeeds();
    }).catch((error) => {
      console.warn("media", error);
      if (watching === leg) { dropWatching(true); retrySoon(); }
    });
    await leg.chain;
  }

  // Each wanted feed's tracks in its <video>, or nothing there when the feed is not (yet) on
  // the connection.
  function showFeeds() {
    const feeds = wanted.watch ? wanted.watch.feeds : [];
    const transceivers = watching ? watching.pc.getTransceivers() : [];
    for (const feed of feeds) {
      const streams = watching ? watching.streams.filter((s) => s.publisher === feed.publisher) : [];
      const tracksOf = (list) => list.map((s) => transceivers.find((t) => t.mid === s.mid)).filter(Boolean).map((t) => t.receiver.track);
      // A stream the publisher called "screen" goes to the feed's screen element, when it has one.
      if (feed.screen) showTracks(feed.screen, tracksOf(streams.filter((s) => s.description === "screen")), null);
      showTracks(feed.video, tracksOf(streams.filter((s) => s.description !== "screen")), feed.publisher);
    }
  }

  // Tracks into a <video> (left alone when it shows them already); a camera's first frame is noted.
  function showTracks(video, tracks, publisher) {
    if (!video) return;
    const shown = video.srcObject ? video.srcObject.getTracks() : [];
    if (tracks.length === shown.length && tracks.every((t) => shown.includes(t))) return;
    video.srcObject = tracks.length > 0 ? new MediaStream(tracks) : null;
    if (tracks.length > 0 && publisher && video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback(() => {
        if (!firstFrames.has(publisher)) { firstFrames.set(publisher, Date.now()); mark("first frame"); }
      });
    }
  }

  // A connection that failed or ended while still wanted is set up again a moment later (the
  // activity's state may not change again before it is needed).
  // One second at first, twice as long after each failure in a row, at most 30 s; a connection
  // that comes up starts again from one second.
  let retryTimer = null;
  let retryDelay = 1000;
  function retrySoon() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => { wishSent = null; sync(wanted); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function firstWatchDone() {
    if (firstWatch !== "asked") return;
    firstWatch = "done";
    sync(wanted);
  }

  /// What the page wants now:
  ///   publish: {room, camera} or null — our camera connection, with the camera on or off;
  ///   watch: {room, feeds: [{publisher, video}]} or null — whom to watch, each in its <video>.
  function sync(next) {
    for (const feed of (wanted.watch ? wanted.watch.feeds : [])) {
      if (!next.watch || !next.watch.feeds.some((f) => f.publisher === feed.publisher)) firstFrames.delete(feed.publisher);
    }
    wanted = { publish: next.publish || null, watch: next.watch || null };
    if (!enabled) return;
    // Watching is asked for first: its offer is on its way while the camera starts.
    sendWish();
    const want = wanted.publish;
    if (!want) dropPublishing(true);
    else if (publishing && publishing.room !== want.room) { dropPublishing(true); startPublishing(want); }
    else if (!publishing) { if (firstWatch !== "asked") startPublishing(want); }
    else applyCamera();
    showFeeds();
  }

  /// Everything again from scratch (the media server lost rooms).
  function reset() {
    dropPublishing(true);
    dropWatching(true);
    sync(wanted);
  }

  async function handle(message) {
    const data = message.data || {};
    switch (message.type) {
      case "media-config":
        enabled = data.enabled;
        iceServers = data.iceServers || [];
        root.classList.toggle("no-video", !enabled);
        sync(wanted);
        return true;
      case "media-answer": {
        const leg = publishing;
        if (!leg || leg.ref !== message.ref || !leg.pc) {
          sendActivity("media-hangup", { leg: data.leg });  // a connection we no longer want
          return true;
        }
        leg.id = data.leg;
        mark("publish answer");
        await leg.pc.setRemoteDescription(data.sdp);
        flushIce(leg);
        return true;
      }
      case "media-offer":
        if (endedLegs.has(data.leg)) return true;
        if (!wanted.watch || wanted.watch.room !== data.room) { sendActivity("media-hangup", { leg: data.leg }); return true; }
        await negotiate(data);
        return true;
      case "media-ice": {
        if (!data.candidate || data.candidate.completed) return true;
        const add = (leg) => leg.pc.addIceCandidate(data.candidate).catch(() => { /* late candidates after close */ });
        if (publishing && publishing.id === data.leg && publishing.pc) await add(publishing);
        // After the offer it belongs to.
        const leg = watching;
        if (leg && leg.id === data.leg) await (leg.chain = leg.chain.then(() => add(leg)));
        return true;
      }
      case "media-ended":
        if (publishing && publishing.id === data.leg) dropPublishing(false);
        if (watching && watching.id === data.leg) dropWatching(false);
        retrySoon();
        return true;
      case "error": {
        if (!String(data.request || "").startsWith("media-")) return false;
        if (publishing && message.ref === publishing.ref) {
          dropPublishing(false);
          if (data.code === "failed") retrySoon();
          else if (data.code !== "not-allowed") status(data.message);
          return true;
        }
        if (message.ref === wishRef) {
          // not-allowed comes from races with the activity's state (a room that just ended):
          // its next state says what to set up.
          wishSent = null;
          if (data.code === "failed") retrySoon();
          else if (data.code !== "not-allowed") status(data.message);
        }
        // Anything else (a hang-up of a connection the server had already ended) needs nothing.
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
      if (publishing && localStream) { stopCamera(); applyCamera(); }
    } else if (action === "media-retry") {
      showRetry(false);
      status("");
      sync(wanted);
    }
  });

  // For tests and the curious: what flows over the two connections.
  window.mingleMediaStats = async () => {
    const result = { publishing: null, watching: null };
    if (publishing && publishing.pc) {
      result.publishing = { state: publishing.pc.connectionState, camera: !!localStream };
    }
    const leg = watching;
    if (leg) {
      const feeds = {};
      const stats = await leg.pc.getStats();
      const audio = {}, screens = {};
      stats.forEach((report) => {
        if (report.type !== "inbound-rtp") return;
        const stream = leg.streams.find((s) => s.mid === report.mid && s.type === report.kind);
        if (!stream) return;
        if (report.kind === "audio") {
          audio[stream.publisher] = (audio[stream.publisher] || 0) + (report.packetsReceived || 0);
          return;
        }
        if (stream.description === "screen") {
          screens[stream.publisher] = { framesDecoded: report.framesDecoded || 0, frameWidth: report.frameWidth || 0 };
          return;
        }
        // An m-line used again for someone else may still list its old stream: the newest wins.
        const seen = feeds[stream.publisher];
        if (seen && seen.lastPacketAt >= (report.lastPacketReceivedTimestamp || 0)) return;
        feeds[stream.publisher] = { framesDecoded: report.framesDecoded || 0, frameWidth: report.frameWidth || 0,
                                    lastPacketAt: report.lastPacketReceivedTimestamp || 0,
                                    firstFrameAt: firstFrames.get(stream.publisher) || null };
      });
      result.watching = { state: leg.pc.connectionState, feeds, audio, screens };
    }
    return result;
  };

  // For tests: when each watched person's video first showed since they were wanted (cheap: no getStats).
  window.mingleShownFrames = () => Object.fromEntries(firstFrames);
  window.mingleMediaTimeline = () => timeline.slice();

  function setMuted(value) {
    muted = !!value;
    applyMute();
  }

  function setCameraOff(value) {
    cameraOff = !!value;
    applyMute();
  }

  /// The screen (a window, a tab) on the publishing connection's third track; resolves when
  /// it is sent, rejects when the person said no or the browser cannot.
  async function shareScreen() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) throw new Error("This browser cannot share its screen.");
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    stopScreen();
    screenTrack = stream.getVideoTracks()[0];
    screenTrack.addEventListener("ended", () => { if (screenTrack) { stopScreen(); onScreenEnded(); } });
    if (publishing && publishing.senders && publishing.senders.screen) await publishing.senders.screen.replaceTrack(screenTrack);
    mark("screen shared");
    return screenTrack;
  }

  function stopScreen() {
    const track = screenTrack;
    screenTrack = null;
    if (track) track.stop();
    if (publishing && publishing.senders && publishing.senders.screen) publishing.senders.screen.replaceTrack(null).catch(() => {});
  }

  /// The cameras and microphones the browser offers (names once the person allowed one).
  async function devices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
    return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "audioinput" || d.kind === "videoinput");
  }

  /// Another camera or microphone: the camera is opened again with it and put on the same connection.
  function chooseDevice(kind, id) {
    chosen[kind === "audioinput" ? "audio" : "video"] = id || null;
    if (publishing && localStream) { stopCamera(); applyCamera(); }
  }

  /// Takes a message of the page's activity if it is about media (or an error of a media
  /// request): true then. `onConfig` runs once the configuration is in, for the page to say
  /// what it wants.
  function take(message, onConfig) {
    const data = message.data || {};
    if (!message.type.startsWith("media-") && !(message.type === "error" && String(data.request).startsWith("media-"))) return false;
    handle(message).then(() => { if (message.type === "media-config") onConfig(); }).catch((error) => console.warn("media", error));
    return true;
  }

  /// The camera and microphone pickers in `details`: filled when it opens (the browser names
  /// devices only once one was allowed), and a choice takes effect at once.
  function devicePickers(details, camera, mic) {
    details.addEventListener("toggle", async () => {
      const found = await devices();
      for (const [kind, select] of [["videoinput", camera], ["audioinput", mic]]) {
        if (!select) continue;
        const current = select.value;
        select.replaceChildren(new Option(kind === "videoinput" ? "Default camera" : "Default microphone", ""));
        for (const device of found.filter((d) => d.kind === kind)) {
          select.append(new Option(device.label || (kind === "videoinput" ? "Camera" : "Microphone"), device.deviceId));
        }
        select.value = current;
      }
    });
    if (camera) camera.addEventListener("change", (event) => chooseDevice("videoinput", event.target.value));
    if (mic) mic.addEventListener("change", (event) => chooseDevice("audioinput", event.target.value));
  }

  return {
    handle, take, devicePickers, sync, reset, status, showRetry, setMuted, setCameraOff, shareScreen, stopScreen, devices, chooseDevice,
    get muted() { return muted; },
    get cameraOff() { return cameraOff; },
    get sharing() { return !!screenTrack; },
    get screenTrack() { return screenTrack; },
    get enabled() { return enabled; },
    get localStream() { return localStream; },
    get publishing() { return !!publishing; },
  };
}
