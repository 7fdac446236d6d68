import Pipeline

/// The seeded generator of every randomized test, so that each is reproducible.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
