import Testing
@testable import VideoProcessing

/// SRT → WebVTT and WebVTT checks.
@Suite struct SubtitlesTests {
    @Test("converts a plain SRT file: numbering dropped, commas to dots, a blank line between cues")
    func plain() throws {
        // setup
        let srt = "1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,250 --> 00:00:04,000\nTwo\nlines\n"

        // act
        let converted = try Subtitles.webVTT(from: Array(srt.utf8))

        // check
        #expect(converted.webVTT == "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n\n00:00:03.250 --> 00:00:04.000\nTwo\nlines\n")
        #expect(converted.cues == 2)
        #expect(converted.skipped == 0)
    }

    @Test("a BOM, CRLF or lone CR line ends, and extra blank lines change nothing", arguments: [
        "\u{FEFF}1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n\r\n\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nYo\r\n",
        "1\r00:00:01,000 --> 00:00:02,000\rHi\r\r2\r00:00:03,000 --> 00:00:04,000\rYo",
        "\n\n\n1\n00:00:01,000 --> 00:00:02,000\nHi\n \n\t\n2\n00:00:03,000 --> 00:00:04,000\nYo\n\n\n",
    ])
    func lineEnds(srt: String) throws {
        // act
        let converted = try Subtitles.webVTT(from: Array(srt.utf8))

        // check
        #expect(converted.webVTT == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\n00:00:03.000 --> 00:00:04.000\nYo\n")
    }

    @Test("times: dots or commas, short fractions, no hours, many hours; position coordinates dropped", arguments: [
        ("00:00:01.000 --> 00:00:02.000", "00:00:01.000 --> 00:00:02.000"),
        ("00:00:01,5 --> 00:00:02,25", "00:00:01.500 --> 00:00:02.250"),
        ("01:02,003 --> 01:03,004", "00:01:02.003 --> 00:01:03.004"),
        ("123:00:00,000 --> 123:00:01,000", "123:00:00.000 --> 123:00:01.000"),
        ("00:00:01,000 --> 00:00:02,000 X1:100 X2:200 Y1:10 Y2:20", "00:00:01.000 --> 00:00:02.000"),
        ("00:00:01,000-->00:00:02,000", "00:00:01.000 --> 00:00:02.000"),
    ])
    func times(line: String, expected: String) throws {
        // act
        let converted = try Subtitles.convertSRT("\(line)\ntext\n")

        // check: a cue without a number is still a cue
        #expect(converted.webVTT == "WEBVTT\n\n\(expected)\ntext\n")
    }

    @Test("blocks without a valid timing line are skipped, and counted", arguments: [
        "00:00:61,000 --> 00:00:62,000",  // 61 seconds
        "00:00:02,000 --> 00:00:01,000",  // ends before it starts
        "00:00:01,0000 --> 00:00:02,000", // four fraction digits
        "00:00:01 --> 00:00:02",          // no fraction
        "hello --> world",
    ])
    func badTimings(line: String) throws {
        // setup
        let srt = "1\n\(line)\nbad\n\n2\n00:00:05,000 --> 00:00:06,000\ngood\n"

        // act
        let converted = try Subtitles.convertSRT(srt)

        // check
        #expect(converted.webVTT == "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\ngood\n")
        #expect(converted.skipped == 1)
    }

    @Test("cue text: b/i/u kept (lower-cased), font and ASS tags dropped, stray & and < escaped, --> defused")
    func cueText() throws {
        // setup
        let srt = "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color=\"#ff0\">Tom & <B>Jerry</B></font>\n1 < 2 &amp; a --> b <i>x</i>\n"

        // act
        let converted = try Subtitles.convertSRT(srt)

        // check
        #expect(converted.webVTT == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nTom &amp; <b>Jerry</b>\n1 &lt; 2 &amp; a -> b <i>x</i>\n")
    }

    @Test("a file with no cue, or not text, is refused with words for the uploader")
    func refusals() {
        // act / check
        #expect(throws: Subtitles.Problem.noCues) { try Subtitles.webVTT(from: Array("just some text\n\nmore".utf8)) }
        #expect(throws: Subtitles.Problem.noCues) { try Subtitles.webVTT(from: []) }
        #expect(throws: Subtitles.Problem.notText) { try Subtitles.webVTT(from: [0x00, 0x01, 0x02]) }
        #expect(Subtitles.Problem.noCues.description.contains("00:00:01,000"))
    }

    @Test("Windows-1252 SRT files are read")
    func windows1252() throws {
        // setup: "Café" with é as 0xE9
        let bytes = Array("1\n00:00:01,000 --> 00:00:02,000\nCaf".utf8) + [0xE9] + [0x0A]

        // act
        let converted = try Subtitles.webVTT(from: bytes)

        // check
        #expect(converted.webVTT.hasSuffix("Café\n"))
    }

    @Test("WebVTT is accepted when it starts with WEBVTT alone or followed by a space or tab", arguments: [
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n", true),
        ("\u{FEFF}WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nHi\r\n", true),
        ("WEBVTT - a title\n\n00:00:01.000 --> 00:00:02.000\nHi\n", true),
        ("WEBVTT\tx\n", true),
        ("WEBVTT", true),
        ("WEBVTTX\n", false),
        ("webvtt\n", false),
        (" WEBVTT\n", false),
        ("", false),
    ])
    func webVTT(text: String, valid: Bool) {
        // act
        let result = Result { () throws(Subtitles.Problem) in try Subtitles.validatedWebVTT(text) }

        // check
        switch result {
        case let .success(vtt):
            #expect(valid)
            #expect(!vtt.contains("\r") && !vtt.hasPrefix("\u{FEFF}"))
        case let .failure(problem):
            #expect(!valid)
            #expect(problem == .notWebVTT)
        }
    }

    @Test("an uploaded WebVTT file is kept (normalised), not converted")
    func uploadedWebVTT() throws {
        // act
        let converted = try Subtitles.webVTT(from: Array("WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nHi\r\n".utf8))

        // check
        #expect(converted.webVTT == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n")
        #expect(converted.cues == 1)
    }
}
