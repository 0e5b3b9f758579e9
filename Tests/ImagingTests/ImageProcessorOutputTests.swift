import Imaging
import Testing

/// What `ImageProcessor.process` returns for images it accepts.
@Suite struct ImageProcessorOutputTests {
    let processor = ImageProcessor()

    struct Resize: Sendable, CustomTestStringConvertible {
        var input: Size
        var expected: Size
        var testDescription: String { "\(input.testDescription) -> \(expected.testDescription)" }
    }

    @Test(".fit scales into the box keeping the aspect ratio, never enlarging, as PNG", arguments: [
        Resize(input: Size(width: 1200, height: 400), expected: Size(width: 600, height: 200)),
        Resize(input: Size(width: 300, height: 100), expected: Size(width: 300, height: 100)),
        Resize(input: Size(width: 400, height: 800), expected: Size(width: 100, height: 200)),
        Resize(input: Size(width: 1800, height: 300), expected: Size(width: 600, height: 100)),
    ])
    func fitResizes(resize: Resize) throws {
        // setup
        let input = samplePicture(width: resize.input.width, height: resize.input.height, as: .jpeg)

        // act
        let output = try processor.process(input, into: .fit(width: 600, height: 200))

        // check
        #expect(output.mime == "image/png")
        #expect(output.width == resize.expected.width)
        #expect(output.height == resize.expected.height)
        #expect(output.bytes.starts(with: pngSignature))
        let reread = try ImageHeader.read(output.bytes)
        #expect(reread.format == .png)
        #expect(reread.width == resize.expected.width)
        #expect(reread.height == resize.expected.height)
    }

    @Test(".square crops the centre and scales it to the side, never enlarging, as JPEG", arguments: [
        Resize(input: Size(width: 800, height: 600), expected: Size(width: 400, height: 400)),
        Resize(input: Size(width: 200, height: 300), expected: Size(width: 200, height: 200)),
        Resize(input: Size(width: 400, height: 400), expected: Size(width: 400, height: 400)),
        Resize(input: Size(width: 300, height: 1000), expected: Size(width: 300, height: 300)),
    ])
    func squareResizes(resize: Resize) throws {
        // setup
        let input = samplePicture(width: resize.input.width, height: resize.input.height, as: .png)

        // act
        let output = try processor.process(input, into: .square(side: 400))

        // check
        #expect(output.mime == "image/jpeg")
        #expect(output.width == resize.expected.width)
        #expect(output.height == resize.expected.height)
        #expect(output.bytes.starts(with: [0xFF, 0xD8, 0xFF]))
        let reread = try ImageHeader.read(output.bytes)
        #expect(reread.format == .jpeg)
        #expect(reread.width == resize.expected.width)
        #expect(reread.height == resize.expected.height)
    }

    @Test("accepts every input format", arguments: Encoding.allCases)
    func acceptsEveryFormat(encoding: Encoding) throws {
        // setup
        let input = samplePicture(width: 90, height: 60, as: encoding)

        // act
        let output = try processor.process(input, into: .fit(width: 45, height: 45))

        // check
        #expect(output.width == 45)
        #expect(output.height == 30)
    }

    @Test(".square keeps the centre square and drops the rest",
          arguments: [Size(width: 800, height: 600), Size(width: 600, height: 800)])
    func squareKeepsCentre(size: Size) throws {
        // setup: blue all over except a red square in the middle, as large as the shorter side
        let edge = min(size.width, size.height)
        let input = withCanvas(width: size.width, height: size.height) { image in
            fill(image, x: 0, y: 0, width: size.width, height: size.height, color: blue)
            fill(image, x: (size.width - edge) / 2, y: (size.height - edge) / 2, width: edge, height: edge, color: red)
            return encode(image, as: .png)
        }

        // act
        let output = try processor.process(input, into: .square(side: 200))

        // check
        for (x, y) in [(2, 2), (197, 2), (2, 197), (197, 197), (100, 100)] {
            let color = try pixel(of: output.bytes, format: .jpeg, x: x, y: y)
            #expect(color.r > 180 && color.b < 80, "pixel (\(x), \(y)) is \(color), expected red")
        }
    }

    @Test(".fit keeps transparency")
    func fitKeepsTransparency() throws {
        // setup: a transparent 100x100 picture with an opaque red square in its middle
        let input = withCanvas(width: 100, height: 100) { image in
            fill(image, x: 0, y: 0, width: 100, height: 100, color: rgba(0, 0, 0, alpha: 127))
            fill(image, x: 25, y: 25, width: 50, height: 50, color: red)
            return encode(image, as: .png)
        }

        // act
        let output = try processor.process(input, into: .fit(width: 50, height: 50))

        // check
        #expect(try pixel(of: output.bytes, format: .png, x: 1, y: 1).a == 127)
        #expect(try pixel(of: output.bytes, format: .png, x: 25, y: 25).a == 0)
    }

    @Test(".square flattens transparency onto white")
    func squareFlattensOntoWhite() throws {
        // setup
        let input = withCanvas(width: 100, height: 100) { image in
            fill(image, x: 0, y: 0, width: 100, height: 100, color: rgba(0, 0, 0, alpha: 127))
            return encode(image, as: .png)
        }

        // act
        let output = try processor.process(input, into: .square(side: 50))

        // check
        let color = try pixel(of: output.bytes, format: .jpeg, x: 25, y: 25)
        #expect(color.r > 240 && color.g > 240 && color.b > 240, "expected white, got \(color)")
    }

    @Test("PNG metadata does not survive: the output is freshly encoded pixels",
          arguments: [ImageProcessor.Shape.fit(width: 600, height: 200), .square(side: 400)])
    func dropsPNGMetadata(shape: ImageProcessor.Shape) throws {
        // setup
        let marker = "mingle-metadata-marker-5f1c"
        let input = pngInsertingChunk(samplePicture(width: 64, height: 48, as: .png),
                                      pngTextChunk(keyword: "Comment", text: marker))
        try #require(firstIndex(of: Array(marker.utf8), in: input) != nil)
        try #require(try ImageHeader.read(input).width == 64)

        // act
        let output = try processor.process(input, into: shape)

        // check
        #expect(firstIndex(of: Array(marker.utf8), in: output.bytes) == nil)
        #expect(output.bytes != input)
    }

    @Test("JPEG comments do not survive",
          arguments: [ImageProcessor.Shape.fit(width: 600, height: 200), .square(side: 400)])
    func dropsJPEGComment(shape: ImageProcessor.Shape) throws {
        // setup
        let marker = "mingle-comment-marker-9a2e"
        let input = jpegInsertingComment(samplePicture(width: 64, height: 48, as: .jpeg), marker)

        // act
        let output = try processor.process(input, into: shape)

        // check
        #expect(firstIndex(of: Array(marker.utf8), in: output.bytes) == nil)
    }
}
