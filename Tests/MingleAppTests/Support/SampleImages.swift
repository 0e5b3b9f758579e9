import CGD
import Foundation

/// Real image files made with libgd for upload tests (no binary fixtures in the repository).
enum SampleImages {
    enum Format { case png, jpeg, gif }

    static func make(_ width: Int32, _ height: Int32, _ format: Format) -> [UInt8] {
        let image = gdImageCreateTrueColor(width, height)!
        defer { gdImageDestroy(image) }
        gdImageFilledRectangle(image, 0, 0, width - 1, height - 1, 0x00D9_480F)
        gdImageFilledRectangle(image, width / 4, height / 4, width / 2, height / 2, 0x0000_7285)
        var size: Int32 = 0
        let pointer: UnsafeMutableRawPointer? = switch format {
        case .png: gdImagePngPtr(image, &size)
        case .jpeg: gdImageJpegPtr(image, &size, 90)
        case .gif: gdImageGifPtr(image, &size)
        }
        defer { gdFree(pointer) }
        return Array(UnsafeRawBufferPointer(start: pointer, count: Int(size)))
    }

    /// A valid small PNG whose header claims `width`×`height` (IHDR patched, CRC recomputed):
    /// a decompression bomb as far as any decoder that trusts the header knows.
    static func bomb(width: UInt32, height: UInt32) -> [UInt8] {
        var bytes = make(32, 32, .png)
        for (offset, value) in [(16, width), (20, height)] {
            for i in 0..<4 { bytes[offset + i] = UInt8((value >> (24 - 8 * UInt32(i))) & 0xFF) }
        }
        let crc = crc32(Array(bytes[12..<29]))
        for i in 0..<4 { bytes[29 + i] = UInt8((crc >> (24 - 8 * UInt32(i))) & 0xFF) }
        return bytes
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
