// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every Swift target: Swift 6 mode, and no implicit Concurrency or
/// StringProcessing imports so those runtimes stay out of the Apache module.
let coreSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-implicit-concurrency-module-import",
                  "-Xfrontend", "-disable-implicit-string-processing-module-import"]),
    // Release builds skip the dynamic exclusivity checks (about 350 instructions per request in
    // callgrind); debug builds and `swift test` keep them.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "SwiftJK",
    products: [
        /// The Swift core linked into mod_swiftjk.so by apxs/Makefile.
        .library(name: "JKCore", type: .static, targets: ["JKCore"]),
        /// A scriptable, recording AJP13 backend for tests.
        .executable(name: "ajp-test-backend", targets: ["AJPTestBackend"]),
    ],
    targets: [
        .target(name: "CJKCore", path: "Sources/CJKCore"),
        .target(name: "JKCore", dependencies: ["CJKCore"], path: "Sources/JKCore",
                swiftSettings: coreSwiftSettings),
        .executableTarget(name: "AJPTestBackend", path: "Sources/AJPTestBackend"),
        .testTarget(name: "JKCoreTests", dependencies: ["JKCore", "CJKCore"], path: "Tests/JKCoreTests"),
    ]
)
