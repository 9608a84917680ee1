// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Lifeboat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lifeboat", targets: ["lifeboat"]),
        .library(name: "LifeboatEngine", targets: ["LifeboatEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // `lifeboat metrics`: the Prometheus exposition format through swift-prometheus's registry
        // (which brings swift-metrics' CoreMetrics and swift-atomics).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already in the graph through async-http-client; named so LifeboatS3 can import them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries of the field, linked through system-library shims (no shelling out on the data path).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLinux"),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // Pure values and decisions: no I/O, no clock, no globals.
        .target(name: "LifeboatCore", swiftSettings: strict),
        // Streaming stages: compression, checksums.
        .target(
            name: "LifeboatCodecs",
            dependencies: ["CZstd", "CLZ4", "CZlib", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // Repository storage protocol and drivers.
        .target(
            name: "LifeboatStorage",
            dependencies: [
                "LifeboatCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        // S3-compatible object storage: SigV4 signing, HTTP client with retries, XML, the storage driver.
        .target(
            name: "LifeboatS3",
            dependencies: [
                "LifeboatCore", "LifeboatStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        // libpq wrapper and PostgreSQL process helpers.
        .target(name: "LifeboatPostgres", dependencies: ["CLibPQ", "LifeboatCore"], swiftSettings: strict),
        // The commands' logic.
        .target(
            name: "LifeboatEngine",
            dependencies: [
                "LifeboatCore", "LifeboatCodecs", "LifeboatStorage", "LifeboatPostgres", "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        // Thin command line.
        .target(
            name: "LifeboatCLI",
            dependencies: [
                "LifeboatEngine", "LifeboatS3",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "lifeboat", dependencies: ["LifeboatCLI"], swiftSettings: strict),

        // Shared by the test targets: a real PostgreSQL 15 cluster in a temp dir, run as the postgres user.
        .target(name: "LifeboatTestSupport", dependencies: ["LifeboatPostgres", "LifeboatCore"], swiftSettings: strict),

        .testTarget(name: "LifeboatCoreTests", dependencies: ["LifeboatCore"], swiftSettings: strict),
        .testTarget(name: "LifeboatCodecsTests", dependencies: ["LifeboatCodecs"], swiftSettings: strict),
        .testTarget(
            name: "LifeboatStorageTests", dependencies: ["LifeboatStorage", "LifeboatS3", "LifeboatTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "LifeboatS3Tests", dependencies: ["LifeboatS3", "LifeboatStorage", "LifeboatCore", "LifeboatTestSupport"],
            exclude: ["Vectors"], swiftSettings: strict),
        .testTarget(
            name: "LifeboatPostgresTests", dependencies: ["LifeboatPostgres", "LifeboatTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "LifeboatEngineTests", dependencies: ["LifeboatEngine", "LifeboatStorage", "LifeboatCore", "LifeboatCodecs"],
            swiftSettings: strict),
        .testTarget(
            name: "LifeboatCLITests", dependencies: ["LifeboatCLI", "LifeboatCore", "LifeboatS3", "LifeboatStorage"],
            swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "lifeboat", "LifeboatEngine", "LifeboatTestSupport", "LifeboatCore", "LifeboatPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
    ]
)
