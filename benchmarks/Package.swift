// swift-tools-version:6.1
// Kernel benchmarks (ordo-one package-benchmark). Run from this folder:
//   swift package --disable-sandbox benchmark
// The side-by-side comparison with Praat is compare.sh.
import PackageDescription

let package = Package(
    name: "CandorBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Candor", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CandorKernels",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CandorCore", package: "Candor"),
            ],
            path: "Benchmarks/CandorKernels",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
