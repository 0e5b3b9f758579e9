/// What an upload claims to be, read from its first bytes only: the format from its magic
/// number (never the file name) and its pixel size from the header, so a decompression bomb
/// is refused before anything is decoded.
public struct ImageHeader: Sendable, Equatable {
    public enum Format: String, Sendable { case png, jpeg, gif, webp }
    public var format: Format
    public var width: Int
    public var height: Int
}

public enum ImageError: Error, Equatable, Sendable {
    case empty
    case tooManyBytes(limit: Int)
    case notAnImage
    case tooManyPixels(width: Int, height: Int, limit: Int)
    case tooSmall(width: Int, height: Int)
    case truncated
    case undecodable

    /// A message for the person who uploaded the file.
    public var message: String {
        switch self {
        case .empty: "The file is empty. Choose a PNG, JPEG, GIF or WebP image."
        case .tooManyBytes(let limit): "The file is larger than \(Self.bytes(limit)). Choose a smaller image."
        case .notAnImage: "This file is not a PNG, JPEG, GIF or WebP image, whatever its name says."
        case .tooManyPixels(let w, let h, let limit):
            "The image is \(w)×\(h) pixels; the limit is \(Self.megapixels(limit)) megapixels. Choose a smaller image."
        case .tooSmall(let w, let h): "The image is only \(w)×\(h) pixels. Choose one at least 16 pixels on each side."
        case .truncated: "The image file is incomplete, or has data after its end. Save it again from an image editor, or choose another."
        case .undecodable: "The image could not be read; it may be damaged. Choose another."
        }
    }

    static func bytes(_ n: Int) -> String {
        n >= 1_000_000 ? "\(formatted(Double(n) / 1_000_000)) MB" : "\(formatted(Double(n) / 1_000)) KB"
    }

    static func megapixels(_ n: Int) -> String { formatted(Double(n) / 1_000_000) }

    /// 5 → "5", 0.5 → "0.5": one decimal only where it says something.
    private static func formatted(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }
}

extension ImageHeader {
    public static func read(_ b: [UInt8]) throws -> ImageHeader {
        guard !b.isEmpty else { throw ImageError.empty }
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try png(b) }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return try jpeg(b) }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return try gif(b) }
        if b.count >= 12, Array(b[0..<4]) == Array("RIFF".utf8), Array(b[8..<12]) == Array("WEBP".utf8) { return try webp(b) }
        throw ImageError.notAnImage
    }

    /// Whether the file has its format's closing marker: a cut-off upload is refused rather
    /// than decoded into a half-grey picture.
    public static func isComplete(_ b: [UInt8], format: Format) -> Bool {
        switch format {
        case .png:
            return b.count >= 12 && Array(b[(b.count - 8)..<(b.count - 4)]) == Array("IEND".utf8)
        case .jpeg:
            var end = b.count
            while end > 2 && b[end - 1] == 0 { end -= 1 }   // some writers pad with zeros
            return end >= 4 && b[end - 2] == 0xFF && b[end - 1] == 0xD9
        case .gif:
            return b.last == 0x3B
        case .webp:
            return b.count >= 12 && Int(le32(b, 4)) + 8 == b.count
        }
    }

    private static func png(_ b: [UInt8]) throws -> ImageHeader {
        guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { throw ImageError.truncated }
        return ImageHeader(format: .png, width: Int(be32(b, 16)), height: Int(be32(b, 20)))
    }

    private static func jpeg(_ b: [UInt8]) throws -> ImageHeader {
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { throw ImageError.undecodable }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }                  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            let length = Int(be16(b, i + 2))
            let isStartOfFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isStartOfFrame {
                return ImageHeader(format: .jpeg, width: Int(be16(b, i + 7)), height: Int(be16(b, i + 5)))
            }
            guard length >= 2 else { throw ImageError.undecodable }
            i += 2 + length
        }
        throw ImageError.truncated
    }

    private static func gif(_ b: [UInt8]) throws -> ImageHeader {
        guard b.count >= 10 else { throw ImageError.truncated }
        return ImageHeader(format: .gif, width: Int(le16(b, 6)), height: Int(le16(b, 8)))
    }

    private static func webp(_ b: [UInt8]) throws -> ImageHeader {
        guard b.count >= 30 else { throw ImageError.truncated }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8 ":
            return ImageHeader(format: .webp, width: Int(le16(b, 26) & 0x3FFF), height: Int(le16(b, 28) & 0x3FFF))
        case "VP8L":
            let bits = le32(b, 21)
            return ImageHeader(format: .webp, width: Int(bits & 0x3FFF) + 1, height: Int((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return ImageHeader(format: .webp, width: Int(le24(b, 24)) + 1, height: Int(le24(b, 27)) + 1)
        default:
            throw ImageError.undecodable
        }
    }
}

private func be16(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b[i]) << 8 | UInt32(b[i + 1]) }
private func be32(_ b: [UInt8], _ i: Int) -> UInt32 { be16(b, i) << 16 | be16(b, i + 2) }
private func le16(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b[i]) | UInt32(b[i + 1]) << 8 }
private func le24(_ b: [UInt8], _ i: Int) -> UInt32 { le16(b, i) | UInt32(b[i + 2]) << 16 }
private func le32(_ b: [UInt8], _ i: Int) -> UInt32 { le16(b, i) | le16(b, i + 2) << 16 }
