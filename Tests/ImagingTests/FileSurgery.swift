/// Byte-level edits of encoded files, to build inputs no ordinary encoder would write.

/// The CRC-32 that PNG puts after every chunk (ISO-HDLC polynomial, reflected).
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
    }
    return ~crc
}

func readBigEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}

func bigEndian32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

/// A complete PNG chunk: length, type, data and CRC.
func pngChunk(type: String, data: [UInt8]) -> [UInt8] {
    let typeAndData = Array(type.utf8) + data
    return bigEndian32(UInt32(data.count)) + typeAndData + bigEndian32(crc32(typeAndData))
}

/// The PNG with its IHDR width and height (bytes 16..23) replaced and the IHDR CRC recomputed,
/// so the header is consistent and only the pixel data betrays the lie.
func pngClaimingSize(_ png: [UInt8], width: UInt32, height: UInt32) -> [UInt8] {
    var patched = png
    patched.replaceSubrange(16..<24, with: bigEndian32(width) + bigEndian32(height))
    patched.replaceSubrange(29..<33, with: bigEndian32(crc32(patched[12..<29])))
    return patched
}

/// The PNG with a chunk inserted right after IHDR (signature 8 bytes + IHDR chunk 25 bytes).
func pngInsertingChunk(_ png: [UInt8], _ chunk: [UInt8]) -> [UInt8] {
    Array(png[..<33]) + chunk + Array(png[33...])
}

/// A tEXt chunk carrying `keyword` and `text`, as cameras and editors write metadata.
func pngTextChunk(keyword: String, text: String) -> [UInt8] {
    pngChunk(type: "tEXt", data: Array(keyword.utf8) + [0] + Array(text.utf8))
}

/// The JPEG with a comment segment (FF FE) inserted right after the start-of-image marker.
func jpegInsertingComment(_ jpeg: [UInt8], _ comment: String) -> [UInt8] {
    let body = Array(comment.utf8)
    let length = body.count + 2
    let segment: [UInt8] = [0xFF, 0xFE, UInt8(length >> 8), UInt8(length & 0xFF)] + body
    return Array(jpeg[..<2]) + segment + Array(jpeg[2...])
}

/// The GIF with its logical screen size (little-endian, bytes 6..9) replaced.
func gifClaimingSize(_ gif: [UInt8], width: UInt16, height: UInt16) -> [UInt8] {
    var patched = gif
    patched.replaceSubrange(6..<10, with: [UInt8(width & 0xFF), UInt8(width >> 8), UInt8(height & 0xFF), UInt8(height >> 8)])
    return patched
}

/// Where `needle` first occurs in `haystack`.
func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}
