import Foundation

/// What `ffprobe` says about a file, reduced to what deciding and checking need.
public struct VideoProbe: Sendable, Equatable {
    public struct Stream: Sendable, Equatable {
        public enum Kind: String, Sendable { case video, audio, subtitle, other }
        public let index: Int
        public let kind: Kind
        public let codec: String
        public let pixelFormat: String?
        public let width: Int?
        public let height: Int?
        /// Cover art in an audio file: a picture, not a video.
        public let isAttachedPicture: Bool
    }

    /// ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`.
    public let container: String
    /// Seconds.
    public let duration: Double
    public let streams: [Stream]

    /// The picture: the first video stream that is not cover art.
    public var video: Stream? { streams.first { $0.kind == .video && !$0.isAttachedPicture } }
    /// The first sound stream.
    public var audio: Stream? { streams.first { $0.kind == .audio } }

    /// Reads `ffprobe -print_format json -show_format -show_streams`. A file with no picture
    /// throws `noVideoStream`; one without a duration (a still image, a stream with no end)
    /// throws `notAVideo`.
    public static func parse(json: Data) throws(VideoProcessingError) -> VideoProbe {
        struct Output: Decodable {
            struct Format: Decodable {
                let format_name: String?
                let duration: String?
            }
            struct Stream: Decodable {
                struct Disposition: Decodable { let attached_pic: Int? }
                let index: Int
                let codec_type: String?
                let codec_name: String?
                let pix_fmt: String?
                let width: Int?
                let height: Int?
                let disposition: Disposition?
            }
            let format: Format?
            let streams: [Stream]?
        }
        let output: Output
        do { output = try JSONDecoder().decode(Output.self, from: json) } catch { throw .notAVideo }
        guard let format = output.format, let container = format.format_name else { throw .notAVideo }
        let streams = (output.streams ?? []).map { stream in
            Stream(index: stream.index, kind: Stream.Kind(rawValue: stream.codec_type ?? "") ?? .other,
                   codec: stream.codec_name ?? "unknown", pixelFormat: stream.pix_fmt, width: stream.width,
                   height: stream.height, isAttachedPicture: stream.disposition?.attached_pic == 1)
        }
        let probe = VideoProbe(container: container, duration: format.duration.flatMap(Double.init) ?? 0, streams: streams)
        guard probe.video != nil else {
            throw probe.audio != nil ? .noVideoStream : .notAVideo
        }
        // Images (png_pipe, image2, …) have a picture and no time.
        guard probe.duration > 0, probe.duration.isFinite else { throw .notAVideo }
        return probe
    }

    /// What to do with this file: copy its streams into an MP4 when browsers play them as they
    /// are, or transcode.
    public var plan: ProcessingPlan {
        guard let video, video.codec == "h264", ["yuv420p", "yuvj420p"].contains(video.pixelFormat ?? "") else {
            return .transcode
        }
        if let audio, audio.codec != "aac" { return .transcode }
        return .remux
    }
}

/// Remux: H.264 (4:2:0) with AAC or no sound, in any container ffmpeg reads — the streams are
/// copied into an MP4 with `+faststart`. Transcode: everything else, to H.264/AAC.
public enum ProcessingPlan: String, Sendable, Equatable {
    case remux, transcode
}

/// Why a video was refused, with words for the person who uploaded it (`description`).
public enum VideoProcessingError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAVideo
    case truncated
    case noVideoStream
    /// ffmpeg stopped with this status; `detail` is the end of what it wrote (for logs).
    case ffmpegFailed(status: Int32, detail: String)
    /// ffprobe or ffmpeg is not installed (a set-up problem, not the file's).
    case toolMissing(String)

    public var description: String {
        switch self {
        case .notAVideo: "This file is not a video we can read."
        case .truncated: "This video file is incomplete or damaged (was the upload cut short?)."
        case .noVideoStream: "This file has sound but no picture."
        case .ffmpegFailed: "The video could not be converted."
        case let .toolMissing(tool): "Video processing is not available on this server (\(tool) is missing)."
        }
    }

    /// An ffprobe refusal in our terms, given the file's first bytes: an MP4 (it starts with an
    /// `ftyp` box) whose index (`moov`) is missing was cut short — the index comes last unless
    /// the file was made with faststart; anything else is not a video we read (ffprobe picks
    /// the MP4 reader for any file named .mp4, so a text file gets the same complaint).
    static func probeFailure(stderr: String, header: [UInt8]) -> VideoProcessingError {
        let lowered = stderr.lowercased()
        if lowered.contains("truncat") || lowered.contains("partial file") { return .truncated }
        let isMP4 = header.count >= 8 && Array(header[4..<8]) == Array("ftyp".utf8)
        if isMP4, lowered.contains("moov atom not found") { return .truncated }
        return .notAVideo
    }
}

/// ffmpeg's `-progress` output, read line by line: `key=value`, each block ending with
/// `progress=continue` or `progress=end`. Turns `out_time_us` into a fraction of the duration,
/// never going back, 1 only at `progress=end`.
public struct ProgressReader: Sendable {
    public let duration: Double
    private var outTime: Double = 0
    public private(set) var fraction: Double = 0
    /// Bytes of a line not yet ended.
    private var pending: [UInt8] = []

    public init(duration: Double) {
        self.duration = duration
    }

    /// Feeds a chunk of ffmpeg's output; returns the fractions of the blocks it ended.
    public mutating func consume(_ bytes: some Sequence<UInt8>) -> [Double] {
        var reported: [Double] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let value = line(String(decoding: pending, as: UTF8.self)) { reported.append(value) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
            }
        }
        return reported
    }

    /// One line; a fraction when it ends a block.
    mutating func line(_ text: String) -> Double? {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let key = parts[0].trimmingCharacters(in: .whitespaces), value = parts[1].trimmingCharacters(in: .whitespaces)
        switch key {
        case "out_time_us":
            // "N/A" before the first frame; negative at the start of some inputs.
            if let micros = Double(value), micros > 0 { outTime = micros / 1_000_000 }
            return nil
        case "progress":
            let now = value == "end" ? 1 : (duration > 0 ? min(outTime / duration, 0.999) : 0)
            fraction = max(fraction, now)
            return fraction
        default:
            return nil
        }
    }
}
