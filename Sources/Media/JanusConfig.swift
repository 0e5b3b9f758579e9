import Foundation
import RealTime

/// The configuration Mingle writes for a Janus it starts itself (development and tests):
/// only the VideoRoom plugin and the WebSocket transport, the API on loopback only, secrets
/// of its own, a bounded RTP port range, no STUN. Production nodes are configured by their
/// operators with the same settings (see docs/MEDIA.md).
public struct JanusConfig: Sendable {
    /// Where the configuration and the plugin/transport link folders go.
    public var folder: String
    /// The WebSocket API port (bound to 127.0.0.1).
    public var apiPort: Int
    /// Every API request must carry this (`apisecret`).
    public var apiSecret: String
    /// Creating and destroying VideoRoom rooms needs this (`admin_key`).
    public var roomAdminKey: String
    public var rtpPorts: ClosedRange<Int>
    /// Where the Debian package puts plugins and transports.
    public var libraryFolder: String
    /// Verbosity 0–7 (4 = info).
    public var debugLevel: Int

    public init(folder: String, apiPort: Int, apiSecret: String, roomAdminKey: String,
                rtpPorts: ClosedRange<Int> = 20000...20999,
                libraryFolder: String = "/usr/lib/x86_64-linux-gnu/janus", debugLevel: Int = 4) {
        self.folder = folder
        self.apiPort = apiPort
        self.apiSecret = apiSecret
        self.roomAdminKey = roomAdminKey
        self.rtpPorts = rtpPorts
        self.libraryFolder = libraryFolder
        self.debugLevel = debugLevel
    }

    /// The plugins and transports Janus may load; it loads every library in its folders, so
    /// the folders hold links to these only.
    public static let plugins = ["libjanus_videoroom.so"]
    public static let transports = ["libjanus_websockets.so"]

    /// File name → contents.
    public var files: [String: String] {
        [
            "janus.jcfg": """
                general: {
                    configs_folder = \(quoted(folder))
                    plugins_folder = \(quoted(folder + "/plugins"))
                    transports_folder = \(quoted(folder + "/transports"))
                    events_folder = \(quoted(folder + "/events"))
                    loggers_folder = \(quoted(folder + "/loggers"))
                    debug_level = \(debugLevel)
                    server_name = "mingle-janus"
                    api_secret = \(quoted(apiSecret))
                    session_timeout = 60
                    reclaim_session_timeout = 0
                    hide_dependencies = true
                }
                certificates: {
                }
                media: {
                    rtp_port_range = "\(rtpPorts.lowerBound)-\(rtpPorts.upperBound)"
                }
                nat: {
                    ignore_mdns = true
                    nice_debug = false
                    full_trickle = true
                }
                plugins: {
                }
                transports: {
                }
                events: {
                    broadcast = false
                }
                loggers: {
                }

                """,
            "janus.plugin.videoroom.jcfg": """
                general: {
                    admin_key = \(quoted(roomAdminKey))
                    lock_rtp_forward = true
                    string_ids = true
                }

                """,
            "janus.transport.websockets.jcfg": """
                general: {
                    json = "compact"
                    ws = true
                    ws_port = \(apiPort)
                    ws_ip = "127.0.0.1"
                    wss = false
                }
                admin: {
                    admin_ws = false
                    admin_wss = false
                }

                """,
        ]
    }

    /// Writes the files and the link folders (replacing what a previous run wrote).
    public func write() throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        for (sub, libraries) in [("plugins", Self.plugins), ("transports", Self.transports), ("events", []), ("loggers", [])] {
            let path = folder + "/" + sub
            try? manager.removeItem(atPath: path)
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            for library in libraries {
                try manager.createSymbolicLink(atPath: path + "/" + library, withDestinationPath: "\(libraryFolder)/\(sub)/\(library)")
            }
        }
    }

    /// A libconfig string: quotes and backslashes escaped, nothing that could end the value.
    func quoted(_ value: String) -> String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .filter { !$0.isNewline }
        return "\"\(escaped)\""
    }
}
