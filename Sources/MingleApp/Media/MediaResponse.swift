import Hummingbird
import MediaStore

/// A stored media object as an HTTP response: byte ranges (206, 416), strong entity tags (304),
/// the body streamed from the store chunk by chunk. Who may see the object is the caller's
/// business, decided before this is called (the object's row, under RLS).
enum MediaResponse {
    /// The response to `request` (GET or HEAD) for the object at `key`; a 404 when there is none.
    static func make(for request: Request, store: some MediaStore, key: MediaKey, contentType: String) async throws -> Response {
        guard let attributes = try await store.attributes(of: key) else {
            throw HTTPError(.notFound, message: "This file is no longer here.")
        }
        let isHead = request.method == .head
        let decision = RangeRequests.decide(
            isHead: isHead, range: request.headers[.range], ifRange: request.headers[.ifRange],
            ifNoneMatch: request.headers[.ifNoneMatch], size: attributes.size, etag: attributes.etag)
        return response(decision, isHead: isHead, attributes: attributes, contentType: contentType) { range, consume in
            try await store.read(key, range: range, etag: attributes.etag, into: consume)
        }
    }

    /// Reads a range of the object into a consumer (the store's `read`, bound to one key).
    typealias Reader = @Sendable (Range<Int64>, (ByteBuffer) async throws -> Void) async throws -> Void

    /// The response for a decision already made: status, headers, and a body that reads only
    /// when it is written out.
    static func response(_ decision: RangeRequests.Decision, isHead: Bool, attributes: MediaAttributes, contentType: String,
                         read: @escaping Reader) -> Response {
        var headers: HTTPFields = [
            .eTag: attributes.etag,
            .acceptRanges: "bytes",
            // Room members' files: never in a shared cache; the ETag revalidates a browser's copy.
            .cacheControl: "private",
            .xContentTypeOptions: "nosniff",
        ]
        let status: HTTPResponse.Status
        let range: Range<Int64>
        switch decision {
        case .notModified:
            return Response(status: .notModified, headers: headers)
        case .unsatisfiable:
            headers[.contentRange] = RangeRequests.unsatisfiedContentRange(size: attributes.size)
            headers[.contentLength] = "0"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .whole:
            (status, range) = (.ok, 0..<attributes.size)
        case let .partial(bytes):
            (status, range) = (.partialContent, bytes)
            headers[.contentRange] = RangeRequests.contentRange(bytes, size: attributes.size)
        }
        headers[.contentType] = contentType
        let length = range.upperBound - range.lowerBound
        headers[.contentLength] = String(length)
        guard !isHead, length > 0 else { return Response(status: status, headers: headers) }
        let body = ResponseBody(contentLength: Int(length)) { writer in
            try await read(range) { chunk in try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}
