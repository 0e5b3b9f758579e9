import Imaging
import Testing

@Suite struct ImageErrorTests {
    static let allCases: [ImageError] = [
        .empty, .tooManyBytes(limit: 5_000_000), .notAnImage,
        .tooManyPixels(width: 30_000, height: 30_000, limit: 16_000_000),
        .tooSmall(width: 8, height: 8), .truncated, .undecodable,
    ]

    @Test("every error has a message for the uploader", arguments: allCases)
    func hasMessage(error: ImageError) {
        // act
        let message = error.message

        // check
        #expect(message.contains { !$0.isWhitespace })
    }

    @Test("no two errors share a message")
    func messagesAreDistinct() {
        // act
        let messages = Self.allCases.map(\.message)

        // check
        #expect(Set(messages).count == messages.count)
    }

    @Test("size errors tell the uploader the size of their picture")
    func sizeMessagesNameTheSize() {
        // act
        let tooSmall = ImageError.tooSmall(width: 8, height: 12).message
        let tooLarge = ImageError.tooManyPixels(width: 30_000, height: 20_000, limit: 16_000_000).message

        // check
        #expect(tooSmall.contains("8×12"))
        #expect(tooLarge.contains("30000×20000"))
    }
}
