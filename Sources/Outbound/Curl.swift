import CCurl

/// Shared libcurl set-up: one global init per process, and a small owner for an easy handle.
enum Curl {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static func message(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}

/// A byte source libcurl pulls an upload from (CURLOPT_READFUNCTION). Only touched by the
/// one thread running curl_easy_perform for this handle.
final class UploadSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

let curlReadCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
    let n = min(size * count, source.bytes.count - source.offset)
    guard n > 0 else { return 0 }
    source.bytes.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + source.offset, byteCount: n)
    }
    source.offset += n
    return n
}
