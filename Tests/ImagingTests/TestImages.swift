import CGD
import Imaging

/// How a test picture is written to bytes by libgd.
enum Encoding: String, CaseIterable, Sendable {
    case png, jpeg, gif, webpLossy, webpLossless

    var format: ImageHeader.Format {
        switch self {
        case .png: .png
        case .jpeg: .jpeg
        case .gif: .gif
        case .webpLossy, .webpLossless: .webp
        }
    }
}

/// A libgd truecolor value; `alpha` runs from 0 (opaque) to 127 (transparent).
func rgba(_ red: Int32, _ green: Int32, _ blue: Int32, alpha: Int32 = 0) -> Int32 {
    alpha << 24 | red << 16 | green << 8 | blue
}

let white = rgba(255, 255, 255)
let red = rgba(220, 20, 20)
let blue = rgba(20, 20, 220)

/// Runs `body` on a fresh W×H truecolor canvas that keeps its alpha channel, then frees it.
func withCanvas<T>(width: Int, height: Int, _ body: (gdImagePtr) throws -> T) rethrows -> T {
    let image: gdImagePtr = gdImageCreateTrueColor(Int32(width), Int32(height))
    defer { gdImageDestroy(image) }
    gdImageAlphaBlending(image, 0)
    gdImageSaveAlpha(image, 1)
    return try body(image)
}

func fill(_ image: gdImagePtr, x: Int, y: Int, width: Int, height: Int, color: Int32) {
    gdImageFilledRectangle(image, Int32(x), Int32(y), Int32(x + width - 1), Int32(y + height - 1), color)
}

func encode(_ image: gdImagePtr, as encoding: Encoding) -> [UInt8] {
    var size: Int32 = 0
    let pointer: UnsafeMutableRawPointer? = switch encoding {
    case .png: gdImagePngPtr(image, &size)
    case .jpeg: gdImageJpegPtr(image, &size, 90)
    case .gif: gdImageGifPtr(image, &size)
    case .webpLossy: gdImageWebpPtrEx(image, &size, 80)
    case .webpLossless: gdImageWebpPtrEx(image, &size, gdWebpLossless)
    }
    guard let pointer else { fatalError("libgd could not encode \(encoding)") }
    defer { gdFree(pointer) }
    return Array(UnsafeRawBufferPointer(start: pointer, count: Int(size)))
}

/// A W×H picture with a white background, a red block and a blue disc, encoded as asked.
func samplePicture(width: Int, height: Int, as encoding: Encoding) -> [UInt8] {
    withCanvas(width: width, height: height) { image in
        fill(image, x: 0, y: 0, width: width, height: height, color: white)
        fill(image, x: width / 8, y: height / 8, width: max(1, width / 3), height: max(1, height / 3), color: red)
        gdImageFilledEllipse(image, Int32(width * 2 / 3), Int32(height * 2 / 3),
                             Int32(max(1, width / 3)), Int32(max(1, height / 3)), blue)
        return encode(image, as: encoding)
    }
}

/// A picture of random pixels: it compresses badly, so its file is large for its size.
func noisePicture(width: Int, height: Int, as encoding: Encoding) -> [UInt8] {
    withCanvas(width: width, height: height) { image in
        for y in 0..<height {
            for x in 0..<width {
                let color = rgba(.random(in: 0...255), .random(in: 0...255), .random(in: 0...255))
                gdImageSetPixel(image, Int32(x), Int32(y), color)
            }
        }
        return encode(image, as: encoding)
    }
}

/// Decodes PNG or JPEG bytes with libgd and returns the colour at (x, y) as (red, green, blue, alpha).
func pixel(of bytes: [UInt8], format: ImageHeader.Format, x: Int, y: Int) throws -> (r: Int, g: Int, b: Int, a: Int) {
    var copy = bytes
    let image: gdImagePtr? = copy.withUnsafeMutableBytes { raw in
        switch format {
        case .png: gdImageCreateFromPngPtr(Int32(raw.count), raw.baseAddress)
        case .jpeg: gdImageCreateFromJpegPtr(Int32(raw.count), raw.baseAddress)
        default: nil
        }
    }
    guard let image else { throw DecodeFailure() }
    defer { gdImageDestroy(image) }
    let color = Int(gdImageGetTrueColorPixel(image, Int32(x), Int32(y)))
    return (color >> 16 & 0xFF, color >> 8 & 0xFF, color & 0xFF, color >> 24 & 0x7F)
}

struct DecodeFailure: Error {}

let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
