// swift-tools-version:6.0
// A program outside the Candor package that uses the Candor library: it analyses the
// recording named on its command line and prints the analysis JSON. See run.sh.
import PackageDescription

let package = Package(
    name: "analyze-file",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Candor", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "AnalyzeFile",
            dependencies: [.product(name: "Candor", package: "Candor")])
    ],
    swiftLanguageModes: [.v6]
)
