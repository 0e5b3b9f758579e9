import Foundation

/// A parsed form body: text fields and uploaded files.
public struct FormData: Sendable {
    public struct File: Sendable {
        public var filename: String
        public var contentType: String
        public var bytes: [UInt8]
    }

    public var fields: [String: [String]] = [:]
    public var files: [String: File] = [:]

    public init() {}

    public subscript(_ name: String) -> String? { fields[name]?.first }

    /// The field trimmed of surrounding white space ("" when absent).
    public func text(_ name: String) -> String {
        (fields[name]?.first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func all(_ name: String) -> [String] { fields[name] ?? [] }

    mutating func add(_ name: String, _ value: String) { fields[name, default: []].append(value) }

    /// `application/x-www-form-urlencoded`.
    static func urlEncoded(_ body: String) -> FormData {
        var form = FormData()
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            form.add(decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
        return form
    }

    /// A boundary as RFC 2046 allows it: 1–70 characters from a small set. Anything else is
    /// refused before the body is searched.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=? ")
        return (1...70).contains(boundary.count) && boundary.allSatisfy(allowed.contains) && boundary.last != " "
    }

    /// `multipart/form-data` (RFC 7578). Returns nil when the body is not well formed.
    static func multipart(_ body: [UInt8], boundary: String) -> FormData? {
        guard isValidBoundary(boundary) else { return nil }
        let delimiter = Array("--\(boundary)".utf8)
        var form = FormData()
        var parts: [ArraySlice<UInt8>] = []
        var searchFrom = 0
        guard let first = body.firstRange(of: delimiter, from: 0) else { return nil }
        var partStart = first.upperBound
        searchFrom = partStart
        while let next = body.firstRange(of: delimiter, from: searchFrom) {
            parts.append(body[partStart..<next.lowerBound])
            partStart = next.upperBound
            searchFrom = partStart
            if body[partStart...].starts(with: Array("--".utf8)) { break }
        }
        for var part in parts {
            if part.starts(with: [13, 10]) { part = part.dropFirst(2) }
            if part.last == 10 { part = part.dropLast() }
            if part.last == 13 { part = part.dropLast() }
            guard let split = Array(part).firstRange(of: [13, 10, 13, 10], from: 0) else { return nil }
            let headerBytes = Array(part)[..<split.lowerBound]
            let content = Array(Array(part)[split.upperBound...])
            var disposition = "", contentType = "text/plain"
            for line in String(decoding: headerBytes, as: UTF8.self).components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") { disposition = line }
                if lower.hasPrefix("content-type:") { contentType = String(line.dropFirst(13)).trimmingCharacters(in: .whitespaces) }
            }
            guard let name = parameter("name", in: disposition) else { return nil }
            if let filename = parameter("filename", in: disposition) {
                if !filename.isEmpty || !content.isEmpty {
                    form.files[name] = File(filename: filename, contentType: contentType, bytes: content)
                }
            } else {
                form.add(name, String(decoding: content, as: UTF8.self))
            }
        }
        return form
    }

    private static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("\(key)=") else { continue }
            var value = String(trimmed.dropFirst(key.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Knuth–Morris–Pratt: linear in the haystack whatever the needle, so a body crafted
    /// against the boundary cannot make the search quadratic.
    func firstRange(of needle: [UInt8], from start: Int) -> Range<Int>? {
        guard !needle.isEmpty, start >= 0, start <= count else { return nil }
        var fallback = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0 && needle[i] != needle[k] { k = fallback[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            fallback[i] = k
        }
        var matched = 0
        for i in start..<count {
            while matched > 0 && self[i] != needle[matched] { matched = fallback[matched - 1] }
            if self[i] == needle[matched] { matched += 1 }
            if matched == needle.count { return (i - needle.count + 1)..<(i + 1) }
        }
        return nil
    }
}
