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
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    ],
    targets: [
        .target(
            name: "FundreconCore",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .executableTarget(
            name: "fundrecon",
            dependencies: [
                "FundreconCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "FundreconCoreTests",
            dependencies: [
                "FundreconCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
