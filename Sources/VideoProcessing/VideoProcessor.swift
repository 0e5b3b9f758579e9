import Foundation
import Synchronization

/// Uploaded videos made ready for every browser: probed with `ffprobe`, then remuxed or
/// transcoded with `ffmpeg` to an H.264/AAC MP4 whose index comes first (`+faststart`, so
/// playback starts before the whole file has arrived). The decisions are `VideoProbe`'s and
/// `ProgressReader`'s; this type only runs the tools.
public struct VideoProcessor: Sendable {
    /// What came out of `process`.
    public struct Result: Sendable, Equatable {
        public let plan: ProcessingPlan
        public let input: VideoProbe
        public let output: VideoProbe
    }

    public let ffmpeg: String
    public let ffprobe: String
    /// How often ffmpeg reports progress, in seconds.
    public var progressInterval: Double = 0.5
    /// A converted video shorter than its input by more than this (seconds, or a fraction of
    /// the duration when larger) was cut short: its input ended early.
    public var durationTolerance: (seconds: Double, fraction: Double) = (0.5, 0.01)

    /// Tools by name (looked up on PATH) or by path.
    public init(ffmpeg: String = "ffmpeg", ffprobe: String = "ffprobe") {
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
    }

    /// What the file is; throws `notAVideo`, `truncated` or `noVideoStream` when it is not
    /// something to play.
    public func probe(_ path: String) async throws -> VideoProbe {
        guard let tool = ToolProcess.locate(ffprobe) else { throw VideoProcessingError.toolMissing(ffprobe) }
        let run = try await ToolProcess.run(
            tool, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", path], keepStdout: true)
        guard run.status == 0 else {
            throw VideoProcessingError.probeFailure(stderr: run.stderrTail, header: Self.firstBytes(of: path, count: 12))
        }
        return try VideoProbe.parse(json: run.stdout)
    }

    /// Makes `output` (an MP4, replaced if there) from `input`, calling `progress` with
    /// fractions from 0 to 1 that never go back, the last one 1. On failure or cancellation
    /// `output` is removed.
    public func process(_ input: String, to output: String,
                        progress: @escaping @Sendable (Double) -> Void = { _ in }) async throws -> Result {
        guard let tool = ToolProcess.locate(ffmpeg) else { throw VideoProcessingError.toolMissing(ffmpeg) }
        let source = try await probe(input)
        let plan = source.plan
        let reader = ProgressBox(ProgressReader(duration: source.duration))
        do {
            let run = try await ToolProcess.run(tool, Self.arguments(input: input, output: output, probe: source, plan: plan,
                                                                     progressInterval: progressInterval)) { chunk in
                for fraction in reader.consume(chunk) { progress(fraction) }
            }
            guard run.status == 0 else {
                let failure = VideoProcessingError.probeFailure(stderr: run.stderrTail, header: Self.firstBytes(of: input, count: 12))
                throw failure == .truncated ? failure : VideoProcessingError.ffmpegFailed(status: run.status, detail: run.stderrTail)
            }
            let result = try await probe(output)
            let allowed = max(durationTolerance.seconds, source.duration * durationTolerance.fraction)
            guard result.duration >= source.duration - allowed else { throw VideoProcessingError.truncated }
            guard result.video?.codec == "h264" else {
                throw VideoProcessingError.ffmpegFailed(status: 0, detail: "the output's video is \(result.video?.codec ?? "missing")")
            }
            if reader.fraction < 1 { progress(1) }
            return Result(plan: plan, input: source, output: result)
        } catch {
            try? FileManager.default.removeItem(atPath: output)
            throw error
        }
    }

    /// The start of a file (a dozen bytes: one read), or nothing if it cannot be read.
    static func firstBytes(of path: String, count: Int) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
    }

    /// ffmpeg's arguments: the picture and the first sound (if any) only; copied or encoded;
    /// MP4 with faststart; progress on standard output.
    static func arguments(input: String, output: String, probe: VideoProbe, plan: ProcessingPlan,
                          progressInterval: Double) -> [String] {
        var arguments = ["-nostdin", "-hide_banner", "-v", "error", "-y", "-i", input]
        if let video = probe.video { arguments += ["-map", "0:\(video.index)"] }
        if let audio = probe.audio { arguments += ["-map", "0:\(audio.index)"] }
        switch plan {
        case .remux:
            arguments += ["-c", "copy"]
        case .transcode:
            arguments += [
                // H.264 in 4:2:0 needs even sizes; at most 1080p.
                "-vf", "scale=w='min(1920,iw)':h='min(1080,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-profile:v", "high",
                "-c:a", "aac", "-b:a", "128k", "-ac", "2",
            ]
        }
        arguments += ["-movflags", "+faststart", "-f", "mp4",
                      "-progress", "pipe:1", "-nostats", "-stats_period", String(progressInterval), output]
        return arguments
    }
}

/// The progress reader, fed from the tool's reader thread.
final class ProgressBox: Sendable {
    private let state: Mutex<ProgressReader>
    init(_ reader: ProgressReader) { state = Mutex(reader) }
    func consume(_ chunk: Data) -> [Double] { state.withLock { $0.consume(chunk) } }
    var fraction: Double { state.withLock { $0.fraction } }
}
