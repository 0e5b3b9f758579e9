import Foundation
import Synchronization
import Testing
@testable import VideoProcessing

/// `VideoProcessor` with the machine's ffmpeg on files the tests make with it.
@Suite struct VideoProcessorTests {
    let processor: VideoProcessor = {
        var processor = VideoProcessor()
        processor.progressInterval = 0.1
        return processor
    }()

    @Test("an H.264/AAC MP4 is only remuxed: same codecs, index moved before the data, progress to 1")
    func remux() async throws {
        try await withFolder { folder in
            // setup: ffmpeg's MP4 muxer writes the index (moov) after the data unless told otherwise
            let input = folder + "/in.mp4"
            try await ffmpeg(sources(seconds: 2) + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", input])
            #expect(try topLevelBoxes(input).filter { $0 == "moov" || $0 == "mdat" } == ["mdat", "moov"])
            let progress = Mutex<[Double]>([])

            // act
            let result = try await processor.process(input, to: folder + "/out.mp4") { value in progress.withLock { $0.append(value) } }

            // check
            #expect(result.plan == .remux)
            let output = try await processor.probe(folder + "/out.mp4")
            #expect(output.video?.codec == "h264")
            #expect(output.audio?.codec == "aac")
            #expect(abs(output.duration - 2) < 0.2)
            #expect(try topLevelBoxes(folder + "/out.mp4").filter { $0 == "moov" || $0 == "mdat" } == ["moov", "mdat"])
            checkProgress(progress.withLock { $0 })
        }
    }

    @Test("a VP8/Vorbis WebM is transcoded to H.264/AAC MP4 with faststart; progress rises to 1")
    func transcode() async throws {
        try await withFolder { folder in
            // setup: long enough for several progress reports
            let input = folder + "/in.webm"
            try await ffmpeg(sources(seconds: 6) + ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k",
                                                    "-c:a", "libvorbis", input])
            let progress = Mutex<[Double]>([])

            // act
            let result = try await processor.process(input, to: folder + "/out.mp4") { value in progress.withLock { $0.append(value) } }

            // check
            #expect(result.input.video?.codec == "vp8")
            #expect(result.plan == .transcode)
            #expect(result.output.video?.codec == "h264")
            #expect(result.output.video?.pixelFormat == "yuv420p")
            #expect(result.output.audio?.codec == "aac")
            #expect(result.output.container.contains("mp4"))
            #expect(abs(result.output.duration - 6) < 0.3)
            #expect(try topLevelBoxes(folder + "/out.mp4").filter { $0 == "moov" || $0 == "mdat" } == ["moov", "mdat"])
            let values = progress.withLock { $0 }
            print("[figures] progress of a 6 s transcode: \(values.map { ($0 * 100).rounded() / 100 })")
            checkProgress(values)
            #expect(values.count >= 2, "several reports for a 6 s transcode: \(values)")
        }
    }

    @Test("a video without sound is remuxed and stays without sound")
    func silent() async throws {
        try await withFolder { folder in
            // setup
            let input = folder + "/in.mkv"
            try await ffmpeg(["-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25", "-c:v", "libx264", "-pix_fmt", "yuv420p", input])

            // act
            let result = try await processor.process(input, to: folder + "/out.mp4")

            // check
            #expect(result.plan == .remux)
            #expect(result.output.audio == nil)
            #expect(result.output.video?.codec == "h264")
        }
    }

    @Test("a text file named .mp4 is not a video, and no output is left")
    func textFile() async throws {
        try await withFolder { folder in
            // setup
            let input = folder + "/notes.mp4"
            try Data("These are my notes, not a film.\n".utf8).write(to: URL(fileURLWithPath: input))

            // act / check
            await #expect(throws: VideoProcessingError.notAVideo) { try await processor.process(input, to: folder + "/out.mp4") }
            #expect(!FileManager.default.fileExists(atPath: folder + "/out.mp4"))
        }
    }

    @Test("an MP4 cut in half is refused as incomplete, whether its index came last or first", arguments: [false, true])
    func truncated(fastStart: Bool) async throws {
        try await withFolder { folder in
            // setup
            let whole = folder + "/whole.mp4", half = folder + "/half.mp4"
            try await ffmpeg(sources(seconds: 4) + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"]
                + (fastStart ? ["-movflags", "+faststart"] : []) + [whole])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: half))

            // act / check
            await #expect(throws: VideoProcessingError.truncated) { try await processor.process(half, to: folder + "/out.mp4") }
            #expect(!FileManager.default.fileExists(atPath: folder + "/out.mp4"))
        }
    }

    @Test("a sound file has no picture")
    func soundOnly() async throws {
        try await withFolder { folder in
            // setup
            let input = folder + "/song.m4a"
            try await ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", input])

            // act / check
            await #expect(throws: VideoProcessingError.noVideoStream) { try await processor.probe(input) }
        }
    }

    @Test("a missing tool is said plainly")
    func missingTool() async throws {
        // setup
        let processor = VideoProcessor(ffmpeg: "/nonexistent/ffmpeg", ffprobe: "/nonexistent/ffprobe")

        // act / check
        await #expect(throws: VideoProcessingError.toolMissing("/nonexistent/ffprobe")) { try await processor.probe("/tmp/x.mp4") }
    }

    @Test("cancelling stops ffmpeg and leaves no output")
    func cancel() async throws {
        try await withFolder { folder in
            // setup: a transcode that takes a while
            let input = folder + "/in.webm"
            try await ffmpeg(["-f", "lavfi", "-i", "testsrc=duration=20:size=640x480:rate=25", "-c:v", "libvpx", "-deadline", "realtime",
                              "-cpu-used", "8", "-b:v", "300k", input])
            let started = AsyncStream<Void>.makeStream()
            let processor = processor
            let output = folder + "/out.mp4"
            let task = Task {
                try await processor.process(input, to: output) { _ in started.continuation.yield() }
            }

            // act
            for await _ in started.stream { break }
            let cancelledAt = ContinuousClock.now
            task.cancel()
            let result = await task.result

            // check
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(ContinuousClock.now - cancelledAt < .seconds(3))
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }

    // MARK: helpers

    /// testsrc pictures and a sine tone of `seconds`.
    func sources(seconds: Int) -> [String] {
        ["-f", "lavfi", "-i", "testsrc=duration=\(seconds):size=320x240:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-shortest"]
    }

    func ffmpeg(_ arguments: [String]) async throws {
        let tool = try #require(ToolProcess.locate("ffmpeg"), "ffmpeg is needed (scripts/install-deps.sh installs it)")
        let run = try await ToolProcess.run(tool, ["-nostdin", "-v", "error", "-y"] + arguments)
        try #require(run.status == 0, "ffmpeg \(arguments): \(run.stderrTail)")
    }

    func checkProgress(_ values: [Double]) {
        #expect(!values.isEmpty)
        #expect(values.last == 1)
        #expect(values.allSatisfy { (0...1).contains($0) })
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "never goes back: \(values)")
    }

    func withFolder(_ body: (String) async throws -> Void) async throws {
        let folder = NSTemporaryDirectory() + "video-processing-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await body(folder)
    }
}

/// The types of an MP4's top-level boxes in order (`ftyp`, `moov`, `mdat`, …): faststart means
/// `moov` before `mdat`. Reads only the box headers.
func topLevelBoxes(_ path: String) throws -> [String] {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    let size = try handle.seekToEnd()
    var offset: UInt64 = 0
    var types: [String] = []
    while offset + 8 <= size {
        try handle.seek(toOffset: offset)
        let header = [UInt8](handle.readData(ofLength: 16))
        guard header.count >= 8 else { break }
        var length = header[0..<4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        types.append(String(decoding: header[4..<8], as: UTF8.self))
        if length == 1, header.count == 16 { length = header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        if length == 0 { break } // to the end of the file
        guard length >= 8 else { break }
        offset += length
    }
    return types
}
