import Foundation
import Testing
@testable import VideoProcessing

/// The pure decisions: ffprobe's JSON → a probe and a plan; ffmpeg's progress lines → fractions.
@Suite struct ProbeAndProgressTests {
    static func json(format: String = "mov,mp4,m4a,3gp,3g2,mj2", duration: String? = "12.5", streams: [String]) -> Data {
        let durationField = duration.map { ", \"duration\": \"\($0)\"" } ?? ""
        return Data("{\"streams\": [\(streams.joined(separator: ","))], \"format\": {\"format_name\": \"\(format)\"\(durationField)}}".utf8)
    }

    static func video(_ codec: String, index: Int = 0, pix: String = "yuv420p", cover: Int = 0) -> String {
        "{\"index\": \(index), \"codec_type\": \"video\", \"codec_name\": \"\(codec)\", \"pix_fmt\": \"\(pix)\", \"width\": 320, \"height\": 240, \"disposition\": {\"attached_pic\": \(cover)}}"
    }

    static func audio(_ codec: String, index: Int = 1) -> String {
        "{\"index\": \(index), \"codec_type\": \"audio\", \"codec_name\": \"\(codec)\"}"
    }

    @Test("plans: H.264 4:2:0 with AAC or no sound is remuxed, anything else transcoded", arguments: [
        ([video("h264"), audio("aac")], ProcessingPlan.remux),
        ([video("h264")], .remux),
        ([video("h264", pix: "yuvj420p"), audio("aac")], .remux),
        ([video("h264", pix: "yuv444p"), audio("aac")], .transcode),
        ([video("h264"), audio("mp3")], .transcode),
        ([video("vp8"), audio("vorbis")], .transcode),
        ([video("hevc"), audio("aac")], .transcode),
        ([video("mjpeg", cover: 1), video("h264", index: 1), audio("aac", index: 2)], .remux),
    ])
    func plans(streams: [String], plan: ProcessingPlan) throws {
        // act
        let probe = try VideoProbe.parse(json: Self.json(streams: streams))

        // check
        #expect(probe.plan == plan)
        #expect(probe.duration == 12.5)
    }

    @Test("cover art is not the picture; the sound's index is kept for mapping")
    func coverArt() throws {
        // act
        let probe = try VideoProbe.parse(json: Self.json(streams: [Self.video("mjpeg", cover: 1), Self.video("h264", index: 1), Self.audio("aac", index: 2)]))

        // check
        #expect(probe.video?.index == 1)
        #expect(probe.audio?.index == 2)
    }

    @Test("refusals: sound only, a still picture, no streams, not JSON")
    func refusals() {
        // act / check
        #expect(throws: VideoProcessingError.noVideoStream) { try VideoProbe.parse(json: Self.json(format: "mp3", streams: [Self.audio("mp3", index: 0)])) }
        #expect(throws: VideoProcessingError.noVideoStream) {
            try VideoProbe.parse(json: Self.json(format: "mp3", streams: [Self.audio("mp3", index: 0), Self.video("mjpeg", index: 1, cover: 1)]))
        }
        #expect(throws: VideoProcessingError.notAVideo) { try VideoProbe.parse(json: Self.json(format: "png_pipe", duration: nil, streams: [Self.video("png")])) }
        #expect(throws: VideoProcessingError.notAVideo) { try VideoProbe.parse(json: Self.json(streams: [])) }
        #expect(throws: VideoProcessingError.notAVideo) { try VideoProbe.parse(json: Data("{}".utf8)) }
        #expect(throws: VideoProcessingError.notAVideo) { try VideoProbe.parse(json: Data("nonsense".utf8)) }
    }

    static let mp4Start: [UInt8] = [0, 0, 0, 0x20] + Array("ftypisom".utf8)

    @Test("ffprobe's complaints: an MP4 without its index was cut short; a text file named .mp4 is not a video", arguments: [
        ("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found\nx.mp4: Invalid data found when processing input", mp4Start,
         VideoProcessingError.truncated),
        ("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found\nx.mp4: Invalid data found when processing input",
         Array("These are my".utf8), .notAVideo),
        ("x.mp4: Invalid data found when processing input", mp4Start, .notAVideo),
        ("[mov,mp4 @ 0x1] stream 1, offset 0x3efa: partial file", [], .truncated),
        ("", [], .notAVideo),
    ])
    func probeFailures(stderr: String, header: [UInt8], error: VideoProcessingError) {
        // act / check
        #expect(VideoProcessingError.probeFailure(stderr: stderr, header: header) == error)
    }

    @Test("every error has words for the uploader")
    func words() {
        // act / check
        for error in [VideoProcessingError.notAVideo, .truncated, .noVideoStream, .ffmpegFailed(status: 1, detail: "x"), .toolMissing("ffmpeg")] {
            #expect(!error.description.isEmpty && error.description.hasSuffix("."))
        }
        #expect(!VideoProcessingError.ffmpegFailed(status: 1, detail: "secret path").description.contains("secret"))
    }

    @Test("progress: out_time_us against the duration, reported at each block's end, never back, 1 only at the end")
    func progress() {
        // setup
        var reader = ProgressReader(duration: 10)
        let output = """
        frame=1
        out_time_us=N/A
        progress=continue
        out_time_us=2500000
        progress=continue
        out_time_us=-5000
        progress=continue
        out_time_us=7500000
        progress=continue
        out_time_us=12000000
        progress=continue
        out_time_us=10000000
        progress=end

        """

        // act: fed in pieces that cut lines in the middle
        let bytes = Array(output.utf8)
        var fractions: [Double] = []
        for start in stride(from: 0, to: bytes.count, by: 7) {
            fractions += reader.consume(bytes[start..<min(start + 7, bytes.count)])
        }

        // check
        #expect(fractions == [0, 0.25, 0.25, 0.75, 0.999, 1])
    }

    @Test("progress with an unknown duration stays at 0 until the end")
    func progressWithoutDuration() {
        // setup
        var reader = ProgressReader(duration: 0)

        // act
        let fractions = reader.consume(Array("out_time_us=5000000\nprogress=continue\nprogress=end\n".utf8))

        // check
        #expect(fractions == [0, 1])
    }

    @Test("ffmpeg's arguments: copy for a remux, encoders for a transcode, the chosen streams, faststart, progress")
    func arguments() throws {
        // setup
        let probe = try VideoProbe.parse(json: Self.json(streams: [Self.video("mjpeg", cover: 1), Self.video("h264", index: 1), Self.audio("aac", index: 2)]))

        // act
        let remux = VideoProcessor.arguments(input: "in", output: "out", probe: probe, plan: .remux, progressInterval: 0.5)
        let transcode = VideoProcessor.arguments(input: "in", output: "out", probe: probe, plan: .transcode, progressInterval: 0.5)

        // check
        #expect(remux.joined(separator: " ").contains("-map 0:1 -map 0:2 -c copy -movflags +faststart -f mp4 -progress pipe:1"))
        #expect(transcode.joined(separator: " ").contains("-c:v libx264"))
        #expect(transcode.joined(separator: " ").contains("-c:a aac"))
        #expect(transcode.contains("+faststart"))
        #expect(remux.last == "out" && transcode.last == "out")
    }
}
