import Imaging
import Testing

struct Size: Sendable, CustomTestStringConvertible {
    var width: Int
    var height: Int
    var testDescription: String { "\(width)x\(height)" }
}

@Suite struct ImageHeaderTests {
    @Test("reads format and size from files libgd wrote",
          arguments: Encoding.allCases,
          [Size(width: 1, height: 1), Size(width: 16, height: 16), Size(width: 17, height: 300),
           Size(width: 640, height: 480), Size(width: 1999, height: 3)])
    func readsFormatAndSize(encoding: Encoding, size: Size) throws {
        // setup
        let bytes = samplePicture(width: size.width, height: size.height, as: encoding)

        // act
        let header = try ImageHeader.read(bytes)

        // check
        #expect(header.format == encoding.format)
        #expect(header.width == size.width)
        #expect(header.height == size.height)
    }

    @Test("reads the size of an extended WebP (VP8X), as written for pictures with transparency")
    func readsExtendedWebP() throws {
        // setup
        let bytes = withCanvas(width: 321, height: 123) { image in
            fill(image, x: 0, y: 0, width: 321, height: 123, color: rgba(0, 0, 0, alpha: 127))
            fill(image, x: 10, y: 10, width: 50, height: 50, color: red)
            return encode(image, as: .webpLossy)
        }
        try #require(String(decoding: bytes[12..<16], as: UTF8.self) == "VP8X")

        // act
        let header = try ImageHeader.read(bytes)

        // check
        #expect(header.format == .webp)
        #expect(header.width == 321)
        #expect(header.height == 123)
    }

    @Test("the format comes from the bytes: a JPEG is a JPEG whatever else it carries")
    func sniffsJPEGFromContent() throws {
        // setup
        let jpeg = jpegInsertingComment(samplePicture(width: 40, height: 30, as: .jpeg), "\u{89}PNG GIF89a RIFF WEBP")

        // act
        let header = try ImageHeader.read(jpeg)

        // check
        #expect(header.format == .jpeg)
        #expect(header.width == 40)
        #expect(header.height == 30)
    }

    @Test("refuses files that are not images",
          arguments: [
              "just some text that a person saved with a .png name",
              "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
              "<!DOCTYPE html>\n<html><head><title>x</title></head><body><img src=x></body></html>\n",
              "GIF8",
              "RIFF1234WAVEfmt ",
          ])
    func refusesNonImages(text: String) {
        // setup
        let bytes = Array(text.utf8)

        // act / check
        #expect(throws: ImageError.notAnImage) { try ImageHeader.read(bytes) }
    }

    @Test("refuses random bytes")
    func refusesRandomBytes() {
        // setup
        var bytes = (0..<512).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = 0x00   // no magic number starts with a zero byte

        // act / check
        #expect(throws: ImageError.notAnImage) { try ImageHeader.read(bytes) }
    }

    @Test("refuses an empty file as empty")
    func refusesEmpty() {
        // act / check
        #expect(throws: ImageError.empty) { try ImageHeader.read([]) }
    }
}
