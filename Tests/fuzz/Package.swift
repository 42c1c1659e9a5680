// swift-tools-version:6.1
import PackageDescription

/// Coverage-guided fuzzing of the Swift core with libFuzzer. A package of its own, so that the main
/// package never links an executable without `main`: build it only through `scripts/fuzz`, which adds
/// `-sanitize=fuzzer,address` and `-parse-as-library`.
let package = Package(
    name: "SwiftJKFuzz",
    dependencies: [.package(name: "SwiftJK", path: "../..")],
    targets: [
        .executableTarget(name: "SJKFuzz", dependencies: [.product(name: "JKCore", package: "SwiftJK")],
                          path: "Sources/SJKFuzz"),
    ]
)
