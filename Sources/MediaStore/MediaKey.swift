import Foundation

/// The name of one object in a media store: a relative path the caller builds, such as
/// `<tenant id>/watch/<uuid>.mp4`. Checked when made, so no key can leave the store's folder
/// (`..`, an absolute path), hide among the store's own files (a component starting with `.`)
/// or carry control characters into logs and file names.
public struct MediaKey: Sendable, Hashable, CustomStringConvertible {
    /// The relative path, components separated by `/`.
    public let path: String

    /// A file name may have at most 255 bytes on the filesystems we run on (NAME_MAX).
    static let maxComponentBytes = 255
    static let maxPathBytes = 1024

    public init(_ path: String) throws(MediaStoreError) {
        if let problem = Self.problem(with: path) { throw .badKey(path: path, problem: problem) }
        self.path = path
    }

    /// `<tenant>/<area>/<name>`, the shape the platform uses (e.g. area `watch`, name `<uuid>.mp4`).
    public init(tenant: UUID, area: String, name: String) throws(MediaStoreError) {
        try self.init("\(tenant.uuidString.lowercased())/\(area)/\(name)")
    }

    public var description: String { path }

    /// Why `path` is not a key, or nil when it is one.
    static func problem(with path: String) -> String? {
        if path.isEmpty { return "the key is empty" }
        if path.utf8.count > maxPathBytes { return "the key is longer than \(maxPathBytes) bytes" }
        if path.hasPrefix("/") { return "the key is an absolute path" }
        if path.unicodeScalars.contains(where: isControl) { return "the key holds a control character" }
        if path.contains("\\") { return "the key holds a backslash" }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "the key has an empty component (// or a trailing /)" }
            if component == "." || component == ".." { return "the key has a '\(component)' component" }
            if component.hasPrefix(".") { return "a component of the key starts with '.'" }
            if component.utf8.count > maxComponentBytes { return "a component of the key is longer than \(maxComponentBytes) bytes" }
        }
        return nil
    }

    /// C0 and C1 controls and DEL: nothing a file name needs.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

/// What a media store refuses, in words a person can be shown.
public enum MediaStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case badKey(path: String, problem: String)
    /// The body was longer than the limit the caller set; nothing was stored.
    case tooLarge(limit: Int64)
    case notFound(MediaKey)
    /// The object was replaced between reading its attributes and reading its bytes.
    case changed(MediaKey)
    /// A byte range that does not lie within the object.
    case rangeOutOfBounds(Range<Int64>, size: Int64)
    /// The filesystem refused (the system's words).
    case io(String)

    public var description: String {
        switch self {
        case let .badKey(path, problem): "Not a media key (\(problem)): \(path.debugDescription)"
        case let .tooLarge(limit): "The file is larger than the limit of \(ByteCountText.describe(limit))."
        case let .notFound(key): "No media object \(key)"
        case let .changed(key): "The media object \(key) changed while it was being read"
        case let .rangeOutOfBounds(range, size): "Bytes \(range) are outside an object of \(size) bytes"
        case let .io(words): "The media store could not do it: \(words)"
        }
    }
}

/// Sizes in words: "200 MB" (decimal units, as people read file sizes).
public enum ByteCountText {
    public static func describe(_ bytes: Int64) -> String {
        let units: [(Int64, String)] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "kB")]
        for (unit, name) in units where bytes >= unit {
            let whole = bytes / unit, tenth = (bytes % unit) * 10 / unit
            return tenth == 0 ? "\(whole) \(name)" : "\(whole).\(tenth) \(name)"
        }
        return "\(bytes) bytes"
    }
}
