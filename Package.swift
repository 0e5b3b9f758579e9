// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "mingle",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mingle", targets: ["mingle"]),
        .executable(name: "matcher-bench", targets: ["MatcherBench"]),
        .executable(name: "socket-baseline", targets: ["SocketBaseline"]),
        .executable(name: "media-store-memory", targets: ["MediaStoreMemory"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .executableTarget(
            name: "mingle",
            dependencies: [
                "MingleApp", "Store", "PayPalSimulator", "Media", "LoadTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MingleApp",
            dependencies: [
                "Store", "Imaging", "Outbound", "RealTime", "SpeedNetworking", "Meetings", "Calls", "WatchRooms", "Media", "Reports", "Matching", "Templating",
                "MediaStore", "VideoProcessing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        // Mustache templates parsed once and rendered over a typed value tree (pure, no I/O but
        // reading the folder at start-up).
        .target(name: "Templating", swiftSettings: strict),
        .target(
            name: "Store",
            dependencies: [
                "SpeedNetworking", "Meetings", "Calls", "WatchRooms",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The pairing algorithm of live sessions (DESIGN §4): pure, no dependencies, no I/O.
        .target(name: "Matching", swiftSettings: strict),
        // The real-time layer (DESIGN §9): activities, their registry and leases, the rights
        // seam media code asks, the socket's message envelope, presence. No HTTP, no Janus.
        .target(
            name: "RealTime",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Speed networking, the first activity: the pure pieces (timeline, pair clocks, survey
        // questions) and the engine, one actor per running session; persistence and the clock
        // are dependencies (DESIGN §4).
        .target(name: "SpeedNetworking", dependencies: ["Matching", "RealTime"], swiftSettings: strict),
        // Meetings (DESIGN §10), an activity: the room's rules (pure) and its engine; the store is a dependency.
        .target(name: "Meetings", dependencies: ["RealTime"], swiftSettings: strict),
        // One-to-one calls (DESIGN §11), an activity: the call's rules (pure) and its engine; the store is a dependency.
        .target(name: "Calls", dependencies: ["RealTime"], swiftSettings: strict),
        // Watch-together rooms (DESIGN §12): playback owned by the server, the queue, control.
        .target(name: "WatchRooms", dependencies: ["RealTime"], swiftSettings: strict),
        // Survey reports (issue 6): aggregates, CSV and SVG charts from submissions. Pure, no I/O.
        .target(name: "Reports", dependencies: ["SpeedNetworking"], swiftSettings: strict),
        .executableTarget(name: "MatcherBench", dependencies: ["Matching"], swiftSettings: strict),
        // A bare Hummingbird WebSocket server: the memory baseline `mingle load` is compared with.
        .executableTarget(
            name: "SocketBaseline",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        // `mingle load` (issue 12): N pages' sockets from a second process, the fan-out of one
        // event to all of them, the server's CPU and memory. Speaks only the socket protocol.
        .target(
            name: "LoadTesting",
            dependencies: [
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Janus: the configuration Mingle writes for its own node, the WebSocket API client, the
        // VideoRoom operations Mingle uses, rooms placed on nodes and the SDP/ICE relay — asking
        // activities only through the rights seam (DESIGN §5, §9).
        .target(
            name: "Media",
            dependencies: [
                "RealTime",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Files too large for table rows (DESIGN §13): one interface, a filesystem implementation
        // (written through a temporary file and a rename, read by byte ranges), and the pure
        // byte-range and conditional-request rules that serving them follows. No HTTP framework.
        .target(
            name: "MediaStore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // `media-store-memory`: 200 MB through the store in a process of its own, printing how much
        // its resident memory grew (MemoryTests runs it).
        .executableTarget(name: "MediaStoreMemory", dependencies: ["MediaStore"], swiftSettings: strict),
        // Uploaded videos through the machine's ffprobe/ffmpeg (probe, remux or transcode to
        // H.264/AAC MP4 with faststart, progress) and subtitles (SRT → WebVTT). The decisions and
        // parsers are pure; running the tools is the one edge.
        .target(name: "VideoProcessing", swiftSettings: strict),
        .target(name: "Imaging", dependencies: ["CGD"], swiftSettings: strict),
        .systemLibrary(name: "CGD", pkgConfig: "gdlib", providers: [.apt(["libgd-dev"])]),
        .target(
            name: "Outbound",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // A stand-in for PayPal's REST API (OAuth, Orders v2, approval page, webhooks) for
        // development and tests; Mingle refuses it in production mode.
        .target(
            name: "PayPalSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Shared by the test targets: a fresh database per test from a migrated template.
        .target(
            name: "TestSupport",
            dependencies: [
                "Store", "SpeedNetworking",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "MingleAppTests",
            dependencies: [
                "MingleApp", "Store", "TestSupport", "Outbound", "CGD", "PayPalSimulator", "SpeedNetworking", "Meetings", "Calls", "WatchRooms", "RealTime", "Media", "Matching", "Reports",
                "LoadTesting", "Templating", "MediaStore", "VideoProcessing",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // TestSocket: a WebSocket client that sends the Host and Origin it is given
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // LiveFrameHandlerTests: the live socket's protocol on an embedded channel, in virtual time
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport", "Calls", "WatchRooms"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CGD"]),
        .testTarget(
            name: "MediaStoreTests",
            dependencies: ["MediaStore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(name: "VideoProcessingTests", dependencies: ["VideoProcessing"]),
        .testTarget(name: "MatchingTests", dependencies: ["Matching"]),
        .testTarget(name: "TemplatingTests", dependencies: ["Templating"], exclude: ["Spec"]),
        .testTarget(name: "LoadTestingTests", dependencies: ["LoadTesting"]),
        .testTarget(name: "MeetingsTests", dependencies: ["Meetings", "RealTime"]),
        .testTarget(name: "CallsTests", dependencies: ["Calls", "RealTime"]),
        .testTarget(name: "WatchRoomsTests", dependencies: ["WatchRooms", "RealTime"]),
        .testTarget(name: "SpeedNetworkingTests", dependencies: ["SpeedNetworking", "RealTime", "Matching", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "SpeedNetworking", "Matching"]),
        .testTarget(
            name: "RealTimeTests",
            dependencies: ["RealTime", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "MediaTests", dependencies: ["Media", "RealTime", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "OutboundTests",
            dependencies: [
                "Outbound", "PayPalSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
