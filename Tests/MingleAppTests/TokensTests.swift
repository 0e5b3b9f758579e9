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
}
