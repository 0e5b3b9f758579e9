import Crypto
import Foundation

/// Random secrets handed to browsers or mailed, and the hashes stored in their place.
enum Tokens {
    /// 32 random bytes, URL-safe base64 (no padding).
    static func random() -> String { random(byteCount: 32) }

    /// `byteCount` random bytes, URL-safe base64 (no padding).
    static func random(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64url(bytes)
    }

    /// A meeting link's secret part, `/m/<token>`: 18 random bytes (144 bits), 24 characters.
    static func meetingLink() -> String { random(byteCount: 18) }

    static func hash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    /// The bytes of base64url text with or without padding; nil when it is not.
    static func base64urlDecoded(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// Base64url without padding (RFC 4648 §5). By hand: it signs every page view's CSRF token,
    /// and Foundation's `replacingOccurrences` was a tenth of a small request's server CPU.
    static func base64url<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        switch input.count - index {
        case 1:
            let n = UInt32(input[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        case 2:
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case hex. (Not `String(format:)`: it runs on every page view, for the CSRF token,
    /// and Foundation's formatting was 4 % of a page's server CPU.)
    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Equal byte strings, compared in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Plausible token text: what `random()` makes, nothing longer.
    static func looksValid(_ token: String) -> Bool {
        token.count == 43 && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// HMAC signatures with the platform secret: CSRF tokens and flash messages.
struct Signer: Sendable {
    let secret: [UInt8]

    init(secret: [UInt8]) { self.secret = secret }

    func sign(_ purpose: String, _ value: String) -> String {
        Tokens.base64url(HMAC<SHA256>.authenticationCode(for: Data("\(purpose)|\(value)".utf8), using: SymmetricKey(data: secret)))
    }

    func verify(_ purpose: String, _ value: String, signature: String) -> Bool {
        Tokens.constantTimeEqual(Array(sign(purpose, value).utf8), Array(signature.utf8))
    }

    /// The CSRF token for forms on `host`, bound to the session (or the anonymous CSRF cookie).
    func csrfToken(host: String, basis: String) -> String { sign("csrf|\(host)", basis) }
}
