import Imaging
import Testing

/// Inputs `ImageProcessor.process` must refuse, each with the error the uploader will see.
@Suite struct ImageProcessorRefusalTests {
    let processor = ImageProcessor()
    let anyShape = ImageProcessor.Shape.fit(width: 600, height: 200)

    @Test("refuses an empty upload")
    func refusesEmpty() {
        // act / check
        #expect(throws: ImageError.empty) { try processor.process([], into: anyShape) }
    }

    @Test("refuses a file that is not an image")
    func refusesNonImage() {
        // setup
        let pdf = Array("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".utf8)

        // act / check
        #expect(throws: ImageError.notAnImage) { try processor.process(pdf, into: anyShape) }
    }

    @Test("refuses a small PNG whose header claims a huge picture, before decoding it",
          arguments: [(30_000, 30_000), (5_000, 5_000), (20_001, 16), (16, 20_001)])
    func refusesPNGDecompressionBomb(width: Int, height: Int) throws {
        // setup
        let png = samplePicture(width: 32, height: 32, as: .png)
        try #require(crc32(png[12..<29]) == readBigEndian32(png, at: 29), "the CRC helper must agree with libpng")
        let bomb = pngClaimingSize(png, width: UInt32(width), height: UInt32(height))

        // act / check
        #expect(throws: ImageError.tooManyPixels(width: width, height: height, limit: 16_000_000)) {
            try processor.process(bomb, into: anyShape)
        }
    }

    @Test("refuses a GIF whose screen size claims a huge picture")
    func refusesGIFDecompressionBomb() {
        // setup
        let bomb = gifClaimingSize(samplePicture(width: 32, height: 32, as: .gif), width: 30_000, height: 30_000)

        // act / check
        #expect(throws: ImageError.tooManyPixels(width: 30_000, height: 30_000, limit: 16_000_000)) {
            try processor.process(bomb, into: anyShape)
        }
    }

    @Test("applies the pixel limit the processor was made with")
    func refusesAboveCustomPixelLimit() {
        // setup
        let png = samplePicture(width: 100, height: 100, as: .png)
        let processor = ImageProcessor(maxPixels: 9_999)

        // act / check
        #expect(throws: ImageError.tooManyPixels(width: 100, height: 100, limit: 9_999)) {
            try processor.process(png, into: anyShape)
        }
    }

    @Test("refuses a file larger than the byte limit")
    func refusesTooManyBytes() throws {
        // setup
        let png = noisePicture(width: 64, height: 64, as: .png)
        try #require(png.count > 1000)
        let processor = ImageProcessor(maxBytes: 1000)

        // act / check
        #expect(throws: ImageError.tooManyBytes(limit: 1000)) { try processor.process(png, into: anyShape) }
    }

    @Test("accepts a file exactly at the byte limit")
    func acceptsExactlyMaxBytes() throws {
        // setup
        let png = noisePicture(width: 64, height: 64, as: .png)
        let processor = ImageProcessor(maxBytes: png.count)

        // act
        let output = try processor.process(png, into: anyShape)

        // check
        #expect(output.width == 64)
    }

    @Test("refuses a file cut off before its end", arguments: [
        (Encoding.png, Cut.inHalf), (.jpeg, .lastBytes(10)), (.gif, .lastBytes(1)),
        (.webpLossy, .lastBytes(10)), (.webpLossless, .lastBytes(10)),
    ])
    func refusesTruncated(encoding: Encoding, cut: Cut) throws {
        // setup
        let truncated = cut.apply(to: samplePicture(width: 120, height: 80, as: encoding))
        try #require(try ImageHeader.read(truncated).width == 120)

        // act / check
        #expect(throws: ImageError.truncated) { try processor.process(truncated, into: anyShape) }
    }

    @Test("refuses a PNG whose header ends before the image size")
    func refusesPNGWithoutHeader() {
        // setup
        let stub = Array(samplePicture(width: 40, height: 40, as: .png)[..<20])

        // act / check
        #expect(throws: ImageError.truncated) { try processor.process(stub, into: anyShape) }
    }

    @Test("refuses a picture smaller than 16 pixels on a side",
          arguments: [Size(width: 8, height: 8), Size(width: 400, height: 15), Size(width: 15, height: 400)])
    func refusesTooSmall(size: Size) {
        // setup
        let png = samplePicture(width: size.width, height: size.height, as: .png)

        // act / check
        #expect(throws: ImageError.tooSmall(width: size.width, height: size.height)) {
            try processor.process(png, into: anyShape)
        }
    }

    @Test("refuses a PNG whose compressed pixels are damaged")
    func refusesDamagedPixelData() throws {
        // setup
        var png = samplePicture(width: 64, height: 64, as: .png)
        let idat = try #require(firstIndex(of: Array("IDAT".utf8), in: png))
        for offset in (idat + 6)..<(idat + 26) { png[offset] ^= 0xA5 }

        // act / check
        #expect(throws: ImageError.undecodable) { try processor.process(png, into: anyShape) }
    }
}

/// How a test cuts the end off a file.
enum Cut: Sendable, CustomTestStringConvertible {
    case inHalf
    case lastBytes(Int)

    func apply(to bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .inHalf: Array(bytes[..<(bytes.count / 2)])
        case .lastBytes(let n): Array(bytes.dropLast(n))
        }
    }

    var testDescription: String {
        switch self {
        case .inHalf: "cut in half"
        case .lastBytes(let n): "last \(n) bytes cut"
        }
    }
}
