#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
#endif

/// A TCP socket on 127.0.0.1 at a port the kernel chose, for tests that need a port where
/// nothing answers: close it for a refused connection, or listen without ever accepting.
final class LoopbackSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var descriptor: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else {
            let failure = Failure(description: "bind() to 127.0.0.1 failed: errno \(errno)")
            _ = closeDescriptor(fd)
            throw failure
        }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Accepts connections into the backlog (the kernel completes the handshake) but never reads or writes.
    func listenSilently() throws {
        guard listen(descriptor, 8) == 0 else { throw Failure(description: "listen() failed: errno \(errno)") }
    }

    func close() {
        guard descriptor >= 0 else { return }
        _ = closeDescriptor(descriptor)
        descriptor = -1
    }

    deinit { close() }
}

private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(descriptor)
    #else
    Darwin.close(descriptor)
    #endif
}
