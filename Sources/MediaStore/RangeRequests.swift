/// HTTP byte ranges and the conditional headers that go with them (RFC 9110 §13, §14), pure:
/// header values in, what to answer out. Serving code only copies the decision into a response.
///
/// Choices (each allowed by RFC 9110):
/// - One range is answered with 206 and that range. **Several ranges are answered with the
///   whole object (200)** — no multipart responses: players ask for one range, and a server may
///   ignore `Range` — unless none of them is satisfiable, which is a 416.
/// - A `Range` that does not parse (another unit, `5-2`, garbage) is ignored: 200.
/// - An empty object has no satisfiable range: 416 with `Content-Range: bytes */0`.
/// - `If-Range` holding a strong entity tag that matches gives the range; anything else (another
///   tag, a weak tag, a date) gives the whole object. Dates are never trusted: one second is too
///   coarse to prove the bytes are the same.
/// - `If-None-Match` (weak comparison, or `*`) answers 304 before any range is looked at.
/// - `Range` counts only for GET (RFC 9110 §14.2); HEAD gets the whole object's headers.
public enum RangeRequests {
    /// What to answer.
    public enum Decision: Equatable, Sendable {
        /// 200 with every byte.
        case whole
        /// 206 with these bytes (never empty, within the object).
        case partial(Range<Int64>)
        /// 304: the client's copy is current.
        case notModified
        /// 416 with `Content-Range: bytes */<size>`.
        case unsatisfiable
    }

    /// A parsed `Range` header, before the object's entity tag is considered.
    public enum RangeHeader: Equatable, Sendable {
        /// No header, or one to ignore (not bytes, or not well formed).
        case none
        case single(Range<Int64>)
        /// Several ranges, at least one satisfiable: answered with the whole object.
        case several
        case unsatisfiable
    }

    /// The answer to a GET or HEAD of an object of `size` bytes whose strong entity tag is
    /// `etag`, given the request's `Range`, `If-Range` and `If-None-Match` values.
    public static func decide(isHead: Bool = false, range: String?, ifRange: String?, ifNoneMatch: String?,
                              size: Int64, etag: String) -> Decision {
        if let ifNoneMatch, noneMatchFails(ifNoneMatch, etag: etag) { return .notModified }
        guard !isHead, let range else { return .whole }
        if let ifRange, !ifRangeHolds(ifRange, etag: etag) { return .whole }
        switch parseRange(range, size: size) {
        case .none, .several: return .whole
        case let .single(bytes): return .partial(bytes)
        case .unsatisfiable: return .unsatisfiable
        }
    }

    /// `Content-Range` of a 206: `bytes 0-99/1000`.
    public static func contentRange(_ bytes: Range<Int64>, size: Int64) -> String {
        "bytes \(bytes.lowerBound)-\(bytes.upperBound - 1)/\(size)"
    }

    /// `Content-Range` of a 416: `bytes */1000`.
    public static func unsatisfiedContentRange(size: Int64) -> String {
        "bytes */\(size)"
    }

    // MARK: Range

    /// Parses `Range: bytes=…` for an object of `size` bytes. `a-b` (b clamped to the last
    /// byte), `a-` (to the end), `-n` (the last n bytes, or all when shorter).
    public static func parseRange(_ header: String, size: Int64) -> RangeHeader {
        let value = Array(header.utf8)
        guard let equals = value.firstIndex(of: UInt8(ascii: "=")) else { return .none }
        let unit = String(decoding: value[value.startIndex..<equals], as: UTF8.self)
        guard unit.lowercased() == "bytes" else { return .none }
        var ranges: [Range<Int64>] = []
        var specs = 0
        for element in value[value.index(after: equals)...].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let spec = trimmed(element)
            if spec.isEmpty { continue } // `#` lists may hold empty elements (RFC 9110 §5.6.1.2)
            guard let parsed = parseSpec(spec) else { return .none }
            specs += 1
            if let bytes = satisfiable(parsed, size: size) { ranges.append(bytes) }
        }
        guard specs > 0 else { return .none }
        if ranges.isEmpty { return .unsatisfiable }
        return specs == 1 ? .single(ranges[0]) : .several
    }

    enum Spec: Equatable {
        case from(Int64, through: Int64?)
        case suffix(Int64)
    }

    /// One `first-last`, `first-` or `-length`; nil when it is not well formed (a last before
    /// the first is not). Numbers too large for Int64 saturate: they are past any object's end.
    static func parseSpec(_ spec: ArraySlice<UInt8>) -> Spec? {
        guard let dash = spec.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        let first = spec[spec.startIndex..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let length = number(last) else { return nil }
            return .suffix(length)
        }
        guard let start = number(first) else { return nil }
        if last.isEmpty { return .from(start, through: nil) }
        guard let end = number(last), end >= start else { return nil }
        return .from(start, through: end)
    }

    static func satisfiable(_ spec: Spec, size: Int64) -> Range<Int64>? {
        switch spec {
        case let .from(start, end):
            guard start < size else { return nil }
            let last = min(end ?? (size - 1), size - 1)
            return start..<(last + 1)
        case let .suffix(length):
            guard length > 0, size > 0 else { return nil }
            return max(0, size - length)..<size
        }
    }

    /// 1*DIGIT, saturating at Int64.max.
    static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            value = overflow1 || overflow2 ? Int64.max : sum
        }
        return value
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return bytes[start...end]
    }

    // MARK: Entity tags

    /// An entity tag as written in headers: `"opaque"` or `W/"opaque"`.
    public struct EntityTag: Equatable, Sendable {
        public let opaque: String
        public let isWeak: Bool
    }

    /// The entity tags of a list (`If-None-Match`), or nil when it is not a list of tags.
    /// Commas may stand inside a tag's quotes, so the list is read tag by tag.
    public static func entityTags(_ list: String) -> [EntityTag]? {
        var tags: [EntityTag] = []
        var rest = Substring(list)
        while true {
            rest = rest.drop(while: { $0 == " " || $0 == "\t" || $0 == "," })
            if rest.isEmpty { break }
            guard let (tag, after) = entityTag(prefixOf: rest) else { return nil }
            tags.append(tag)
            rest = after.drop(while: { $0 == " " || $0 == "\t" })
            guard rest.isEmpty || rest.first == "," else { return nil }
        }
        return tags
    }

    /// One entity tag at the start of `text`, and what follows it.
    static func entityTag(prefixOf text: Substring) -> (EntityTag, Substring)? {
        var rest = text
        let isWeak = rest.hasPrefix("W/")
        if isWeak { rest = rest.dropFirst(2) }
        guard rest.first == "\"" else { return nil }
        rest = rest.dropFirst()
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        let opaque = rest[rest.startIndex..<close]
        // etagc: visible ASCII but DQUOTE, and obs-text
        guard opaque.unicodeScalars.allSatisfy({ $0.value == 0x21 || (0x23...0x7E).contains($0.value) || $0.value >= 0x80 }) else {
            return nil
        }
        return (EntityTag(opaque: String(opaque), isWeak: isWeak), rest[rest.index(after: close)...])
    }

    /// One entity tag standing alone, or nil.
    public static func entityTag(_ text: String) -> EntityTag? {
        let trimmedText = Substring(text).drop(while: { $0 == " " || $0 == "\t" })
        guard let (tag, rest) = entityTag(prefixOf: trimmedText), rest.allSatisfy({ $0 == " " || $0 == "\t" }) else {
            return nil
        }
        return tag
    }

    /// True when `If-None-Match` names the current object (weak comparison; `*` names any), so
    /// the answer is 304. A value that does not parse names nothing.
    static func noneMatchFails(_ header: String, etag: String) -> Bool {
        if header.filter({ $0 != " " && $0 != "\t" }) == "*" { return true }
        guard let current = entityTag(etag), let tags = entityTags(header) else { return false }
        return tags.contains { $0.opaque == current.opaque }
    }

    /// True when `If-Range` is a strong entity tag equal to the current one (strong comparison).
    static func ifRangeHolds(_ header: String, etag: String) -> Bool {
        guard let current = entityTag(etag), let tag = entityTag(header) else { return false }
        return !tag.isWeak && !current.isWeak && tag.opaque == current.opaque
    }
}
