// swift-tools-version:6.0
import PackageDescription

// Shared settings for every Swift target (the hummingbird pattern): Swift 6 language
// mode with complete strict concurrency. No unsafeFlags anywhere.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Candor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "candor", targets: ["candor"]),
        // The analysis library: `Candor.analyze(file:options:)` returns a typed `Analysis`.
        .library(name: "Candor", targets: ["Candor"]),
        .library(name: "CandorCore", targets: ["CandorCore", "CandorAudio", "CandorDSP", "CandorFeatures", "CandorInterchange", "CandorJSON", "CandorModels", "CandorAudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    ],
    targets: [
        // C libraries from the system, with apt providers.
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // What every module shares: exit statuses and the error protocol that carries them.
        .target(name: "CandorCore", dependencies: [], swiftSettings: swiftSettings),
        .target(name: "CandorDSP", dependencies: ["CFFTW"], swiftSettings: swiftSettings),
        .target(
            name: "CandorAudio",
            dependencies: ["CandorCore", "CSndFile", "CandorDSP", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        .target(name: "CandorFeatures", dependencies: ["CandorCore", "CandorDSP", "CandorAudio"], swiftSettings: swiftSettings),
        // Segment files (CSV, Praat TextGrid, SRT, WebVTT) read into segments; the writers of
        // the analysis's own TextGrid/CSV exports are in CandorReport, which renders the document.
        .target(name: "CandorInterchange", dependencies: ["CandorCore", "CandorAudio", "CandorFeatures"], swiftSettings: swiftSettings),
        .target(name: "CandorSynth", dependencies: ["CandorCore", "CandorAudio"], swiftSettings: swiftSettings),
        // The strict, streaming JSON reader shared by the report and the models (frame tracks reduced or skipped while reading).
        .target(name: "CandorJSON", dependencies: ["CandorCore"], swiftSettings: swiftSettings),
        .target(name: "CandorModels", dependencies: ["CandorCore", "CandorJSON"], swiftSettings: swiftSettings),
        .target(
            name: "CandorAudit",
            dependencies: [
                "CandorCore", "CSQLite", .product(name: "Crypto", package: "swift-crypto"),
                // RSA signatures of RFC 3161 time-stamping authorities.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        // The C2SP tlog-witness server (Hummingbird); only this module and the CLI pull in the HTTP stack.
        .target(
            name: "CandorWitness",
            dependencies: [
                "CandorAudit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "CandorReport", dependencies: ["CandorCore", "CandorJSON", "CandorModels"], swiftSettings: swiftSettings),
        // The service (`candor serve`): accounts, sign-in, the /api/v1 routes, the web UI, /metrics.
        .target(
            name: "CandorServer",
            dependencies: [
                "CandorCore", "CandorAudit", "CandorStore", "CandorReport", "CSQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CandorStore",
            dependencies: [
                "CandorCore", "CSQLite", "CandorAudit", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        // The library over the stages: one entry point, one typed result (schema candor.analysis/1).
        .target(
            name: "Candor",
            dependencies: [
                "CandorCore", "CandorAudio", "CandorDSP", "CandorFeatures", "CandorInterchange", "CandorModels",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CandorCLI",
            dependencies: [
                "Candor", "CandorCore", "CandorAudio", "CandorDSP", "CandorFeatures", "CandorInterchange", "CandorSynth", "CandorModels", "CandorAudit", "CandorReport",
                "CandorJSON", "CandorStore", "CandorWitness", "CandorServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        // Process-start malloc tuning, for the executable only (see startup.c).
        .target(name: "CCandorStartup"),
        .executableTarget(name: "candor", dependencies: ["CandorCLI", "CCandorStartup"], swiftSettings: swiftSettings),

        .testTarget(name: "CandorDSPTests", dependencies: ["CandorDSP"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CandorFeaturesTests",
            dependencies: ["CandorFeatures", "CandorInterchange", "CandorSynth", "CandorAudio"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CandorTests",
            dependencies: ["Candor", "CandorFeatures", "CandorSynth", "CandorAudio"],
            swiftSettings: swiftSettings),
        .testTarget(name: "CandorModelsTests", dependencies: ["CandorModels"], swiftSettings: swiftSettings),
        .testTarget(name: "CandorAuditTests", dependencies: ["CandorAudit"], swiftSettings: swiftSettings),
        .testTarget(name: "CandorReportTests", dependencies: ["CandorReport", "CandorJSON", "CandorAudit"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        // Process running and paths shared by the test targets that run `candor`.
        .target(name: "CandorTestSupport", path: "Tests/CandorTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "CandorStoreTests", dependencies: ["CandorStore", "CandorAudit", "CandorSynth", "CandorAudio", "CandorTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CandorCLITests",
            dependencies: ["CandorCLI", "Candor", "CandorSynth", "CandorAudio", "CandorTestSupport", "CandorWitness"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CandorServerTests",
            dependencies: ["CandorServer", "CandorAudit", "CandorTestSupport"],
            swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
