import Foundation
@testable import MingleApp
import Testing

@Suite struct TokensTests {
    @Test func hexIsLowerCaseTwoDigitsPerByteForEveryByte() {
        // setup
        let every = (0...255).map(UInt8.init)

        // act
        let hex = Tokens.hex(every)

        // check
        #expect(hex == every.map { String(format: "%02x", $0) }.joined())
        #expect(Tokens.hex([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        #expect(Tokens.hex([UInt8]()) == "")
    }

    @Test func base64urlIsFoundationsBase64WithTheURLAlphabetAndNoPadding() {
        // setup: every length up to 100, with bytes that produce + and / in plain base64
        var generator = SystemRandomNumberGenerator()
        let samples = (0...100).map { length in (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) } }
            + [[0xFB, 0xFF, 0xBF], [0xFF], [0xFF, 0xFE]]

        for bytes in samples {
            // act
            let encoded = Tokens.base64url(bytes)

            // check
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(encoded == expected, "\(bytes)")
        }
        #expect(Tokens.base64url([0xFB, 0xFF, 0xBF]) == "-_-_")
    }
}
