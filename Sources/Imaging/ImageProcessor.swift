import CGD

/// Validates, bounds, crops or resizes, and re-encodes an uploaded image with libgd.
/// Nothing of the original file survives: only freshly encoded pixels are returned.
public struct ImageProcessor: Sendable {
    public enum Shape: Sendable, Equatable {
        /// Scaled down to fit the box, aspect kept, never enlarged; encoded as PNG (keeps transparency).
        case fit(width: Int, height: Int)
        /// Centre square cropped and scaled to `side`; encoded as JPEG.
        case square(side: Int)
    }

    public struct Output: Sendable, Equatable {
        public var bytes: [UInt8]
        public var mime: String
        public var width: Int
        public var height: Int
    }

    public var maxBytes: Int
    public var maxPixels: Int

    public init(maxBytes: Int = 5_000_000, maxPixels: Int = 16_000_000) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
    }

    public func process(_ input: [UInt8], into shape: Shape) throws -> Output {
        guard !input.isEmpty else { throw ImageError.empty }
        guard input.count <= maxBytes else { throw ImageError.tooManyBytes(limit: maxBytes) }
        let header = try ImageHeader.read(input)
        // Sides first: a forged header can claim 4 billion × 4 billion, whose product overflows.
        guard header.width <= 20_000, header.height <= 20_000, header.width * header.height <= maxPixels else {
            throw ImageError.tooManyPixels(width: header.width, height: header.height, limit: maxPixels)
        }
        guard header.width >= 16, header.height >= 16 else {
            throw ImageError.tooSmall(width: header.width, height: header.height)
        }
        guard ImageHeader.isComplete(input, format: header.format) else { throw ImageError.truncated }

        let source = try decode(input, header.format)
        defer { gdImageDestroy(source) }
        // The decoded size must be the size the header promised.
        guard Int(source.pointee.sx) == header.width, Int(source.pointee.sy) == header.height else {
            throw ImageError.undecodable
        }
        return try render(source, shape)
    }

    private func decode(_ input: [UInt8], _ format: ImageHeader.Format) throws -> gdImagePtr {
        Self.quietOnce
        var copy = input
        let image: gdImagePtr? = copy.withUnsafeMutableBytes { raw in
            let size = Int32(raw.count)
            switch format {
            case .png: return gdImageCreateFromPngPtr(size, raw.baseAddress)
            case .jpeg: return gdImageCreateFromJpegPtrEx(size, raw.baseAddress, 0)
            case .gif: return gdImageCreateFromGifPtr(size, raw.baseAddress)
            case .webp: return gdImageCreateFromWebpPtr(size, raw.baseAddress)
            }
        }
        guard let image else { throw ImageError.undecodable }
        return image
    }

    private func render(_ source: gdImagePtr, _ shape: Shape) throws -> Output {
        let sw = Int(source.pointee.sx), sh = Int(source.pointee.sy)
        var cropX = 0, cropY = 0, cropW = sw, cropH = sh
        let outW: Int, outH: Int
        switch shape {
        case .fit(let boxW, let boxH):
            let scale = min(1.0, Double(boxW) / Double(sw), Double(boxH) / Double(sh))
            outW = max(1, Int((Double(sw) * scale).rounded()))
            outH = max(1, Int((Double(sh) * scale).rounded()))
        case .square(let side):
            let edge = min(sw, sh)
            cropX = (sw - edge) / 2
            cropY = (sh - edge) / 2
            cropW = edge
            cropH = edge
            outW = min(side, edge)
            outH = outW
        }
        guard let target = gdImageCreateTrueColor(Int32(outW), Int32(outH)) else { throw ImageError.undecodable }
        defer { gdImageDestroy(target) }
        let isPNG: Bool
        if case .fit = shape { isPNG = true } else { isPNG = false }
        if isPNG {
            gdImageAlphaBlending(target, 0)
            gdImageSaveAlpha(target, 1)
        } else {
            // JPEG has no transparency: flatten onto white.
            gdImageFilledRectangle(target, 0, 0, Int32(outW - 1), Int32(outH - 1), 0x00FF_FFFF)
        }
        gdImageCopyResampled(target, source, 0, 0, Int32(cropX), Int32(cropY),
                             Int32(outW), Int32(outH), Int32(cropW), Int32(cropH))
        var size: Int32 = 0
        guard let encoded = isPNG ? gdImagePngPtrEx(target, &size, 9) : gdImageJpegPtr(target, &size, 88) else {
            throw ImageError.undecodable
        }
        defer { gdFree(encoded) }
        let bytes = Array(UnsafeRawBufferPointer(start: encoded, count: Int(size)))
        return Output(bytes: bytes, mime: isPNG ? "image/png" : "image/jpeg", width: outW, height: outH)
    }

    private static let quietOnce: Void = { mingle_gd_quiet() }()
}
