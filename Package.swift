// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "fundrecon",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "fundrecon", targets: ["fundrecon"]),
        .library(name: "FundreconCore", targets: ["FundreconCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.19"),
    ],
    targets: [
        // libxlsxwriter (Debian libxlsxwriter-dev 1.1.4); only the XLSX target uses it.
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev", "zlib1g-dev", "pkg-config"])]
        ),
        // The one safe Swift layer over the C API: errors, enums and char* lifetimes handled here.
        .target(
            name: "XLSX",
            dependencies: ["CXlsxWriter", "CSupport"]
        ),
        // A CPU prefetch hint for the per-row hash tables, and the zlib level for the workbook.
        .target(
            name: "CSupport",
            linkerSettings: [
                // The executable must export deflateInit2_ for libxlsxwriter's zlib calls to
                // reach the one in CSupport (see DeflateLevel.c).
                .unsafeFlags(["-Xlinker", "--export-dynamic-symbol=deflateInit2_"], .when(platforms: [.linux])),
            ]
        ),
        .target(
            name: "FundreconCore",
            dependencies: ["XLSX", "CSupport", .product(name: "TOMLKit", package: "TOMLKit")],
            // The per-row path touches class storage millions of times; in release the
            // run-time exclusivity checks cost about a tenth of the read (perf), and debug
            // builds (every test) keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "fundrecon",
            dependencies: [
                "FundreconCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Phase timings for scripts/bench: not part of the product.
        .executableTarget(
            name: "fundrecon-bench",
            dependencies: ["FundreconCore"]
        ),
        .testTarget(
            name: "FundreconCoreTests",
            dependencies: [
                "FundreconCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
    ]
)
