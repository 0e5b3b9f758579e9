import Foundation
import Testing
@testable import MingleApp

@Suite struct FormDataTests {
    func naiveFirstRange(_ hay: [UInt8], _ needle: [UInt8], from start: Int) -> Range<Int>? {
        guard needle.count <= hay.count else { return nil }
        for i in stride(from: start, through: hay.count - needle.count, by: 1) where Array(hay[i..<(i + needle.count)]) == needle {
            return i..<(i + needle.count)
        }
        return nil
    }

    @Test func searchAgreesWithTheObviousSearchOnRandomInput() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // a two-letter alphabet makes partial matches, where a wrong fallback table shows
            let hay = (0..<Int.random(in: 0...60, using: &rng)).map { _ in UInt8.random(in: 0...1, using: &rng) }
            let needle = (0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt8.random(in: 0...1, using: &rng) }
            let start = Int.random(in: 0...max(0, hay.count), using: &rng)
            #expect(hay.firstRange(of: needle, from: start) == naiveFirstRange(hay, needle, from: start), "\(hay) \(needle) \(start)")
        }
    }

    @Test func parsesFieldsAndFiles() throws {
        let body = Array("""
            --XyZ\r
            Content-Disposition: form-data; name="title"\r
            \r
            Hello; world\r
            --XyZ\r
            Content-Disposition: form-data; name="logo"; filename="a.png"\r
            Content-Type: image/png\r
            \r
            \u{1}\u{2}\u{3}\r
            --XyZ--\r

            """.utf8)
        let form = try #require(FormData.multipart(body, boundary: "XyZ"))
        #expect(form["title"] == "Hello; world")
        #expect(form.files["logo"]?.filename == "a.png")
        #expect(form.files["logo"]?.bytes == [1, 2, 3])
    }

    @Test func refusesBoundariesOutsideRFC2046() {
        #expect(FormData.multipart(Array("--x".utf8), boundary: String(repeating: "-", count: 71)) == nil)
        #expect(FormData.multipart(Array("--x".utf8), boundary: "bad\"quote") == nil)
        #expect(FormData.multipart(Array("--x".utf8), boundary: "") == nil)
        #expect(FormData.isValidBoundary("----WebKitFormBoundary7MA4YWxkTrZu0gW"))
    }

    @Test func aBodyBuiltAgainstTheBoundaryIsStillReadInOnePass() {
        // 6 MB of dashes against a 70-dash boundary: quadratic search would take minutes.
        let body = [UInt8](repeating: UInt8(ascii: "-"), count: 6_000_000)
        let boundary = String(repeating: "-", count: 69) + "x"
        #expect(FormData.multipart(body, boundary: boundary) == nil)
    }

    @Test func urlEncodedFormsDecodePlusAndPercent() {
        let form = FormData.urlEncoded("a=1+2&b=%C3%A9t%C3%A9&a=3&empty=")
        #expect(form.all("a") == ["1 2", "3"])
        #expect(form["b"] == "été")
        #expect(form["empty"] == "")
    }
}

@Suite struct SafeNextTests {
    @Test(arguments: [
        ("/organize", "/organize"), ("/a?b=c&d=%20", "/a?b=c&d=%20"),
        ("//evil.example", "/"), ("/\\evil.example", "/"), ("/\t/evil.example", "/"), ("/\n/evil.example", "/"),
        ("https://evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/"), ("organize", "/"),
        ("/organize/../admin", "/"), ("/organize/%2E%2E/admin", "/"), ("/organize/./x", "/"), ("/organize/..", "/"),
        ("/organize/reports?since=2026-01-01&x=..", "/organize/reports?since=2026-01-01&x=.."), ("/a.b/c..d", "/a.b/c..d"),
    ])
    func onlyPathsOnThisSitePass(given: String, expected: String) {
        #expect(AppServices.safeNext(given) == expected)
    }
}
