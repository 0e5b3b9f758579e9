import MediaStore
import Testing

/// `RangeRequests`: every shape of `Range`, `If-Range` and `If-None-Match` against an object of
/// 1000 bytes (and the edge sizes 0 and 1).
@Suite struct RangeRequestsTests {
    let etag = "\"abc-3e8\""

    @Test("parses one range of each shape", arguments: [
        ("bytes=0-99", 0..<100),
        ("bytes=100-199", 100..<200),
        ("bytes=0-0", 0..<1),
        ("bytes=999-999", 999..<1000),
        ("bytes=500-", 500..<1000),
        ("bytes=0-", 0..<1000),
        ("bytes=-1", 999..<1000),
        ("bytes=-100", 900..<1000),
        ("bytes=-1000", 0..<1000),
        ("bytes=-5000", 0..<1000),          // a suffix longer than the object is all of it
        ("bytes=900-5000", 900..<1000),     // a last position past the end is clamped
        ("bytes=900-99999999999999999999999", 900..<1000), // too large for Int64: saturates
        ("BYTES=0-9", 0..<10),              // the unit is case-insensitive
        ("bytes= 0-9 ", 0..<10),            // optional whitespace
        ("bytes=0-9,", 0..<10),             // empty list elements are ignored
        ("bytes=,0-9", 0..<10),
    ])
    func parsesSingleRange(header: String, expected: Range<Int64>) {
        // act
        let parsed = RangeRequests.parseRange(header, size: 1000)

        // check
        #expect(parsed == .single(expected))
    }

    @Test("ignores a Range header that is not well formed or not in bytes", arguments: [
        "bytes=5-2", "bytes=a-b", "bytes=1-2-3", "bytes=--5", "bytes=-", "bytes=0x10-20", "bytes=+1-2",
        "bytes=1 -2", "bytes=", "bytes", "items=0-9", "0-9", "", "bytes=0-9,5-2", "bytes=-1.5", "bytes=½-1",
    ])
    func ignoresMalformed(header: String) {
        // act / check
        #expect(RangeRequests.parseRange(header, size: 1000) == .none)
    }

    @Test("a range that starts at or past the end, a zero suffix, or any range of an empty object is unsatisfiable",
          arguments: [("bytes=1000-", 1000), ("bytes=1000-2000", 1000), ("bytes=5000-6000", 1000), ("bytes=-0", 1000),
                      ("bytes=99999999999999999999-", 1000), ("bytes=0-", 0), ("bytes=-5", 0), ("bytes=0-0", 0),
                      ("bytes=1-", 1), ("bytes=1000-,2000-", 1000)] as [(String, Int64)])
    func unsatisfiable(header: String, size: Int64) {
        // act / check
        #expect(RangeRequests.parseRange(header, size: size) == .unsatisfiable)
    }

    @Test("several ranges with one satisfiable are several (answered whole)",
          arguments: ["bytes=0-9,20-29", "bytes=0-9, -5", "bytes=5000-,0-0", "bytes=0-499,500-999"])
    func several(header: String) {
        // act / check
        #expect(RangeRequests.parseRange(header, size: 1000) == .several)
    }

    @Test("a one-byte object: its only byte by any shape")
    func oneByteObject() {
        // act / check
        for header in ["bytes=0-0", "bytes=0-", "bytes=-1", "bytes=-9", "bytes=0-100"] {
            #expect(RangeRequests.parseRange(header, size: 1) == .single(0..<1), "\(header)")
        }
    }

    // MARK: decisions

    @Test("no conditions: 200 without Range, 206 with one, 416 when unsatisfiable, 200 for several or malformed")
    func plainDecisions() {
        // act / check
        #expect(decide(range: nil) == .whole)
        #expect(decide(range: "bytes=0-99") == .partial(0..<100))
        #expect(decide(range: "bytes=-10") == .partial(990..<1000))
        #expect(decide(range: "bytes=1000-") == .unsatisfiable)
        #expect(decide(range: "bytes=0-1,3-4") == .whole)
        #expect(decide(range: "bytes=9-1") == .whole)
    }

    @Test("HEAD ignores Range (RFC 9110 §14.2) but not If-None-Match")
    func head() {
        // act / check
        #expect(RangeRequests.decide(isHead: true, range: "bytes=0-9", ifRange: nil, ifNoneMatch: nil, size: 1000, etag: etag) == .whole)
        #expect(RangeRequests.decide(isHead: true, range: nil, ifRange: nil, ifNoneMatch: etag, size: 1000, etag: etag) == .notModified)
    }

    @Test("If-None-Match answers 304 when any tag matches, weakly, or for *; not otherwise", arguments: [
        ("\"abc-3e8\"", true),
        ("W/\"abc-3e8\"", true),             // weak comparison
        ("\"other\", \"abc-3e8\"", true),
        ("\"a,b\",\"abc-3e8\"", true),        // a comma inside a tag's quotes
        ("*", true),
        (" * ", true),
        ("\"other\"", false),
        ("\"abc-3e8", false),                 // unterminated: names nothing
        ("abc-3e8", false),                   // unquoted: names nothing
        ("\"other\" \"abc-3e8\"", false),     // not a list
        ("", false),
    ])
    func ifNoneMatch(header: String, notModified: Bool) {
        // act
        let decision = decide(range: "bytes=0-9", ifNoneMatch: header)

        // check: 304 comes before any range
        #expect(decision == (notModified ? .notModified : .partial(0..<10)))
    }

    @Test("If-Range with the current strong tag gives the range; another tag, a weak tag or a date gives the whole object",
          arguments: [
              ("\"abc-3e8\"", true),
              (" \"abc-3e8\" ", true),
              ("W/\"abc-3e8\"", false),
              ("\"abc-3e9\"", false),
              ("Tue, 08 Dec 2026 01:00:00 GMT", false),
              ("\"abc-3e8\", \"x\"", false),
              ("", false),
          ])
    func ifRange(header: String, honoured: Bool) {
        // act
        let decision = decide(range: "bytes=10-19", ifRange: header)

        // check
        #expect(decision == (honoured ? .partial(10..<20) : .whole))
    }

    @Test("If-Range without Range is ignored; an unsatisfiable range under a stale If-Range is the whole object")
    func ifRangeEdges() {
        // act / check
        #expect(decide(range: nil, ifRange: etag) == .whole)
        #expect(decide(range: "bytes=5000-", ifRange: "\"old\"") == .whole)
        #expect(decide(range: "bytes=5000-", ifRange: etag) == .unsatisfiable)
    }

    @Test("a weak current tag never satisfies If-Range")
    func weakCurrentTag() {
        // act / check
        #expect(RangeRequests.decide(range: "bytes=0-0", ifRange: "W/\"x\"", ifNoneMatch: nil, size: 10, etag: "W/\"x\"") == .whole)
    }

    @Test("Content-Range values")
    func contentRange() {
        // act / check
        #expect(RangeRequests.contentRange(0..<100, size: 1000) == "bytes 0-99/1000")
        #expect(RangeRequests.contentRange(999..<1000, size: 1000) == "bytes 999-999/1000")
        #expect(RangeRequests.unsatisfiedContentRange(size: 1000) == "bytes */1000")
    }

    @Test("every single range of a small object parses to exactly the bytes a brute-force reading gives")
    func bruteForce() {
        // setup: all a-b, a- and -n for an object of 0…6 bytes, against the RFC's words
        for size in Int64(0)...6 {
            for first in Int64(0)...8 {
                for last in Int64(0)...8 {
                    // act
                    let parsed = RangeRequests.parseRange("bytes=\(first)-\(last)", size: size)

                    // check
                    let expected: RangeRequests.RangeHeader =
                        last < first ? .none : first >= size ? .unsatisfiable : .single(first..<min(last + 1, size))
                    #expect(parsed == expected, "bytes=\(first)-\(last) of \(size)")
                }
                let open = RangeRequests.parseRange("bytes=\(first)-", size: size)
                #expect(open == (first >= size ? .unsatisfiable : .single(first..<size)), "bytes=\(first)- of \(size)")
                let suffix = RangeRequests.parseRange("bytes=-\(first)", size: size)
                #expect(suffix == (first == 0 || size == 0 ? .unsatisfiable : .single(max(0, size - first)..<size)),
                        "bytes=-\(first) of \(size)")
            }
        }
    }

    func decide(range: String?, ifRange: String? = nil, ifNoneMatch: String? = nil) -> RangeRequests.Decision {
        RangeRequests.decide(range: range, ifRange: ifRange, ifNoneMatch: ifNoneMatch, size: 1000, etag: etag)
    }
}
