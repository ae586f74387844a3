// swift-tools-version: 6.1
import PackageDescription

/// An executable that links CDeflateLevel must export its deflateInit2_, minizip's entry
/// calls and libxlsxwriter's sheet assembly and cell writers, so that libxlsxwriter's calls
/// reach them first (Sources/CDeflateLevel).
let exportsDeflateInit: [LinkerSetting] = [
    .unsafeFlags(
        [
            "deflateInit2_", "zipOpenNewFileInZip4_64", "zipWriteInFileInZip", "zipCloseFileInZip", "zipClose",
            "lxw_worksheet_assemble_xml_file", "_write_number_cell", "_write_inline_string_cell",
            "_write_formula_num_cell", "_write_row", "lxw_xml_end_tag", "_write_cell",
        ]
            .flatMap { ["-Xlinker", "--export-dynamic-symbol=\($0)"] },
        .when(platforms: [.linux])),
]

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
        // A CPU prefetch hint for the per-row hash tables, SSE2 field splitting, SHA-256, zlib's
        // CRC-32 for the workbooks read back, and the zlib level the workbook writer asks for.
        .target(name: "CSupport", linkerSettings: [.linkedLibrary("z")]),
        // zlib's deflateInit2_ with that level, minizip's entries written on a second thread
        // and a sheet's rows read in place, for fundrecon's own executables (and the tests
        // that check them): never part of the library product, which leaves zlib, minizip and
        // libxlsxwriter alone.
        .target(name: "CDeflateLevel", dependencies: ["CSupport"]),
        .target(
            name: "FundreconCore",
            dependencies: [
                "XLSX", "CSupport", .product(name: "TOMLKit", package: "TOMLKit"),
                // Reading back the workbooks staff answered in (Explanations/).
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(
            name: "fundrecon",
            dependencies: [
                "FundreconCore",
                "CDeflateLevel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: exportsDeflateInit
        ),
        // Phase timings for scripts/bench: not part of the product.
        .executableTarget(
            name: "fundrecon-bench",
            dependencies: ["FundreconCore", "CDeflateLevel"],
            linkerSettings: exportsDeflateInit
        ),
        // libFuzzer targets (scripts/fuzz), and the replayer of their saved inputs.
        .executableTarget(
            name: "fundrecon-fuzz",
            dependencies: ["FundreconCore"]
        ),
        .testTarget(
            name: "FundreconCoreTests",
            dependencies: [
                "FundreconCore",
                "XLSX",
                "CDeflateLevel",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            linkerSettings: exportsDeflateInit
        ),
    ]
)
